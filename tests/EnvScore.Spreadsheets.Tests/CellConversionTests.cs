using EnvScore.Domain.Scoring;
using EnvScore.Spreadsheets.Templates;
using OfficeOpenXml;
using OfficeOpenXml.Style;

namespace EnvScore.Spreadsheets.Tests;

/// <summary>
/// The cell-conversion table (issue #16): every cell type and number format clerks' programs produce, read
/// through <see cref="CellValues"/> — the one place every template column uses — as text (备注) and as a
/// count. Expectations are written by hand: what Excel/WPS in a Chinese locale shows, and the count the clerk
/// typed (or the message). Each case is written by EPPlus (with cached formula results, as Excel saves), then
/// the same workbook is saved again by LibreOffice as .xlsx and as .xls (Excel 97-2003); all three must read alike.
/// </summary>
public class CellConversionTests
{
    /// <summary>A case: how to write the cell, what a zh-CN program shows, and the count read (or a message fragment).</summary>
    /// <param name="LoText">What the file shows after a zh-CN LibreOffice saved it, when that differs: LibreOffice
    /// writes its own explicit code for a built-in date (yyyy-m-d), and drops a code it cannot parse.</param>
    public sealed record Case(string Id, Action<ExcelRange> Write, string? Text, int? Count, string? CountError = null,
        bool XlsLosesErrors = false, string? LoText = null, string? LoCountError = null);

    private const double Nov20 = 46346; // 2026-11-20 as an Excel serial (checked by The_serial_used_by_the_cases_is_2026_11_20)

    private static Action<ExcelRange> Num(double v, string? format = null, int? builtIn = null) => c =>
    {
        c.Value = v;
        if (builtIn is { } id) c.Style.Numberformat.Format = BuiltIn(id);
        else if (format is not null) c.Style.Numberformat.Format = format;
    };

    /// <summary>EPPlus maps these en-US codes to the built-in ids 14, 21, 22 (ECMA-376 §18.8.30).</summary>
    private static string BuiltIn(int id) => id switch { 14 => "mm-dd-yy", 21 => "h:mm:ss", 22 => "m/d/yy h:mm", _ => throw new ArgumentException() };

    private static Action<ExcelRange> Text(string s, string? format = null) => c =>
    {
        if (format is not null) c.Style.Numberformat.Format = format;
        c.Value = s;
    };

    private static Action<ExcelRange> Formula(string f, string? format = null) => c =>
    {
        c.Formula = f;
        if (format is not null) c.Style.Numberformat.Format = format;
    };

    public static readonly Case[] Cases =
    [
        new("general-whole", Num(3), "3", 3),
        new("general-fraction", Num(2.5), "2.5", null, "实际为\"2.5\""),
        new("general-negative", Num(-1), "-1", null, "实际为\"-1\""),
        new("text-format-number", Text("3", "@"), "3", 3),
        new("text-chinese-numeral", Text("三"), "三", null, "实际为\"三\""),
        new("text-full-width", Text("３"), "３", 3),
        new("text-with-unit", Text("3处"), "3处", 3),
        new("text-with-another-unit", Text("3条"), "3条", 3), // a 条 typed on a 处 item (probe: "3处" on 乱拉乱挂 was refused)
        new("text-whole-decimal", Text("3.0"), "3.0", 3),
        new("decimals-whole", Num(3, "0.00"), "3.00", 3),
        new("decimals-fraction", Num(2.5, "0.00"), "2.50", null, "实际为\"2.50\""),
        new("thousands", Num(1234, "#,##0"), "1,234", 1234),
        new("percent", Num(0.5, "0%"), "50%", null, "实际为\"50%\""),
        new("percent-decimals", Num(0.125, "0.0%"), "12.5%", null, "实际为\"12.5%\""),
        new("custom-unit-literal", Num(3, "0\"处\""), "3处", 3),
        new("custom-colour-sections", Num(2, "[Red]0.0;[Blue]-0.0"), "2.0", 2),
        new("date-builtin-14", Num(Nov20, builtIn: 14), "2026/11/20", null, "显示为\"2026/11/20\"", LoText: "2026-11-20", LoCountError: "显示为\"2026-11-20\""),
        new("date-chinese-month-day", Num(Nov20, "m\"月\"d\"日\""), "11月20日", null, "显示为\"11月20日\""),
        new("date-iso", Num(Nov20, "yyyy-mm-dd"), "2026-11-20", null, "日期/时间格式"),
        new("date-chinese-full", Num(Nov20, "yyyy\"年\"m\"月\"d\"日\""), "2026年11月20日", null, "日期/时间格式"),
        new("count-in-date-cell", Num(3, builtIn: 14), "1900/1/3", 3, LoText: "1900-1-3"),
        new("count-in-chinese-date-cell", Num(2, "m\"月\"d\"日\""), "1月2日", 2),
        new("time", Num(0.5, "h:mm"), "12:00", null, "显示为\"12:00\""),
        new("time-builtin-21", Num(0.75, builtIn: 21), "18:00:00", null, "显示为\"18:00:00\""),
        new("datetime-builtin-22", Num(Nov20 + 0.5, builtIn: 22), "2026/11/20 12:00", null, "显示为\"2026/11/20 12:00\"",
            LoText: "2026-11-20 12:00", LoCountError: "显示为\"2026-11-20 12:00\""),
        new("time-chinese-am-pm", Num(0.75, "上午/下午h\"时\"mm\"分\""), "下午6时00分", null, "显示为\"下午6时00分\"",
            LoText: "0.75", LoCountError: "实际为\"0.75\""),
        new("formula-number", Formula("1+2"), "3", 3),
        new("formula-text", Formula("\"已\"&\"整改\""), "已整改", null, "实际为\"已整改\""),
        new("formula-error-na", Formula("NA()"), null, null, "#N/A", XlsLosesErrors: true),
        new("formula-error-div0", Formula("1/0"), null, null, "#DIV/0!", XlsLosesErrors: true),
        new("boolean", c => c.Value = true, "TRUE", null, "实际为\"TRUE\""),
        new("rich-text", c => { c.RichText.Add("已").Bold = true; c.RichText.Add("整改"); }, "已整改", null, "实际为\"已整改\""),
        new("blank-text", Text("   "), null, null, "实际为"),
    ];

    public static IEnumerable<object[]> Producers => new[] { "epplus", "libreoffice-xlsx", "libreoffice-xls" }.Select(p => new object[] { p });

    private static readonly Lazy<byte[]> Source = new(() =>
    {
        using var package = new ExcelPackage();
        var ws = package.Workbook.Worksheets.Add("cells");
        for (var i = 0; i < Cases.Length; i++)
        {
            ws.Cells[i + 1, 1].Value = Cases[i].Id;
            Cases[i].Write(ws.Cells[i + 1, 2]);
        }
        package.Workbook.Calculate(); // cached results, as Excel and WPS save them
        return package.GetAsByteArray();
    });

    internal static byte[] File(string producer) => producer switch
    {
        "epplus" => Source.Value,
        "libreoffice-xlsx" => LibreOffice.Convert(Source.Value, "xlsx", "xlsx:Calc MS Excel 2007 XML"),
        "libreoffice-xls" => LibreOffice.Convert(Source.Value, "xlsx", "xls:MS Excel 97"),
        _ => throw new ArgumentException(producer),
    };

    [Fact]
    public void The_serial_used_by_the_cases_is_2026_11_20()
    {
        // By hand: 1900-01-01 is serial 1 and Excel counts a 1900-02-29, so a date after March 1900 is
        // (days since 1899-12-30); 2026-11-20 − 1899-12-30 = 46346 days.
        Assert.Equal(46346, (new DateTime(2026, 11, 20) - new DateTime(1899, 12, 30)).TotalDays);
        Assert.Equal((1900, 1, 3), (NumberFormats.DateParts(3).Year, NumberFormats.DateParts(3).Month, NumberFormats.DateParts(3).Day));
        Assert.Equal((1900, 2, 29), (NumberFormats.DateParts(60).Year, NumberFormats.DateParts(60).Month, NumberFormats.DateParts(60).Day));
        Assert.Equal((1900, 3, 1), (NumberFormats.DateParts(61).Year, NumberFormats.DateParts(61).Month, NumberFormats.DateParts(61).Day));
    }

    [Theory]
    [MemberData(nameof(Producers))]
    public void Every_cell_type_and_number_format_reads_as_a_chinese_locale_program_shows_it(string producer)
    {
        var loaded = WorkbookLoader.Load(File(producer), new TemplateImportOptions());
        Assert.NotNull(loaded.Package);
        using var package = loaded.Package;
        var ws = package.Workbook.Worksheets["cells"];
        var formats = new Dictionary<int, string?>();
        var failures = new List<string>();
        for (var i = 0; i < Cases.Length; i++)
        {
            var c = Cases[i];
            Assert.Equal(c.Id, ws.Cells[i + 1, 1].Text);
            var cell = CellInput.From(ws, i + 1, 2, formats);
            var xlsBlank = c.XlsLosesErrors && producer == "libreoffice-xls";

            var text = CellValues.Unreadable(cell) is null ? CellValues.Text(cell) : null;
            var lo = producer.StartsWith("libreoffice", StringComparison.Ordinal);
            var expectedText = xlsBlank ? null : lo && c.LoText is not null ? c.LoText : c.Text;
            if (text != expectedText) failures.Add($"{c.Id}: text \"{text}\", expected \"{expectedText}\" (value {cell.Value} format {cell.Format})");

            var (count, error) = CellValues.Whole(cell, "处", CountBounds.NonNegative, "应为不小于0的整数");
            if (xlsBlank)
            {
                // ExcelDataReader 3.6 gives no value for an error cell of a .xls: it reads as blank (documented).
                if (!CellValues.IsBlank(cell)) failures.Add($"{c.Id}: expected blank from .xls, got {cell.Value}");
                continue;
            }
            if (count != c.Count) failures.Add($"{c.Id}: count {count?.ToString() ?? "none"} ({error}), expected {c.Count?.ToString() ?? "none"}");
            if ((lo && c.LoCountError is not null ? c.LoCountError : c.CountError) is { } fragment && (error is null || !error.Contains(fragment, StringComparison.Ordinal)))
                failures.Add($"{c.Id}: message \"{error}\" lacks \"{fragment}\"");
        }
        Assert.True(failures.Count == 0, producer + ":\n" + string.Join("\n", failures));
    }

    [Fact]
    public void A_formula_saved_without_its_result_is_refused_not_read_as_blank()
    {
        var error = CellValues.Unreadable(new CellInput(null, null, HasFormula: true));
        Assert.Contains("没有它的计算结果", error);
        Assert.False(CellValues.IsBlank(new CellInput(null, null, HasFormula: true)));
        var (count, message) = CellValues.Whole(new CellInput(null, null, HasFormula: true), null, CountBounds.NonNegative, "应为不小于0的整数");
        Assert.Null(count);
        Assert.Contains("公式", message);
    }

    [Theory]
    [InlineData(0.0, "General", "0")]
    [InlineData(1234567.891, "General", "1234567.891")]
    [InlineData(0.1, "General", "0.1")]
    [InlineData(1234.5, "#,##0.00", "1,234.50")]
    [InlineData(-3.0, "0;(0)", "(3)")]
    [InlineData(0.0, "0;-0;\"无\"", "无")]
    [InlineData(12345.0, "0.00E+00", "1.23E+04")]
    [InlineData(46346.0, "aaaa", "星期五")]
    [InlineData(46346.0, "yyyy\"年\"m\"月\"", "2026年11月")]
    [InlineData(46346.75, "yyyy/m/d h:mm AM/PM", "2026/11/20 6:00 PM")]
    [InlineData(1.5, "[h]:mm", "36:00")]
    [InlineData(46346.0, "[$-804]yyyy\"年\"m\"月\"d\"日\"", "2026年11月20日")]
    public void Number_formats_render_as_excel_shows_them(double value, string format, string expected) =>
        Assert.Equal(expected, NumberFormats.Render(value, format));
}
