namespace EnvScore.Domain.Scoring;

/// <summary>The three tiers every village is sorted into each month. Order is best first.</summary>
public enum Tier
{
    /// <summary>示范 — demonstration (red list).</summary>
    Demonstration = 1,
    /// <summary>提升 — upgrade.</summary>
    Upgrade = 2,
    /// <summary>整治 — rectify (black list).</summary>
    Rectify = 3,
}

public static class TierNames
{
    public static string ToChinese(this Tier tier) => tier switch
    {
        Tier.Demonstration => "示范",
        Tier.Upgrade => "提升",
        Tier.Rectify => "整治",
        _ => throw new ArgumentOutOfRangeException(nameof(tier), tier, null),
    };
}
