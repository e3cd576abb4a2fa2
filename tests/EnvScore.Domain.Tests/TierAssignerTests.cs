using EnvScore.Domain.Organisation;
using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;

namespace EnvScore.Domain.Tests;

public class TierAssignerTests
{
    private static readonly TierPolicy Thresholds = new() { DemonstrationMin = 90, UpgradeMin = 75 };
    private static readonly MissingSheetPolicy Missing = new();

    private static TierCandidate C(int township, int village, decimal score, bool vetoed = false, decimal[]? keys = null, bool missing = false) =>
        new(DivisionCode.Parse($"410201{township:D3}{village:D3}"), DivisionCode.Parse($"410201{township:D3}000"), score, vetoed, keys ?? [], missing);

    private static Dictionary<string, TierOutcome> Run(TierPolicy policy, params TierCandidate[] cs) =>
        TierAssigner.Assign(cs, policy, Missing).ToDictionary(o => o.VillageCode.Value[^3..] is var v ? $"{o.TownshipCode.Value[6..9]}-{v}" : "");

    [Theory]
    [InlineData(90, Tier.Demonstration)]
    [InlineData(89.99, Tier.Upgrade)]
    [InlineData(75, Tier.Upgrade)]
    [InlineData(74.99, Tier.Rectify)]
    [InlineData(0, Tier.Rectify)]
    public void Thresholds_are_inclusive(decimal score, Tier tier)
    {
        Assert.Equal(tier, Thresholds.Classify(score, false));
        Assert.Equal(tier, Run(Thresholds, C(1, 1, score))["001-001"].Tier);
    }

    [Fact]
    public void Veto_forces_rectify_and_ranks_after_every_unpenalised_village()
    {
        var r = Run(Thresholds, C(1, 1, 99, vetoed: true), C(1, 2, 60));
        Assert.Equal((Tier.Rectify, TierReason.Veto, 2), (r["001-001"].Tier, r["001-001"].Reason, r["001-001"].DistrictRank));
        Assert.Equal(1, r["001-002"].DistrictRank);
    }

    [Fact]
    public void Missing_sheet_takes_the_policy_tier()
    {
        var r = Run(Thresholds, C(1, 1, 0, missing: true), C(1, 2, 80));
        Assert.Equal((Tier.Rectify, TierReason.MissingSheet, 2), (r["001-001"].Tier, r["001-001"].Reason, r["001-001"].DistrictRank));
    }

    [Fact]
    public void Ties_are_broken_by_section_deductions_then_division_code_and_ranks_never_share()
    {
        var r = Run(Thresholds,
            C(1, 3, 85, keys: [2, 1, 0]),
            C(1, 2, 85, keys: [1, 5, 0]),
            C(1, 1, 85, keys: [2, 1, 0]),
            C(2, 1, 86, keys: [9, 9, 9]));
        Assert.Equal(1, r["002-001"].DistrictRank);
        Assert.Equal(2, r["001-002"].DistrictRank); // smaller 六乱 deduction wins
        Assert.Equal(3, r["001-001"].DistrictRank); // full tie: code ascending
        Assert.Equal(4, r["001-003"].DistrictRank);
        Assert.Equal((1, 2, 3), (r["001-002"].TownshipRank, r["001-001"].TownshipRank, r["001-003"].TownshipRank));
        Assert.Equal(1, r["002-001"].TownshipRank);
    }

    [Fact]
    public void Demonstration_quota_binds_and_keeps_the_best()
    {
        var policy = Thresholds with { MaxDemonstrationPercent = 20 };
        var cs = Enumerable.Range(1, 10).Select(i => C(1, i, 100 - i)).ToArray(); // 99..90: all 示范 by threshold
        var r = Run(policy, cs);
        Assert.Equal(2, r.Values.Count(o => o.Tier == Tier.Demonstration)); // floor(10 × 20 %) = 2
        Assert.Equal(Tier.Demonstration, r["001-002"].Tier);
        Assert.Equal((Tier.Upgrade, TierReason.DemonstrationQuota), (r["001-003"].Tier, r["001-003"].Reason));
    }

    [Fact]
    public void Demonstration_quota_rounds_down()
    {
        var policy = Thresholds with { MaxDemonstrationPercent = 20 };
        var r = Run(policy, Enumerable.Range(1, 9).Select(i => C(1, i, 95)).ToArray());
        Assert.Single(r.Values, o => o.Tier == Tier.Demonstration); // floor(1.8) = 1
    }

    [Fact]
    public void Rectify_minimum_binds_at_the_bottom_and_rounds_up()
    {
        var policy = Thresholds with { MinRectifyPercent = 10 };
        var r = Run(policy, Enumerable.Range(1, 11).Select(i => C(1, i, 90 - i)).ToArray()); // all ≥ 75 → none 整治 by threshold
        var rectify = r.Values.Where(o => o.Tier == Tier.Rectify).ToArray();
        Assert.Equal(2, rectify.Length); // ceil(1.1) = 2
        Assert.All(rectify, o => Assert.Equal(TierReason.RectifyQuota, o.Reason));
        Assert.Equal(["001-010", "001-011"], rectify.Select(o => $"001-{o.VillageCode.Value[^3..]}").Order());
    }

    [Fact]
    public void Rectify_minimum_already_met_changes_nothing()
    {
        var policy = Thresholds with { MinRectifyPercent = 10 };
        var r = Run(policy, C(1, 1, 95), C(1, 2, 80), C(1, 3, 50, vetoed: true));
        Assert.Equal([Tier.Demonstration, Tier.Upgrade, Tier.Rectify], r.Values.OrderBy(o => o.DistrictRank).Select(o => o.Tier));
        Assert.Equal(TierReason.Veto, r["001-003"].Reason);
    }

    [Fact]
    public void Township_scope_applies_quotas_per_township()
    {
        var policy = Thresholds with { MaxDemonstrationPercent = 50, QuotaScope = QuotaScope.Township };
        var r = Run(policy, C(1, 1, 99), C(1, 2, 98), C(2, 1, 91), C(2, 2, 90));
        Assert.Equal([Tier.Demonstration, Tier.Upgrade, Tier.Demonstration, Tier.Upgrade],
            new[] { "001-001", "001-002", "002-001", "002-002" }.Select(k => r[k].Tier));
        var district = Run(policy with { QuotaScope = QuotaScope.District }, C(1, 1, 99), C(1, 2, 98), C(2, 1, 91), C(2, 2, 90));
        Assert.Equal(Tier.Upgrade, district["002-001"].Tier);
        Assert.Equal(Tier.Demonstration, district["001-002"].Tier);
    }

    [Fact]
    public void Red_and_black_lists()
    {
        var policy = Thresholds with { RedListSize = 2, BlackListSize = 2 };
        var r = Run(policy, C(1, 1, 99), C(1, 2, 80), C(1, 3, 78), C(1, 4, 95), C(1, 5, 76));
        Assert.Equal(["001-001", "001-004"], r.Where(kv => kv.Value.OnRedList).Select(kv => kv.Key).Order());
        Assert.Equal(["001-003", "001-005"], r.Where(kv => kv.Value.OnBlackList).Select(kv => kv.Key).Order());
        Assert.All(r.Values.Where(o => o.OnBlackList), o => Assert.Equal((Tier.Rectify, TierReason.BlackList), (o.Tier, o.Reason)));
        // Only 示范 villages are red-listed, so the red list may be shorter than its size.
        Assert.DoesNotContain(Run(policy, C(1, 1, 80), C(1, 2, 79)).Values, o => o.OnRedList);
    }

    [Fact]
    public void Duplicate_village_is_a_programming_error()
    {
        Assert.Throws<ArgumentException>(() => TierAssigner.Assign([C(1, 1, 90), C(1, 1, 80)], Thresholds, Missing));
        Assert.Throws<ArgumentException>(() => TierAssigner.Assign(
            [new TierCandidate(DivisionCode.Parse("410201001001"), DivisionCode.Parse("410201002000"), 90, false, [])], Thresholds, Missing));
    }
}
