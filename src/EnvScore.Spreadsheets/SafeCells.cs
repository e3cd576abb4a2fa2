using OfficeOpenXml;

namespace EnvScore.Spreadsheets;

/// <summary>Writing text that came from people (names, notes, reasons) into cells.</summary>
internal static class SafeCells
{
    /// <summary>
    /// Writes <paramref name="text"/> as a string value — never through <c>.Formula</c>. Text that a
    /// spreadsheet would read as a formula when retyped or exported to CSV (= + - @, tab, CR) also
    /// gets the quote prefix (the hidden apostrophe), so editing the cell keeps it text.
    /// </summary>
    public static void SetText(ExcelRange cell, string? text)
    {
        cell.Value = text;
        if (LooksLikeFormula(text)) cell.Style.QuotePrefix = true;
    }

    public static bool LooksLikeFormula(string? text) =>
        !string.IsNullOrEmpty(text) && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' or '\n';
}
