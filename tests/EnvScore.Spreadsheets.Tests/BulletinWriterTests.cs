using System.IO.Compression;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Organisation;
using EnvScore.Domain.Scoring;
using EnvScore.Spreadsheets.Bulletins;
using OfficeOpenXml;

namespace EnvScore.Spreadsheets.Tests;

public class BulletinWriterTests
{
    private static readonly DivisionCode T1 = DivisionCode.Parse("410171001000");
    private static readonly DivisionCode T2 = DivisionCode.Parse("410171002000");

    private static Bulletin Sample(string hostileName = "贺砦社区") => new()
    {
        Month = new EvaluationMonth(2026, 11),
        Title = "2026年11月农村人居环境集中整治月评比通报",
        Date = new DateOnly(2026, 12, 5),
        IssuedBy = "示范区农村人居环境整治办公室",
        Foreword = "根据区级月评比工作机制，现将11月评比结果通报如下。",
        DistrictRanking =
        [
            new(1, 2, DivisionCode.Parse("410171001001"), hostileName, T1, "水稻乡", 96.5m, Tier.Demonstration, 1, ["连续3月示范"]),
            new(2, null, DivisionCode.Parse("410171002001"), "班村", T2, "杏花营农场", 85m, Tier.Upgrade, 1),
            new(3, -1, DivisionCode.Parse("410171001002"), "双河铺社区", T1, "水稻乡", 58.25m, Tier.Rectify, 2, ["一票否决"]),
        ],
        TownshipRanking =
        [
            new(1, 0, T1, "水稻乡", 77.38m, 2, 1, 0, 1),
            new(2, 1, T2, "杏花营农场", 85m, 1, 0, 1, 0),
        ],
        RedList = [new(DivisionCode.Parse("410171001001"), hostileName, "水稻乡", 96.5m, "环境整洁，长效机制落实到位")],
        BlackList = [new(DivisionCode.Parse("410171001002"), "双河铺社区", "水稻乡", 58.25m, "@SUM(1) 乱堆乱放问题突出")],
        Deductions =
        [
            new(DivisionCode.Parse("410171001002"), "双河铺社区", "水稻乡", 58.25m,
            [
                new("六乱治理", "L01", "乱堆乱放", -5, "发现5处，每处扣1分，扣完为止"),
                new("长效机制", "M01", "户厕使用", -4, "抽查5户，2户不能正常使用"),
                new("加分项", "B01", "省级示范村", 3, "-被省级评为示范村"),
            ]),
            new(DivisionCode.Parse("410171001001"), hostileName, "水稻乡", 96.5m, []),
        ],
    };

    private static ExcelPackage Open(Bulletin b) => new(new MemoryStream(BulletinWriter.Write(b)));

    [Fact]
    public void Workbook_has_the_expected_sheets_in_order()
    {
        using var p = Open(Sample());
        Assert.Equal(["区级排名", "乡镇排名", "水稻乡", "杏花营农场", "红黑榜", "扣分明细"], p.Workbook.Worksheets.Select(w => w.Name));
    }

    [Fact]
    public void District_ranking_has_title_date_header_rows_and_tier_colours()
    {
        using var p = Open(Sample());
        var ws = p.Workbook.Worksheets["区级排名"];
        Assert.StartsWith("2026年11月农村人居环境集中整治月评比通报", ws.Cells[1, 1].Text);
        Assert.True(ws.Cells[1, 1].Merge);
        Assert.Contains("2026年12月5日", ws.Cells[2, 1].Text);
        Assert.Contains("现将11月评比结果通报如下", ws.Cells[3, 1].Text);
        Assert.Equal("排名", ws.Cells[4, 1].Text);
        Assert.Equal("类别", ws.Cells[4, 7].Text);
        Assert.Equal("↑2", ws.Cells[5, 2].Text);
        Assert.Equal("新", ws.Cells[6, 2].Text);
        Assert.Equal("↓1", ws.Cells[7, 2].Text);
        Assert.Equal(96.5m, Convert.ToDecimal(ws.Cells[5, 6].Value));
        Assert.Equal("示范", ws.Cells[5, 7].Text);
        Assert.Equal("FFC6EFCE", ws.Cells[5, 7].Style.Fill.BackgroundColor.Rgb);
        Assert.Equal("FFFFEB9C", ws.Cells[6, 7].Style.Fill.BackgroundColor.Rgb);
        Assert.Equal("FFFFC7CE", ws.Cells[7, 7].Style.Fill.BackgroundColor.Rgb);
        Assert.Equal("一票否决", ws.Cells[7, 9].Text);
    }

    [Fact]
    public void Every_sheet_is_set_up_for_a4_landscape_printing()
    {
        using var p = Open(Sample());
        foreach (var ws in p.Workbook.Worksheets)
        {
            var s = ws.PrinterSettings;
            Assert.Equal(ePaperSize.A4, s.PaperSize);
            Assert.Equal(eOrientation.Landscape, s.Orientation);
            Assert.True(s.FitToPage, ws.Name);
            Assert.Equal(1, s.FitToWidth);
            Assert.Equal(0, s.FitToHeight);
            Assert.NotNull(s.RepeatRows);
            Assert.Equal(s.RepeatRows.Start.Row, s.RepeatRows.End.Row);
            Assert.True(ws.Column(1).Width > 0);
            Assert.Contains("&P", ws.HeaderFooter.OddFooter.CenteredText);
        }
        // Print titles are a workbook defined name, as Excel expects.
        Assert.Contains(p.Workbook.Worksheets["区级排名"].Names, n => n.Name == "_xlnm.Print_Titles");
    }

    [Fact]
    public void Township_sheets_red_black_list_and_deductions()
    {
        using var p = Open(Sample());
        var t = p.Workbook.Worksheets["水稻乡"];
        Assert.Equal("贺砦社区", t.Cells[5, 3].Text);
        Assert.Equal("双河铺社区", t.Cells[6, 3].Text);
        Assert.Equal("", t.Cells[7, 3].Text);

        var towns = p.Workbook.Worksheets["乡镇排名"];
        Assert.Equal("水稻乡", towns.Cells[5, 3].Text);
        Assert.Equal("—", towns.Cells[5, 2].Text);

        var lists = p.Workbook.Worksheets["红黑榜"];
        Assert.Equal("红榜（示范）", lists.Cells[5, 1].Text);
        Assert.Equal("FFC6EFCE", lists.Cells[5, 1].Style.Fill.BackgroundColor.Rgb);
        Assert.Equal("贺砦社区", lists.Cells[6, 2].Text);
        Assert.Equal("黑榜（整治）", lists.Cells[8, 1].Text);
        Assert.Equal("FFFFC7CE", lists.Cells[8, 1].Style.Fill.BackgroundColor.Rgb);
        Assert.Equal("双河铺社区", lists.Cells[9, 2].Text);

        var d = p.Workbook.Worksheets["扣分明细"];
        Assert.Equal("乱堆乱放", d.Cells[5, 6].Text);
        Assert.Equal(-5m, Convert.ToDecimal(d.Cells[5, 7].Value));
        Assert.Equal("双河铺社区", d.Cells[7, 1].Text); // village repeated on every line
        Assert.Equal("无扣分", d.Cells[8, 8].Text);
    }

    [Theory]
    [InlineData("=HYPERLINK(\"http://evil.example\",\"点我\")")]
    [InlineData("+1+1")]
    [InlineData("-2+3")]
    [InlineData("@SUM(A1)")]
    [InlineData("\t=1+1")]
    [InlineData("\r=1+1")]
    public void Text_that_looks_like_a_formula_is_written_as_a_string(string hostile)
    {
        var bytes = BulletinWriter.Write(Sample(hostile));
        using (var p = new ExcelPackage(new MemoryStream(bytes)))
        {
            var cell = p.Workbook.Worksheets["区级排名"].Cells[5, 3];
            // XML end-of-line handling turns a raw CR into LF on reload; it is still the same text.
            Assert.Equal(hostile.Replace('\r', '\n'), ((string)cell.Value).Replace('\r', '\n'));
            Assert.Equal("", cell.Formula);
            Assert.True(cell.Style.QuotePrefix);
            Assert.Equal("", p.Workbook.Worksheets["红黑榜"].Cells[6, 2].Formula);
            Assert.Equal("@SUM(1) 乱堆乱放问题突出", p.Workbook.Worksheets["红黑榜"].Cells[9, 6].Value);
        }
        // And at the XML level: no sheet of the bulletin contains a single formula element.
        using var zip = new ZipArchive(new MemoryStream(bytes));
        foreach (var e in zip.Entries.Where(e => e.FullName.StartsWith("xl/worksheets/sheet", StringComparison.Ordinal)))
        {
            using var r = new StreamReader(e.Open());
            Assert.DoesNotContain("<f>", r.ReadToEnd());
        }
    }

    [Fact]
    public void Sheet_names_are_cleaned_and_unique()
    {
        var used = new HashSet<string> { "区级排名" };
        Assert.Equal("a_b", BulletinWriter.UniqueSheetName("a/b", used));
        Assert.Equal("a_b(2)", BulletinWriter.UniqueSheetName("a:b", used));
        Assert.Equal(31, BulletinWriter.UniqueSheetName(new string('乡', 40), used).Length);
    }
}
