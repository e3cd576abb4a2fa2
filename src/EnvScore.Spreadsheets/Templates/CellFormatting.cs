using System.Globalization;
using static EnvScore.Spreadsheets.Templates.TemplateConventions;

namespace EnvScore.Spreadsheets.Templates;

/// <summary>Item value ⇄ cell value, in both directions, with the import tolerances.</summary>
internal static class CellFormatting
{
    public readonly record struct ToCellResult(object? Value, string? Error);

    /// <summary>The main cell of an item (the zero-if condition has its own column).</summary>
    public static ToCellResult ToCell(TemplateItem item, ItemValue value)
    {
        if (value.NotApplicable)
            return item.MayBeNotApplicable ? new(NotApplicableWord, null) : new(null, "此项不允许\"不适用\"");
        return item.Kind switch
        {
            ItemKind.PerOccurrence or ItemKind.Bonus when value.Count is { } n && InRange(item, n) => new(n, null),
            ItemKind.Sampled when value.FailedSamples is { } n && InRange(item, n) => new(n, null),
            ItemKind.Levels when item.Levels.FirstOrDefault(l => l.Code == value.LevelCode) is { } level => new(level.Name, null),
            ItemKind.PassFail when value.Passed is { } p => new(p ? PassWord : FailWord, null),
            ItemKind.YesNo when value.Yes is { } y => new(y ? YesWord : NoWord, null),
            ItemKind.Percent when value.Amount is >= 0 and <= 100 => new(value.Amount, null),
            ItemKind.Number when value.Amount is >= 0 => new(value.Amount, null),
            _ => new(null, "预填值与项目类型不符或超出范围"),
        };
    }

    private static bool InRange(TemplateItem item, int n) => item.Bounds.Contains(n);

    /// <summary>Outcome of reading one item cell: a value, "blank", or an error detail (without row/item prefix).</summary>
    public readonly record struct ParseResult(ItemValue? Value, bool Blank, string? Error);

    /// <summary>One item's cell → its value; every conversion goes through <see cref="CellValues"/>.</summary>
    public static ParseResult ParseItem(TemplateItem item, CellInput cell)
    {
        if (CellValues.Unreadable(cell) is { } unreadable) return new(null, false, unreadable);
        if (CellValues.IsBlank(cell))
        {
            return item.BlankMeansZero
                ? new(Zero(item), false, null)
                : new(null, true, "未填写" + (item.MayBeNotApplicable ? $"（如确无此项请填\"{NotApplicableWord}\"）" : ""));
        }
        // Only text can say 不适用; skip formatting numbers (the hot path of a 10,000-row import).
        var text = cell.Value is string ? CellValues.Word(cell) : null;
        if (cell.Value is string && CellText.IsNotApplicableWord(text))
            return item.MayBeNotApplicable
                ? new(ItemValue.NotApplicableValue(), false, null)
                : new(null, false, $"此项不允许填\"{NotApplicableWord}\"，请填写实际情况");

        switch (item.Kind)
        {
            case ItemKind.PerOccurrence:
            case ItemKind.Bonus:
            case ItemKind.Sampled:
            {
                var (n, error) = CellValues.Whole(cell, item.Unit, item.Bounds, Expectation(item));
                if (n is null) return new(null, false, error);
                return new(item.Kind == ItemKind.Sampled ? ItemValue.Failed(n.Value) : ItemValue.Occurrences(n.Value), false, null);
            }
            case ItemKind.Levels:
            {
                text ??= CellValues.Word(cell);
                var level = item.Levels.FirstOrDefault(l => CellText.Same(l.Name, text))
                            ?? item.Levels.FirstOrDefault(l => CellText.Same(l.Code, text));
                return level is null
                    ? new(null, false, $"应为下列档次之一：{string.Join("、", item.Levels.Select(l => l.Name))}，实际为\"{CellValues.Display(cell)}\"")
                    : new(ItemValue.Level(level.Code), false, null);
            }
            case ItemKind.PassFail:
            {
                return CellValues.YesNo(cell) is { } p
                    ? new(ItemValue.Pass(p), false, null)
                    : new(null, false, $"应为\"{PassWord}\"或\"{FailWord}\"，实际为\"{CellValues.Display(cell)}\"");
            }
            case ItemKind.YesNo:
            {
                return CellValues.YesNo(cell) is { } y
                    ? new(ItemValue.Occurred(y), false, null)
                    : new(null, false, $"应为\"{YesWord}\"或\"{NoWord}\"，实际为\"{CellValues.Display(cell)}\"");
            }
            case ItemKind.Percent:
            case ItemKind.Number:
            {
                var percent = item.Kind == ItemKind.Percent;
                var (d, error) = CellValues.Decimal(cell, 0, percent ? 100 : null, percent, Expectation(item));
                return d is null ? new(null, false, error) : new(ItemValue.Quantity(d.Value), false, null);
            }
            default:
                return new(null, false, "未知的项目类型");
        }
    }

    private static ItemValue Zero(TemplateItem item) => item.Kind switch
    {
        ItemKind.Sampled => ItemValue.Failed(0),
        ItemKind.YesNo => ItemValue.Occurred(false),
        _ => ItemValue.Occurrences(0),
    };

    internal static string Expectation(TemplateItem item) => item.Kind switch
    {
        ItemKind.Percent => "应为0到100之间的百分数（如85或85%）",
        ItemKind.Number => "应为不小于0的数",
        _ when item.UpperBound is { } max => $"应为{item.Bounds.Min}到{max}之间的整数",
        _ => $"应为不小于{item.Bounds.Min}的整数",
    };

    /// <summary>A dropdown option (condition or veto) by name, or by code as a courtesy; blank is none.</summary>
    public static (string? Code, string? Error) ParseOption(IReadOnlyList<NamedOption> options, CellInput cell, string what)
    {
        if (CellValues.Unreadable(cell) is { } unreadable) return (null, unreadable);
        if (CellValues.IsBlank(cell)) return (null, null);
        var text = CellValues.Word(cell);
        var option = options.FirstOrDefault(o => CellText.Same(o.Name, text)) ?? options.FirstOrDefault(o => CellText.Same(o.Code, text));
        return option is null
            ? (null, $"{what}应从下拉列表中选择（{string.Join("、", options.Select(o => o.Name))}）或留空，实际为\"{CellValues.Display(cell)}\"")
            : (option.Code, null);
    }
}
