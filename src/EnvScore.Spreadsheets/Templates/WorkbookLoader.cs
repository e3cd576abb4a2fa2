using System.IO.Compression;
using System.Text;
using ExcelDataReader;
using OfficeOpenXml;

namespace EnvScore.Spreadsheets.Templates;

/// <summary>
/// An upload's bytes → one EPPlus workbook that the reader reads, whatever the file format:
/// <list type="bullet">
/// <item>.xlsx (Transitional Open XML, Excel/WPS/LibreOffice) — as is, after <see cref="XlsxGuard"/>;</item>
/// <item>Strict Open XML (.xlsx saved as "Strict Open XML 电子表格") — its namespaces mapped to Transitional
///   (ISO/IEC 29500-1 Strict ↔ Transitional differ in namespaces for what a template holds), then as .xlsx;</item>
/// <item>.xls (Excel 97-2003 BIFF8) — read with ExcelDataReader, copied cell by cell (value, number format,
///   hidden state) into an in-memory workbook, so every column goes through the same <see cref="CellValues"/>;</item>
/// <item>.ods, CSV/text, encrypted or other files — refused with a message naming the format and how to save.</item>
/// </list>
/// </summary>
internal static class WorkbookLoader
{
    public const string SaveAs = "请在Excel或WPS中打开后\"另存为\"Excel工作簿（*.xlsx）格式再上传";

    public readonly record struct Loaded(ExcelPackage? Package, ImportProblemKind FailureKind, string? Failure);

    static WorkbookLoader() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance); // .xls text in GBK etc.

    public static Loaded Load(byte[] bytes, TemplateImportOptions options)
    {
        if (bytes.Length == 0) return Fail(ImportProblemKind.EmptyFile, "文件为空，请选择填好的评比表（.xlsx）上传");
        if (IsOle2(bytes)) return LoadXls(bytes, options);
        if (IsZip(bytes))
        {
            if (IsOds(bytes))
                return Fail(ImportProblemKind.NotXlsx, $"文件是OpenDocument表格（.ods，LibreOffice或WPS的开放文档格式），系统不读取这种格式。{SaveAs} (OpenDocument spreadsheet, not xlsx)");
            if (XlsxGuard.Check(bytes, options) is { } failure) return Fail(failure.Kind, failure.Message);
            var strict = false;
            if (StrictOpenXml.IsStrict(bytes))
            {
                strict = true;
                bytes = StrictOpenXml.ToTransitional(bytes);
            }
            try
            {
                var package = new ExcelPackage(new MemoryStream(bytes, writable: false));
                _ = package.Workbook.Worksheets.Count; // EPPlus parses lazily; force it inside the try.
                return new(package, default, null);
            }
            catch (Exception ex)
            {
                return strict
                    ? Fail(ImportProblemKind.Unreadable, $"文件是\"Strict Open XML 电子表格\"格式，无法完整读取。请在Excel中\"另存为\"→保存类型选\"Excel 工作簿(*.xlsx)\"后再上传 (Strict Open XML: {ex.Message})")
                    : Fail(ImportProblemKind.Unreadable, $"无法读取文件，文件可能已损坏。请在Excel或WPS中打开并另存为.xlsx后重试 (EPPlus: {ex.Message})");
            }
        }
        if (LooksLikeText(bytes))
            return Fail(ImportProblemKind.NotXlsx, $"文件是CSV或文本文件，不是Excel工作簿。{SaveAs} (text/CSV, not xlsx)");
        return Fail(ImportProblemKind.NotXlsx, $"文件不是Excel工作簿（.xlsx或.xls）。{SaveAs} (not a workbook)");
    }

    private static Loaded Fail(ImportProblemKind kind, string message) => new(null, kind, message);

    private static bool IsOle2(byte[] b) => b.Length >= 8 && b[0] == 0xD0 && b[1] == 0xCF && b[2] == 0x11 && b[3] == 0xE0;
    private static bool IsZip(byte[] b) => b.Length >= 4 && b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4;

    private static bool IsOds(byte[] bytes)
    {
        try
        {
            using var zip = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
            if (zip.GetEntry("mimetype") is not { Length: < 200 } entry) return false;
            using var reader = new StreamReader(entry.Open());
            return reader.ReadToEnd().Contains("opendocument.spreadsheet", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            return false;
        }
    }

    private static bool LooksLikeText(byte[] bytes)
    {
        var n = Math.Min(bytes.Length, 512);
        for (var i = 0; i < n; i++)
            if (bytes[i] < 0x09 || (bytes[i] is > 0x0D and < 0x20)) return false;
        return true;
    }

    /// <summary>
    /// The serial a .xls stored, from the DateTime ExcelDataReader made of it: it counts days from
    /// 1899-12-31 and skips Excel's phantom 1900-02-29 (serial 60), so serials from 60 on are one more.
    /// </summary>
    internal static double XlsSerial(DateTime dt)
    {
        var days = (dt - new DateTime(1899, 12, 31)).TotalDays;
        return days >= 60 ? days + 1 : days;
    }

    /// <summary>Largest .xls grid copied (rows × columns): a template is a few thousand cells.</summary>
    private const long MaxXlsCells = 2_000_000;

    private static Loaded LoadXls(byte[] bytes, TemplateImportOptions options)
    {
        var package = new ExcelPackage();
        try
        {
            using var reader = ExcelReaderFactory.CreateBinaryReader(new MemoryStream(bytes, writable: false));
            long cells = 0;
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            do
            {
                var name = reader.Name ?? "Sheet";
                if (!names.Add(name)) continue;
                var ws = package.Workbook.Worksheets.Add(name);
                ws.Hidden = reader.VisibleState switch
                {
                    "hidden" => eWorkSheetHidden.Hidden,
                    "veryhidden" => eWorkSheetHidden.VeryHidden,
                    _ => eWorkSheetHidden.Visible,
                };
                var row = 0;
                while (reader.Read())
                {
                    row++;
                    for (var col = 0; col < reader.FieldCount; col++)
                    {
                        var value = reader.GetValue(col);
                        if (value is null) continue;
                        if (++cells > MaxXlsCells)
                            return Fail(ImportProblemKind.SuspiciousArchive, "文件中的单元格数量异常多，拒绝读取 (too many cells)");
                        var cell = ws.Cells[row, col + 1];
                        switch (value)
                        {
                            case string s: cell.Value = s; break;
                            case bool b: cell.Value = b; break;
                            case DateTime dt: cell.Value = XlsSerial(dt); break;
                            case TimeSpan ts: cell.Value = ts.TotalDays; break;
                            case IConvertible c: cell.Value = c.ToDouble(System.Globalization.CultureInfo.InvariantCulture); break;
                            default: cell.Value = value.ToString(); break;
                        }
                        if (value is string or bool) continue;
                        var format = NumberFormats.Effective(reader.GetNumberFormatIndex(col), reader.GetNumberFormatString(col));
                        if (format is not null && !format.Equals("General", StringComparison.OrdinalIgnoreCase))
                            cell.Style.Numberformat.Format = format;
                    }
                }
            } while (reader.NextResult());
        }
        catch (Exception ex)
        {
            package.Dispose();
            return Fail(ImportProblemKind.Unreadable,
                $"无法读取这个旧版Excel（.xls）文件（可能设置了打开密码或已损坏）。{SaveAs}，并取消打开密码 (xls: {ex.GetType().Name}: {ex.Message})");
        }
        _ = options;
        return new(package, default, null);
    }
}

/// <summary>
/// Strict Open XML (ISO/IEC 29500 Strict) → Transitional: the parts a template uses differ only in their
/// namespace URIs (and the workbook's conformance attribute), so mapping the URIs lets EPPlus read it.
/// </summary>
internal static class StrictOpenXml
{
    private const string StrictMain = "http://purl.oclc.org/ooxml/spreadsheetml/main";

    /// <summary>Strict URI prefix → Transitional URI prefix; longest first.</summary>
    internal static readonly (string Strict, string Transitional)[] Namespaces =
    [
        ("http://purl.oclc.org/ooxml/spreadsheetml/main", "http://schemas.openxmlformats.org/spreadsheetml/2006/main"),
        ("http://purl.oclc.org/ooxml/officeDocument/relationships", "http://schemas.openxmlformats.org/officeDocument/2006/relationships"),
        ("http://purl.oclc.org/ooxml/officeDocument/extendedProperties", "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"),
        ("http://purl.oclc.org/ooxml/officeDocument/customProperties", "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"),
        ("http://purl.oclc.org/ooxml/officeDocument/docPropsVTypes", "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"),
        ("http://purl.oclc.org/ooxml/officeDocument/sharedTypes", "http://schemas.openxmlformats.org/officeDocument/2006/sharedTypes"),
        ("http://purl.oclc.org/ooxml/officeDocument/math", "http://schemas.openxmlformats.org/officeDocument/2006/math"),
        ("http://purl.oclc.org/ooxml/drawingml/spreadsheetDrawing", "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"),
        ("http://purl.oclc.org/ooxml/drawingml/chart", "http://schemas.openxmlformats.org/drawingml/2006/chart"),
        ("http://purl.oclc.org/ooxml/drawingml/main", "http://schemas.openxmlformats.org/drawingml/2006/main"),
        ("http://purl.oclc.org/ooxml/schemaLibrary/main", "http://schemas.openxmlformats.org/schemaLibrary/2006/main"),
    ];

    public static bool IsStrict(byte[] bytes)
    {
        using var zip = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
        var workbook = zip.GetEntry("xl/workbook.xml");
        if (workbook is null) return false;
        using var reader = new StreamReader(workbook.Open());
        var head = new char[4096];
        var n = reader.ReadBlock(head, 0, head.Length);
        return new string(head, 0, n).Contains(StrictMain, StringComparison.Ordinal);
    }

    public static byte[] ToTransitional(byte[] bytes) => Map(bytes, toStrict: false);

    /// <summary>The reverse mapping; tests use it to make Strict files from the product's template.</summary>
    internal static byte[] ToStrict(byte[] bytes) => Map(bytes, toStrict: true);

    private static byte[] Map(byte[] bytes, bool toStrict)
    {
        using var input = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
        using var ms = new MemoryStream();
        using (var output = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in input.Entries)
            {
                var target = output.CreateEntry(entry.FullName, System.IO.Compression.CompressionLevel.Fastest);
                using var source = entry.Open();
                using var dest = target.Open();
                if (entry.FullName.EndsWith(".xml", StringComparison.OrdinalIgnoreCase) || entry.FullName.EndsWith(".rels", StringComparison.OrdinalIgnoreCase))
                {
                    using var reader = new StreamReader(source, Encoding.UTF8);
                    var text = reader.ReadToEnd();
                    foreach (var (strict, transitional) in Namespaces)
                        text = toStrict ? text.Replace(transitional, strict, StringComparison.Ordinal) : text.Replace(strict, transitional, StringComparison.Ordinal);
                    if (toStrict && entry.FullName == "xl/workbook.xml")
                        text = text.Replace("<workbook ", "<workbook conformance=\"strict\" ", StringComparison.Ordinal);
                    else if (!toStrict)
                        text = text.Replace(" conformance=\"strict\"", "", StringComparison.Ordinal);
                    var utf8 = new UTF8Encoding(false).GetBytes(text);
                    dest.Write(utf8);
                }
                else
                {
                    source.CopyTo(dest);
                }
            }
        }
        return ms.ToArray();
    }
}
