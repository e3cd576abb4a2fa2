using static EnvScore.Spreadsheets.Templates.TemplateConventions;

namespace EnvScore.Spreadsheets.Templates;

internal enum ColumnRole { VillageCode, VillageName, Township, Item, ZeroCondition, Veto, Note }

/// <summary>One column of the data sheet as the writer lays it out and the reader expects it.</summary>
internal sealed record TemplateColumn(ColumnRole Role, string Token, string Section, string Header, string HowTo, string Rule, double Width)
{
    public TemplateItem? Item { get; init; }
    public IReadOnlyList<NamedOption> Options { get; init; } = [];
    public string ValidationError { get; init; } = "";

    public bool IsInput => Role is ColumnRole.Item or ColumnRole.ZeroCondition or ColumnRole.Veto or ColumnRole.Note;
    public bool IsRequired => Role is ColumnRole.VillageCode or ColumnRole.Item;

    /// <summary>Dropdown entries for list columns; empty for free/number columns.</summary>
    public IReadOnlyList<string> ListChoices()
    {
        var na = Item?.MayBeNotApplicable == true ? new[] { NotApplicableWord } : [];
        return Role switch
        {
            ColumnRole.Item when Item!.Kind == ItemKind.Levels => [.. Item.Levels.Select(l => l.Name), .. na],
            ColumnRole.Item when Item!.Kind == ItemKind.PassFail => [PassWord, FailWord, .. na],
            ColumnRole.Item when Item!.Kind == ItemKind.YesNo => [YesWord, NoWord, .. na],
            ColumnRole.ZeroCondition or ColumnRole.Veto => [.. Options.Select(o => o.Name)],
            _ => [],
        };
    }
}

internal static class TemplateColumns
{
    public static IReadOnlyList<TemplateColumn> Build(TemplateLayout layout, TemplateKind kind)
    {
        const string basic = "村（社区）";
        var columns = new List<TemplateColumn>
        {
            new(ColumnRole.VillageCode, VillageCodeToken, basic, VillageCodeHeader, "", "", 16),
            new(ColumnRole.VillageName, VillageNameToken, basic, VillageNameHeader, "", "", 14),
        };
        if (kind == TemplateKind.District)
            columns.Add(new(ColumnRole.Township, TownshipToken, basic, TownshipHeader, "", "", 12));

        foreach (var section in layout.Sections)
        {
            var total = section.Items.Sum(i => i.MaxPoints);
            var sectionText = total > 0 ? $"{section.Title}（{TemplateWriter.Points(total)}分）" : section.Title;
            foreach (var item in section.Items)
            {
                columns.Add(new(ColumnRole.Item, item.Code, sectionText, item.Title, HowTo(item), item.RuleText, 12)
                {
                    Item = item,
                    ValidationError = ValidationError(item),
                });
                if (item.ZeroConditions.Count > 0)
                {
                    columns.Add(new(ColumnRole.ZeroCondition, ZeroToken(item.Code), sectionText, ZeroHeader(item.Title),
                        "如有下列情形，此项不得分：从下拉列表选择；没有则留空",
                        string.Join("；", item.ZeroConditions.Select(z => z.Name)), 16)
                    {
                        Item = item,
                        Options = item.ZeroConditions,
                        ValidationError = "请从下拉列表中选择不得分情形，没有则留空",
                    });
                }
            }
        }

        const string other = "其他";
        if (layout.Vetoes.Count > 0)
        {
            columns.Add(new(ColumnRole.Veto, VetoToken, other, VetoHeader, "如发生一票否决事项，从下拉列表选择；没有则留空",
                string.Join("；", layout.Vetoes.Select(v => v.Name)), 16)
            {
                Options = layout.Vetoes,
                ValidationError = "请从下拉列表中选择一票否决事项，没有则留空",
            });
        }
        columns.Add(new(ColumnRole.Note, NoteToken, other, NoteHeader, "需要说明的情况（选填）", "", 30));
        return columns;
    }

    private static string HowTo(TemplateItem item)
    {
        var unit = item.Unit ?? "处";
        var text = item.HowToText is { } own ? (item.MaxPoints > 0 ? $"{TemplateWriter.Points(item.MaxPoints)}分｜{own}" : own) : item.Kind switch
        {
            ItemKind.PerOccurrence => $"{TemplateWriter.Points(item.MaxPoints)}分｜填发现的{unit}数（不小于0的整数）",
            ItemKind.Levels => $"{TemplateWriter.Points(item.MaxPoints)}分｜从下拉列表选择：{string.Join("/", item.Levels.Select(l => l.Name))}",
            ItemKind.Sampled => $"{TemplateWriter.Points(item.MaxPoints)}分｜抽查{item.SampleSize}{item.Unit ?? "户"}，填不合格数（{Range(item)}）",
            ItemKind.PassFail => $"{TemplateWriter.Points(item.MaxPoints)}分｜选择\"{PassWord}\"或\"{FailWord}\"",
            ItemKind.Bonus => $"加分，最多{TemplateWriter.Points(item.MaxPoints)}分｜填获得次数（{Range(item)}）",
            ItemKind.YesNo => $"{Prefix(item)}有此情形选择\"{YesWord}\"，没有选择\"{NoWord}\"",
            ItemKind.Percent => $"{Prefix(item)}填百分数（0到100，如85或85%）",
            ItemKind.Number => $"{Prefix(item)}填{item.Unit ?? "数量"}（不小于0的数）",
            _ => "",
        };
        if (item.MaxPoints == 0 && text.StartsWith("0分｜", StringComparison.Ordinal)) text = text["0分｜".Length..]; // a clause column after its item's first
        if (item.BlankMeansZero) text += item.Kind == ItemKind.YesNo ? $"；空白视为\"{NoWord}\"" : "；空白视为0";
        if (item.MayBeNotApplicable) text += $"；可填\"{NotApplicableWord}\"";
        return text;
    }

    /// <summary>"5分｜" before the how-to; nothing for a column that shares its item's points (a clause column after the first).</summary>
    private static string Prefix(TemplateItem item) => item.MaxPoints > 0 ? $"{TemplateWriter.Points(item.MaxPoints)}分｜" : "";

    private static string Range(TemplateItem item) =>
        item.UpperBound is { } max ? $"{item.Bounds.Min}到{max}" : $"不小于{item.Bounds.Min}的整数";

    private static string ValidationError(TemplateItem item)
    {
        var na = item.MayBeNotApplicable ? $"，或\"{NotApplicableWord}\"" : "";
        return item.Kind switch
        {
            ItemKind.PerOccurrence => $"请填写不小于0的整数{na}",
            ItemKind.Sampled or ItemKind.Bonus when item.UpperBound is { } max => $"请填写{item.Bounds.Min}到{max}之间的整数{na}",
            ItemKind.Sampled or ItemKind.Bonus => $"请填写不小于{item.Bounds.Min}的整数{na}",
            ItemKind.Percent => $"请填写0到100之间的百分数{na}",
            ItemKind.Number => $"请填写不小于0的数{na}",
            _ => $"请从下拉列表中选择{na}",
        };
    }
}
