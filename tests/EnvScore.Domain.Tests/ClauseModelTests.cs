using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;
using static EnvScore.Domain.Tests.TestData;

namespace EnvScore.Domain.Tests;

/// <summary>
/// The five shapes of real county sheets that the old format could not write (issue #14), each loaded from YAML and
/// scored; every expected value is the arithmetic of the sheet's wording, written out, never the engine's output.
/// </summary>
public class ClauseModelTests
{
    private const string Head = """
        code: T
        title: 测试细则
        version: 1
        effectiveFrom: "2026-01"
        tiers: {demonstrationMin: 0.02, upgradeMin: 0.01}
        combination: {selfWeight: 0.3, districtWeight: 0.7, inflationThreshold: 10}

        """;

    private static RuleSet Load(string body)
    {
        var r = RuleSetLoader.Parse(Head + body, "t.yaml");
        Assert.True(r.Succeeded, string.Join("\n", r.Problems));
        return r.RuleSet!;
    }

    private static IReadOnlyList<RuleSetProblem> Problems(string body) => RuleSetLoader.Parse(Head + body, "t.yaml").Problems;

    private static ItemEntry Clauses(string item, params (string Code, ClauseInput Input)[] inputs) =>
        new(item, Clauses: inputs.ToDictionary(i => i.Code, i => i.Input));

    // 1. 保洁队伍 3分：未配备保洁队伍扣2分；每少1人扣0.3分；扣完为止。
    private const string CleaningTeam = """
        totalPoints: 3
        sections:
          - code: S
            title: 长效机制
            maxPoints: 3
            items:
              - code: C01
                title: 保洁队伍
                points: 3
                criteria: 未配备保洁队伍扣2分；保洁员每少1人扣0.3分；扣完为止
                clauses:
                  - {code: a, kind: deductIf, text: 未配备保洁队伍, deduction: 2}
                  - {code: b, kind: perOccurrence, text: 保洁员缺员, unit: 人, deductionEach: 0.3}
        """;

    [Theory]
    [InlineData(false, 0, 3.0)]             // 3
    [InlineData(false, 2, 2.4)]             // 3 − 2×0.3
    [InlineData(true, 0, 1.0)]              // 3 − 2 (zeroIf would have given 0: the old format could not say this)
    [InlineData(true, 3, 0.1)]              // 3 − 2 − 3×0.3
    [InlineData(true, 5, 0.0)]              // 3 − 2 − 1.5 < 0 → 扣完为止
    public void A_fixed_and_a_per_unit_deduction_in_one_item(bool noTeam, int missing, double expected)
    {
        var s = ScoreOk(Load(CleaningTeam), Entries(Clauses("C01", ("a", new(Yes: noTeam)), ("b", new(Count: missing)))));
        Assert.Equal((decimal)expected, s.Total);
        Assert.Equal((decimal)expected, s.Items[0].Score);
        Assert.Equal(3 - (decimal)expected, s.Items[0].Deduction);
        Assert.Equal([noTeam ? 2m : 0m, missing * 0.3m], s.Items[0].Clauses.Select(c => c.Deduction));
    }

    // 2. 垃圾治理 18分：无垃圾池扣6分；无垃圾填埋场或中转点扣6分；每发现一处垃圾堆积扣1分；扣完为止（全项18分）。
    private const string Rubbish = """
        totalPoints: 18
        sections:
          - code: S
            title: 垃圾治理
            maxPoints: 18
            items:
              - code: R01
                title: 垃圾治理
                points: 18
                clauses:
                  - {code: a, kind: deductIf, text: 无垃圾池, deduction: 6}
                  - {code: b, kind: deductIf, text: 无垃圾填埋场或中转点, deduction: 6}
                  - {code: c, kind: perOccurrence, text: 垃圾堆积, unit: 处, deductionEach: 1}
        """;

    [Theory]
    [InlineData(false, false, 10, 8)]     // 18 − 10×1: the 6+6+6 split of the old format gave 12
    [InlineData(true, false, 3, 9)]       // 18 − 6 − 3
    [InlineData(true, true, 5, 1)]        // 18 − 6 − 6 − 5
    [InlineData(true, true, 10, 0)]       // 18 − 6 − 6 − 10 < 0 → 扣完为止 over the whole 18
    [InlineData(false, false, 30, 0)]     // 30 spots: the whole 18, not just a third of it
    public void Several_clauses_share_one_items_points(bool noPool, bool noLandfill, int spots, int expected)
    {
        var s = ScoreOk(Load(Rubbish), Entries(Clauses("R01", ("a", new(Yes: noPool)), ("b", new(Yes: noLandfill)), ("c", new(Count: spots)))));
        Assert.Equal(expected, s.Total);
    }

    [Fact]
    public void The_explanation_names_each_clause_that_deducted_and_the_floor()
    {
        var s = ScoreOk(Load(Rubbish), Entries(Clauses("R01", ("a", new(Yes: true)), ("b", new(Yes: true)), ("c", new(Count: 10)))));
        Assert.Equal("垃圾治理：无垃圾池，扣6分；无垃圾填埋场或中转点，扣6分；垃圾堆积10处，每处扣1分，扣10分；合计扣22分，扣完为止（得0/18分）", s.Items[0].Explanation);
        var clean = ScoreOk(Load(Rubbish), Entries(Clauses("R01")));
        Assert.Equal("垃圾治理：各条细则均未扣分，不扣分（得18/18分）", clean.Items[0].Explanation);
    }

    // 3. 类别（45分）› 指标（18/12/4/11分）› 细则, subtotals at every level.
    private const string Nested = """
        totalPoints: 100
        sections:
          - code: A
            title: 基础设施
            maxPoints: 45
            sections:
              - code: A1
                title: 垃圾处理
                maxPoints: 18
                items:
                  - {code: A11, title: 垃圾池, kind: passFail, points: 6}
                  - {code: A12, title: 垃圾堆积, kind: perOccurrence, points: 12, deductionEach: 1, unit: 处}
              - code: A2
                title: 污水治理
                maxPoints: 12
                items:
                  - {code: A21, title: 污水乱排, kind: perOccurrence, points: 12, deductionEach: 2, unit: 处}
              - code: A3
                title: 村内道路
                maxPoints: 4
                items:
                  - {code: A31, title: 道路硬化, kind: passFail, points: 4}
              - code: A4
                title: 户厕改造
                maxPoints: 11
                items:
                  - {code: A41, title: 户厕, kind: sampled, points: 11, samples: 5, deductionEach: 2.2, unit: 户}
          - code: B
            title: 村容村貌
            maxPoints: 55
            items:
              - {code: B01, title: 乱堆乱放, kind: perOccurrence, points: 55, deductionEach: 5, unit: 处}
        """;

    [Fact]
    public void Categories_inside_categories_have_a_subtotal_at_every_level()
    {
        var rules = Load(Nested);
        Assert.Equal(["A11", "A12", "A21", "A31", "A41", "B01"], rules.Items.Select(i => i.Code));
        var s = ScoreOk(rules, Entries(new("A11", Passed: false), new("A12", Count: 3), new("A21", Count: 1), new("A31", Passed: true),
            new("A41", FailedSamples: 2), new("B01", Count: 2)));
        var sub = s.AllSections.ToDictionary(x => x.Code);
        Assert.Equal(18 - 6 - 3, sub["A1"].Score);          // 垃圾池不合格扣6，堆积3处扣3 → 9/18
        Assert.Equal(12 - 2, sub["A2"].Score);              // 10/12
        Assert.Equal(4, sub["A3"].Score);                   // 4/4
        Assert.Equal(11 - 2 * 2.2m, sub["A4"].Score);       // 6.6/11
        Assert.Equal(9 + 10 + 4 + 6.6m, sub["A"].Score);    // 29.6/45
        Assert.Equal(55 - 10, sub["B"].Score);              // 45/55
        Assert.Equal(29.6m + 45, s.Total);                  // 74.6
        Assert.Equal(["A", "A1", "A2", "A3", "A4", "B"], s.AllSections.Select(x => x.Code));
        Assert.Equal([0, 1, 1, 1, 1, 0], s.AllSections.Select(x => x.Depth));
        Assert.Equal(["A", "B"], s.Sections.Select(x => x.Code));   // the tie-break keys stay the top level
        Assert.Contains("　垃圾处理：得9/18分", s.Summary);
    }

    // 4. 公厕：建成1座生态公厕得10分，每增加1座加5分，最高20分（得分制）.
    private const string Toilets = """
        totalPoints: 20
        sections:
          - code: S
            title: 公共设施
            maxPoints: 20
            items:
              - code: T01
                title: 生态公厕
                points: 20
                scoring: add
                clauses:
                  - {code: a, kind: addPerUnit, text: 建成生态公厕, unit: 座, first: 10, each: 5}
        """;

    [Theory]
    [InlineData(0, 0)]          // nothing built: 0
    [InlineData(1, 10)]         // 10
    [InlineData(2, 15)]         // 10 + 5
    [InlineData(3, 20)]         // 10 + 5 + 5
    [InlineData(5, 20)]         // 10 + 4×5 = 30, capped at the item's 20
    public void Points_added_inside_an_item(int built, int expected)
    {
        var s = ScoreOk(Load(Toilets), Entries(Clauses("T01", ("a", new(Count: built)))));
        Assert.Equal(expected, s.Total);
    }

    // 5. 卫生厕所普及率达到85%以上得满分（5分），每降低1个百分点扣0.2分，扣完为止.
    private const string Coverage = """
        totalPoints: 5.01
        sections:
          - code: S
            title: 厕所革命
            maxPoints: 5.01
            items:
              - code: W01
                title: 卫生厕所普及率
                points: 5
                clauses:
                  - {code: a, kind: rate, text: 卫生厕所普及率, threshold: 85, deductionPerPoint: 0.2}
              - code: W02
                title: 户厕（按户数）
                points: 0.01
                clauses:
                  - {code: a, kind: rate, text: 卫生厕所普及率, threshold: 85, deductionPerPoint: 0.01, input: fraction, numeratorLabel: 卫生厕所户数, denominatorLabel: 总户数}
        """;

    [Theory]
    [InlineData(90, 5)]         // ≥ 85: full marks
    [InlineData(85, 5)]         // at the threshold: full marks
    [InlineData(80, 4)]         // 5 − (85 − 80) × 0.2
    [InlineData(84.5, 4.9)]     // 5 − 0.5 × 0.2: the gap is proportional
    [InlineData(50, 0)]         // 5 − 35 × 0.2 = −2 → 0
    public void A_rate_below_its_threshold(double percent, double expected)
    {
        var rules = Load(Coverage);
        var s = ScoreOk(rules, Entries(Clauses("W01", ("a", new(Percent: (decimal)percent))), Clauses("W02", ("a", new(Numerator: 1, Denominator: 1)))));
        Assert.Equal((decimal)expected, s.Items[0].Score);
    }

    [Fact]
    public void A_rate_from_a_numerator_and_a_denominator_is_computed_and_shown()
    {
        var rules = Load(Coverage);
        var s = ScoreOk(rules, Entries(Clauses("W01", ("a", new(Percent: 100))), Clauses("W02", ("a", new(Numerator: 40, Denominator: 50)))));
        var clause = s.Items[1].Clauses.Single();
        Assert.Equal(80m, clause.Rate);                     // 40 / 50 = 80 %
        Assert.Equal("40/50=80%", clause.Input);
        Assert.Equal(0.05m, clause.Deduction);              // (85 − 80) × 0.01 = 0.05 …
        Assert.Equal(0m, s.Items[1].Score);                 // … floored by the item's 0.01 points
        Assert.Contains("低于85%的标准5个百分点", s.Items[1].Explanation);
    }

    [Fact]
    public void A_sheet_not_on_100_is_converted_when_the_rule_set_asks()
    {
        var rules = Load(Rubbish.Replace("totalPoints: 18\n", "totalPoints: 18\nscale: 100\n").Replace("tiers: {demonstrationMin: 90", "tiers: {demonstrationMin: 90"));
        var s = ScoreOk(rules, Entries(Clauses("R01", ("c", new(Count: 9)))));
        Assert.Equal(9, s.SheetTotal);                      // 18 − 9
        Assert.Equal(50, s.Total);                          // 9 × 100 / 18
        Assert.Contains("百分制折算：9 × 100 ÷ 18 = 50分", s.Summary);
        var third = ScoreOk(rules, Entries(Clauses("R01", ("c", new(Count: 12)))));
        Assert.Equal(33.33m, third.Total);                  // 6 × 100 / 18 = 33.333… → 33.33
    }

    [Fact]
    public void Clause_inputs_are_checked_with_the_clause_named()
    {
        var rules = Load(CleaningTeam);
        var r = ScoringEngine.Score(rules, Entries(Clauses("C01", ("x", new(Count: 1)), ("b", new(Count: -1, Yes: true)))));
        Assert.Contains(r.Problems, p => p.Kind == EntryProblemKind.UnknownClause && p.Field == "Clauses.x");
        Assert.Contains(r.Problems, p => p.Kind == EntryProblemKind.NegativeNumber && p.Field == "Clauses.b" && p.Message.Contains("保洁员缺员"));
        Assert.Contains(r.Problems, p => p.Kind == EntryProblemKind.FieldNotAllowed && p.Field == "Clauses.b");
        var old = ScoringEngine.Score(rules, Entries(new ItemEntry("C01", Count: 2)));
        Assert.Contains(old.Problems, p => p.Kind == EntryProblemKind.FieldNotAllowed && p.Field == "Count");
        var rate = ScoringEngine.Score(Load(Coverage), Entries(Clauses("W01", ("a", new(Percent: 120)))));
        Assert.Contains(rate.Problems, p => p.Kind == EntryProblemKind.OutOfRange);
        Assert.Contains(rate.Problems, p => p.Kind == EntryProblemKind.MissingRequired && p.ItemCode == "W02");
    }

    [Fact]
    public void Every_new_mistake_in_a_rule_set_is_named_with_line_and_item()
    {
        var capAbove = Problems(CleaningTeam.Replace("deduction: 2}", "deduction: 4}"));
        Assert.Contains(capAbove, p => p.Kind == RuleSetProblemKind.DeductionExceedsPoints && p.ItemCode == "C01" && p.Line > 0);
        var rate = Problems(Coverage.Replace("threshold: 85, deductionPerPoint: 0.2", "threshold: 185, deductionPerPoint: 0.2"));
        Assert.Contains(rate, p => p.Kind == RuleSetProblemKind.RateOutOfRange && p.ItemCode == "W01");
        var subtotal = Problems(Nested.Replace("maxPoints: 45", "maxPoints: 46").Replace("maxPoints: 55", "maxPoints: 54"));
        Assert.Contains(subtotal, p => p.Kind == RuleSetProblemKind.ItemsDoNotAddUp && p.ItemCode == "A" && p.Message.Contains("下级类别"));
        var both = Problems(Rubbish.Replace("        clauses:\n", "        kind: passFail\n        clauses:\n"));
        Assert.Contains(both, p => p.Kind == RuleSetProblemKind.MixedShape && p.ItemCode == "R01");
        var addInDeduct = Problems(Toilets.Replace("scoring: add", "scoring: deduct"));
        Assert.Contains(addInDeduct, p => p.Kind == RuleSetProblemKind.InvalidValue && p.Message.Contains("scoring: add"));
        var unknownKind = Problems(Rubbish.Replace("kind: deductIf, text: 无垃圾池", "kind: deductWhen, text: 无垃圾池"));
        Assert.Contains(unknownKind, p => p.Kind == RuleSetProblemKind.UnknownKind && p.Message.Contains("deductWhen"));
        var mixedSection = Problems(Nested.Replace("    sections:\n      - code: A1", "    items: []\n    sections:\n      - code: A1"));
        Assert.Contains(mixedSection, p => p.Kind == RuleSetProblemKind.MixedShape && p.ItemCode == "A");
    }
}

/// <summary>The example of scoring-rules/README.md ("Items with clauses") is a valid sheet that scores as its comments say.</summary>
public class ReadmeClauseExampleTests
{
    [Fact]
    public void The_readme_example_loads_and_scores()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EnvScore.sln"))) dir = dir.Parent;
        var readme = File.ReadAllText(Path.Combine(dir!.FullName, "scoring-rules", "README.md"));
        var section = readme[readme.IndexOf("## Items with clauses", StringComparison.Ordinal)..];
        var start = section.IndexOf("```yaml\n", StringComparison.Ordinal) + 8;
        var yaml = section[start..section.IndexOf("```", start, StringComparison.Ordinal)];
        var r = RuleSetLoader.Parse("""
            code: README
            title: 示例
            version: 1
            effectiveFrom: "2026-01"
            tiers: {demonstrationMin: 90, upgradeMin: 75}
            combination: {selfWeight: 0.3, districtWeight: 0.7, inflationThreshold: 10}

            """ + yaml, "README.md");
        Assert.True(r.Succeeded, string.Join("\n", r.Problems));
        var rules = r.RuleSet!;
        ItemEntry C(string item, params (string Code, ClauseInput Input)[] inputs) => new(item, Clauses: inputs.ToDictionary(i => i.Code, i => i.Input));
        var s = ScoreOk(rules, Entries(
            C("R01", ("c", new(Count: 3))),                                             // 18 − 3 = 15
            C("C01", ("b", new(Count: 1))),                                             // 3 − 0.3 = 2.7
            C("W01", ("a", new(Percent: 80))),                                          // 4 − 5 × 0.2 = 3
            C("C02", ("a", new(Level: "A")), ("b", new(Count: 0)), ("c", new(Yes: true))), // 5
            C("T01", ("a", new(Count: 2)), ("b", new(Yes: true)))));                    // 10 + 5 + 5 = 20 → 15
        Assert.Equal(15 + 2.7m + 3 + 5 + 15, s.SheetTotal);                              // 40.7 of 45
        Assert.Equal(Points.Round(40.7m * 100 / 45), s.Total);                          // 90.44
    }
}
