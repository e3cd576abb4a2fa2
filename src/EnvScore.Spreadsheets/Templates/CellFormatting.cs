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
            _ => new(null, "预填值与项目类型不符或超出范围"),
        };
    }

    private static bool InRange(TemplateItem item, int n) => n >= 0 && (item.UpperBound is not { } max || n <= max);

    /// <summary>Outcome of reading one item cell: a value, "blank", or an error detail (without row/item prefix).</summary>
    public readonly record struct ParseResult(ItemValue? Value, bool Blank, string? Error);

    public static ParseResult ParseItem(TemplateItem item, object? raw)
    {
        if (raw is OfficeOpenXml.ExcelErrorValue err)
            return new(null, false, $"单元格为错误值{err}（可能是公式出错），请改为直接填写");
        if (CellText.IsBlank(raw))
        {
            return item.BlankMeansZero
                ? new(Zero(item), false, null)
                : new(null, true, "未填写" + (item.MayBeNotApplicable ? $"（如确无此项请填\"{NotApplicableWord}\"）" : ""));
        }
        // Only text can say 不适用; skip formatting numbers (the hot path of a 10,000-row import).
        var text = raw is string ? CellText.ToText(raw) : null;
        if (raw is string && CellText.IsNotApplicableWord(text))
            return item.MayBeNotApplicable
                ? new(ItemValue.NotApplicableValue(), false, null)
                : new(null, false, $"此项不允许填\"{NotApplicableWord}\"，请填写实际情况");

        switch (item.Kind)
        {
            case ItemKind.PerOccurrence:
            case ItemKind.Bonus:
            case ItemKind.Sampled:
            {
                if (!TryWhole(raw, item.Unit, out var n) || n < 0 || (item.UpperBound is { } max && n > max))
                    return new(null, false, $"{Expectation(item)}，实际为\"{CellText.Display(raw)}\"");
                return new(item.Kind == ItemKind.Sampled ? ItemValue.Failed(n) : ItemValue.Occurrences(n), false, null);
            }
            case ItemKind.Levels:
            {
                text ??= CellText.ToText(raw);
                var level = item.Levels.FirstOrDefault(l => CellText.Same(l.Name, text))
                            ?? item.Levels.FirstOrDefault(l => CellText.Same(l.Code, text));
                return level is null
                    ? new(null, false, $"应为下列档次之一：{string.Join("、", item.Levels.Select(l => l.Name))}，实际为\"{CellText.Display(raw)}\"")
                    : new(ItemValue.Level(level.Code), false, null);
            }
            case ItemKind.PassFail:
            {
                bool? passed = raw is bool b ? b : PassFailWord(text ?? CellText.ToText(raw));
                return passed is { } p
                    ? new(ItemValue.Pass(p), false, null)
                    : new(null, false, $"应为\"{PassWord}\"或\"{FailWord}\"，实际为\"{CellText.Display(raw)}\"");
            }
            default:
                return new(null, false, "未知的项目类型");
        }
    }

    private static ItemValue Zero(TemplateItem item) =>
        item.Kind == ItemKind.Sampled ? ItemValue.Failed(0) : ItemValue.Occurrences(0);

    private static string Expectation(TemplateItem item) => item.UpperBound is { } max
        ? $"应为0到{max}之间的整数"
        : "应为不小于0的整数";

    /// <summary>Accepts 是/否/合格/不合格/Y/N/✓/✗ (any case, full-width folded).</summary>
    private static bool? PassFailWord(string? text) => text?.ToUpperInvariant() switch
    {
        "合格" or "是" or "Y" or "YES" or "TRUE" or "✓" or "✔" or "√" or "通过" => true,
        "不合格" or "否" or "N" or "NO" or "FALSE" or "✗" or "✘" or "×" or "X" or "不通过" => false,
        _ => null,
    };

    /// <summary>
    /// A whole number from a number cell or from text ("３", " 3 ", "3.0", "3处"). 2.5 is not whole.
    /// Formula cells arrive here as their cached value.
    /// </summary>
    public static bool TryWhole(object? raw, string? unit, out int value)
    {
        value = 0;
        decimal d;
        switch (raw)
        {
            case double x when double.IsFinite(x) && Math.Abs(x) < 1e9:
                // Tolerate binary noise from formulas (2.9999999999 → 3), not real fractions.
                var rounded = Math.Round(x);
                if (Math.Abs(x - rounded) > 1e-9) return false;
                value = (int)rounded;
                return true;
            case int i: value = i; return true;
            case long l when l is >= int.MinValue and <= int.MaxValue: value = (int)l; return true;
            case decimal m: d = m; break;
            case string s:
                var t = CellText.Normalize(s);
                if (t is null) return false;
                if (unit is not null && t.EndsWith(unit, StringComparison.Ordinal)) t = t[..^unit.Length].TrimEnd();
                if (!decimal.TryParse(t, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out d))
                    return false;
                break;
            default: return false;
        }
        if (d != decimal.Truncate(d) || d is > int.MaxValue or < int.MinValue) return false;
        value = (int)d;
        return true;
    }

    /// <summary>A dropdown option (condition or veto) by name, or by code as a courtesy; blank is none.</summary>
    public static (string? Code, string? Error) ParseOption(IReadOnlyList<NamedOption> options, object? raw, string what)
    {
        if (raw is OfficeOpenXml.ExcelErrorValue err) return (null, $"单元格为错误值{err}");
        if (CellText.IsBlank(raw)) return (null, null);
        var text = CellText.ToText(raw);
        var option = options.FirstOrDefault(o => CellText.Same(o.Name, text)) ?? options.FirstOrDefault(o => CellText.Same(o.Code, text));
        return option is null
            ? (null, $"{what}应从下拉列表中选择（{string.Join("、", options.Select(o => o.Name))}）或留空，实际为\"{CellText.Display(raw)}\"")
            : (option.Code, null);
    }
}
