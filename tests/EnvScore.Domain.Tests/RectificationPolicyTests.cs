using EnvScore.Domain.Rules;
using static EnvScore.Domain.Tests.TestData;

namespace EnvScore.Domain.Tests;

/// <summary>The optional <c>rectification</c> block of a rule set (整改时限, self-evaluation switch): read, defaulted, refused.</summary>
public class RectificationPolicyTests
{
    private static string With(string block) => MinimalYaml.TrimEnd() + "\n" + block;

    [Fact]
    public void Absent_block_means_seven_days_and_district_checks_only()
    {
        var rules = RuleSetLoader.Parse(MinimalYaml).RuleSet!;
        Assert.Equal(7, rules.Rectification.DaysFor("L01"));
        Assert.False(rules.Rectification.IncludeSelfEvaluation);
    }

    [Fact]
    public void Default_and_per_item_days_and_the_switch_are_read()
    {
        var r = RuleSetLoader.Parse(With("rectification: {deadlineDays: 10, itemDays: {L01: 3}, includeSelfEvaluation: true}\n"));
        Assert.Empty(r.Problems);
        Assert.Equal(3, r.RuleSet!.Rectification.DaysFor("L01"));
        Assert.Equal(10, r.RuleSet.Rectification.DaysFor("C01"));
        Assert.True(r.RuleSet.Rectification.IncludeSelfEvaluation);
    }

    [Theory]
    [InlineData("rectification: {deadlineDays: 0}\n", RuleSetProblemKind.NotPositive)]
    [InlineData("rectification: {itemDays: {X99: 3}}\n", RuleSetProblemKind.InvalidValue)]
    [InlineData("rectification: {itemDays: {L01: 三天}}\n", RuleSetProblemKind.WrongType)]
    [InlineData("rectification: {deadline: 5}\n", RuleSetProblemKind.UnknownField)]
    [InlineData("rectification: {includeSelfEvaluation: 是}\n", RuleSetProblemKind.WrongType)]
    public void Bad_values_are_named(string block, RuleSetProblemKind kind)
    {
        var r = RuleSetLoader.Parse(With(block), "t.yaml");
        Assert.Null(r.RuleSet);
        var p = Assert.Single(r.Problems);
        Assert.Equal(kind, p.Kind);
        Assert.Matches(@"\p{IsCJKUnifiedIdeographs}.* \(.+\)$", p.Message);
    }
}
