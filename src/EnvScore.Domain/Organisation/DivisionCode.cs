using System.Diagnostics.CodeAnalysis;

namespace EnvScore.Domain.Organisation;

/// <summary>The level of an administrative unit, as told by its statistical division code.</summary>
public enum DivisionLevel
{
    /// <summary>区 / 县: the first 6 digits carry meaning, the remaining 6 are zero.</summary>
    District,
    /// <summary>乡 / 镇 / 农场 / 街道: the first 9 digits carry meaning, the remaining 3 are zero.</summary>
    Township,
    /// <summary>村 / 社区: all 12 digits carry meaning.</summary>
    Village,
}

/// <summary>
/// A 12-digit statistical division code (统计用区划代码): 6 digits of district (county), 3 of
/// township, 3 of village. Units above village level are padded with zeros.
/// </summary>
public readonly record struct DivisionCode : IComparable<DivisionCode>
{
    public const int Length = 12;

    private DivisionCode(string value) => Value = value;

    public string Value { get; }

    public DivisionLevel Level => Value.AsSpan(6, 3) is "000" ? DivisionLevel.District
        : Value.AsSpan(9, 3) is "000" ? DivisionLevel.Township
        : DivisionLevel.Village;

    /// <summary>The code of the district this unit belongs to (itself for a district).</summary>
    public DivisionCode DistrictCode => new(string.Concat(Value.AsSpan(0, 6), "000000"));

    /// <summary>The code of the township this unit belongs to (itself for a township); none for a district.</summary>
    public DivisionCode? TownshipCode => Level == DivisionLevel.District ? null : new(string.Concat(Value.AsSpan(0, 9), "000"));

    public static DivisionCode Parse(string text) =>
        TryParse(text, out var code, out var error) ? code : throw new FormatException(error);

    public static bool TryParse(string? text, out DivisionCode code) => TryParse(text, out code, out _);

    /// <summary>Parses a code; the error, if any, is a Chinese message followed by its English gloss.</summary>
    public static bool TryParse(string? text, out DivisionCode code, [NotNullWhen(false)] out string? error)
    {
        code = default;
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length != Length || !trimmed.All(char.IsAsciiDigit))
        {
            error = $"区划代码应为12位数字，实际为\"{text}\" (division code must be 12 ASCII digits)";
            return false;
        }
        if (trimmed.AsSpan(0, 6) is "000000")
        {
            error = $"区划代码的前6位（区县）不能全为0，实际为\"{text}\" (the district part must not be zero)";
            return false;
        }
        if (trimmed.AsSpan(6, 3) is "000" && trimmed.AsSpan(9, 3) is not "000")
        {
            error = $"区划代码的乡镇部分为000时村部分也必须为000，实际为\"{text}\" (a village code needs a township part)";
            return false;
        }
        code = new DivisionCode(trimmed);
        error = null;
        return true;
    }

    /// <summary>True when this code lies directly under <paramref name="parent"/> in the hierarchy.</summary>
    public bool IsDirectChildOf(DivisionCode parent) => (Level, parent.Level) switch
    {
        (DivisionLevel.Township, DivisionLevel.District) => DistrictCode == parent,
        (DivisionLevel.Village, DivisionLevel.Township) => TownshipCode == parent,
        _ => false,
    };

    public int CompareTo(DivisionCode other) => string.CompareOrdinal(Value, other.Value);

    public override string ToString() => Value ?? string.Empty;
}
