using System.Globalization;
using System.Text;

namespace EnvScore.Spreadsheets.Templates;

/// <summary>
/// How a Chinese-locale spreadsheet program (Excel/WPS zh-CN) displays a number under a number format code.
/// Covers what clerks' files carry: General, fixed decimals, thousands separators, percentages, scientific,
/// literal text, sections (positive;negative;zero;text), colours and locale tags (ignored), and dates/times
/// including Chinese literals (年月日, 上午/下午) and Excel's 1900 calendar (serial 60 is 1900/2/29).
/// Not a full implementation: fractions (# ?/?) and [DBNum] numerals show as decimals/digits.
/// </summary>
internal static class NumberFormats
{
    /// <summary>
    /// The format code a zh-CN program shows for a cell: built-in ids that depend on the locale get their
    /// Chinese codes (14 → yyyy/m/d, 31 → yyyy"年"m"月"d"日" …; ECMA-376 Part 1 §18.8.30); others keep the stored code.
    /// </summary>
    public static string? Effective(int id, string? code) => id switch
    {
        0 => "General",
        14 => "yyyy/m/d",
        22 => "yyyy/m/d h:mm",
        27 or 36 or 50 or 52 or 57 => "yyyy\"年\"m\"月\"",
        28 or 29 or 51 or 53 or 54 or 58 => "m\"月\"d\"日\"",
        30 => "m-d-yy",
        31 => "yyyy\"年\"m\"月\"d\"日\"",
        32 => "h\"时\"mm\"分\"",
        33 => "h\"时\"mm\"分\"ss\"秒\"",
        34 or 55 => "上午/下午h\"时\"mm\"分\"",
        35 or 56 => "上午/下午h\"时\"mm\"分\"ss\"秒\"",
        _ => string.IsNullOrEmpty(code) ? "General" : code,
    };

    /// <summary>True when the format shows a date or a time (y m d h s tokens outside quotes).</summary>
    public static bool IsDateTime(string? format)
    {
        if (string.IsNullOrEmpty(format) || format.Equals("General", StringComparison.OrdinalIgnoreCase)) return false;
        var section = StripBrackets(Sections(format)[0], out var elapsed);
        if (elapsed) return true;
        if (section.Contains("General", StringComparison.OrdinalIgnoreCase)) return false;
        foreach (var (ch, literal) in Tokens(section))
            if (!literal && "yYmMdDhHsSeEaA".Contains(ch)) return ch is not ('e' or 'E') || !section.Contains('0');
        return false;
    }

    /// <summary>The text a zh-CN program shows for <paramref name="value"/> under <paramref name="format"/>.</summary>
    public static string Render(double value, string? format)
    {
        if (string.IsNullOrEmpty(format) || format.Equals("General", StringComparison.OrdinalIgnoreCase)) return General(value);
        var sections = Sections(format);
        string section;
        var negative = value < 0;
        if (sections.Length >= 3 && value == 0) section = sections[2];
        else if (sections.Length >= 2 && negative) { section = sections[1]; value = -value; negative = false; }
        else section = sections[0];
        section = StripBrackets(section, out var elapsedHours);
        if (section.Equals("General", StringComparison.OrdinalIgnoreCase)) return (negative ? "-" : "") + General(Math.Abs(value));
        if (section == "@") return General(value);
        return IsDateTime(section) || elapsedHours
            ? RenderDate(value, section, elapsedHours)
            : RenderNumber(value, section);
    }

    /// <summary>Excel's General: whole numbers as they are, others with up to 10 significant digits.</summary>
    public static string General(double value)
    {
        if (Math.Abs(value) < 1e11 && value == Math.Floor(value)) return value.ToString("0", CultureInfo.InvariantCulture);
        return value.ToString("G10", CultureInfo.InvariantCulture).Replace("E+0", "E+").Replace("E-0", "E-");
    }

    private static string[] Sections(string format)
    {
        var parts = new List<string>();
        var sb = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < format.Length; i++)
        {
            var ch = format[i];
            if (ch == '"') quoted = !quoted;
            if (ch == '\\' && i + 1 < format.Length) { sb.Append(ch).Append(format[++i]); continue; }
            if (ch == ';' && !quoted) { parts.Add(sb.ToString()); sb.Clear(); continue; }
            sb.Append(ch);
        }
        parts.Add(sb.ToString());
        return [.. parts];
    }

    /// <summary>Removes [Red], [$-804], [DBNum1], [&gt;100] …; reports [h]/[m]/[s] (elapsed time).</summary>
    private static string StripBrackets(string section, out bool elapsed)
    {
        elapsed = false;
        var sb = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < section.Length; i++)
        {
            var ch = section[i];
            if (ch == '"') quoted = !quoted;
            if (ch == '[' && !quoted)
            {
                var end = section.IndexOf(']', i);
                if (end < 0) break;
                var tag = section[(i + 1)..end];
                if (tag.Length > 0 && tag.All(c => c is 'h' or 'H' or 'm' or 'M' or 's' or 'S'))
                {
                    elapsed = true;
                    sb.Append('[').Append(tag).Append(']');
                }
                else if (tag.StartsWith('$') && tag.IndexOf('-') is var dash && dash > 1)
                {
                    sb.Append('"').Append(tag[1..dash]).Append('"'); // currency symbol [$¥-804]
                }
                i = end;
                continue;
            }
            sb.Append(ch);
        }
        return sb.ToString();
    }

    /// <summary>Characters of a section with a flag: true for literal text (quoted, escaped).</summary>
    private static IEnumerable<(char Ch, bool Literal)> Tokens(string section)
    {
        var quoted = false;
        for (var i = 0; i < section.Length; i++)
        {
            var ch = section[i];
            if (ch == '"') { quoted = !quoted; continue; }
            if (quoted) { yield return (ch, true); continue; }
            if (ch == '\\' && i + 1 < section.Length) { yield return (section[++i], true); continue; }
            if (ch is '_' && i + 1 < section.Length) { i++; yield return (' ', true); continue; }
            if (ch is '*' && i + 1 < section.Length) { i++; continue; }
            yield return (ch, false);
        }
    }

    private static string RenderNumber(double value, string section)
    {
        var tokens = Tokens(section).ToList();
        var placeholders = tokens.Where(t => !t.Literal && t.Ch is '0' or '#' or '?').ToList();
        var percent = tokens.Count(t => !t.Literal && t.Ch == '%');
        if (tokens.Any(t => !t.Literal && t.Ch is 'E' or 'e'))
        {
            var decimalsE = DecimalsOf(tokens);
            return value.ToString((decimalsE > 0 ? "0." + new string('0', decimalsE) : "0") + "E+00", CultureInfo.InvariantCulture);
        }
        for (var p = 0; p < percent; p++) value *= 100;
        var decimals = DecimalsOf(tokens);
        var grouping = false;
        var seenDigit = false;
        foreach (var t in tokens)
        {
            if (t.Literal) continue;
            if (t.Ch is '0' or '#' or '?') seenDigit = true;
            else if (t.Ch == ',' && seenDigit) grouping = true;
            else if (t.Ch == '.') break;
        }
        var minInt = 0;
        foreach (var t in tokens)
        {
            if (t.Literal) continue;
            if (t.Ch == '.') break;
            if (t.Ch == '0') minInt++;
        }
        var rounded = Math.Round(Math.Abs(value), decimals, MidpointRounding.AwayFromZero);
        var number = rounded.ToString((grouping ? "#,##0" : "0") + (decimals > 0 ? "." + new string('0', decimals) : ""), CultureInfo.InvariantCulture);
        if (minInt == 0 && number.StartsWith("0", StringComparison.Ordinal) && number.Length > 1 && number[1] == '.') number = number[1..];
        else if (minInt == 0 && number == "0" && placeholders.Count > 0) number = "";
        var sb = new StringBuilder();
        if (value < 0 && rounded != 0) sb.Append('-');
        var numberWritten = false;
        foreach (var t in tokens)
        {
            if (t.Literal) { sb.Append(t.Ch); continue; }
            switch (t.Ch)
            {
                case '0' or '#' or '?' or '.' or ',':
                    if (!numberWritten) { sb.Append(number); numberWritten = true; }
                    break;
                case '%': sb.Append('%'); break;
                case '@': sb.Append(General(value)); break;
                default: sb.Append(t.Ch); break;
            }
        }
        if (!numberWritten && placeholders.Count == 0 && sb.Length == 0) return General(value);
        return sb.ToString();
    }

    private static int DecimalsOf(List<(char Ch, bool Literal)> tokens)
    {
        var after = false;
        var n = 0;
        foreach (var t in tokens)
        {
            if (t.Literal) { if (after) break; continue; }
            if (t.Ch == '.') { after = true; continue; }
            if (after && t.Ch is '0' or '#' or '?') n++;
            else if (after && t.Ch is not (',')) break;
        }
        return n;
    }

    /// <summary>Date parts of an Excel serial in the 1900 system (serial 60 = 1900-02-29, Excel's Lotus bug).</summary>
    public static (int Year, int Month, int Day, DayOfWeek WeekDay, int Hour, int Minute, int Second) DateParts(double serial)
    {
        var days = Math.Floor(serial);
        var seconds = (int)Math.Round((serial - days) * 86400);
        if (seconds >= 86400) { days++; seconds -= 86400; }
        int y, m, d;
        DayOfWeek wd;
        if (days == 60) { y = 1900; m = 2; d = 29; wd = DayOfWeek.Wednesday; }
        else
        {
            var date = new DateTime(1899, 12, 31).AddDays(days < 60 ? days : days - 1);
            if (days == 0) date = new DateTime(1900, 1, 1); // Excel shows serial 0 as 1900/1/0; close enough
            (y, m, d, wd) = (date.Year, date.Month, days == 0 ? 0 : date.Day, date.DayOfWeek);
        }
        return (y, m, d, wd, seconds / 3600, seconds / 60 % 60, seconds % 60);
    }

    private static readonly string[] ChineseWeekDays = ["日", "一", "二", "三", "四", "五", "六"];

    private static string RenderDate(double serial, string section, bool elapsed)
    {
        if (serial < 0 || serial > 2958465) return new string('#', 8);
        var p = DateParts(serial);
        var tokens = Tokens(section).ToList();
        var twelveHour = tokens.Any(t => !t.Literal && t.Ch is 'A' or 'a') && (section.Contains("AM/PM", StringComparison.OrdinalIgnoreCase)
            || section.Contains("A/P", StringComparison.OrdinalIgnoreCase)) || section.Contains("上午/下午", StringComparison.Ordinal);
        var sb = new StringBuilder();
        var lastWasHour = false;
        for (var i = 0; i < tokens.Count; i++)
        {
            var (ch, literal) = tokens[i];
            if (literal) { sb.Append(ch); continue; }
            var run = 1;
            while (i + run < tokens.Count && !tokens[i + run].Literal && char.ToLowerInvariant(tokens[i + run].Ch) == char.ToLowerInvariant(ch)) run++;
            var lower = char.ToLowerInvariant(ch);
            switch (lower)
            {
                case 'y' or 'e':
                    sb.Append(run <= 2 && lower == 'y' ? (p.Year % 100).ToString("00", CultureInfo.InvariantCulture) : p.Year.ToString(CultureInfo.InvariantCulture));
                    break;
                case 'm':
                {
                    // m after h, or before s, means minutes.
                    var minutes = run <= 2 && (lastWasHour || NextNonLiteralIsSeconds(tokens, i + run));
                    if (minutes) sb.Append(run == 2 ? p.Minute.ToString("00", CultureInfo.InvariantCulture) : p.Minute.ToString(CultureInfo.InvariantCulture));
                    else if (run == 1) sb.Append(p.Month);
                    else if (run == 2) sb.Append(p.Month.ToString("00", CultureInfo.InvariantCulture));
                    else sb.Append(p.Month).Append('月');
                    lastWasHour = false;
                    break;
                }
                case 'd':
                    if (run <= 2) sb.Append(run == 2 ? p.Day.ToString("00", CultureInfo.InvariantCulture) : p.Day.ToString(CultureInfo.InvariantCulture));
                    else sb.Append(run == 3 ? ChineseWeekDays[(int)p.WeekDay] : "星期" + ChineseWeekDays[(int)p.WeekDay]);
                    break;
                case 'a' when section.AsSpan(SourceIndex(section, i)).StartsWith("AM/PM", StringComparison.OrdinalIgnoreCase):
                    sb.Append(p.Hour < 12 ? "AM" : "PM");
                    run = 5;
                    break;
                case 'a' when section.AsSpan(SourceIndex(section, i)).StartsWith("A/P", StringComparison.OrdinalIgnoreCase):
                    sb.Append(p.Hour < 12 ? "A" : "P");
                    run = 3;
                    break;
                case 'a':
                    // aaa / aaaa: Chinese weekday (五 / 星期五).
                    sb.Append(run == 3 ? ChineseWeekDays[(int)p.WeekDay] : "星期" + ChineseWeekDays[(int)p.WeekDay]);
                    break;
                case 'h':
                {
                    var h = twelveHour ? (p.Hour % 12 == 0 ? 12 : p.Hour % 12) : p.Hour;
                    sb.Append(run >= 2 ? h.ToString("00", CultureInfo.InvariantCulture) : h.ToString(CultureInfo.InvariantCulture));
                    lastWasHour = true;
                    i += run - 1;
                    continue;
                }
                case 's':
                    sb.Append(run >= 2 ? p.Second.ToString("00", CultureInfo.InvariantCulture) : p.Second.ToString(CultureInfo.InvariantCulture));
                    break;
                case '[':
                {
                    // [h] [mm] [ss]: elapsed time
                    var end = i;
                    var tag = new StringBuilder();
                    while (++end < tokens.Count && tokens[end].Ch != ']') tag.Append(tokens[end].Ch);
                    var total = serial * 24;
                    var t = char.ToLowerInvariant(tag.Length > 0 ? tag[0] : 'h') switch
                    {
                        'h' => Math.Floor(total),
                        'm' => Math.Floor(total * 60),
                        _ => Math.Floor(total * 3600),
                    };
                    sb.Append(t.ToString(tag.Length >= 2 ? "00" : "0", CultureInfo.InvariantCulture));
                    lastWasHour = char.ToLowerInvariant(tag.Length > 0 ? tag[0] : 'h') == 'h';
                    i = end;
                    continue;
                }
                case '上' when section.Contains("上午/下午", StringComparison.Ordinal):
                    sb.Append(p.Hour < 12 ? "上午" : "下午");
                    i += 4; // 上午/下午
                    continue;
                case '0' or '.':
                    break; // fractional seconds: not shown
                default:
                    sb.Append(ch, run);
                    break;
            }
            if (lower != 'h' && lower is not ('m' or ' ' or ':')) lastWasHour = lower == 'h' && lastWasHour;
            i += run - 1;
        }
        return sb.ToString();
    }

    private static bool NextNonLiteralIsSeconds(List<(char Ch, bool Literal)> tokens, int from)
    {
        for (var j = from; j < tokens.Count; j++)
        {
            if (tokens[j].Literal) continue;
            var c = char.ToLowerInvariant(tokens[j].Ch);
            if (c == 's') return true;
            if (c is 'y' or 'm' or 'd' or 'h') return false;
        }
        return false;
    }

    /// <summary>Approximate position of token <paramref name="tokenIndex"/> in the section (for AM/PM lookahead).</summary>
    private static int SourceIndex(string section, int tokenIndex)
    {
        var count = -1;
        var quoted = false;
        for (var i = 0; i < section.Length; i++)
        {
            var ch = section[i];
            if (ch == '"') { quoted = !quoted; continue; }
            if (ch == '\\' && !quoted) { i++; count++; if (count == tokenIndex) return i; continue; }
            count++;
            if (count == tokenIndex) return i;
        }
        return section.Length;
    }
}
