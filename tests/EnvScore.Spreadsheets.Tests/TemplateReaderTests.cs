using System.IO.Compression;
using System.Text;
using EnvScore.Domain.Organisation;
using EnvScore.Spreadsheets.Templates;
using OfficeOpenXml;

namespace EnvScore.Spreadsheets.Tests;

public class TemplateReaderTests
{
    [Fact]
    public void Filled_template_round_trips()
    {
        var result = Samples.Read(Samples.FillComplete(Samples.TownshipTemplate()));
        Assert.True(result.Succeeded, Samples.Describe(result));
        Assert.Empty(result.Problems);
        Assert.Equal(3, result.Villages.Count);
        for (var n = 0; n < 3; n++)
        {
            var v = result.Villages[n];
            Assert.Equal(8 + n, v.RowNumber);
            Assert.Equal(Samples.Expected(n), v.Values);
        }
        Assert.Equal("贺砦社区", result.Villages[0].Name);
    }

    [Fact]
    public void Prefilled_values_round_trip_exactly()
    {
        var prefills = new[]
        {
            new VillageValues
            {
                Items = new Dictionary<string, ItemValue>
                {
                    ["L01"] = ItemValue.Occurrences(2).WithZeroCondition("Z1"),
                    ["L02"] = ItemValue.Occurrences(4),
                    ["Q01"] = ItemValue.NotApplicableValue(),
                    ["M01"] = ItemValue.Failed(5),
                    ["M02"] = ItemValue.Level("D"),
                    ["M03"] = ItemValue.Pass(false),
                    ["B01"] = ItemValue.Awards(1),
                },
                VetoCode = "V2",
                Note = "=危险 公式样文字 (leading = stays text)",
            },
            Samples.Expected(0) with { Note = "村内道路已整改" },
            Samples.Expected(2),
        };
        var villages = Samples.Villages().Select((v, i) => v with { Prefill = prefills[i] }).ToList();
        var bytes = TemplateWriter.Write(Samples.Layout(), Samples.TownshipScope, villages);
        var result = Samples.Read(bytes);
        Assert.True(result.Succeeded, Samples.Describe(result));
        Assert.Equal(prefills, result.Villages.Select(v => v.Values));

        using var p = new ExcelPackage(new MemoryStream(bytes));
        var note = p.Workbook.Worksheets["评比表"].Cells[8, 12];
        Assert.Equal("", note.Formula);
        Assert.True(note.Style.QuotePrefix);
    }

    [Fact]
    public void Bad_value_gives_located_chinese_message()
    {
        var bytes = Samples.Edit(Samples.FillComplete(Samples.TownshipTemplate()), (ws, col) => ws.Cells[8, col("L01")].Value = "三");
        var result = Samples.Read(bytes);
        var p = Assert.Single(result.Problems);
        Assert.Equal("C8（第8行 贺砦社区 乱堆乱放）：应为不小于0的整数，实际为\"三\"", p.Message);
        Assert.Equal("C8", p.CellReference);
        Assert.Equal(8, p.RowNumber);
        Assert.Equal("评比表", p.SheetName);
        Assert.Equal("410171001001", p.VillageCode);
        Assert.Equal("贺砦社区", p.VillageName);
        Assert.Equal("L01", p.ItemCode);
        Assert.Equal("乱堆乱放", p.ItemTitle);
        Assert.Equal(ImportProblemKind.InvalidValue, p.Kind);
        Assert.False(result.Succeeded);
        // The village is still there (with the other items), never silently dropped.
        Assert.True(result.Villages[0].HasProblems);
        Assert.False(result.Villages[0].Values.Items.ContainsKey("L01"));
    }

    [Fact]
    public void Tolerates_text_numbers_full_width_spaces_formulas_and_whole_decimals()
    {
        var bytes = Samples.Edit(Samples.FillComplete(Samples.TownshipTemplate()), (ws, col) =>
        {
            ws.Cells[8, col("L01")].Value = " 3 ";        // text with spaces
            ws.Cells[9, col("L01")].Value = "３";          // full-width digit
            ws.Cells[10, col("L01")].Value = "\u3000２\u3000"; // full-width spaces
            ws.Cells[8, col("M01")].Value = 3.0;           // whole decimal
            ws.Cells[9, col("M01")].Value = "2.0";
            ws.Cells[10, col("M01")].Formula = "1+1";      // formula: use the cached value
            ws.Cells[8, col("L02")].Value = "2处";         // unit suffix
            ws.Cells[8, col("M02")].Value = " 已评比未张贴公示 ";
            ws.Cells[9, col("M02")].Value = "b";           // level code instead of name
            ws.Cells[8, col("M03")].Value = "是";
            ws.Cells[9, col("M03")].Value = "✗";
            ws.Cells[10, col("M03")].Value = "y";
            ws.Cells[8, col("Q01")].Value = "不适用 ";
            ws.Cells[8, col("L01|zero")].Value = "露天焚烧垃圾、秸秆";
            ws.Cells[8, col("veto")].Value = "弄虚作假";
            ws.Cells[8, col("note")].Value = "　整改中　";
        });
        // EPPlus writes formulas without a cached value; compute once so the file carries one, as Excel would.
        using (var p = new ExcelPackage(new MemoryStream(bytes)))
        {
            p.Workbook.Calculate();
            bytes = p.GetAsByteArray();
        }
        // A blank row in the middle of the data is skipped, not a problem.
        bytes = Samples.Edit(bytes, (ws, _) => ws.InsertRow(9, 1));

        var result = Samples.Read(bytes);
        Assert.True(result.Succeeded, Samples.Describe(result));
        var v = result.Villages.ToDictionary(x => x.Code, x => x.Values);
        Assert.Equal(ItemValue.Occurrences(3).WithZeroCondition("Z1"), v[Samples.Hezhai].Items["L01"]);
        Assert.Equal(ItemValue.Occurrences(3), v[Samples.Shuanghepu].Items["L01"]);
        Assert.Equal(ItemValue.Occurrences(2), v[Samples.Zhangwan].Items["L01"]);
        Assert.Equal(ItemValue.Failed(3), v[Samples.Hezhai].Items["M01"]);
        Assert.Equal(ItemValue.Failed(2), v[Samples.Shuanghepu].Items["M01"]);
        Assert.Equal(ItemValue.Failed(2), v[Samples.Zhangwan].Items["M01"]);
        Assert.Equal(ItemValue.Occurrences(2), v[Samples.Hezhai].Items["L02"]);
        Assert.Equal(ItemValue.Level("B"), v[Samples.Hezhai].Items["M02"]);
        Assert.Equal(ItemValue.Level("B"), v[Samples.Shuanghepu].Items["M02"]);
        Assert.Equal(ItemValue.Pass(true), v[Samples.Hezhai].Items["M03"]);
        Assert.Equal(ItemValue.Pass(false), v[Samples.Shuanghepu].Items["M03"]);
        Assert.Equal(ItemValue.Pass(true), v[Samples.Zhangwan].Items["M03"]);
        Assert.Equal(ItemValue.NotApplicableValue(), v[Samples.Hezhai].Items["Q01"]);
        Assert.Equal("V2", v[Samples.Hezhai].VetoCode);
        Assert.Equal("整改中", v[Samples.Hezhai].Note);
        Assert.Equal(11, result.Villages[2].RowNumber); // after the inserted blank row
    }

    [Fact]
    public void Blank_means_zero_only_where_the_descriptor_says_so()
    {
        var bytes = Samples.Edit(Samples.FillComplete(Samples.TownshipTemplate()), (ws, col) =>
        {
            ws.Cells[8, col("L01")].Value = null;  // required
            ws.Cells[8, col("L02")].Value = null;  // BlankMeansZero
            ws.Cells[8, col("M02")].Value = null;  // levels: required
        });
        var result = Samples.Read(bytes);
        Assert.Equal(["C8", "H8"], result.Problems.Select(p => p.CellReference));
        Assert.All(result.Problems, p => Assert.Equal(ImportProblemKind.MissingValue, p.Kind));
        Assert.Equal("C8（第8行 贺砦社区 乱堆乱放）：未填写", result.Problems[0].Message);
        Assert.Equal(ItemValue.Occurrences(0), result.Villages[0].Values.Items["L02"]);
    }

    [Theory]
    [InlineData("L01", 2.5, "应为不小于0的整数，实际为\"2.5\"")]
    [InlineData("L01", -1.0, "应为不小于0的整数，实际为\"-1\"")]
    [InlineData("M01", 6.0, "应为0到5之间的整数，实际为\"6\"")]
    [InlineData("B01", 2.0, "应为0到1之间的整数，实际为\"2\"")]
    [InlineData("L02", "不适用", "此项不允许填\"不适用\"，请填写实际情况")]
    [InlineData("M02", "优秀", "应为下列档次之一：已执行并公示、已评比未张贴公示、已执行但未按时评比、未执行，实际为\"优秀\"")]
    [InlineData("M03", "也许", "应为\"合格\"或\"不合格\"，实际为\"也许\"")]
    [InlineData("L01|zero", "别的情形", "不得分情形应从下拉列表中选择（露天焚烧垃圾、秸秆）或留空，实际为\"别的情形\"")]
    public void Rejects_bad_values(string token, object value, string detail)
    {
        var bytes = Samples.Edit(Samples.FillComplete(Samples.TownshipTemplate()), (ws, col) => ws.Cells[9, col(token)].Value = value);
        var p = Assert.Single(Samples.Read(bytes).Problems);
        Assert.EndsWith("：" + detail, p.Message);
        Assert.StartsWith($"{p.CellReference}（第9行 双河铺社区 ", p.Message);
    }

    [Fact]
    public void Not_applicable_with_zero_condition_is_a_conflict_and_unknown_veto_is_invalid()
    {
        var layout = Samples.Layout();
        var na = layout.Sections[0].Items[0] with { MayBeNotApplicable = true };
        layout = layout with { Sections = [new("六乱治理", [na, layout.Sections[0].Items[1]]), .. layout.Sections.Skip(1)] };
        var template = TemplateWriter.Write(layout, Samples.TownshipScope, Samples.Villages());
        var bytes = Samples.Edit(Samples.FillComplete(template), (ws, col) =>
        {
            ws.Cells[8, col("L01")].Value = "不适用";
            ws.Cells[8, col("L01|zero")].Value = "露天焚烧垃圾、秸秆";
            ws.Cells[9, col("veto")].Value = "不存在的否决";
        });
        var problems = Samples.Read(bytes, layout: layout).Problems;
        Assert.Equal([(ImportProblemKind.Conflict, "D8"), (ImportProblemKind.InvalidValue, "K9")],
            problems.Select(p => (p.Kind, p.CellReference)));
        Assert.Contains("（第9行 双河铺社区 一票否决）：", problems[1].Message);
    }

    [Fact]
    public void Moved_and_hidden_columns_are_found_by_item_code()
    {
        var bytes = Samples.Edit(Samples.FillComplete(Samples.TownshipTemplate()), (ws, col) =>
        {
            // Move M01 (G) to the far right, as a user cutting and inserting would.
            ws.DataValidations.Clear(); // EPPlus 4.5 cannot shift validations on DeleteColumn; Excel can.
            var from = col("M01");
            var to = ws.Dimension.End.Column + 1;
            ws.Cells[1, from, 20, from].Copy(ws.Cells[1, to]);
            ws.DeleteColumn(from);
            ws.Column(col("L02")).Hidden = true;
        });
        var result = Samples.Read(bytes);
        Assert.True(result.Succeeded, Samples.Describe(result));
        for (var n = 0; n < 3; n++) Assert.Equal(Samples.Expected(n), result.Villages[n].Values);
    }

    [Fact]
    public void Extra_sheets_are_ignored()
    {
        var bytes = Samples.FillComplete(Samples.TownshipTemplate());
        using (var p = new ExcelPackage(new MemoryStream(bytes)))
        {
            var extra = p.Workbook.Worksheets.Add("草稿");
            p.Workbook.Worksheets.MoveToStart("草稿");
            extra.Cells[1, 1].Value = "村（社区）代码"; // even a decoy header
            extra.Cells[2, 1].Value = "999";
            bytes = p.GetAsByteArray();
        }
        var result = Samples.Read(bytes);
        Assert.True(result.Succeeded, Samples.Describe(result));
        Assert.Equal(3, result.Villages.Count);
    }

    [Fact]
    public void Missing_metadata_falls_back_to_headers_with_a_warning()
    {
        var bytes = StripMetadata(Samples.FillComplete(Samples.TownshipTemplate()));
        var result = Samples.Read(bytes);
        Assert.True(result.Succeeded, Samples.Describe(result));
        var warning = Assert.Single(result.Problems);
        Assert.Equal(ProblemSeverity.Warning, warning.Severity);
        Assert.Equal(ImportProblemKind.MissingMetadata, warning.Kind);
        Assert.Equal(3, result.Villages.Count);

        var strict = Samples.Read(bytes, options: new TemplateImportOptions { RequireMetadata = true });
        Assert.True(strict.FileRejected);
        // Without metadata the visible title still betrays another month.
        var otherMonth = Samples.Read(bytes, layout: Samples.Layout(month: new(2026, 12)));
        Assert.Contains(otherMonth.Problems, p => p.Kind == ImportProblemKind.WrongMonth);
    }

    [Fact]
    public void Without_code_row_and_metadata_columns_are_matched_by_titles()
    {
        var bytes = StripMetadata(Samples.Edit(Samples.FillComplete(Samples.TownshipTemplate()), (ws, _) => ws.DeleteRow(7)));
        var result = Samples.Read(bytes);
        Assert.True(result.Succeeded, Samples.Describe(result));
        for (var n = 0; n < 3; n++) Assert.Equal(Samples.Expected(n), result.Villages[n].Values);
    }

    [Fact]
    public void Without_code_row_the_metadata_column_map_is_used()
    {
        var bytes = Samples.Edit(Samples.FillComplete(Samples.TownshipTemplate()), (ws, _) =>
        {
            for (var c = 1; c <= ws.Dimension.End.Column; c++) ws.Cells[7, c].Value = null;
            for (var c = 1; c <= ws.Dimension.End.Column; c++) ws.Cells[4, c].Value = "改过的标题";
        });
        var result = Samples.Read(bytes);
        Assert.True(result.Succeeded, Samples.Describe(result));
        Assert.Contains(result.Problems, p => p.Severity == ProblemSeverity.Warning && p.Kind == ImportProblemKind.MissingColumn);
        Assert.Equal(Samples.Expected(1), result.Villages[1].Values);
    }

    // ------------------------------------------------------------------ rejections

    [Fact]
    public void Template_of_another_township_is_rejected()
    {
        var other = TemplateScope.ForTownship(Samples.District, "示范区", Samples.OtherTownship, "杏花营农场");
        var result = Samples.Read(Samples.FillComplete(Samples.TownshipTemplate()), scope: other);
        var p = Assert.Single(result.Problems);
        Assert.Equal(ImportProblemKind.WrongScope, p.Kind);
        Assert.Contains("这是水稻乡（410171001000）的模板，不是杏花营农场（410171002000）的", p.Message);
        Assert.True(result.FileRejected);
        Assert.Empty(result.Villages);
    }

    [Fact]
    public void Township_template_uploaded_as_district_is_rejected()
    {
        var result = Samples.Read(Samples.FillComplete(Samples.TownshipTemplate()), scope: Samples.DistrictScope);
        Assert.Equal(ImportProblemKind.WrongScope, Assert.Single(result.Problems).Kind);
    }

    [Fact]
    public void Template_of_another_month_or_rule_set_version_is_rejected()
    {
        var bytes = Samples.FillComplete(Samples.TownshipTemplate());
        var month = Samples.Read(bytes, layout: Samples.Layout(month: new(2026, 12)));
        Assert.Equal("这是2026年11月的模板，当前评比月份为2026年12月，请下载本月模板重新填写 (wrong month)", Assert.Single(month.Problems).Message);
        var version = Samples.Read(bytes, layout: Samples.Layout(version: 2));
        Assert.Equal(ImportProblemKind.WrongRuleSet, Assert.Single(version.Problems).Kind);
        Assert.Contains("第1版", version.Problems[0].Message);
    }

    [Fact]
    public void Village_not_allowed_duplicates_and_missing_villages_are_reported()
    {
        var bytes = Samples.Edit(Samples.FillComplete(Samples.TownshipTemplate()), (ws, _) =>
        {
            ws.Cells[9, 1].Value = "410171001001"; // 双河铺 row now claims 贺砦's code
            ws.Cells[10, 1].Value = "410171009009";
        });
        var result = Samples.Read(bytes);
        var kinds = result.Problems.Select(p => (p.Kind, p.CellReference)).ToList();
        Assert.Contains((ImportProblemKind.DuplicateVillage, "A9"), kinds);
        Assert.Contains((ImportProblemKind.UnknownVillage, "A10"), kinds);
        Assert.Equal(2, result.Problems.Count(p => p.Kind == ImportProblemKind.MissingVillage));
        Assert.Contains("与第8行是同一个村（社区）", result.Problems.First(p => p.Kind == ImportProblemKind.DuplicateVillage).Message);
        Assert.Single(result.Villages);
    }

    [Fact]
    public void Rows_without_or_with_invalid_code_are_reported_not_dropped()
    {
        var bytes = Samples.Edit(Samples.FillComplete(Samples.TownshipTemplate()), (ws, _) =>
        {
            ws.Cells[9, 1].Value = null;
            ws.Cells[10, 1].Value = "41017100100X";
        });
        var kinds = Samples.Read(bytes, options: new TemplateImportOptions { RequireAllVillages = false }).Problems.Select(p => p.Kind).ToList();
        Assert.Equal([ImportProblemKind.MissingVillageCode, ImportProblemKind.InvalidVillageCode], kinds);
    }

    [Fact]
    public void Extra_pasted_rows_are_reported_by_their_cell_together_with_every_bad_cell()
    {
        // Issue #16: a row of another township's village pasted below the list, and a bad cell above it.
        var bytes = Samples.Edit(Samples.FillComplete(Samples.TownshipTemplate()), (ws, col) =>
        {
            ws.Cells[9, col("L01")].Value = "三";
            ws.Cells[27, 1].Value = "410171002001"; ws.Cells[27, 2].Value = "别乡的村"; ws.Cells[27, col("L01")].Value = 1;
            ws.Cells[28, 1].Value = "410171001009"; ws.Cells[28, col("L01")].Value = 2;
        });
        var result = Samples.Read(bytes);
        Assert.False(result.FileRejected);
        Assert.False(result.Succeeded);
        var errors = result.Errors.ToList();
        Assert.Equal(3, errors.Count);
        Assert.Equal("C9（第9行 双河铺社区 乱堆乱放）：应为不小于0的整数，实际为\"三\"", errors[0].Message);
        Assert.Equal("A27", errors[1].CellReference);
        Assert.Equal(ImportProblemKind.UnknownVillage, errors[1].Kind);
        Assert.StartsWith("A27（第27行 别乡的村）：该村不属于本乡镇（代码410171002001）", errors[1].Message);
        Assert.Equal("A28", errors[2].CellReference);
        Assert.StartsWith("A28（第28行 410171001009）：该村不属于本乡镇", errors[2].Message);
    }

    [Fact]
    public void Missing_item_column_is_rejected()
    {
        var bytes = Samples.Edit(Samples.FillComplete(Samples.TownshipTemplate()), (ws, col) =>
        {
            ws.DataValidations.Clear(); // EPPlus 4.5 cannot shift validations on DeleteColumn; Excel can.
            ws.DeleteColumn(col("M02"));
        });
        var result = Samples.Read(bytes);
        var p = Assert.Single(result.Errors);
        Assert.Equal(ImportProblemKind.MissingColumn, p.Kind);
        Assert.Contains("积分制管理", p.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0 }, ".xls", ImportProblemKind.Unreadable)]
    [InlineData(new byte[] { 0x25, 0x50, 0x44, 0x46, 0x2D, 0x31, 0x00, 0x01 }, "不是Excel工作簿", ImportProblemKind.NotXlsx)]
    public void Non_xlsx_binary_files_are_rejected(byte[] bytes, string expected, ImportProblemKind kind)
    {
        var p = Assert.Single(Samples.Read(bytes).Problems);
        Assert.Equal(kind, p.Kind);
        Assert.Contains(expected, p.Message);
        Assert.Contains("另存为", p.Message);
    }

    [Fact]
    public void Csv_and_empty_and_plain_zip_files_are_rejected()
    {
        var csv = Samples.Read(Encoding.UTF8.GetBytes("村（社区）代码,乱堆乱放\n410171001001,3\n"));
        Assert.Contains("CSV", Assert.Single(csv.Problems).Message);
        Assert.Equal(ImportProblemKind.EmptyFile, Assert.Single(Samples.Read([]).Problems).Kind);

        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        using (var w = new StreamWriter(zip.CreateEntry("readme.txt").Open())) w.Write("hello");
        Assert.Equal(ImportProblemKind.NotXlsx, Assert.Single(Samples.Read(ms.ToArray()).Problems).Kind);

        var truncated = Samples.TownshipTemplate()[..2000];
        Assert.Equal(ImportProblemKind.Unreadable, Assert.Single(Samples.Read(truncated).Problems).Kind);
    }

    [Fact]
    public void Oversized_file_is_rejected()
    {
        var bytes = Samples.FillComplete(Samples.TownshipTemplate());
        var result = Samples.Read(bytes, options: new TemplateImportOptions { MaxFileBytes = bytes.Length - 1 });
        var p = Assert.Single(result.Problems);
        Assert.Equal(ImportProblemKind.TooLarge, p.Kind);
        Assert.Contains("MB", p.Message);
        // A non-seekable stream is bounded while reading.
        var ok = TemplateReader.Read(new NonSeekable(bytes), Samples.Layout(), Samples.TownshipScope, Samples.Allowed,
            new TemplateImportOptions { MaxFileBytes = bytes.Length - 1 });
        Assert.Equal(ImportProblemKind.TooLarge, Assert.Single(ok.Problems).Kind);
    }

    [Fact]
    public void Zip_bomb_is_rejected_before_epplus()
    {
        // A workbook-shaped zip with one part that inflates to 120 MB of zeros (about 120 KB compressed).
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var w = new StreamWriter(zip.CreateEntry("[Content_Types].xml").Open())) w.Write("<Types/>");
            using (var w = new StreamWriter(zip.CreateEntry("xl/workbook.xml").Open())) w.Write("<workbook/>");
            using var s = zip.CreateEntry("xl/worksheets/sheet1.xml", System.IO.Compression.CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 120; i++) s.Write(zeros);
        }
        var result = Samples.Read(ms.ToArray());
        var p = Assert.Single(result.Problems);
        Assert.Equal(ImportProblemKind.SuspiciousArchive, p.Kind);

        // Also bounded by total size alone (ratio check off).
        var bySize = Samples.Read(ms.ToArray(), options: new TemplateImportOptions { MaxCompressionRatio = double.MaxValue });
        Assert.Contains("解压后超过100MB", Assert.Single(bySize.Problems).Message);
    }

    [Fact]
    public void Archive_with_absurd_entry_count_is_rejected()
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            zip.CreateEntry("[Content_Types].xml");
            zip.CreateEntry("xl/workbook.xml");
            for (var i = 0; i < 1100; i++) zip.CreateEntry($"x/{i}.xml");
        }
        Assert.Equal(ImportProblemKind.SuspiciousArchive, Assert.Single(Samples.Read(ms.ToArray()).Problems).Kind);
    }

    internal static byte[] StripMetadata(byte[] bytes)
    {
        using var p = new ExcelPackage(new MemoryStream(bytes));
        p.Workbook.Worksheets.Delete("_envscore_meta");
        return p.GetAsByteArray();
    }

    private sealed class NonSeekable(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}
