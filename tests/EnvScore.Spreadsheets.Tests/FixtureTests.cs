using EnvScore.Spreadsheets.Templates;

namespace EnvScore.Spreadsheets.Tests;

/// <summary>
/// Files made by LibreOffice, not by EPPlus (see Fixtures/make-fixtures.sh): the reader must cope with
/// another producer's styles, shared strings, number formats and the loss of EPPlus specifics.
/// </summary>
public class FixtureTests
{
    private static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    /// <summary>The EPPlus side of the LibreOffice round trip; rewritten only on request.</summary>
    internal static byte[] FilledTemplateSource() => Samples.Edit(Samples.FillComplete(Samples.TownshipTemplate()), (ws, col) =>
    {
        ws.Cells[8, col("L01")].Value = " 0";   // number as text
        ws.Cells[9, col("M01")].Value = "１";   // full-width
        ws.Cells[8, col("veto")].Value = "弄虚作假";
        ws.Cells[10, col("note")].Value = "已整改 ";
    });

    [Fact]
    public void FixtureSources()
    {
        if (Environment.GetEnvironmentVariable("ENVSCORE_WRITE_FIXTURES") != "1") return;
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "EnvScore.Spreadsheets.Tests.csproj"))) dir = Path.GetDirectoryName(dir)!;
        File.WriteAllBytes(Path.Combine(dir, "Fixtures", "sources", "filled-template.xlsx"), FilledTemplateSource());
    }

    [Fact]
    public void Template_saved_again_by_libreoffice_imports_cleanly()
    {
        var result = Samples.Read(Fixture("lo-roundtrip-template.xlsx"));
        Assert.True(result.Succeeded, Samples.Describe(result));
        Assert.Equal(3, result.Villages.Count);
        var v = result.Villages.ToDictionary(x => x.Code, x => x.Values);
        Assert.Equal(ItemValue.Occurrences(0), v[Samples.Hezhai].Items["L01"]);
        Assert.Equal("V2", v[Samples.Hezhai].VetoCode);
        Assert.Equal(ItemValue.Failed(1), v[Samples.Shuanghepu].Items["M01"]);
        Assert.Equal(ItemValue.NotApplicableValue(), v[Samples.Shuanghepu].Items["Q01"]);
        Assert.Equal(ItemValue.Pass(false), v[Samples.Zhangwan].Items["M03"]);
        Assert.Equal("已整改", v[Samples.Zhangwan].Note);
        // The same file read as another township's upload is still refused: the scope survived.
        var other = TemplateScope.ForTownship(Samples.District, "示范区", Samples.OtherTownship, "杏花营农场");
        Assert.True(Samples.Read(Fixture("lo-roundtrip-template.xlsx"), scope: other).FileRejected);
    }

    [Fact]
    public void Csv_made_sheet_with_code_row_and_quirks_imports_with_a_metadata_warning()
    {
        var result = Samples.Read(Fixture("lo-csv-quirks.xlsx"));
        Assert.True(result.Succeeded, Samples.Describe(result));
        Assert.Equal(ImportProblemKind.MissingMetadata, Assert.Single(result.Problems).Kind);
        var v = result.Villages.ToDictionary(x => x.Code, x => x.Values);
        Assert.Equal(3, v.Count);
        Assert.Equal(ItemValue.Occurrences(3), v[Samples.Hezhai].Items["L01"]);        // "３"
        Assert.Equal(ItemValue.Occurrences(2), v[Samples.Hezhai].Items["L02"]);        // "2 "
        Assert.Equal(ItemValue.NotApplicableValue(), v[Samples.Hezhai].Items["Q01"]);
        Assert.Equal(ItemValue.Failed(1), v[Samples.Hezhai].Items["M01"]);            // "1.0"
        Assert.Equal("贺砦社区", result.Villages[0].Name);                               // trailing space
        Assert.Equal(ItemValue.Occurrences(0).WithZeroCondition("Z1"), v[Samples.Shuanghepu].Items["L01"]);
        Assert.Equal(ItemValue.Occurrences(0), v[Samples.Shuanghepu].Items["L02"]);    // blank → 0 (BlankMeansZero)
        Assert.Equal(ItemValue.Failed(0), v[Samples.Shuanghepu].Items["M01"]);        // "０"
        Assert.Equal(ItemValue.Level("B"), v[Samples.Shuanghepu].Items["M02"]);       // level code
        Assert.Equal(ItemValue.Pass(false), v[Samples.Shuanghepu].Items["M03"]);      // 否
        Assert.Equal("V2", v[Samples.Shuanghepu].VetoCode);
        Assert.Equal("备注有空格", v[Samples.Shuanghepu].Note);                          // full-width space trimmed
        Assert.Equal(ItemValue.Pass(true), v[Samples.Zhangwan].Items["M03"]);         // ✓
    }

    [Fact]
    public void Csv_made_sheet_with_titles_only_is_matched_by_titles_and_reports_bad_cells()
    {
        var result = Samples.Read(Fixture("lo-csv-titles-only.xlsx"));
        var errors = result.Errors.ToList();
        Assert.Equal(2, errors.Count);
        Assert.Equal("C3（第3行 贺砦社区 乱堆乱放）：应为不小于0的整数，实际为\"三\"", errors[0].Message);
        Assert.Equal("C3", errors[0].CellReference);
        Assert.Equal("C4（第4行 双河铺社区 乱堆乱放）：应为不小于0的整数，实际为\"2.5\"", errors[1].Message);
        Assert.Contains(result.Problems, p => p.Kind == ImportProblemKind.MissingMetadata && p.Severity == ProblemSeverity.Warning);
        Assert.Equal(3, result.Villages.Count);
        Assert.Equal(ItemValue.Level("D"), result.Villages[2].Values.Items["M02"]);
    }
}
