using System.IO.Compression;

namespace EnvScore.Spreadsheets.Templates;

/// <summary>
/// Checks an upload before EPPlus sees it: size, magic bytes, and the zip's real uncompressed size
/// (EPPlus inflates every part into memory, so a zip bomb must be stopped here).
/// </summary>
internal static class XlsxGuard
{
    public readonly record struct Failure(ImportProblemKind Kind, string Message);

    /// <summary>Reads at most <paramref name="maxBytes"/>+1 bytes; null bytes when over the limit.</summary>
    public static byte[]? ReadBounded(Stream input, long maxBytes)
    {
        if (input.CanSeek && input.Length - input.Position > maxBytes) return null;
        using var ms = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = input.Read(buffer, 0, buffer.Length)) > 0)
        {
            ms.Write(buffer, 0, n);
            if (ms.Length > maxBytes) return null;
        }
        return ms.ToArray();
    }

    public static Failure? Check(byte[] bytes, TemplateImportOptions options)
    {
        const string saveAs = "请在Excel或WPS中打开后\"另存为\"Excel工作簿（*.xlsx）格式再上传";
        if (bytes.Length == 0) return new(ImportProblemKind.EmptyFile, "文件为空，请选择填好的评比表（.xlsx）上传");
        if (bytes.Length < 4 || bytes[0] != 'P' || bytes[1] != 'K' || bytes[2] != 3 || bytes[3] != 4)
        {
            if (bytes.Length >= 4 && bytes[0] == 0xD0 && bytes[1] == 0xCF && bytes[2] == 0x11 && bytes[3] == 0xE0)
                return new(ImportProblemKind.NotXlsx, $"文件是旧版Excel（.xls）格式或设置了打开密码，无法读取。{saveAs}，并取消打开密码 (legacy .xls or encrypted workbook)");
            if (LooksLikeText(bytes))
                return new(ImportProblemKind.NotXlsx, $"文件是CSV或文本文件，不是Excel工作簿。{saveAs} (text/CSV, not xlsx)");
            return new(ImportProblemKind.NotXlsx, $"文件不是Excel工作簿（.xlsx）。{saveAs} (not an xlsx file)");
        }

        try
        {
            using var zip = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
            if (zip.Entries.Count > options.MaxZipEntries)
                return new(ImportProblemKind.SuspiciousArchive, $"文件内部结构异常（包含{zip.Entries.Count}个部件），拒绝读取 (too many zip entries)");
            if (zip.GetEntry("[Content_Types].xml") is null || zip.GetEntry("xl/workbook.xml") is null)
                return new(ImportProblemKind.NotXlsx, $"文件是压缩包或其他Office文档，不是Excel工作簿。{saveAs} (zip without a workbook)");

            long declared = 0;
            foreach (var e in zip.Entries)
            {
                declared += e.Length;
                if (e.Length > 1024 * 1024 && e.CompressedLength > 0 && (double)e.Length / e.CompressedLength > options.MaxCompressionRatio)
                    return new(ImportProblemKind.SuspiciousArchive, "文件压缩比异常（疑似压缩炸弹），拒绝读取 (compression ratio too high)");
            }
            if (declared > options.MaxUncompressedBytes)
                return new(ImportProblemKind.SuspiciousArchive, $"文件解压后超过{options.MaxUncompressedBytes / 1024 / 1024}MB，拒绝读取 (uncompressed size too large)");

            // Declared sizes can lie: inflate for real, counting, and stop at the limit.
            long actual = 0;
            var buffer = new byte[81920];
            foreach (var e in zip.Entries)
            {
                using var s = e.Open();
                int n;
                while ((n = s.Read(buffer, 0, buffer.Length)) > 0)
                {
                    actual += n;
                    if (actual > options.MaxUncompressedBytes)
                        return new(ImportProblemKind.SuspiciousArchive, $"文件解压后超过{options.MaxUncompressedBytes / 1024 / 1024}MB，拒绝读取 (uncompressed size too large)");
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or NotSupportedException)
        {
            return new(ImportProblemKind.Unreadable, $"文件已损坏或不完整，无法读取。{saveAs} (corrupt zip: {ex.Message})");
        }
        return null;
    }

    private static bool LooksLikeText(byte[] bytes)
    {
        var n = Math.Min(bytes.Length, 512);
        var control = 0;
        for (var i = 0; i < n; i++)
            if (bytes[i] < 0x09 || (bytes[i] is > 0x0D and < 0x20)) control++;
        return control == 0;
    }
}
