using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;

namespace EnvScore.Domain.Tests;

public class CombinationAndConsequenceTests
{
    private static readonly CombinationPolicy Policy = new() { SelfWeight = 0.3m, DistrictWeight = 0.7m, InflationThreshold = 10 };

    [Fact]
    public void Without_district_check_final_is_self() => Assert.Equal(new CombinedScore(87.5m, null, false), ScoreCombiner.Combine(87.5m, null, Policy));

    [Fact]
    public void With_district_check_final_is_weighted_and_rounded()
    {
        // 0.3 × 95.55 + 0.7 × 80.05 = 28.665 + 56.035 = 84.7 exactly; 0.3 × 91.05 + 0.7 × 80 = 83.315 → 83.32
        Assert.Equal(84.7m, ScoreCombiner.Combine(95.55m, 80.05m, Policy).Final);
        Assert.Equal(83.32m, ScoreCombiner.Combine(91.05m, 80m, Policy).Final);
    }

    [Theory]
    [InlineData(90, 80, false)]
    [InlineData(90.01, 80, true)]
    [InlineData(70, 95, false)]
    public void Inflation_is_self_minus_district_strictly_above_threshold(decimal self, decimal district, bool inflated)
    {
        var c = ScoreCombiner.Combine(self, district, Policy);
        Assert.Equal(inflated, c.Inflated);
        Assert.Equal(self - district, c.Gap);
    }

    [Fact]
    public void Consequences_count_consecutive_months_from_the_newest()
    {
        var policy = new ConsequencePolicy { InterviewAfterRectifyMonths = 3, RewardAfterDemonstrationMonths = 2 };
        Assert.Equal(new ConsequenceFlags(3, 0, true, false), ConsequenceEvaluator.Evaluate(policy, [Tier.Rectify, Tier.Rectify, Tier.Rectify, Tier.Upgrade]));
        Assert.Equal(new ConsequenceFlags(2, 0, false, false), ConsequenceEvaluator.Evaluate(policy, [Tier.Rectify, Tier.Rectify, Tier.Upgrade, Tier.Rectify]));
        Assert.Equal(new ConsequenceFlags(0, 2, false, true), ConsequenceEvaluator.Evaluate(policy, [Tier.Demonstration, Tier.Demonstration]));
        Assert.Equal(new ConsequenceFlags(5, 0, false, false), ConsequenceEvaluator.Evaluate(ConsequencePolicy.None, Enumerable.Repeat(Tier.Rectify, 5).ToArray()));
    }
}
