using System.Globalization;
using System.Text;

namespace EnvScore.Spreadsheets.Templates;

/// <summary>Normalisation of what people type into cells (full-width forms, odd spaces).</summary>
internal static class CellText
{
    /// <summary>
    /// Full-width ASCII (Ａ３．) → half-width, ideographic/no-break/zero-width spaces → space,
    /// then trimmed; empty → null. Chinese IMEs produce full-width digits easily.
    /// </summary>
    public static string? Normalize(string? text)
    {
        if (text is null) return null;
        var sb = new StringBuilder(text.Length);
        foreach (var ch in text)
        {
            sb.Append(ch switch
            {
                >= '\uFF01' and <= '\uFF5E' => (char)(ch - 0xFEE0),
                '\u3000' or '\u00A0' or '\u2002' or '\u2003' or '\u2009' => ' ',
                '\u200B' or '\uFEFF' => '\0',
                '\u3002' => '.', // 。 typed for a decimal point
                _ => ch,
            });
        }
        var result = sb.Replace("\0", "").ToString().Trim();
        return result.Length == 0 ? null : result;
    }

    /// <summary>A cell's raw value as normalised text (numbers in invariant form).</summary>
    public static string? ToText(object? raw) => raw switch
    {
        null => null,
        string s => Normalize(s),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "TRUE" : "FALSE",
        IFormattable f => Normalize(f.ToString(null, CultureInfo.InvariantCulture)),
        _ => Normalize(raw.ToString()),
    };

    /// <summary>How a raw value is quoted back to the user in a message.</summary>
    public static string Display(object? raw) => raw switch
    {
        null => "",
        string s => s,
        double d => d.ToString("G15", CultureInfo.InvariantCulture),
        bool b => b ? "TRUE" : "FALSE",
        _ => raw.ToString() ?? "",
    };

    public static bool IsBlank(object? raw) => raw is null || (raw is string s && Normalize(s) is null);

    public static bool IsNotApplicableWord(string? text) =>
        Normalize(text)?.ToUpperInvariant() is "不适用" or "N/A" or "NA";

    public static bool Same(string? a, string? b) =>
        string.Equals(Normalize(a), Normalize(b), StringComparison.OrdinalIgnoreCase);
}
