using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;
using static EnvScore.Domain.Tests.TestData;

namespace EnvScore.Domain.Tests;

public class NormalisationTests
{
    private static readonly RuleSet Rules = Sheet(
        Disorder("L01", "乱搭乱建", points: 60, each: 10),
        Disorder("Q05", "清畜禽粪污", points: 25, each: 1, unit: "户", mayBeNa: true),
        new PassFailItem { Code = "C09", Title = "公共厕所管护", Points = 15, MayBeNotApplicable = true });

    [Fact]
    public void Nothing_not_applicable_means_factor_one_and_exact_base()
    {
        var s = ScoreOk(Rules, Entries(new ItemEntry("L01", Count: 1), new ItemEntry("C09", Passed: true)));
        Assert.Equal(1m, s.NormalisationFactor);
        Assert.Equal(90, s.BaseScore);
        Assert.Equal(100, s.ApplicableMax);
    }

    [Fact]
    public void Not_applicable_item_is_excluded_and_base_is_scaled_to_the_total()
    {
        // applicable: 60 + 15 = 75; raw 50 + 15 = 65; 65 × 100 / 75 = 86.666… → 86.67
        var s = ScoreOk(Rules, Entries(new ItemEntry("L01", Count: 1), new ItemEntry("Q05", NotApplicable: true), new ItemEntry("C09", Passed: true)));
        Assert.Equal(65, s.RawScore);
        Assert.Equal(75, s.ApplicableMax);
        Assert.Equal(86.67m, s.BaseScore);
        Assert.Equal(1.333333m, s.NormalisationFactor);
        var na = s.Items.Single(i => i.Code == "Q05");
        Assert.True(na.NotApplicable);
        Assert.Equal("清畜禽粪污：不适用，不计分（本项25分不计入满分）", na.Explanation);
        Assert.Contains("基础得分：适用项得分65/75分，折算为100分制得86.67分", s.Summary);
    }

    [Fact]
    public void Rounding_is_half_away_from_zero_on_the_normalised_base_only()
    {
        // 93 × 0.5 = 46.5 deducted of 80, B (20) N/A: 33.5 × 100 / 80 = 41.875 exactly → 41.88
        var rules = Sheet(Disorder("A", points: 80, each: 0.5m), Disorder("B", "乱贴乱画", points: 20, mayBeNa: true));
        var s = ScoreOk(rules, Entries(new ItemEntry("A", Count: 93), new ItemEntry("B", NotApplicable: true)));
        Assert.Equal(33.5m, s.RawScore);
        Assert.Equal(41.88m, s.BaseScore);
        Assert.Equal(41.88m, Points.Round(41.875m));
        Assert.Equal(-41.88m, Points.Round(-41.875m));
        Assert.Equal(41.87m, Points.Round(41.8749m));
    }

    [Fact]
    public void Everything_not_applicable_is_rejected()
    {
        var rules = Sheet(Disorder("Q05", "清畜禽粪污", mayBeNa: true));
        var r = ScoringEngine.Score(rules, Entries(new ItemEntry("Q05", NotApplicable: true)));
        var p = Assert.Single(r.Problems);
        Assert.Equal(EntryProblemKind.NothingApplicable, p.Kind);
        Assert.StartsWith("所有评分项均为不适用", p.Message);
        Assert.Equal(0, new CompiledRuleSet(rules).Evaluate([ItemInput.NotApplicable], false).BaseHundredths);
    }
}
