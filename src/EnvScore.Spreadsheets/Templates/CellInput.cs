using OfficeOpenXml;

namespace EnvScore.Spreadsheets.Templates;

/// <summary>
/// One cell as a spreadsheet program left it, whatever the producer (Excel, WPS, LibreOffice, .xls):
/// the stored value (string, double, bool, <see cref="ExcelErrorValue"/> or null — dates arrive as their
/// serial number), its number format code as a Chinese-locale program shows it, and whether it holds a formula.
/// <see cref="CellValues"/> is the one place that turns it into a value.
/// </summary>
internal readonly record struct CellInput(object? Value, string? Format = null, bool HasFormula = false)
{
    public static readonly CellInput Empty = new(null);

    /// <summary>Reads a cell of an EPPlus sheet; <paramref name="formats"/> caches style id → format code.</summary>
    public static CellInput From(ExcelWorksheet sheet, int row, int column, Dictionary<int, string?> formats)
    {
        var value = sheet.GetValue(row, column);
        switch (value)
        {
            case string s:
                return new CellInput(s);
            case null:
                // A formula with no cached value (written by a program that does not calculate).
                var f = sheet.Cells[row, column].Formula;
                return new CellInput(null, null, !string.IsNullOrEmpty(f));
            case DateTime dt:
                // EPPlus turns built-in date formats into DateTime; keep the serial the user's program stored.
                value = dt.ToOADate();
                break;
            case ExcelErrorValue or bool:
                return new CellInput(value);
            case IConvertible c when value is not double:
                value = c.ToDouble(System.Globalization.CultureInfo.InvariantCulture);
                break;
        }
        var styleId = sheet.Cells[row, column].StyleID;
        if (!formats.TryGetValue(styleId, out var format))
        {
            var nf = sheet.Cells[row, column].Style.Numberformat;
            format = NumberFormats.Effective(nf.NumFmtID, nf.Format);
            formats[styleId] = format;
        }
        return new CellInput(value, format);
    }
}
