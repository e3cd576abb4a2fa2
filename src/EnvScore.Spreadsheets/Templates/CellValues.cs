using System.Globalization;
using EnvScore.Domain.Scoring;
using OfficeOpenXml;

namespace EnvScore.Spreadsheets.Templates;

/// <summary>
/// The one place that decides how a cell becomes a value — number, text, level/option word, yes/no,
/// date-as-text — for every column of every template and every producer (Excel, WPS, LibreOffice, .xls).
/// Rules (docs/spreadsheets.md, "单元格怎么读"):
/// <list type="bullet">
/// <item>Text is what a Chinese-locale program displays: a date in 备注 reads "2026/11/20" or "11月20日",
///   a number "3.50" under format 0.00, "50%" under 0%.</item>
/// <item>Numbers: a number cell, or text that is a whole number (full-width digits, spaces, a unit "3处",
///   "3.0"). A number in a date/time-formatted cell is read as the number typed when the cell shows a
///   date in 1900 (a count typed into a date cell: 3 shows 1900/1/3 and reads 3); a real date or a time is
///   refused, quoting what the cell shows and how to change the format.</item>
/// <item>Error values (#N/A …) and formulas saved without a result are refused in every column.</item>
/// <item>Booleans are yes/no; as text they read TRUE/FALSE.</item>
/// </list>
/// </summary>
internal static class CellValues
{
    /// <summary>Chinese measure words a clerk types after a count (3处, 2户, 1辆 …), whatever the item's own unit.</summary>
    private static readonly HashSet<char> MeasureWords = [.. "处户条辆个座块次人段间家棵份项名张只头亩台套座点起"];

    /// <summary>Largest serial that shows a date in 1900 (1900/12/31): a count typed into a date cell.</summary>
    public const double LastSerialOf1900 = 366;

    public static bool IsBlank(CellInput c) =>
        (c.Value is null && !c.HasFormula) || (c.Value is string s && CellText.Normalize(s) is null);

    /// <summary>What the user sees in the cell, as a zh-CN program shows it (used to quote it back).</summary>
    public static string Display(CellInput c) => c.Value switch
    {
        null => "",
        string s => s,
        double d => NumberFormats.Render(d, c.Format),
        bool b => b ? "TRUE" : "FALSE",
        ExcelErrorValue e => e.ToString(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => c.Value.ToString() ?? "",
    };

    /// <summary>A problem every column shares: an error value, or a formula saved without its result.</summary>
    public static string? Unreadable(CellInput c) => c.Value switch
    {
        ExcelErrorValue e => $"单元格为错误值{e}（可能是公式出错），请改为直接填写",
        null when c.HasFormula => "单元格是公式，但文件中没有它的计算结果，请在Excel或WPS中打开、保存后再上传，或直接填写",
        _ => null,
    };

    /// <summary>Free text (备注, names): the displayed text with its ends trimmed (full-width spaces too); blank → null.</summary>
    public static string? Text(CellInput c)
    {
        if (IsBlank(c) || c.Value is ExcelErrorValue) return null;
        var text = Display(c);
        return CellText.Normalize(text) is null ? null : text.Trim().Trim('\u3000', '\u00A0').Trim();
    }

    /// <summary>Text for matching a word (a level, an option, 是/否): normalised (full-width folded, trimmed).</summary>
    public static string? Word(CellInput c) => c.Value is string s ? CellText.Normalize(s) : CellText.Normalize(Text(c));

    /// <summary>A yes/no cell: a boolean, or 合格/不合格, 是/否, Y/N, ✓/✗ … (any case, full-width folded).</summary>
    public static bool? YesNo(CellInput c) => c.Value is bool b ? b : Word(c)?.ToUpperInvariant() switch
    {
        "合格" or "是" or "Y" or "YES" or "TRUE" or "✓" or "✔" or "√" or "通过" => true,
        "不合格" or "否" or "N" or "NO" or "FALSE" or "✗" or "✘" or "×" or "X" or "不通过" => false,
        _ => null,
    };

    /// <summary>
    /// A whole number within <paramref name="bounds"/>. On failure, the error detail: <paramref name="expectation"/>
    /// and what the cell shows, or — for a date/time-formatted cell — what it shows and how to change the format.
    /// </summary>
    public static (int? Value, string? Error) Whole(CellInput c, string? unit, CountBounds bounds, string expectation)
    {
        if (Unreadable(c) is { } unreadable) return (null, unreadable);
        if (c.Value is double d && NumberFormats.IsDateTime(c.Format) && !(d == Math.Floor(d) && d >= 0 && d <= LastSerialOf1900))
            return (null, $"{expectation}；该单元格是日期/时间格式，显示为\"{Display(c)}\"，请改填数字，并把单元格格式设为\"常规\"（右键→设置单元格格式→常规）");
        if (TryWhole(c.Value, unit, out var n) && bounds.Contains(n)) return (n, null);
        return (null, $"{expectation}，实际为\"{Display(c)}\"");
    }

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
            case string s:
                var t = CellText.Normalize(s);
                if (t is null) return false;
                if (unit is not null && t.EndsWith(unit, StringComparison.Ordinal)) t = t[..^unit.Length].TrimEnd();
                else if (t.Length > 1 && MeasureWords.Contains(t[^1]) && char.IsAsciiDigit(t[^2])) t = t[..^1]; // "3处" on a 条 item: the number is clear
                if (!decimal.TryParse(t, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out d))
                    return false;
                break;
            default: return false;
        }
        if (d != decimal.Truncate(d) || d is > int.MaxValue or < int.MinValue) return false;
        value = (int)d;
        return true;
    }

    /// <summary>
    /// A decimal number within [<paramref name="min"/>, <paramref name="max"/>] (no upper bound when null): a number cell,
    /// or text ("3.5", "３．５", "85%" when <paramref name="percent"/>). With <paramref name="percent"/>, a number cell whose
    /// format shows a percentage (0.85 shown as 85%) reads as the percentage shown (85), and a "%" sign is accepted in text.
    /// At most 4 decimals (more is rounded away from zero at the 4th). On failure, the error detail as for <see cref="Whole"/>.
    /// </summary>
    public static (decimal? Value, string? Error) Decimal(CellInput c, decimal min, decimal? max, bool percent, string expectation)
    {
        if (Unreadable(c) is { } unreadable) return (null, unreadable);
        if (c.Value is double dt && NumberFormats.IsDateTime(c.Format))
            return (null, $"{expectation}；该单元格是日期/时间格式，显示为\"{Display(c)}\"，请改填数字，并把单元格格式设为\"常规\"（右键→设置单元格格式→常规）");
        decimal? value = null;
        switch (c.Value)
        {
            case double d when double.IsFinite(d) && Math.Abs(d) < 1e12:
                var shown = percent && c.Format is { } f && f.Contains('%') ? d * 100 : d;
                value = (decimal)Math.Round(shown, 9); // binary noise from formulas and percent formats (0.845*100)
                break;
            case string s when CellText.Normalize(s) is { } t:
                if (percent && (t.EndsWith('%') || t.EndsWith('％'))) t = t[..^1].TrimEnd();
                if (decimal.TryParse(t, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var parsed)) value = parsed;
                break;
        }
        if (value is { } v && v >= min && (max is not { } m || v <= m)) return (Math.Round(v, 4, MidpointRounding.AwayFromZero), null);
        return (null, $"{expectation}，实际为\"{Display(c)}\"");
    }

    /// <summary>A village code: 12 digits as text, or a number cell that holds them (Excel drops text formats).</summary>
    public static string? Code(CellInput c) => c.Value is double d && d == Math.Floor(d) && d >= 0
        ? d.ToString("0", CultureInfo.InvariantCulture)
        : CellText.Normalize(Display(c));
}
