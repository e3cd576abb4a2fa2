using EnvScore.Domain.Organisation;
using EnvScore.Domain.Rules;

namespace EnvScore.Domain.Scoring;

/// <summary>One village's month, as input to tiering and ranking.</summary>
/// <param name="TieBreakDeductions">Section deductions in sheet order (<see cref="SheetScore.SectionDeductions"/>) of the
/// district check when one exists, else of the self-evaluation; empty for a missing sheet.</param>
/// <param name="MissingSheet">No sheet was submitted: <see cref="MissingSheetPolicy"/> applies (the caller passes its score).</param>
public sealed record TierCandidate(DivisionCode VillageCode, DivisionCode TownshipCode, decimal FinalScore, bool Vetoed,
    IReadOnlyList<decimal> TieBreakDeductions, bool MissingSheet = false);

/// <summary>Why a village has its tier; the first cause that applied, in the order listed.</summary>
public enum TierReason
{
    Threshold,
    Veto,
    MissingSheet,
    /// <summary>Demoted from 示范 to 提升 by the 示范 quota.</summary>
    DemonstrationQuota,
    /// <summary>Put into 整治 by the minimum 整治 quota.</summary>
    RectifyQuota,
    /// <summary>Put into 整治 by the black list.</summary>
    BlackList,
}

/// <param name="TownshipRank">1-based position within the township; ranks never tie.</param>
/// <param name="DistrictRank">1-based position within the district; ranks never tie.</param>
public sealed record TierOutcome(DivisionCode VillageCode, DivisionCode TownshipCode, decimal FinalScore, Tier Tier, TierReason Reason,
    int TownshipRank, int DistrictRank, bool OnRedList, bool OnBlackList);

/// <summary>
/// The reference implementation of tiers, quotas and ranks (the database side reimplements it with
/// window functions and tests against this). Rank order, strictly total:
/// 1. not penalised (no veto, sheet submitted) before penalised;
/// 2. final score descending;
/// 3. tie-break deductions compared section by section, smaller first (a missing element counts as 0);
/// 4. village division code ascending (ordinal).
/// Because division codes are unique, ranks are row numbers: equal scores never share a rank.
/// Quotas are applied per scope (township or district) in this order: thresholds/veto/missing sheet,
/// 示范 cap floor(N × p / 100) keeps the best 示范, 整治 minimum ceil(N × p / 100) takes the worst,
/// black list (worst N → 整治), red list (best N among 示范).
/// </summary>
public static class TierAssigner
{
    public static IComparer<TierCandidate> RankOrder { get; } = Comparer<TierCandidate>.Create(Compare);

    private static int Compare(TierCandidate? a, TierCandidate? b)
    {
        if (ReferenceEquals(a, b)) return 0;
        if (a is null) return -1;
        if (b is null) return 1;
        var c = Penalised(a).CompareTo(Penalised(b));
        if (c != 0) return c;
        c = b.FinalScore.CompareTo(a.FinalScore);
        if (c != 0) return c;
        var n = Math.Max(a.TieBreakDeductions.Count, b.TieBreakDeductions.Count);
        for (var i = 0; i < n; i++)
        {
            c = At(a.TieBreakDeductions, i).CompareTo(At(b.TieBreakDeductions, i));
            if (c != 0) return c;
        }
        return a.VillageCode.CompareTo(b.VillageCode);
    }

    private static bool Penalised(TierCandidate c) => c.Vetoed || c.MissingSheet;
    private static decimal At(IReadOnlyList<decimal> list, int i) => i < list.Count ? list[i] : 0m;

    /// <summary>Tiers and ranks for one district's villages, returned in district rank order.</summary>
    /// <exception cref="ArgumentException">A village appears twice or does not belong to its township (programming errors).</exception>
    public static IReadOnlyList<TierOutcome> Assign(IReadOnlyList<TierCandidate> candidates, TierPolicy policy, MissingSheetPolicy missingSheet)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(missingSheet);
        var dup = candidates.GroupBy(c => c.VillageCode).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ArgumentException($"village {dup.Key} appears more than once", nameof(candidates));
        var stray = candidates.FirstOrDefault(c => c.VillageCode.TownshipCode != c.TownshipCode);
        if (stray is not null) throw new ArgumentException($"village {stray.VillageCode} is not in township {stray.TownshipCode}", nameof(candidates));

        var ordered = candidates.OrderBy(c => c, RankOrder).ToArray();
        var tier = new Tier[ordered.Length];
        var reason = new TierReason[ordered.Length];
        var red = new bool[ordered.Length];
        var black = new bool[ordered.Length];
        for (var i = 0; i < ordered.Length; i++)
        {
            var c = ordered[i];
            (tier[i], reason[i]) = c.MissingSheet ? (missingSheet.Tier, TierReason.MissingSheet)
                : c.Vetoed ? (Tier.Rectify, TierReason.Veto)
                : (policy.Classify(c.FinalScore, false), TierReason.Threshold);
        }

        var scopes = policy.QuotaScope == QuotaScope.District
            ? [Enumerable.Range(0, ordered.Length).ToArray()]
            : Enumerable.Range(0, ordered.Length).GroupBy(i => ordered[i].TownshipCode).Select(g => g.ToArray()).ToArray();
        foreach (var scope in scopes) ApplyQuotas(scope, policy, tier, reason, red, black);

        var townshipRank = new Dictionary<DivisionCode, int>();
        var result = new TierOutcome[ordered.Length];
        for (var i = 0; i < ordered.Length; i++)
        {
            var c = ordered[i];
            var t = townshipRank[c.TownshipCode] = townshipRank.GetValueOrDefault(c.TownshipCode) + 1;
            result[i] = new(c.VillageCode, c.TownshipCode, c.FinalScore, tier[i], reason[i], t, i + 1, red[i], black[i]);
        }
        return result;
    }

    /// <param name="scope">Indexes into the rank-ordered arrays, best first.</param>
    private static void ApplyQuotas(int[] scope, TierPolicy policy, Tier[] tier, TierReason[] reason, bool[] red, bool[] black)
    {
        var n = scope.Length;
        if (policy.MaxDemonstrationPercent is { } maxPct)
        {
            var allowed = (int)Math.Floor(n * maxPct / 100m);
            var kept = 0;
            foreach (var i in scope)
                if (tier[i] == Tier.Demonstration && ++kept > allowed)
                    (tier[i], reason[i]) = (Tier.Upgrade, TierReason.DemonstrationQuota);
        }
        if (policy.MinRectifyPercent is { } minPct)
        {
            var required = (int)Math.Ceiling(n * minPct / 100m);
            for (var k = n - required; k < n; k++)
                if (tier[scope[k]] != Tier.Rectify) (tier[scope[k]], reason[scope[k]]) = (Tier.Rectify, TierReason.RectifyQuota);
        }
        if (policy.BlackListSize is { } blackSize)
            for (var k = Math.Max(0, n - blackSize); k < n; k++)
            {
                black[scope[k]] = true;
                if (tier[scope[k]] != Tier.Rectify) (tier[scope[k]], reason[scope[k]]) = (Tier.Rectify, TierReason.BlackList);
            }
        if (policy.RedListSize is { } redSize)
        {
            var listed = 0;
            foreach (var i in scope)
                if (listed < redSize && tier[i] == Tier.Demonstration) { red[i] = true; listed++; }
        }
    }
}
