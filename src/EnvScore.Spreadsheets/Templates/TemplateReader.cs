using System.Globalization;
using System.Text.RegularExpressions;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Organisation;
using OfficeOpenXml;
using static EnvScore.Spreadsheets.Templates.TemplateConventions;

namespace EnvScore.Spreadsheets.Templates;

/// <summary>
/// Imports a filled-in evaluation template. Never throws for a bad upload: everything wrong is a
/// <see cref="ImportProblem"/>, and every non-blank row ends up either parsed or reported.
/// </summary>
public static partial class TemplateReader
{
    private const int HeaderScanRows = 40;
    private const int HeaderScanColumns = 1000;

    public static TemplateImportResult Read(
        Stream input,
        TemplateLayout layout,
        TemplateScope expectedScope,
        IReadOnlyCollection<DivisionCode> allowedVillages,
        TemplateImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        layout.Validate();
        options ??= new TemplateImportOptions();

        var bytes = XlsxGuard.ReadBounded(input, options.MaxFileBytes);
        if (bytes is null)
            return Fail(ImportProblemKind.TooLarge, $"文件超过{options.MaxFileBytes / 1024.0 / 1024.0:0.#}MB，无法上传。请删除多余的工作表、图片后重试 (file too large)");
        var loaded = WorkbookLoader.Load(bytes, options);
        if (loaded.Package is not { } package) return Fail(loaded.FailureKind, loaded.Failure!);
        using (package)
        {
            return new Reader(package.Workbook, layout, expectedScope, allowedVillages, options).Run();
        }
    }

    private static TemplateImportResult Fail(ImportProblemKind kind, string message) =>
        new([], [new ImportProblem { Kind = kind, Message = message }]);

    private sealed partial class Reader(
        ExcelWorkbook workbook,
        TemplateLayout layout,
        TemplateScope expected,
        IReadOnlyCollection<DivisionCode> allowedVillages,
        TemplateImportOptions options)
    {
        private readonly List<ImportProblem> _problems = [];
        private readonly IReadOnlyList<TemplateColumn> _columns = TemplateColumns.Build(layout, expected.Kind);

        public TemplateImportResult Run()
        {
            var meta = ReadMetadata();
            if (meta is null)
            {
                if (options.RequireMetadata)
                    return Fail(ImportProblemKind.MissingMetadata, "文件中缺少模板信息（不是从本系统下载的模板，或被其他软件另存时丢失），请重新下载模板填写 (metadata sheet missing)");
                _problems.Add(new ImportProblem
                {
                    Kind = ImportProblemKind.MissingMetadata,
                    Severity = ProblemSeverity.Warning,
                    Message = "文件中缺少模板信息（可能被其他软件另存时丢失），已按表头识别各列，无法核对乡镇和评分细则版本，请确认使用的是本月模板 (metadata sheet missing; matched columns by header)",
                });
            }
            else
            {
                CheckScope(meta);
                if (_problems.Count > 0) return Result([]);
            }

            var map = FindDataSheet(meta);
            if (map is null)
            {
                _problems.Add(new ImportProblem
                {
                    Kind = ImportProblemKind.DataSheetNotFound,
                    Message = $"未找到评比表：没有工作表含有\"{VillageCodeHeader}\"列。请使用本系统下载的模板填写 (data sheet not found)",
                });
                return Result([]);
            }
            if (meta is null) CheckMonthInTitle(map.Sheet);
            CheckColumns(map);
            if (_problems.Any(p => p.Severity == ProblemSeverity.Error)) return Result([]);
            return Result(ReadRows(map));
        }

        private TemplateImportResult Result(IReadOnlyList<ParsedVillage> villages) => new(villages, _problems);

        private void Add(ImportProblemKind kind, string message, string? sheet = null, string? cell = null, int? row = null,
            string? villageCode = null, string? villageName = null, TemplateItem? item = null, ProblemSeverity severity = ProblemSeverity.Error) =>
            _problems.Add(new ImportProblem
            {
                Kind = kind, Message = message, SheetName = sheet, CellReference = cell, RowNumber = row,
                VillageCode = villageCode, VillageName = villageName, ItemCode = item?.Code, ItemTitle = item?.Title, Severity = severity,
            });

        // ---------------------------------------------------------------- metadata and scope

        private Dictionary<string, string>? ReadMetadata()
        {
            var sheet = workbook.Worksheets.FirstOrDefault(w => w.Name == MetadataSheetName);
            if (sheet?.Dimension is null) return null;
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var r = 1; r <= Math.Min(sheet.Dimension.End.Row, 2000); r++)
            {
                var key = CellText.ToText(sheet.GetValue(r, 1));
                if (key is not null) values[key] = CellText.ToText(sheet.GetValue(r, 2)) ?? "";
            }
            return values.TryGetValue(MetadataKeys.Format, out var f) && f.StartsWith("envscore-template/", StringComparison.Ordinal) ? values : null;
        }

        private void CheckScope(Dictionary<string, string> meta)
        {
            string Get(string key) => meta.TryGetValue(key, out var v) ? v : "";
            var kindText = Get(MetadataKeys.Kind);
            if (!Enum.TryParse<TemplateKind>(kindText, out var kind) || kind != expected.Kind)
            {
                var what = expected.Kind == TemplateKind.Township ? "乡镇自评表" : "区级汇总表";
                Add(ImportProblemKind.WrongScope, $"模板类型不符：应上传{what}模板 (template kind {kindText}, expected {expected.Kind})");
            }
            else if (Get(MetadataKeys.DistrictCode) != expected.DistrictCode.Value)
            {
                Add(ImportProblemKind.WrongScope, $"这是其他区（{Get(MetadataKeys.DistrictName)}，{Get(MetadataKeys.DistrictCode)}）的模板，不是{expected.DistrictName}的，请重新下载模板 (wrong district)");
            }
            else if (kind == TemplateKind.Township && Get(MetadataKeys.TownshipCode) != expected.TownshipCode?.Value)
            {
                Add(ImportProblemKind.WrongScope, $"这是{Get(MetadataKeys.TownshipName)}（{Get(MetadataKeys.TownshipCode)}）的模板，不是{expected.TownshipName}（{expected.TownshipCode}）的，请下载本乡镇的模板 (wrong township)");
            }

            var sheetText = Get(MetadataKeys.Sheet);
            var sheetKind = sheetText.Length == 0 ? SheetKind.SelfEvaluation : Enum.TryParse<SheetKind>(sheetText, out var sk) ? sk : (SheetKind?)null;
            if (sheetKind != expected.Sheet)
            {
                var found = sheetKind == SheetKind.SpotCheck ? "区级抽查表" : sheetKind == SheetKind.SelfEvaluation ? "乡镇自评表" : $"\"{sheetText}\"";
                Add(ImportProblemKind.WrongScope, $"这是{found}的模板，这里应上传{(expected.Sheet == SheetKind.SpotCheck ? "区级抽查表" : "乡镇自评表")}，请下载对应的模板 (sheet kind {sheetText}, expected {expected.Sheet})");
            }

            var monthText = Get(MetadataKeys.Month);
            if (!EvaluationMonth.TryParse(monthText, out var month) || month != layout.Month)
            {
                var shown = EvaluationMonth.TryParse(monthText, out var m) ? m.ToChinese() : $"\"{monthText}\"";
                Add(ImportProblemKind.WrongMonth, $"这是{shown}的模板，当前评比月份为{layout.Month.ToChinese()}，请下载本月模板重新填写 (wrong month)");
            }

            var code = Get(MetadataKeys.RuleSetCode);
            var version = Get(MetadataKeys.RuleSetVersion);
            if (code != layout.RuleSetCode || version != layout.RuleSetVersion.ToString(CultureInfo.InvariantCulture))
                Add(ImportProblemKind.WrongRuleSet, $"模板使用的评分细则为\"{code}\"第{version}版，本月评分细则为\"{layout.RuleSetCode}\"第{layout.RuleSetVersion}版，请重新下载模板 (wrong rule-set version)");
        }

        /// <summary>Without metadata, the visible title is the only clue to the month.</summary>
        private void CheckMonthInTitle(ExcelWorksheet sheet)
        {
            for (var r = 1; r <= 3; r++)
            {
                for (var c = 1; c <= 3; c++)
                {
                    if (CellText.ToText(sheet.GetValue(r, c)) is not { } text) continue;
                    var match = MonthPattern().Match(text);
                    if (!match.Success) continue;
                    var found = new EvaluationMonth(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
                    if (found != layout.Month)
                        Add(ImportProblemKind.WrongMonth, $"表头显示为{found.ToChinese()}，当前评比月份为{layout.Month.ToChinese()}，请下载本月模板重新填写 (wrong month in title)", sheet.Name);
                    return;
                }
            }
        }

        [GeneratedRegex(@"(20\d\d)\s*年\s*(1[0-2]|0?[1-9])\s*月")]
        private static partial Regex MonthPattern();

        // ---------------------------------------------------------------- columns

        private sealed record ColumnMap(ExcelWorksheet Sheet, Dictionary<string, int> Columns, int FirstDataRow, bool SkipLeadingHeaderRows, List<string> Duplicates);

        private ColumnMap? FindDataSheet(Dictionary<string, string>? meta)
        {
            var preferred = meta is not null && meta.TryGetValue(MetadataKeys.DataSheet, out var n) ? n : DataSheetName;
            var candidates = workbook.Worksheets
                .Where(w => w.Name is not MetadataSheetName and not ListsSheetName && w.Dimension is not null)
                .OrderBy(w => w.Name == preferred ? 0 : w.Name == DataSheetName ? 1 : 2)
                .ToList();
            foreach (var sheet in candidates)
            {
                var map = MapByCodeRow(sheet)
                          ?? (sheet.Name == preferred && meta is not null ? MapByMetadata(sheet, meta) : null)
                          ?? MapByTitles(sheet);
                if (map is not null) return map;
            }
            return null;
        }

        /// <summary>The hidden row of tokens moves with its columns, so this survives moved/hidden columns.</summary>
        private ColumnMap? MapByCodeRow(ExcelWorksheet sheet)
        {
            var end = sheet.Dimension.End;
            for (var r = 1; r <= Math.Min(end.Row, HeaderScanRows); r++)
            {
                var tokens = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
                var duplicates = new List<string>();
                for (var c = 1; c <= Math.Min(end.Column, HeaderScanColumns); c++)
                {
                    if (CellText.ToText(sheet.GetValue(r, c)) is { } t && _columns.Any(col => string.Equals(col.Token, t, StringComparison.OrdinalIgnoreCase)))
                        if (!tokens.TryAdd(t, c)) duplicates.Add(t);
                }
                if (tokens.ContainsKey(VillageCodeToken)) return new ColumnMap(sheet, tokens, r + 1, false, duplicates);
            }
            return null;
        }

        private ColumnMap? MapByMetadata(ExcelWorksheet sheet, Dictionary<string, string> meta)
        {
            var tokens = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            foreach (var (key, token) in meta)
            {
                if (!key.StartsWith(MetadataKeys.ColumnPrefix, StringComparison.Ordinal)) continue;
                var letters = key[MetadataKeys.ColumnPrefix.Length..];
                if (ColumnLetters.ToIndex(letters) is { } index) tokens[token] = index;
            }
            if (!tokens.ContainsKey(VillageCodeToken)) return null;
            var first = meta.TryGetValue(MetadataKeys.FirstDataRow, out var f) && int.TryParse(f, out var fr) ? fr : FirstDataRow;
            _problems.Add(new ImportProblem
            {
                Kind = ImportProblemKind.MissingColumn, Severity = ProblemSeverity.Warning, SheetName = sheet.Name,
                Message = "表头中的隐藏编号行被删除或修改，已按模板原始列位置读取；如调整过列的顺序，请重新下载模板 (code row missing; used the original column positions)",
            });
            return new ColumnMap(sheet, tokens, first, false, []);
        }

        /// <summary>Last resort (a sheet re-made by hand or through CSV): match the visible header texts.</summary>
        private ColumnMap? MapByTitles(ExcelWorksheet sheet)
        {
            var end = sheet.Dimension.End;
            var byHeader = new Dictionary<string, string>();
            var ambiguous = new HashSet<string>();
            void Known(string header, string token)
            {
                var key = CellText.Normalize(header)!;
                if (!byHeader.TryAdd(key, token)) ambiguous.Add(key);
            }
            foreach (var col in _columns) Known(col.Header, col.Token);
            Known("村代码", VillageCodeToken);
            Known("社区代码", VillageCodeToken);

            for (var r = 1; r <= Math.Min(end.Row, HeaderScanRows); r++)
            {
                var tokens = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
                var duplicates = new List<string>();
                for (var c = 1; c <= Math.Min(end.Column, HeaderScanColumns); c++)
                {
                    if (CellText.ToText(sheet.GetValue(r, c)) is not { } t || !byHeader.TryGetValue(t, out var token)) continue;
                    if (ambiguous.Contains(t) || !tokens.TryAdd(token, c)) duplicates.Add(token);
                }
                if (tokens.ContainsKey(VillageCodeToken)) return new ColumnMap(sheet, tokens, r + 1, true, duplicates);
            }
            return null;
        }

        private void CheckColumns(ColumnMap map)
        {
            // A column nobody may fill (the ledger counts it), added by hand: refuse the file, naming the column.
            if (layout.RefusedColumns.Count > 0)
            {
                var refused = layout.RefusedColumns.ToDictionary(x => CellText.Normalize(x.Key)!, x => x.Value);
                var end = map.Sheet.Dimension.End;
                var reported = new HashSet<int>(); // one problem per column
                for (var r = 1; r <= Math.Min(end.Row, map.FirstDataRow - 1); r++) // the header rows only
                    for (var c = 1; c <= Math.Min(end.Column, HeaderScanColumns); c++)
                        if (CellText.ToText(map.Sheet.GetValue(r, c)) is { } t && refused.TryGetValue(t, out var why) && reported.Add(c))
                            Add(ImportProblemKind.RefusedColumn, $"第{ColumnLetters.FromIndex(c)}列\"{t}\"{why}，请删除该列或重新下载模板 (column not allowed: nobody enters it)",
                                map.Sheet.Name, cell: $"{ColumnLetters.FromIndex(c)}{r}", row: r);
            }
            foreach (var dup in map.Duplicates.Distinct())
            {
                var col = _columns.First(c => string.Equals(c.Token, dup, StringComparison.OrdinalIgnoreCase));
                Add(ImportProblemKind.DuplicateColumn, $"\"{col.Header}\"列出现了不止一次，请删除多余的列或重新下载模板 (duplicate column {dup})", map.Sheet.Name, item: col.Item);
            }
            foreach (var col in _columns.Where(c => !map.Columns.ContainsKey(c.Token)))
            {
                var severity = col.IsRequired ? ProblemSeverity.Error : ProblemSeverity.Warning;
                var tail = col.IsRequired ? "请重新下载模板填写" : "该列按空白处理";
                Add(ImportProblemKind.MissingColumn, $"缺少\"{col.Header}\"列，{tail} (missing column {col.Token})", map.Sheet.Name, item: col.Item, severity: severity);
            }
        }

        // ---------------------------------------------------------------- rows

        /// <summary>Rows beyond the villages allowed that are still checked one by one before reading stops.</summary>
        private const int ExtraRowsChecked = 500;

        /// <summary>"D12（第12行 贺砦社区 乱堆乱放）：" — every row/cell problem starts with its cell.</summary>
        private static string Where(string cell, int row, string? who, string? what = null) =>
            $"{cell}（第{row}行{(string.IsNullOrEmpty(who) ? "" : " " + who)}{(what is null ? "" : " " + what)}）：";

        private IReadOnlyList<ParsedVillage> ReadRows(ColumnMap map)
        {
            var sheet = map.Sheet;
            var present = _columns.Where(c => map.Columns.ContainsKey(c.Token)).ToArray();
            var colIndex = present.Select(c => map.Columns[c.Token]).ToArray();
            var codeSlot = Array.FindIndex(present, c => c.Role == ColumnRole.VillageCode);
            var lastRow = sheet.Dimension.End.Row;
            var formats = new Dictionary<int, string?>();

            // Pass 1: collect non-blank rows. Extra rows (another township's village pasted below) are
            // reported one by one with the other problems; only a file far larger than the list stops early.
            var rows = new List<(int Row, CellInput[] Values)>();
            var seenData = !map.SkipLeadingHeaderRows;
            for (var r = map.FirstDataRow; r <= lastRow; r++)
            {
                CellInput[]? values = null;
                for (var i = 0; i < colIndex.Length; i++)
                {
                    var v = sheet.GetValue(r, colIndex[i]);
                    if (v is null || (v is string s && CellText.Normalize(s) is null)) continue;
                    values ??= new CellInput[colIndex.Length];
                    values[i] = CellInput.From(sheet, r, colIndex[i], formats);
                }
                if (values is null) continue;
                if (!seenData)
                {
                    if (values[codeSlot].Value is null) continue; // a header row under the title row
                    seenData = true;
                }
                // Empty slots of a non-blank row: a formula saved without its result is not blank.
                for (var i = 0; i < colIndex.Length; i++)
                    if (values[i].Value is null && present[i].IsInput)
                        values[i] = CellInput.From(sheet, r, colIndex[i], formats);
                rows.Add((r, values));
                if (rows.Count > allowedVillages.Count + ExtraRowsChecked)
                {
                    Add(ImportProblemKind.TooManyRows, $"数据行数远多于应填报的村（社区）数（{allowedVillages.Count}个），第{r}行以后未检查，请勿粘贴其他表格的数据 (far more rows than villages)", sheet.Name);
                    break;
                }
            }

            // Pass 2: parse.
            var slots = new Slots(present);
            var allowed = allowedVillages.Select(v => v.Value).ToHashSet(StringComparer.Ordinal);
            var firstRowOf = new Dictionary<string, int>(StringComparer.Ordinal);
            var result = new List<ParsedVillage>(rows.Count);
            foreach (var (r, values) in rows)
            {
                var village = ParseRow(sheet, r, slots, colIndex, values, allowed, firstRowOf);
                if (village is not null) result.Add(village);
            }

            if (options.RequireAllVillages)
            {
                foreach (var code in allowedVillages.Where(v => !firstRowOf.ContainsKey(v.Value)))
                    Add(ImportProblemKind.MissingVillage, $"缺少村（社区）{code}的评比数据，请勿删除行 (village row missing)", sheet.Name, villageCode: code.Value);
            }
            return result;
        }

        /// <summary>Where each column sits in a row's value array, computed once per import.</summary>
        private sealed class Slots(TemplateColumn[] present)
        {
            public int Of(ColumnRole role) => Array.FindIndex(present, c => c.Role == role);
            public bool IsInput(int slot) => present[slot].IsInput;
            public readonly Dictionary<TemplateItem, (int Value, int Zero)> Items = present
                .Where(c => c.Role == ColumnRole.Item)
                .ToDictionary(c => c.Item!, c => (Array.IndexOf(present, c),
                    Array.FindIndex(present, z => z.Role == ColumnRole.ZeroCondition && z.Item == c.Item)));
        }

        private string Scope => expected.Kind == TemplateKind.Township ? "本乡镇" : "本区";

        private ParsedVillage? ParseRow(ExcelWorksheet sheet, int r, Slots slots, int[] colIndex, CellInput[] values,
            HashSet<string> allowed, Dictionary<string, int> firstRowOf)
        {
            CellInput Raw(ColumnRole role) => slots.Of(role) is var i and >= 0 ? values[i] : CellInput.Empty;
            string Ref(int slot) => ExcelCellBase.GetAddress(r, colIndex[slot]);
            var codeSlot = slots.Of(ColumnRole.VillageCode);

            var rawCode = Raw(ColumnRole.VillageCode);
            var codeText = CellValues.Code(rawCode);
            var name = CellValues.Text(Raw(ColumnRole.VillageName));
            var township = CellValues.Text(Raw(ColumnRole.Township));
            var who = name ?? codeText ?? "";
            var codeCell = Ref(codeSlot);

            if (codeText is null)
            {
                Add(ImportProblemKind.MissingVillageCode, $"{Where(codeCell, r, name)}缺少村（社区）代码，此行无法导入，请勿修改或删除代码列 (missing village code)",
                    sheet.Name, codeCell, r, null, name);
                return null;
            }
            if (!DivisionCode.TryParse(codeText, out var code) || code.Level != DivisionLevel.Village)
            {
                Add(ImportProblemKind.InvalidVillageCode, $"{Where(codeCell, r, who)}村（社区）代码应为12位数字，实际为\"{CellValues.Display(rawCode)}\" (invalid village code)",
                    sheet.Name, codeCell, r, codeText, name);
                return null;
            }
            if (!allowed.Contains(code.Value))
            {
                Add(ImportProblemKind.UnknownVillage, $"{Where(codeCell, r, who)}该村不属于{Scope}（代码{code}），不在本次应填报的范围内，请删除此行 (village not allowed)",
                    sheet.Name, codeCell, r, code.Value, name);
                return null;
            }
            if (firstRowOf.TryGetValue(code.Value, out var firstRow))
            {
                Add(ImportProblemKind.DuplicateVillage, $"{Where(codeCell, r, who)}与第{firstRow}行是同一个村（社区）（代码{code}），请删除重复的行 (duplicate village)",
                    sheet.Name, codeCell, r, code.Value, name);
                return null;
            }
            firstRowOf[code.Value] = r;

            if (options.BlankRowsAreNotChecked && Enumerable.Range(0, values.Length).All(i => !slots.IsInput(i) || CellValues.IsBlank(values[i])))
                return new ParsedVillage(r, code, name ?? "", township, new VillageValues()) { IsBlankRow = true };

            var problemsBefore = _problems.Count;
            var items = new Dictionary<string, ItemValue>(StringComparer.Ordinal);
            var cells = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var item in layout.Items)
            {
                if (!slots.Items.TryGetValue(item, out var at)) continue; // reported as a missing column already
                var (slot, zeroSlot) = at;
                cells[item.Code] = Ref(slot);
                var parsed = CellFormatting.ParseItem(item, values[slot]);
                string? zero = null;
                if (zeroSlot >= 0)
                {
                    var (z, zeroError) = CellFormatting.ParseOption(item.ZeroConditions, values[zeroSlot], "不得分情形");
                    if (zeroError is not null)
                        Add(ImportProblemKind.InvalidValue, $"{Where(Ref(zeroSlot), r, who, item.Title)}{zeroError}", sheet.Name, Ref(zeroSlot), r, code.Value, name, item);
                    zero = z;
                }
                if (parsed.Error is not null)
                {
                    Add(parsed.Blank ? ImportProblemKind.MissingValue : ImportProblemKind.InvalidValue,
                        $"{Where(Ref(slot), r, who, item.Title)}{parsed.Error}", sheet.Name, Ref(slot), r, code.Value, name, item);
                    continue;
                }
                if (parsed.Value!.NotApplicable && zero is not null)
                {
                    Add(ImportProblemKind.Conflict, $"{Where(Ref(zeroSlot), r, who, item.Title)}已填\"{NotApplicableWord}\"，不能再选择不得分情形",
                        sheet.Name, Ref(zeroSlot), r, code.Value, name, item);
                    continue;
                }
                items[item.Code] = parsed.Value.WithZeroCondition(zero);
            }

            string? veto = null;
            var vetoSlot = slots.Of(ColumnRole.Veto);
            if (vetoSlot >= 0)
            {
                var (v, vetoError) = CellFormatting.ParseOption(layout.Vetoes, values[vetoSlot], "一票否决");
                if (vetoError is not null)
                    Add(ImportProblemKind.InvalidValue, $"{Where(Ref(vetoSlot), r, who, VetoHeader)}{vetoError}", sheet.Name, Ref(vetoSlot), r, code.Value, name);
                veto = v;
            }
            // The note as the cell shows it (a date reads 2026/11/20); a blank cell is no note — the sheet as
            // uploaded is the sheet as stored, so a cleared pre-filled note clears the stored one.
            var noteSlot = slots.Of(ColumnRole.Note);
            string? note = null;
            if (noteSlot >= 0)
            {
                cells[NoteToken] = Ref(noteSlot);
                if (CellValues.Unreadable(values[noteSlot]) is { } noteError)
                    Add(ImportProblemKind.InvalidValue, $"{Where(Ref(noteSlot), r, who, NoteHeader)}{noteError}", sheet.Name, Ref(noteSlot), r, code.Value, name);
                else note = CellValues.Text(values[noteSlot]);
            }

            return new ParsedVillage(r, code, name ?? "", township, new VillageValues { Items = items, VetoCode = veto, Note = note })
            {
                HasProblems = _problems.Count > problemsBefore,
                ItemCells = cells,
            };
        }
    }
}
