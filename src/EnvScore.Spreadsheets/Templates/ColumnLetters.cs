namespace EnvScore.Spreadsheets.Templates;

internal static class ColumnLetters
{
    public static string FromIndex(int column)
    {
        var s = "";
        for (var c = column; c > 0; c = (c - 1) / 26) s = (char)('A' + (c - 1) % 26) + s;
        return s;
    }

    public static int? ToIndex(string letters)
    {
        if (letters.Length is 0 or > 3) return null;
        var n = 0;
        foreach (var ch in letters.ToUpperInvariant())
        {
            if (ch is < 'A' or > 'Z') return null;
            n = n * 26 + (ch - 'A' + 1);
        }
        return n;
    }
}
