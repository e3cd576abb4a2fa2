using System.IO.Compression;
using System.Text;
using EnvScore.Spreadsheets.Templates;

namespace EnvScore.Spreadsheets.Tests;

/// <summary>
/// The same filled template in the formats clerks save (issue #16): .xlsx as LibreOffice saves it, .xls
/// (Excel 97-2003), Strict Open XML — each imports to the same values as the product's own .xlsx; .ods and
/// CSV are refused with a message naming the format and how to save. Files are made every run (LibreOffice
/// headless, see <see cref="LibreOffice"/>), not committed.
/// </summary>
public class FileFormatTests
{
    /// <summary>A filled template with the quirks of issue #16: a date typed into 备注, a count typed into a date cell.</summary>
    internal static readonly Lazy<byte[]> Filled = new(() => Samples.Edit(Samples.FillComplete(Samples.TownshipTemplate()), (ws, col) =>
    {
        ws.Cells[8, col("note")].Value = 46346d;                          // typed 2026/11/20 in a zh-CN Excel
        ws.Cells[8, col("note")].Style.Numberformat.Format = "mm-dd-yy";  // built-in 14 (shows 2026/11/20)
        ws.Cells[9, col("note")].Value = 46346d;                          // typed 11月20日
        ws.Cells[9, col("note")].Style.Numberformat.Format = "m\"月\"d\"日\"";
        ws.Cells[10, col("note")].Value = "已整改";
        ws.Cells[10, col("L01")].Value = 2d;                              // a count typed into a date-formatted cell
        ws.Cells[10, col("L01")].Style.Numberformat.Format = "mm-dd-yy";
    }));

    private static Dictionary<string, VillageValues> Values(TemplateImportResult r) =>
        r.Villages.ToDictionary(v => v.Code.Value, v => v.Values);

    [Fact]
    public void The_products_xlsx_reads_dates_in_notes_as_shown_and_a_count_in_a_date_cell_as_typed()
    {
        var result = Samples.Read(Filled.Value);
        Assert.True(result.Succeeded, Samples.Describe(result));
        var v = Values(result);
        Assert.Equal("2026/11/20", v[Samples.Hezhai.Value].Note);
        Assert.Equal("11月20日", v[Samples.Shuanghepu.Value].Note);
        Assert.Equal("已整改", v[Samples.Zhangwan.Value].Note);
        Assert.Equal(ItemValue.Occurrences(2), v[Samples.Zhangwan.Value].Items["L01"]);
    }

    [Theory]
    [InlineData("xlsx:Calc MS Excel 2007 XML")]
    [InlineData("xls:MS Excel 97")]
    public void Saved_again_by_libreoffice_as_xlsx_or_xls_it_imports_identically(string target)
    {
        var original = Samples.Read(Filled.Value);
        var converted = LibreOffice.Convert(Filled.Value, "xlsx", target);
        var result = Samples.Read(converted);
        Assert.True(result.Succeeded, Samples.Describe(result));
        var expected = Values(original);
        var actual = Values(result);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (code, values) in expected)
        {
            // Items, veto: identical. The notes: as that file's cells show them (LibreOffice zh-CN writes its
            // own code for the built-in date: yyyy-m-d).
            Assert.Equal(values with { Note = null }, actual[code] with { Note = null });
        }
        Assert.Equal("2026-11-20", actual[Samples.Hezhai.Value].Note);
        Assert.Equal("11月20日", actual[Samples.Shuanghepu.Value].Note);
        Assert.Equal("已整改", actual[Samples.Zhangwan.Value].Note);
    }

    [Fact]
    public void A_bad_cell_in_an_xls_is_reported_with_the_same_cell_and_message_as_in_the_xlsx()
    {
        var broken = Samples.Edit(Samples.FillComplete(Samples.TownshipTemplate()), (ws, col) => ws.Cells[9, col("L01")].Value = "三");
        var xlsx = Samples.Read(broken).Errors.Select(p => (p.CellReference, p.Message)).ToList();
        var xls = Samples.Read(LibreOffice.Convert(broken, "xlsx", "xls:MS Excel 97")).Errors.Select(p => (p.CellReference, p.Message)).ToList();
        Assert.Equal("C9（第9行 双河铺社区 乱堆乱放）：应为不小于0的整数，实际为\"三\"", Assert.Single(xlsx).Message);
        Assert.Equal(xlsx, xls);
    }

    [Fact]
    public void A_strict_open_xml_workbook_is_read_like_the_transitional_one()
    {
        var strict = StrictOpenXml.ToStrict(Filled.Value);
        // It is Strict for real: another reader (LibreOffice) opens it and sees the same cells.
        using (var zip = new ZipArchive(new MemoryStream(strict)))
        using (var reader = new StreamReader(zip.GetEntry("xl/workbook.xml")!.Open()))
        {
            var workbook = reader.ReadToEnd();
            Assert.Contains("http://purl.oclc.org/ooxml/spreadsheetml/main", workbook);
            Assert.Contains("conformance=\"strict\"", workbook);
        }
        var csv = Encoding.UTF8.GetString(LibreOffice.Convert(strict, "xlsx", "csv:Text - txt - csv (StarCalc):44,34,76,1"));
        Assert.Contains("410171001001", csv);
        Assert.Contains("贺砦社区", csv);

        var result = Samples.Read(strict);
        Assert.True(result.Succeeded, Samples.Describe(result));
        Assert.Equal(Values(Samples.Read(Filled.Value)), Values(result));
    }

    [Fact]
    public void Ods_and_csv_are_refused_naming_the_format_and_how_to_save()
    {
        var ods = Samples.Read(LibreOffice.Convert(Filled.Value, "xlsx", "ods"));
        var p = Assert.Single(ods.Problems);
        Assert.Equal(ImportProblemKind.NotXlsx, p.Kind);
        Assert.Contains(".ods", p.Message);
        Assert.Contains("Excel工作簿（*.xlsx）", p.Message);

        var csv = Samples.Read(LibreOffice.Convert(Filled.Value, "xlsx", "csv:Text - txt - csv (StarCalc):44,34,76,1"));
        var c = Assert.Single(csv.Problems);
        Assert.Equal(ImportProblemKind.NotXlsx, c.Kind);
        Assert.Contains("CSV", c.Message);
        Assert.Contains("Excel工作簿（*.xlsx）", c.Message);
    }

    [Fact]
    public void A_cleared_prefilled_note_reads_as_no_note()
    {
        var prefilled = TemplateWriter.Write(Samples.Layout(), Samples.TownshipScope,
            [.. Samples.Villages().Select((v, i) => v with { Prefill = Samples.Expected(i) with { Note = "旧备注" } })]);
        var cleared = Samples.Edit(prefilled, (ws, col) => ws.Cells[8, col("note")].Value = null);
        var v = Values(Samples.Read(cleared));
        Assert.Null(v[Samples.Hezhai.Value].Note);
        Assert.Equal("旧备注", v[Samples.Shuanghepu.Value].Note);
    }
}
