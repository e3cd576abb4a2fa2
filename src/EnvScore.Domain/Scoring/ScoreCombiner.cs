using EnvScore.Domain.Rules;

namespace EnvScore.Domain.Scoring;

/// <summary>A village's final score for the month.</summary>
/// <param name="Gap">self − district when a district check exists.</param>
/// <param name="Inflated">The self-evaluation exceeds the district check by more than the threshold (自评虚高).</param>
public sealed record CombinedScore(decimal Final, decimal? Gap, bool Inflated);

public static class ScoreCombiner
{
    /// <summary>
    /// final = self when there is no district check, else 四舍五入(self × selfWeight + district × districtWeight, 2).
    /// Inflated when self − district &gt; threshold (strictly).
    /// </summary>
    public static CombinedScore Combine(decimal selfScore, decimal? districtScore, CombinationPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (districtScore is not { } district) return new(Points.Canonical(selfScore), null, false);
        var final = Points.Canonical(selfScore * policy.SelfWeight + district * policy.DistrictWeight);
        var gap = selfScore - district;
        return new(final, gap, gap > policy.InflationThreshold);
    }
}

/// <summary>Consequence flags for a village, from its consecutive monthly tiers.</summary>
public readonly record struct ConsequenceFlags(int RectifyRun, int DemonstrationRun, bool Interview, bool Reward);

public static class ConsequenceEvaluator
{
    /// <summary>
    /// <paramref name="tiersNewestFirst"/>: the village's published tiers for consecutive months, the
    /// current month first. A run counts identical tiers from the start; a gap must be passed as the end of the list.
    /// </summary>
    public static ConsequenceFlags Evaluate(ConsequencePolicy policy, IReadOnlyList<Tier> tiersNewestFirst)
    {
        ArgumentNullException.ThrowIfNull(policy);
        int Run(Tier t) { var n = 0; while (n < tiersNewestFirst.Count && tiersNewestFirst[n] == t) n++; return n; }
        var rectify = Run(Tier.Rectify);
        var demo = Run(Tier.Demonstration);
        return new(rectify, demo,
            policy.InterviewAfterRectifyMonths is { } i && rectify >= i,
            policy.RewardAfterDemonstrationMonths is { } r && demo >= r);
    }
}
