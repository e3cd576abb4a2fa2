using System.Drawing;
using System.Globalization;
using OfficeOpenXml;
using OfficeOpenXml.DataValidation;
using OfficeOpenXml.DataValidation.Contracts;
using OfficeOpenXml.Style;
using static EnvScore.Spreadsheets.Templates.TemplateConventions;

namespace EnvScore.Spreadsheets.Templates;

/// <summary>
/// Writes the monthly evaluation template (.xlsx): one row per village, one column per item,
/// validated input cells, protected headers, a 填表说明 sheet and a very-hidden metadata sheet.
/// </summary>
public static class TemplateWriter
{
    private static readonly Color HeaderFill = Color.FromArgb(0xDD, 0xEB, 0xF7);
    private static readonly Color SectionFill = Color.FromArgb(0xBD, 0xD7, 0xEE);
    private static readonly Color InputFill = Color.FromArgb(0xFF, 0xFD, 0xE7);

    public static byte[] Write(TemplateLayout layout, TemplateScope scope, IReadOnlyList<TemplateVillage> villages)
    {
        using var ms = new MemoryStream();
        Write(layout, scope, villages, ms);
        return ms.ToArray();
    }

    public static void Write(TemplateLayout layout, TemplateScope scope, IReadOnlyList<TemplateVillage> villages, Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        layout.Validate();
        scope.Validate();
        ValidateVillages(layout, villages);

        var columns = TemplateColumns.Build(layout, scope.Kind);
        using var package = new ExcelPackage();
        var sheet = package.Workbook.Worksheets.Add(DataSheetName);
        var instructions = package.Workbook.Worksheets.Add(InstructionsSheetName);
        var lists = package.Workbook.Worksheets.Add(ListsSheetName);
        var meta = package.Workbook.Worksheets.Add(MetadataSheetName);

        WriteHeader(sheet, layout, scope, columns);
        WriteRows(sheet, columns, villages);
        WriteValidations(package, sheet, lists, columns, Math.Max(villages.Count, 1));
        FinishDataSheet(sheet, columns, villages.Count);
        WriteInstructions(instructions, layout, scope, columns);
        WriteMetadata(meta, layout, scope, columns);

        lists.Hidden = eWorkSheetHidden.VeryHidden;
        meta.Hidden = eWorkSheetHidden.VeryHidden;
        sheet.Select();
        package.Workbook.View.ActiveTab = 0;
        package.SaveAs(output);
    }

    private static void ValidateVillages(TemplateLayout layout, IReadOnlyList<TemplateVillage> villages)
    {
        var seen = new HashSet<string>();
        var items = layout.Items.ToDictionary(i => i.Code);
        foreach (var v in villages)
        {
            if (!seen.Add(v.Code.Value)) throw new ArgumentException($"村（社区）代码重复：{v.Code} (duplicate village)");
            if (v.Prefill is null) continue;
            foreach (var (code, value) in v.Prefill.Items)
            {
                if (!items.TryGetValue(code, out var item))
                    throw new ArgumentException($"{v.Name}：预填了不存在的项目{code} (prefill for unknown item)");
                if (CellFormatting.ToCell(item, value) is { Error: { } error })
                    throw new ArgumentException($"{v.Name} {item.Title}：{error} (bad prefill)");
                if (value.ZeroConditionCode is { } z && item.ZeroConditions.All(c => c.Code != z))
                    throw new ArgumentException($"{v.Name} {item.Title}：不得分情形{z}不存在 (unknown zero-if condition)");
            }
            if (v.Prefill.VetoCode is { } veto && layout.Vetoes.All(x => x.Code != veto))
                throw new ArgumentException($"{v.Name}：一票否决{veto}不存在 (unknown veto)");
        }
    }

    private static void WriteHeader(ExcelWorksheet ws, TemplateLayout layout, TemplateScope scope, IReadOnlyList<TemplateColumn> columns)
    {
        var last = columns.Count;
        SetMerged(ws, TitleRow, 1, TitleRow, last, $"{layout.Month.ToChinese()} {scope.DisplayName} {layout.Title}{(scope.Sheet == SheetKind.SpotCheck ? "（区级抽查）" : "")}");
        ws.Cells[TitleRow, 1].Style.Font.Size = 16;
        ws.Cells[TitleRow, 1].Style.Font.Bold = true;
        ws.Row(TitleRow).Height = 28;

        var scopeText = scope.Kind == TemplateKind.Township
            ? $"乡镇：{scope.TownshipName}（{scope.TownshipCode}）　所属区：{scope.DistrictName}"
            : $"区：{scope.DistrictName}（{scope.DistrictCode}）　区级汇总表";
        SetMerged(ws, InfoRow, 1, InfoRow, last,
            $"评比月份：{layout.Month.ToChinese()}　{scopeText}　评分细则：{layout.RuleSetCode} 第{layout.RuleSetVersion}版　黄色单元格为填写区，请勿增删行列");
        ws.Cells[InfoRow, 1].Style.HorizontalAlignment = ExcelHorizontalAlignment.Left;

        // Section row: merge over each group of columns with the same section text.
        var start = 1;
        for (var c = 2; c <= last + 1; c++)
        {
            if (c <= last && columns[c - 1].Section == columns[start - 1].Section) continue;
            SetMerged(ws, SectionRow, start, SectionRow, c - 1, columns[start - 1].Section);
            ws.Cells[SectionRow, start, SectionRow, c - 1].Style.Fill.PatternType = ExcelFillStyle.Solid;
            ws.Cells[SectionRow, start, SectionRow, c - 1].Style.Fill.BackgroundColor.SetColor(SectionFill);
            ws.Cells[SectionRow, start].Style.Font.Bold = true;
            start = c;
        }

        for (var i = 0; i < columns.Count; i++)
        {
            var col = i + 1;
            var c = columns[i];
            if (c.Role is ColumnRole.VillageCode or ColumnRole.VillageName or ColumnRole.Township)
            {
                // Fixed columns: one tall header cell over the title/how-to/rule rows.
                SetMerged(ws, ItemTitleRow, col, RuleRow, col, c.Header);
            }
            else
            {
                ws.Cells[ItemTitleRow, col].Value = c.Header;
                ws.Cells[HowToRow, col].Value = c.HowTo;
                ws.Cells[RuleRow, col].Value = c.Rule;
            }
            ws.Cells[CodeRow, col].Value = c.Token;
            ws.Column(col).Width = c.Width;
        }

        var header = ws.Cells[SectionRow, 1, RuleRow, last];
        header.Style.WrapText = true;
        header.Style.VerticalAlignment = ExcelVerticalAlignment.Center;
        header.Style.HorizontalAlignment = ExcelHorizontalAlignment.Center;
        SetBorders(header);
        var titles = ws.Cells[ItemTitleRow, 1, RuleRow, last];
        titles.Style.Fill.PatternType = ExcelFillStyle.Solid;
        titles.Style.Fill.BackgroundColor.SetColor(HeaderFill);
        ws.Cells[ItemTitleRow, 1, ItemTitleRow, last].Style.Font.Bold = true;
        ws.Cells[RuleRow, 1, RuleRow, last].Style.Font.Size = 9;
        ws.Cells[RuleRow, 1, RuleRow, last].Style.HorizontalAlignment = ExcelHorizontalAlignment.Left;
        ws.Cells[HowToRow, 1, HowToRow, last].Style.Font.Size = 9;
        ws.Row(ItemTitleRow).Height = 32;
        ws.Row(HowToRow).Height = 48;
        ws.Row(RuleRow).Height = 72;
        ws.Row(CodeRow).Hidden = true;
    }

    private static void WriteRows(ExcelWorksheet ws, IReadOnlyList<TemplateColumn> columns, IReadOnlyList<TemplateVillage> villages)
    {
        for (var r = 0; r < villages.Count; r++)
        {
            var row = FirstDataRow + r;
            var v = villages[r];
            for (var i = 0; i < columns.Count; i++)
            {
                var cell = ws.Cells[row, i + 1];
                var c = columns[i];
                switch (c.Role)
                {
                    case ColumnRole.VillageCode: cell.Value = v.Code.Value; break;
                    case ColumnRole.VillageName: SafeCells.SetText(cell, v.Name); break;
                    case ColumnRole.Township: SafeCells.SetText(cell, v.TownshipName); break;
                    case ColumnRole.Item when v.Prefill?.Items.TryGetValue(c.Item!.Code, out var value) == true:
                        cell.Value = CellFormatting.ToCell(c.Item, value).Value;
                        break;
                    case ColumnRole.ZeroCondition when v.Prefill?.Items.TryGetValue(c.Item!.Code, out var zv) == true && zv.ZeroConditionCode is { } z:
                        cell.Value = c.Item.ZeroConditions.First(o => o.Code == z).Name;
                        break;
                    case ColumnRole.Veto when v.Prefill?.VetoCode is { } veto:
                        cell.Value = c.Options.First(o => o.Code == veto).Name;
                        break;
                    case ColumnRole.Note when v.Prefill?.Note is { } note:
                        SafeCells.SetText(cell, note);
                        break;
                }
            }
        }
    }

    private static void WriteValidations(ExcelPackage package, ExcelWorksheet ws, ExcelWorksheet lists, IReadOnlyList<TemplateColumn> columns, int rowCount)
    {
        var listColumn = 0;
        var lastRow = FirstDataRow + rowCount - 1;
        for (var i = 0; i < columns.Count; i++)
        {
            var c = columns[i];
            var col = i + 1;
            var address = ws.Cells[FirstDataRow, col, lastRow, col].Address;
            var first = ws.Cells[FirstDataRow, col].Address;
            IExcelDataValidation? dv = null;
            var choices = c.ListChoices();
            if (choices.Count > 0)
            {
                // Lists live on a hidden sheet behind a defined name: inline lists break past 255 characters.
                listColumn++;
                for (var k = 0; k < choices.Count; k++) lists.Cells[k + 1, listColumn].Value = choices[k];
                var name = $"ES_LIST_{listColumn}";
                package.Workbook.Names.Add(name, lists.Cells[1, listColumn, choices.Count, listColumn]);
                var list = ws.DataValidations.AddListValidation(address);
                list.Formula.ExcelFormula = name;
                dv = list;
            }
            else if (c.Role == ColumnRole.Item && c.Item!.IsCounting)
            {
                var max = c.Item.UpperBound;
                var min = c.Item.Bounds.Min;
                if (c.Item.MayBeNotApplicable)
                {
                    var custom = ws.DataValidations.AddCustomValidation(address);
                    var upper = max is { } m ? $",{first}<={m}" : "";
                    custom.Formula.ExcelFormula =
                        $"OR({first}=\"{NotApplicableWord}\",AND(ISNUMBER({first}),{first}>={min},{first}=INT({first}){upper}))";
                    // EPPlus 4.5 defaults every validation to "between" and then demands Formula2; custom has none.
                    custom.Operator = ExcelDataValidationOperator.equal;
                    dv = custom;
                }
                else
                {
                    var whole = ws.DataValidations.AddIntegerValidation(address);
                    if (max is { } m)
                    {
                        whole.Operator = ExcelDataValidationOperator.between;
                        whole.Formula.Value = min;
                        whole.Formula2.Value = m;
                    }
                    else
                    {
                        whole.Operator = ExcelDataValidationOperator.greaterThanOrEqual;
                        whole.Formula.Value = min;
                    }
                    dv = whole;
                }
            }
            else if (c.Role == ColumnRole.Item && c.Item!.Kind is ItemKind.Percent or ItemKind.Number)
            {
                // A percentage may be typed as 85 or into a percent-formatted cell as 85% (stored 0.85): both are ≤ 100.
                if (c.Item.MayBeNotApplicable)
                {
                    var custom = ws.DataValidations.AddCustomValidation(address);
                    var upper = c.Item.Kind == ItemKind.Percent ? $",{first}<=100" : "";
                    custom.Formula.ExcelFormula = $"OR({first}=\"{NotApplicableWord}\",AND(ISNUMBER({first}),{first}>=0{upper}))";
                    custom.Operator = ExcelDataValidationOperator.equal;
                    dv = custom;
                }
                else
                {
                    var number = ws.DataValidations.AddDecimalValidation(address);
                    if (c.Item.Kind == ItemKind.Percent)
                    {
                        number.Operator = ExcelDataValidationOperator.between;
                        number.Formula.Value = 0;
                        number.Formula2.Value = 100;
                    }
                    else
                    {
                        number.Operator = ExcelDataValidationOperator.greaterThanOrEqual;
                        number.Formula.Value = 0;
                    }
                    dv = number;
                }
            }
            if (dv is null) continue;
            dv.AllowBlank = true;
            dv.ShowErrorMessage = true;
            dv.ErrorStyle = ExcelDataValidationWarningStyle.stop;
            dv.ErrorTitle = "填写有误";
            dv.Error = Clip(c.ValidationError, 220);
            dv.ShowInputMessage = true;
            dv.PromptTitle = Clip(c.Header, 30);
            dv.Prompt = Clip(c.HowTo, 250);
        }
    }

    private static void FinishDataSheet(ExcelWorksheet ws, IReadOnlyList<TemplateColumn> columns, int villageCount)
    {
        var last = columns.Count;
        var lastRow = FirstDataRow + Math.Max(villageCount, 1) - 1;
        var firstInput = columns.ToList().FindIndex(c => c.IsInput) + 1;
        var data = ws.Cells[FirstDataRow, 1, lastRow, last];
        SetBorders(data);
        data.Style.VerticalAlignment = ExcelVerticalAlignment.Center;
        ws.Cells[FirstDataRow, 1, lastRow, 1].Style.Numberformat.Format = "@";

        // Everything is locked by default; only the input area is opened up.
        var input = ws.Cells[FirstDataRow, firstInput, lastRow, last];
        input.Style.Locked = false;
        input.Style.Fill.PatternType = ExcelFillStyle.Solid;
        input.Style.Fill.BackgroundColor.SetColor(InputFill);
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i].Role == ColumnRole.Note) ws.Cells[FirstDataRow, i + 1, lastRow, i + 1].Style.WrapText = true;
            if (columns[i].Role is ColumnRole.Item or ColumnRole.ZeroCondition or ColumnRole.Veto)
                ws.Cells[FirstDataRow, i + 1, lastRow, i + 1].Style.HorizontalAlignment = ExcelHorizontalAlignment.Center;
        }

        ws.View.FreezePanes(FirstDataRow, firstInput);
        // Protection guards against accidental edits of headers and village identity, not against
        // intent: there is deliberately no password (documented in docs/spreadsheets.md).
        ws.Protection.IsProtected = true;
        ws.Protection.AllowSelectLockedCells = true;
        ws.Protection.AllowSelectUnlockedCells = true;
        ws.Protection.AllowFormatColumns = true;
        ws.Protection.AllowFormatRows = true;

        ws.PrinterSettings.PaperSize = ePaperSize.A4;
        ws.PrinterSettings.Orientation = eOrientation.Landscape;
        ws.PrinterSettings.FitToPage = true;
        ws.PrinterSettings.FitToWidth = 1;
        ws.PrinterSettings.FitToHeight = 0;
        ws.PrinterSettings.RepeatRows = new ExcelAddress($"${SectionRow}:${RuleRow}");
    }

    private static void WriteInstructions(ExcelWorksheet ws, TemplateLayout layout, TemplateScope scope, IReadOnlyList<TemplateColumn> columns)
    {
        var lines = new List<string>
        {
            $"{layout.Month.ToChinese()} {scope.DisplayName} {layout.Title} — 填表说明",
            "",
            "一、基本要求",
            $"1. 本表用于{layout.Month.ToChinese()}农村人居环境月评比，每个村（社区）一行，评分细则为\"{layout.RuleSetCode}\"第{layout.RuleSetVersion}版。",
            "2. 只填写黄色单元格。村（社区）代码、名称和表头已锁定，请勿修改、增删行或列，也不要改动工作表名称。",
            "3. 数字项填阿拉伯数字整数（如 0、3），不要填\"三处\"、小数或空格；下拉项请从下拉列表中选择。",
            "4. 填好后直接保存为 .xlsx 格式（Excel 或 WPS 均可；旧版 .xls 也能读取），在系统中上传本文件。不要另存为 .csv 或 .ods。",
            "5. 本表的工作表保护没有密码，仅用于防止误改；如需调整列宽可直接拖动。",
            "",
            "二、各类项目怎么填",
            "· 按处扣分项：填本月发现的问题数量（处/户/条），没有问题填 0。",
            "· 档次项：从下拉列表选择符合的档次。",
            "· 抽查项：填抽查中不合格的户数（或点数），0 到抽查总数之间。",
            $"· 合格项：选择\"{PassWord}\"或\"{FailWord}\"。",
            "· 加分项：填获得的次数（如获得表彰的次数），没有填 0。",
            $"· 不适用：该村确实没有此类情况（如没有坑塘）且本项允许时，填\"{NotApplicableWord}\"。",
            "· 不得分情形：如存在该项\"此项不得分\"所列情形，在该项右侧的\"不得分情形\"列选择；没有则留空。该项数字仍需填写。",
            "· 一票否决：如发生一票否决事项，在\"一票否决\"列选择；没有则留空。",
            "· 备注：可填写需要说明的情况（选填）。日期按单元格显示的样子保存；清空备注即删除原有备注。",
            "",
            "三、本表项目一览",
        };
        var kinds = new List<string>();
        if (layout.Items.Any(i => i.Kind == ItemKind.YesNo))
            kinds.Add($"· 是否项（如\"无垃圾池\"）：有此情形选择\"{YesWord}\"，没有选择\"{NoWord}\"；空白视为\"{NoWord}\"。");
        if (layout.Items.Any(i => i.Kind == ItemKind.Percent)) kinds.Add("· 比例项：填百分数，如 85 或 85%（0到100之间，可带小数）。");
        if (layout.Items.Any(i => i.Kind == ItemKind.Number)) kinds.Add("· 数量项（如卫生厕所户数、总户数）：填数字，可带小数，系统据此计算比例。");
        if (layout.Items.Any(i => i.MaxPoints == 0 && i.Kind != ItemKind.Bonus))
            kinds.Add("· 一个评分项有多条细则时，每条细则一列（列名为\"评分项·细则\"），各列共用该项分值，扣完为止。");
        lines.InsertRange(lines.FindIndex(l => l.StartsWith("· 不适用", StringComparison.Ordinal)), kinds);
        foreach (var c in columns.Where(c => c.Role == ColumnRole.Item))
            lines.Add($"· {c.Section.Split('（')[0]} / {c.Item!.Title}{(c.Item.MaxPoints > 0 ? $"（{Points(c.Item.MaxPoints)}分）" : "")}：{c.HowTo}。细则：{c.Item.RuleText}");
        lines.AddRange([
            "",
            "四、上传后提示错误怎么办",
            "系统会逐条列出问题（先写单元格位置），例如：C8（第8行 贺砦社区 乱堆乱放）：应为不小于0的整数，实际为\"三\"。",
            "按提示找到对应行和列改正后保存，再重新上传即可。全部无误后才会导入。",
        ]);
        for (var i = 0; i < lines.Count; i++)
        {
            SafeCells.SetText(ws.Cells[i + 1, 1], lines[i]);
            ws.Cells[i + 1, 1].Style.WrapText = true;
        }
        ws.Cells[1, 1].Style.Font.Bold = true;
        ws.Cells[1, 1].Style.Font.Size = 14;
        ws.Column(1).Width = 110;
        ws.Protection.IsProtected = true;
        ws.Protection.AllowSelectLockedCells = true;
    }

    private static void WriteMetadata(ExcelWorksheet ws, TemplateLayout layout, TemplateScope scope, IReadOnlyList<TemplateColumn> columns)
    {
        var pairs = new List<(string, string)>
        {
            (MetadataKeys.Format, FormatVersion),
            (MetadataKeys.Kind, scope.Kind.ToString()),
            (MetadataKeys.Sheet, scope.Sheet.ToString()),
            (MetadataKeys.DistrictCode, scope.DistrictCode.Value),
            (MetadataKeys.DistrictName, scope.DistrictName),
            (MetadataKeys.TownshipCode, scope.TownshipCode?.Value ?? ""),
            (MetadataKeys.TownshipName, scope.TownshipName ?? ""),
            (MetadataKeys.Month, layout.Month.ToString()),
            (MetadataKeys.RuleSetCode, layout.RuleSetCode),
            (MetadataKeys.RuleSetVersion, layout.RuleSetVersion.ToString(CultureInfo.InvariantCulture)),
            (MetadataKeys.DataSheet, DataSheetName),
            (MetadataKeys.CodeRow, CodeRow.ToString(CultureInfo.InvariantCulture)),
            (MetadataKeys.FirstDataRow, FirstDataRow.ToString(CultureInfo.InvariantCulture)),
        };
        for (var i = 0; i < columns.Count; i++)
            pairs.Add((MetadataKeys.ColumnPrefix + ColumnLetters.FromIndex(i + 1), columns[i].Token));
        for (var i = 0; i < pairs.Count; i++)
        {
            // Always text: a code like 410102000000 must not become a number.
            ws.Cells[i + 1, 1].Value = pairs[i].Item1;
            ws.Cells[i + 1, 2].Style.Numberformat.Format = "@";
            SafeCells.SetText(ws.Cells[i + 1, 2], pairs[i].Item2);
        }
        ws.Column(1).Width = 20;
        ws.Column(2).Width = 40;
    }

    private static void SetMerged(ExcelWorksheet ws, int r1, int c1, int r2, int c2, string text)
    {
        var range = ws.Cells[r1, c1, r2, c2];
        if (r1 != r2 || c1 != c2) range.Merge = true;
        SafeCells.SetText(ws.Cells[r1, c1], text);
        range.Style.HorizontalAlignment = ExcelHorizontalAlignment.Center;
        range.Style.VerticalAlignment = ExcelVerticalAlignment.Center;
        range.Style.WrapText = true;
    }

    private static void SetBorders(ExcelRange range)
    {
        var b = range.Style.Border;
        b.Top.Style = b.Bottom.Style = b.Left.Style = b.Right.Style = ExcelBorderStyle.Thin;
    }

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    internal static string Points(decimal p) => p.ToString("0.##", CultureInfo.InvariantCulture);
}

internal static class MetadataKeys
{
    public const string Format = "format";
    public const string Kind = "template_kind";
    /// <summary>SelfEvaluation or SpotCheck; absent in templates made before spot-checks had one (= SelfEvaluation).</summary>
    public const string Sheet = "sheet_kind";
    public const string DistrictCode = "district_code";
    public const string DistrictName = "district_name";
    public const string TownshipCode = "township_code";
    public const string TownshipName = "township_name";
    public const string Month = "month";
    public const string RuleSetCode = "rule_set_code";
    public const string RuleSetVersion = "rule_set_version";
    public const string DataSheet = "data_sheet";
    public const string CodeRow = "code_row";
    public const string FirstDataRow = "first_data_row";
    public const string ColumnPrefix = "column:";
}
