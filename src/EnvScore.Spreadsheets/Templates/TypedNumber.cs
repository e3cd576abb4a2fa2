namespace EnvScore.Spreadsheets.Templates;

/// <summary>
/// A number as a person types it — in a spreadsheet cell or a web form field — read by the spreadsheet's one rule
/// (<see cref="CellValues"/>, docs/spreadsheets.md "单元格怎么读"): full-width digits (３), spaces around it, a measure word
/// after a count ("2处", "3户"), "3.0" for 3; a decimal with "．" or "。" for the point, a "%" after a percentage. So the
/// web form accepts exactly what the spreadsheet accepts.
/// </summary>
public static class TypedNumber
{
    /// <summary>A whole number; <paramref name="unit"/> is the item's own unit ("处"), stripped when typed after the number.</summary>
    public static bool TryWhole(string text, string? unit, out int value) => CellValues.TryWhole(text, unit, out value);

    /// <summary>A decimal number (at most 4 decimals, rounded away from zero beyond); with <paramref name="percent"/> a "%" may follow.</summary>
    public static bool TryDecimal(string text, bool percent, out decimal value)
    {
        value = 0;
        var (parsed, error) = CellValues.Decimal(new CellInput(text, null, false), decimal.MinValue, null, percent, "");
        if (error is not null || parsed is not { } v) return false;
        value = v;
        return true;
    }
}
