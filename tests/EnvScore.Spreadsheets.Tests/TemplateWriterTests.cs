using EnvScore.Spreadsheets.Templates;
using OfficeOpenXml;
using OfficeOpenXml.DataValidation;

namespace EnvScore.Spreadsheets.Tests;

public class TemplateWriterTests
{
    private static ExcelPackage Open(byte[] bytes) => new(new MemoryStream(bytes));

    [Fact]
    public void Township_template_has_data_instructions_and_very_hidden_metadata()
    {
        using var p = Open(Samples.TownshipTemplate());
        var names = p.Workbook.Worksheets.Select(w => w.Name).ToList();
        Assert.Equal(["评比表", "填表说明", "_envscore_lists", "_envscore_meta"], names);
        Assert.Equal(eWorkSheetHidden.VeryHidden, p.Workbook.Worksheets["_envscore_meta"].Hidden);
        Assert.Equal(eWorkSheetHidden.VeryHidden, p.Workbook.Worksheets["_envscore_lists"].Hidden);
        Assert.Equal(eWorkSheetHidden.Visible, p.Workbook.Worksheets["评比表"].Hidden);
        Assert.Contains("填表说明", p.Workbook.Worksheets["填表说明"].Cells[1, 1].Text);

        var meta = p.Workbook.Worksheets["_envscore_meta"];
        var kv = Enumerable.Range(1, meta.Dimension.End.Row).ToDictionary(r => meta.Cells[r, 1].Text, r => meta.Cells[r, 2].Value);
        Assert.Equal("Township", kv["template_kind"]);
        Assert.Equal("410171001000", kv["township_code"]); // text, not a number
        Assert.Equal("410171000000", kv["district_code"]);
        Assert.Equal("2026-11", kv["month"]);
        Assert.Equal("HJ-2026", kv["rule_set_code"]);
        Assert.Equal("1", kv["rule_set_version"]);
        Assert.Equal("L01", kv["column:C"]);
        Assert.Equal("L01|zero", kv["column:D"]);
    }

    [Fact]
    public void Headers_rows_columns_protection_and_freeze_are_set()
    {
        using var p = Open(Samples.TownshipTemplate());
        var ws = p.Workbook.Worksheets["评比表"];
        Assert.Contains("2026年11月", ws.Cells[1, 1].Text);
        Assert.Equal("六乱治理（10分）", ws.Cells[3, 3].Text);
        Assert.True(ws.Cells[3, 3].Merge);
        Assert.Equal("乱堆乱放", ws.Cells[4, 3].Text);
        Assert.Contains("5分", ws.Cells[5, 3].Text);
        Assert.Equal("每发现一处扣1分，共计5分，扣完为止；有露天焚烧垃圾、秸秆现象，此项不得分", ws.Cells[6, 3].Text);
        Assert.Equal("乱堆乱放·不得分情形", ws.Cells[4, 4].Text);
        Assert.True(ws.Row(7).Hidden);
        Assert.Equal("410171001001", ws.Cells[8, 1].Value);
        Assert.Equal("贺砦社区", ws.Cells[8, 2].Value);

        Assert.True(ws.Protection.IsProtected);
        Assert.True(ws.Cells[8, 1].Style.Locked);
        Assert.True(ws.Cells[4, 3].Style.Locked);
        Assert.False(ws.Cells[8, 3].Style.Locked);
        Assert.False(ws.Cells[10, 12].Style.Locked); // 备注 of the last village

        Assert.Equal(16, ws.Column(1).Width, 1);
        Assert.Equal(12, ws.Column(3).Width, 1);
        // Freeze panes at C8: the pane's top-left cell.
        var pane = ws.WorksheetXml.GetElementsByTagName("pane")[0]!;
        Assert.Equal("C8", pane.Attributes!["topLeftCell"]!.Value);
    }

    [Fact]
    public void District_template_adds_township_column_and_freezes_after_it()
    {
        var bytes = TemplateWriter.Write(Samples.Layout(), Samples.DistrictScope, Samples.Villages(withTownship: true));
        using var p = Open(bytes);
        var ws = p.Workbook.Worksheets["评比表"];
        Assert.Equal("所属乡镇", ws.Cells[4, 3].Text);
        Assert.Equal("水稻乡", ws.Cells[8, 3].Text);
        Assert.Equal("L01", ws.Cells[7, 4].Text);
        var pane = ws.WorksheetXml.GetElementsByTagName("pane")[0]!;
        Assert.Equal("D8", pane.Attributes!["topLeftCell"]!.Value);
    }

    [Fact]
    public void Every_input_cell_has_data_validation()
    {
        using var p = Open(Samples.TownshipTemplate());
        var ws = p.Workbook.Worksheets["评比表"];
        var byColumn = ws.DataValidations.ToDictionary(v => v.Address.Start.Column);
        // C L01, D L01|zero, E L02, F Q01, G M01, H M02, I M03, J B01, K veto; L note is free text.
        Assert.Equal(Enumerable.Range(3, 9), byColumn.Keys.Order());
        foreach (var v in byColumn.Values) { Assert.Equal(8, v.Address.Start.Row); Assert.Equal(10, v.Address.End.Row); }

        var l01 = Assert.IsAssignableFrom<OfficeOpenXml.DataValidation.Contracts.IExcelDataValidationInt>(byColumn[3]);
        Assert.Equal(ExcelDataValidationOperator.greaterThanOrEqual, l01.Operator);
        Assert.Equal(0, l01.Formula.Value);
        var m01 = Assert.IsAssignableFrom<OfficeOpenXml.DataValidation.Contracts.IExcelDataValidationInt>(byColumn[7]);
        Assert.Equal(5, m01.Formula2.Value);
        var q01 = Assert.IsAssignableFrom<OfficeOpenXml.DataValidation.Contracts.IExcelDataValidationCustom>(byColumn[6]);
        Assert.Contains("不适用", q01.Formula.ExcelFormula);

        // Level list → a named range on the hidden lists sheet.
        var m02 = Assert.IsAssignableFrom<OfficeOpenXml.DataValidation.Contracts.IExcelDataValidationList>(byColumn[8]);
        var name = p.Workbook.Names[m02.Formula.ExcelFormula];
        var choices = Enumerable.Range(name.Start.Row, name.End.Row - name.Start.Row + 1).Select(r => name.Worksheet.Cells[r, name.Start.Column].Text);
        Assert.Equal(["已执行并公示", "已评比未张贴公示", "已执行但未按时评比", "未执行"], choices);
    }

    [Fact]
    public void Invalid_layouts_are_refused()
    {
        var layout = Samples.Layout();
        var dup = layout with { Sections = [.. layout.Sections, new("重复", [layout.Sections[0].Items[0]])] };
        Assert.Throws<ArgumentException>(() => TemplateWriter.Write(dup, Samples.TownshipScope, Samples.Villages()));
        var badBlank = layout with { Sections = [new("x", [new TemplateItem { Code = "P", Title = "t", Kind = ItemKind.PassFail, BlankMeansZero = true }])] };
        Assert.Throws<ArgumentException>(() => TemplateWriter.Write(badBlank, Samples.TownshipScope, Samples.Villages()));
        Assert.Throws<ArgumentException>(() => TemplateWriter.Write(layout, Samples.TownshipScope, [.. Samples.Villages(), Samples.Villages()[0]]));
    }
}
