using EnvScore.Api.Features.Evaluations;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;
using EnvScore.Spreadsheets.Templates;
using SheetItemKind = EnvScore.Spreadsheets.Templates.ItemKind;

namespace EnvScore.Api.Features.Spreadsheets;

/// <summary>Adapts a rule set to the spreadsheet library's descriptors, and sheet values both ways.</summary>
public static class TemplateLayouts
{
    public const string BonusSectionTitle = "加分项";

    /// <summary>
    /// Why the spreadsheet path cannot carry this rule set yet (null when it can): items with clauses (细则) need a column
    /// per clause and categories inside categories nested headers, which the template does not have yet — such sheets are
    /// filled in on the web form (/work/sheet) or over the API, and the spreadsheet answers this instead of a wrong template.
    /// </summary>
    public static string? Unsupported(RuleSet rules) =>
        rules.Items.Any(i => i is ClauseItem) || rules.IsNested
            ? "本月评分细则含多条细则的评分项或多级类别，Excel表格暂不支持，请在网页上逐村填写（工作台→填写） (this rule set has items with clauses or nested categories: use the web form or the API)"
            : null;

    public static TemplateLayout From(RuleSet rules, EvaluationMonth month) => new()
    {
        RuleSetCode = rules.Code,
        RuleSetVersion = rules.Version,
        Month = month,
        Title = rules.Title,
        Sections =
        [
            .. rules.Sections.Select(s => new TemplateSection(s.Title, [.. s.Items.Select(Item)])),
            .. rules.Bonus.Items.Count == 0 ? [] : new[] { new TemplateSection(BonusSectionTitle, [.. rules.Bonus.Items.Select(b => Bonus(b, rules.Bonus))]) },
        ],
        Vetoes = [.. rules.Vetoes.Select(v => new NamedOption(v.Code, v.Title))],
    };

    private static TemplateItem Item(ScoringItem item)
    {
        var common = new TemplateItem
        {
            Code = item.Code, Title = item.Title, Kind = SheetItemKind.PassFail, MaxPoints = item.Points, RuleText = item.Criteria ?? "",
            MayBeNotApplicable = item.MayBeNotApplicable, ZeroConditions = [.. item.ZeroIf.Select(z => new NamedOption(z.Code, z.Text))],
        };
        return item switch
        {
            PerOccurrenceItem p => common with { Kind = SheetItemKind.PerOccurrence, Unit = p.Unit, BlankMeansZero = true, Bounds = InputBounds.Of(p)!.Value },
            SampledItem s => common with { Kind = SheetItemKind.Sampled, Unit = s.Unit, SampleSize = s.Samples, BlankMeansZero = true, Bounds = InputBounds.Of(s)!.Value },
            LevelsItem l => common with { Kind = SheetItemKind.Levels, Levels = [.. l.Levels.Select(v => new NamedOption(v.Code, v.Name))] },
            _ => common,
        };
    }

    private static TemplateItem Bonus(BonusItem bonus, BonusPolicy policy) => new()
    {
        Code = bonus.Code, Title = bonus.Title, Kind = SheetItemKind.Bonus, MaxPoints = bonus.Cap ?? policy.TotalCap,
        RuleText = bonus.Criteria ?? "", BlankMeansZero = true,
        Bounds = InputBounds.Of(bonus), // the engine caps the points, not the count (issue #13)
    };

    /// <summary>What the spreadsheet holds for a stored sheet (the prefill).</summary>
    public static VillageValues Values(Evaluation sheet) => new()
    {
        Items = sheet.Entries.ToDictionary(e => e.ItemCode, e => new ItemValue
        {
            NotApplicable = e.NotApplicable, Count = e.Count, LevelCode = e.Level, FailedSamples = e.FailedSamples, Passed = e.Passed,
            ZeroConditionCode = e.ZeroConditions.FirstOrDefault(),
        }),
        VetoCode = sheet.Vetoes.FirstOrDefault(),
        Note = sheet.Note,
    };

    /// <summary>What a spreadsheet row becomes: the entries of a sheet.</summary>
    public static List<EvaluationEntry> Entries(VillageValues values) =>
    [
        .. values.Items.Select(kv => new EvaluationEntry
        {
            ItemCode = kv.Key, NotApplicable = kv.Value.NotApplicable, Count = kv.Value.Count, Level = kv.Value.LevelCode,
            FailedSamples = kv.Value.FailedSamples, Passed = kv.Value.Passed,
            ZeroConditions = kv.Value.ZeroConditionCode is { } z ? [z] : [],
        }),
    ];
}
