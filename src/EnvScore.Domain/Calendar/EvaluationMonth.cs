using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace EnvScore.Domain.Calendar;

/// <summary>
/// A calendar month of evaluation (评比月), e.g. 2026-11. Months are calendar months in
/// Asia/Shanghai; this type carries no time zone itself — see <see cref="ChinaTime"/>.
/// Stored as the integer yyyymm (e.g. 202611) so that it sorts and indexes naturally.
/// </summary>
public readonly record struct EvaluationMonth : IComparable<EvaluationMonth>
{
    public EvaluationMonth(int year, int month)
    {
        if (year is < 2000 or > 2999) throw new ArgumentOutOfRangeException(nameof(year), year, "年份应在2000–2999之间 (year must be 2000–2999)");
        if (month is < 1 or > 12) throw new ArgumentOutOfRangeException(nameof(month), month, "月份应在1–12之间 (month must be 1–12)");
        Year = year;
        Month = month;
    }

    public int Year { get; }
    public int Month { get; }

    /// <summary>yyyymm, e.g. 202611.</summary>
    public int Key => Year * 100 + Month;

    public static EvaluationMonth FromKey(int key) => new(key / 100, key % 100);

    public EvaluationMonth Next() => Month == 12 ? new(Year + 1, 1) : new(Year, Month + 1);
    public EvaluationMonth Previous() => Month == 1 ? new(Year - 1, 12) : new(Year, Month - 1);
    public EvaluationMonth AddMonths(int months)
    {
        var index = Year * 12 + (Month - 1) + months;
        return new(index / 12, index % 12 + 1);
    }

    public DateOnly FirstDay => new(Year, Month, 1);

    /// <summary>Parses "2026-11" (also "2026-1", "202611" and "2026年11月").</summary>
    public static bool TryParse(string? text, out EvaluationMonth month)
    {
        month = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var t = text.Trim().Replace("年", "-").TrimEnd('月');
        int y, m;
        if (t.Length == 6 && t.All(char.IsAsciiDigit))
        {
            y = int.Parse(t.AsSpan(0, 4), CultureInfo.InvariantCulture);
            m = int.Parse(t.AsSpan(4, 2), CultureInfo.InvariantCulture);
        }
        else
        {
            var parts = t.Split('-');
            if (parts.Length != 2
                || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out y)
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out m)) return false;
        }
        if (y is < 2000 or > 2999 || m is < 1 or > 12) return false;
        month = new EvaluationMonth(y, m);
        return true;
    }

    public static EvaluationMonth Parse(string text) => TryParse(text, out var m)
        ? m : throw new FormatException($"月份格式应为\"yyyy-MM\"，实际为\"{text}\" (month must be yyyy-MM)");

    public int CompareTo(EvaluationMonth other) => Key.CompareTo(other.Key);
    public static bool operator <(EvaluationMonth a, EvaluationMonth b) => a.Key < b.Key;
    public static bool operator >(EvaluationMonth a, EvaluationMonth b) => a.Key > b.Key;
    public static bool operator <=(EvaluationMonth a, EvaluationMonth b) => a.Key <= b.Key;
    public static bool operator >=(EvaluationMonth a, EvaluationMonth b) => a.Key >= b.Key;

    public override string ToString() => $"{Year:D4}-{Month:D2}";
    public string ToChinese() => $"{Year}年{Month}月";
}
