using System.Text;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Domain.Rules;

namespace EnvScore.Api.Tests.Security;

/// <summary>
/// The YAML reader's work bounds (issue #21, ASVS V5.5 / V13): aliases are never expanded, nesting and nodes are
/// bounded — measured in bytes allocated on this thread, never in time.
/// </summary>
public class YamlBoundsTests
{
    /// <summary>"Billion laughs": 9 levels of 9 aliases — 9⁹ (387 million) nodes if expanded, 700 bytes of text.</summary>
    public static string BillionLaughs()
    {
        var sb = new StringBuilder("code: X\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var i = 1; i <= 9; i++)
            sb.Append($"l{i}: &l{i} [{string.Join(", ", Enumerable.Repeat($"*l{i - 1}", 9))}]\n");
        return sb.ToString();
    }

    private static (RuleSetParseResult Result, long Allocated) Measure(string yaml)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = RuleSetLoader.Parse(yaml, "attack.yaml");
        return (result, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Nested_anchors_and_aliases_are_refused_before_any_expansion()
    {
        var yaml = BillionLaughs();
        Assert.True(yaml.Length < 1000);
        var (result, allocated) = Measure(yaml);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(RuleSetProblemKind.YamlLimitExceeded, problem.Kind);
        Assert.Contains("锚点", problem.Message);
        Assert.Equal(2, problem.Line);
        Assert.True(allocated < 2_000_000, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_lone_alias_or_merge_key_is_refused_too()
    {
        var merge = DefaultRuleSet.Yaml + "\nextra: &e {a: 1}\nmore:\n  <<: *e\n";
        Assert.Equal(RuleSetProblemKind.YamlLimitExceeded, Assert.Single(Measure(merge).Result.Problems).Kind);
        Assert.Equal(RuleSetProblemKind.YamlLimitExceeded, Assert.Single(Measure("code: *nothing\n").Result.Problems).Kind);
    }

    [Fact]
    public void Deep_nesting_is_refused_without_recursing_into_it()
    {
        var deep = "code: " + new string('[', 200_000) + new string(']', 200_000) + "\n";
        var (result, allocated) = Measure(deep);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(RuleSetProblemKind.YamlLimitExceeded, problem.Kind);
        Assert.Contains("嵌套", problem.Message);
        Assert.True(allocated < 50_000_000, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void The_real_rule_set_is_well_inside_the_bounds()
    {
        var (result, _) = Measure(DefaultRuleSet.Yaml);
        Assert.True(result.Succeeded, string.Join("\n", result.Problems));
    }

    [Fact]
    public void A_rule_set_wider_than_a_template_can_hold_is_refused_with_a_chinese_message()
    {
        var rules = RuleSetLoader.Parse(DefaultRuleSet.Yaml).RuleSet!;
        var section = rules.Sections[0];
        // 16,400 items (more than Excel's 16,384 columns): the check is on the parsed rule set, so build it directly.
        var items = Enumerable.Range(0, 16_400).Select(i => (ScoringItem)(section.Items[0] with { Code = $"W{i:00000}" })).ToArray();
        var wide = rules with { Sections = [section with { Items = items }, .. rules.Sections.Skip(1)] };
        var problem = Assert.Single(RuleSetFileEndpoints.TooManyItems(new RuleSetParseResult(wide, [])));
        Assert.Contains("16384列", problem.Message);
        Assert.Empty(RuleSetFileEndpoints.TooManyItems(new RuleSetParseResult(rules, [])));
    }
}
