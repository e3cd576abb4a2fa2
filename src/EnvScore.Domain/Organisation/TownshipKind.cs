namespace EnvScore.Domain.Organisation;

/// <summary>The kind of a township-level unit (together 乡场办).</summary>
public enum TownshipKind
{
    /// <summary>乡</summary>
    Xiang,
    /// <summary>镇</summary>
    Zhen,
    /// <summary>农场 (state farm)</summary>
    Farm,
    /// <summary>街道 (sub-district office)</summary>
    Subdistrict,
}

public static class TownshipKindNames
{
    public static string ToChinese(this TownshipKind kind) => kind switch
    {
        TownshipKind.Xiang => "乡",
        TownshipKind.Zhen => "镇",
        TownshipKind.Farm => "农场",
        TownshipKind.Subdistrict => "街道",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
