using EnvScore.Domain.Rules;
using static EnvScore.Domain.Tests.TestData;

namespace EnvScore.Domain.Tests;

public class RuleSetValidatorTests
{
    private static string Edit(string from, string to)
    {
        Assert.Contains(from, MinimalYaml);
        return MinimalYaml.Replace(from, to);
    }

    private static RuleSetProblem Single(string yaml, RuleSetProblemKind kind)
    {
        var r = RuleSetLoader.Parse(yaml, "t.yaml");
        Assert.Null(r.RuleSet);
        var p = Assert.Single(r.Problems);
        Assert.Equal(kind, p.Kind);
        Assert.Equal("t.yaml", p.File);
        Assert.Matches(@"\p{IsCJKUnifiedIdeographs}.* \(.+\)$", p.Message);
        return p;
    }

    private static void At(RuleSetProblem p, int line, int column, string? item)
    {
        Assert.Equal((line, column, item), (p.Line, p.Column, p.ItemCode));
    }

    [Fact]
    public void Minimal_file_is_valid()
    {
        var r = RuleSetLoader.Parse(MinimalYaml);
        Assert.Empty(r.Problems);
        Assert.Equal(2, r.RuleSet!.Items.Count());
        Assert.Equal(7.5m, r.RuleSet.Tiers.UpgradeMin);
    }

    [Fact]
    public void Yaml_syntax_error_is_located()
    {
        var p = Single(Edit("title: 测试细则", "title: [测试细则"), RuleSetProblemKind.YamlSyntax);
        Assert.StartsWith("YAML语法错误", p.Message);
        Assert.True(p.Line >= 2);
    }

    [Fact]
    public void Yaml_syntax_error_reported_by_the_parser_is_located()
    {
        var p = Single(Edit("version: 1", "version: 1\n  bad: indentation"), RuleSetProblemKind.YamlSyntax);
        Assert.Equal(4, p.Line);
        // Said in Chinese what to look at; the parser's English only in the bracketed gloss (pages drop it).
        var chinese = p.Message[..p.Message.IndexOf(" (", StringComparison.Ordinal)];
        Assert.DoesNotMatch("[A-Za-z]{3,}", chinese.Replace("YAML", ""));
        Assert.Contains("冒号", chinese);
    }

    [Fact]
    public void Schema_is_draft_2020_12_and_knows_every_item_kind()
    {
        using var schema = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "scoring-rules", "rule-set.schema.json")));
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", schema.RootElement.GetProperty("$schema").GetString());
        var kinds = schema.RootElement.GetProperty("$defs").GetProperty("itemCommon").GetProperty("properties").GetProperty("kind").GetProperty("enum")
            .EnumerateArray().Select(k => k.GetString()!).ToArray();
        // Items with clauses have no kind (they list clauses instead); every other kind is named in the schema.
        Assert.Equal(Enum.GetNames<ItemKind>().Where(n => n != nameof(ItemKind.Clauses)).Select(n => char.ToLowerInvariant(n[0]) + n[1..]), kinds);
        var clauseKinds = schema.RootElement.GetProperty("$defs").GetProperty("clause").GetProperty("oneOf").EnumerateArray()
            .Select(c => c.GetProperty("properties").GetProperty("kind").GetProperty("const").GetString()!).ToArray();
        Assert.Equal(Enum.GetNames<ClauseKind>().Select(n => char.ToLowerInvariant(n[0]) + n[1..]), clauseKinds);
    }

    [Fact]
    public void Unknown_kind()
    {
        var p = Single(Edit("kind: perOccurrence", "kind: perOccurence"), RuleSetProblemKind.UnknownKind);
        At(p, 13, 15, "L01");
        Assert.Contains("未知的评分项类型\"perOccurence\"", p.Message);
    }

    [Fact]
    public void Missing_field()
    {
        var p = Single(Edit("        unit: 处\n", ""), RuleSetProblemKind.MissingField);
        At(p, 11, 9, "L01");
        Assert.Equal("缺少字段\"unit\" (missing field 'unit')", p.Message);
    }

    [Fact]
    public void Unknown_field_catches_typos_and_fields_of_another_kind()
    {
        var p = Single(Edit("unit: 处", "unit: 处\n        samples: 5"), RuleSetProblemKind.UnknownField);
        At(p, 17, 9, "L01");
        Assert.StartsWith("未知字段\"samples\"", p.Message);
    }

    [Fact]
    public void Duplicate_key()
    {
        var p = Single(Edit("version: 1", "version: 1\nversion: 2"), RuleSetProblemKind.DuplicateKey);
        At(p, 4, 1, null);
    }

    [Fact]
    public void Wrong_type()
    {
        var p = Single(Edit("points: 5\n        deductionEach", "points: 五\n        deductionEach"), RuleSetProblemKind.WrongType);
        At(p, 14, 17, "L01");
        Assert.Contains("应为数字", p.Message);
    }

    [Fact]
    public void Sections_must_add_up_to_the_total()
    {
        var p = Single(Edit("totalPoints: 10", "totalPoints: 100"), RuleSetProblemKind.SectionsDoNotAddUp);
        At(p, 7, 3, null);
        Assert.Equal("各部分分值之和为10分，与总分100分不符 (sections add up to 10, total is 100)", p.Message);
    }

    [Fact]
    public void Items_must_add_up_to_the_section_max()
    {
        var r = RuleSetLoader.Parse(Edit("points: 5\n        deductionEach", "points: 4\n        deductionEach"), "t.yaml");
        var p = Assert.Single(r.Problems);
        Assert.Equal(RuleSetProblemKind.ItemsDoNotAddUp, p.Kind);
        At(p, 9, 16, "S");
        Assert.Contains("各项分值之和为9分，与该部分分值10分不符", p.Message);
    }

    [Fact]
    public void Duplicate_item_codes()
    {
        var p = Single(Edit("- code: C01", "- code: L01"), RuleSetProblemKind.DuplicateCode);
        At(p, 17, 15, "L01");
        Assert.Contains("首次出现在第11行", p.Message);
    }

    [Fact]
    public void Duplicate_level_codes()
    {
        var p = Single(Edit("{code: B, name: 未执行积分制", "{code: A, name: 未执行积分制"), RuleSetProblemKind.DuplicateCode);
        At(p, 23, 20, "C01");
        Assert.StartsWith("档次编码\"A\"重复", p.Message);
    }

    [Fact]
    public void Duplicate_condition_codes()
    {
        var p = Single(Edit("unit: 处", "unit: 处\n        zeroIf:\n          - {code: Z1, text: 有露天焚烧垃圾现象}\n          - {code: Z1, text: 有秸秆焚烧现象}"),
            RuleSetProblemKind.DuplicateCode);
        At(p, 19, 20, "L01");
        Assert.StartsWith("不得分条件编码\"Z1\"重复", p.Message);
    }

    [Fact]
    public void Duplicate_veto_codes()
    {
        var p = Single(MinimalYaml + "\nvetoes:\n  - {code: V01, title: 重大问题被通报}\n  - {code: V01, title: 弄虚作假}", RuleSetProblemKind.DuplicateCode);
        At(p, 33, 12, "V01");
    }

    [Fact]
    public void Negative_number()
    {
        var p = Single(Edit("deductionEach: 1", "deductionEach: -1"), RuleSetProblemKind.NegativeNumber);
        At(p, 15, 24, "L01");
        Assert.Contains("不能为负数", p.Message);
    }

    [Fact]
    public void Too_many_decimals()
    {
        var p = Single(Edit("deductionEach: 1", "deductionEach: 0.125"), RuleSetProblemKind.TooManyDecimals);
        At(p, 15, 24, "L01");
    }

    [Fact]
    public void Deduction_above_points()
    {
        var p = Single(Edit("deductionEach: 1", "deductionEach: 1\n        maxDeduction: 6"), RuleSetProblemKind.DeductionExceedsPoints);
        At(p, 16, 23, "L01");
        Assert.StartsWith("最多扣分6分超过本项分值5分", p.Message);
    }

    [Fact]
    public void Sampled_deduction_times_n_above_points_is_allowed()
    {
        var yaml = Edit("kind: perOccurrence\n        points: 5\n        deductionEach: 1", "kind: sampled\n        points: 5\n        samples: 5\n        deductionEach: 2");
        Assert.Empty(RuleSetLoader.Parse(yaml).Problems);
    }

    [Fact]
    public void Levels_need_a_zero_deduction_level()
    {
        var p = Single(Edit("deduction: 0}", "deduction: 1}"), RuleSetProblemKind.NoZeroDeductionLevel);
        At(p, 22, 11, "C01");
    }

    [Fact]
    public void Thresholds_out_of_order()
    {
        var p = Single(Edit("upgradeMin: 7.5", "upgradeMin: 9.5"), RuleSetProblemKind.ThresholdsOutOfOrder);
        At(p, 26, 15, null);
        Assert.Equal("提升分数线9.5分应低于示范分数线9分 (upgradeMin must be below demonstrationMin)", p.Message);
    }

    [Fact]
    public void Threshold_above_total()
    {
        var p = Single(Edit("demonstrationMin: 9", "demonstrationMin: 11"), RuleSetProblemKind.ThresholdOutOfRange);
        At(p, 25, 21, null);
    }

    [Fact]
    public void Quota_over_100_percent()
    {
        var p = Single(Edit("upgradeMin: 7.5", "upgradeMin: 7.5\n  quotas:\n    maxDemonstrationPercent: 120"), RuleSetProblemKind.PercentOutOfRange);
        At(p, 28, 30, null);
    }

    [Fact]
    public void Quotas_overlapping()
    {
        var p = Single(Edit("upgradeMin: 7.5", "upgradeMin: 7.5\n  quotas:\n    maxDemonstrationPercent: 60\n    minRectifyPercent: 50"), RuleSetProblemKind.QuotasOverlap);
        At(p, 29, 24, null);
    }

    [Fact]
    public void Weights_not_summing_to_one()
    {
        var p = Single(Edit("districtWeight: 0.7", "districtWeight: 0.6"), RuleSetProblemKind.WeightsDoNotSumToOne);
        At(p, 29, 19, null);
        Assert.StartsWith("自评权重0.3与区级抽查权重0.6之和应为1", p.Message);
    }

    [Fact]
    public void Weight_above_one()
    {
        var p = Single(Edit("districtWeight: 0.7", "districtWeight: 1.7"), RuleSetProblemKind.WeightOutOfRange);
        At(p, 29, 19, null);
    }

    [Theory]
    [InlineData("\"2026-13\"")]
    [InlineData("\"2026年1月\"")]
    [InlineData("\"Jan 2026\"")]
    public void Malformed_effective_month(string month)
    {
        var p = Single(Edit("\"2026-01\"", month), RuleSetProblemKind.MalformedMonth);
        At(p, 4, 16, null);
    }

    [Fact]
    public void Empty_items_list()
    {
        var yaml = MinimalYaml[..MinimalYaml.IndexOf("    items:", StringComparison.Ordinal)] + "    items: []\ntiers:\n  demonstrationMin: 9\n  upgradeMin: 7.5\ncombination:\n  selfWeight: 0.3\n  districtWeight: 0.7\n  inflationThreshold: 1";
        var p = Single(yaml, RuleSetProblemKind.EmptyList);
        At(p, 10, 12, null);
    }

    [Fact]
    public void Every_problem_is_listed_at_once()
    {
        var yaml = Edit("version: 1", "version: 0").Replace("kind: levels", "kind: level").Replace("selfWeight: 0.3", "selfWeight: 0.2").Replace("unit: 处", "unit: 处\n        colour: red");
        var r = RuleSetLoader.Parse(yaml, "bad.yaml");
        Assert.Null(r.RuleSet);
        Assert.Equal(
            [RuleSetProblemKind.UnknownField, RuleSetProblemKind.UnknownKind, RuleSetProblemKind.NotPositive, RuleSetProblemKind.WeightsDoNotSumToOne],
            r.Problems.Select(p => p.Kind).Order());
        Assert.All(r.Problems, p => Assert.True(p.Line > 0 && p.Column > 0));
        Assert.StartsWith("bad.yaml:3:10 ", r.Problems.Single(p => p.Kind == RuleSetProblemKind.NotPositive).ToString());
    }

    [Fact]
    public void Missing_file_is_a_problem_not_an_exception()
    {
        var r = RuleSetLoader.LoadFile("/nonexistent/rules.yaml");
        Assert.Equal(RuleSetProblemKind.FileNotFound, Assert.Single(r.Problems).Kind);
    }
}
