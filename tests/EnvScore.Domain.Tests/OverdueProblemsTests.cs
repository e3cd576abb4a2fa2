using CsCheck;
using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;
using static EnvScore.Domain.Tests.TestData;

namespace EnvScore.Domain.Tests;

/// <summary>
/// 每处逾期未整改问题扣X分 (issue #17, key <c>overdueProblems</c>): loaded as an item kind and as a clause kind, scored from
/// <see cref="SheetEntries.OverdueProblems"/> (the ledger's count, never an entry), refused as an input, the same on the
/// compiled path. Every expected figure is the sheet's arithmetic written out.
/// </summary>
public class OverdueProblemsTests
{
    private const string Head = """
        code: T
        title: 测试细则
        version: 1
        effectiveFrom: "2026-01"
        tiers: {demonstrationMin: 0.02, upgradeMin: 0.01}
        combination: {selfWeight: 0.3, districtWeight: 0.7, inflationThreshold: 10}

        """;

    // 整改落实 10分：每处逾期未整改问题扣2分，最多扣6分. 乱堆乱放 5分：每处扣1分.
    private const string ItemKindSheet = """
        totalPoints: 15
        sections:
          - code: S
            title: 六乱治理
            maxPoints: 15
            items:
              - {code: L01, title: 乱堆乱放, kind: perOccurrence, points: 5, deductionEach: 1, unit: 处}
              - {code: R01, title: 整改落实, kind: overdueProblems, points: 10, deductionEach: 2, maxDeduction: 6}
        """;

    // 问题整改 5分（各条细则共用）：未建立台账扣2分；每处逾期未整改问题扣1.5分.
    private const string ClauseSheet = """
        totalPoints: 5
        sections:
          - code: S
            title: 长效机制
            maxPoints: 5
            items:
              - code: C01
                title: 问题整改
                points: 5
                clauses:
                  - {code: a, kind: deductIf, text: 未建立整改台账, deduction: 2}
                  - {code: b, kind: overdueProblems, text: 逾期未整改问题, deductionEach: 1.5}
        """;

    private static RuleSet Load(string body)
    {
        var r = RuleSetLoader.Parse(Head + body, "t.yaml");
        Assert.True(r.Succeeded, string.Join("\n", r.Problems));
        return r.RuleSet!;
    }

    private static IReadOnlyList<RuleSetProblem> Problems(string body) => RuleSetLoader.Parse(Head + body, "t.yaml").Problems;

    [Fact]
    public void The_item_kind_loads_with_points_and_cap()
    {
        var rules = Load(ItemKindSheet);
        var item = Assert.IsType<OverdueProblemsItem>(rules.Items.Single(i => i.Code == "R01"));
        Assert.Equal((10m, 2m, 6m), (item.Points, item.DeductionEach, item.MaxDeduction!.Value));
        Assert.Equal(ItemKind.OverdueProblems, item.Kind);
        Assert.True(rules.UsesOverdueProblems);
        Assert.False(Load(ItemKindSheet.Replace("kind: overdueProblems, points: 10, deductionEach: 2, maxDeduction: 6", "kind: perOccurrence, points: 10, deductionEach: 2, unit: 处")).UsesOverdueProblems);
        Assert.False(InputBounds.IsEntered(item));
        Assert.Null(InputBounds.Of(item));
    }

    [Fact]
    public void The_clause_kind_loads()
    {
        var rules = Load(ClauseSheet);
        var clause = Assert.IsType<OverdueProblemsClause>(((ClauseItem)rules.Items.Single()).Clauses[1]);
        Assert.Equal((1.5m, (decimal?)null), (clause.DeductionEach, clause.MaxDeduction));
        Assert.True(rules.UsesOverdueProblems);
        Assert.False(InputBounds.IsEntered(clause));
        Assert.True(InputBounds.IsEntered(rules.Items.Single())); // the deductIf clause is still entered
        Assert.Equal("每处逾期未整改问题扣1.5分（由整改台账自动计算）", ClauseWording.Rule(clause));
        Assert.Equal("每处逾期未整改问题扣2分，最多扣6分（由整改台账自动计算）",
            ClauseWording.Rule(new OverdueProblemsClause { Code = "x", Text = "x", DeductionEach = 2, MaxDeduction = 6 }));
    }

    [Fact]
    public void Bad_definitions_are_reported_in_chinese_with_their_line()
    {
        var tooMuch = Problems(ItemKindSheet.Replace("deductionEach: 2, maxDeduction: 6", "deductionEach: 12"));
        var p = Assert.Single(tooMuch);
        Assert.Equal(RuleSetProblemKind.DeductionExceedsPoints, p.Kind);
        Assert.Contains("每处逾期未整改问题扣分12分超过本项分值10分", p.Message);
        Assert.Equal(("R01", 14), (p.ItemCode, p.Line)); // the line of R01

        var unit = Assert.Single(Problems(ItemKindSheet.Replace("maxDeduction: 6", "maxDeduction: 6, unit: 处")));
        Assert.Equal(RuleSetProblemKind.UnknownField, unit.Kind);
        Assert.Contains("未知字段\"unit\"", unit.Message);

        var missing = Assert.Single(Problems(ClauseSheet.Replace(", deductionEach: 1.5", "")));
        Assert.Equal(RuleSetProblemKind.MissingField, missing.Kind);
        Assert.Contains("缺少字段\"deductionEach\"", missing.Message);

        var unknown = Assert.Single(Problems(ItemKindSheet.Replace("kind: overdueProblems", "kind: overdue")));
        Assert.Contains("应为perOccurrence、levels、sampled、passFail或overdueProblems之一", unknown.Message);
        var unknownClause = Assert.Single(Problems(ClauseSheet.Replace("kind: overdueProblems", "kind: overdue")));
        Assert.Contains("overdueProblems", unknownClause.Message);
    }

    [Theory]
    // count, score of R01 (10 − min(2n, 6)), its explanation
    [InlineData(0, 10, "无逾期未整改问题，不扣分（得10/10分）")]
    [InlineData(2, 6, "逾期未整改问题2处，每处扣2分，扣4分（得6/10分）")]
    [InlineData(3, 4, "逾期未整改问题3处，每处扣2分，扣6分（得4/10分）")]
    [InlineData(5, 4, "逾期未整改问题5处，每处扣2分，本项最多扣6分，扣6分（得4/10分）")]
    public void The_item_deducts_the_ledger_count(int overdue, int expected, string detail)
    {
        var rules = Load(ItemKindSheet);
        var s = ScoreOk(rules, Entries(new ItemEntry("L01", Count: 1)) with { OverdueProblems = overdue });
        var r01 = s.Items.Single(i => i.Code == "R01");
        Assert.Equal(expected, r01.Score);
        Assert.Equal(detail, r01.Detail);
        Assert.Equal($"整改落实：{detail}", r01.Explanation);
        Assert.Equal(4 + expected, s.Total); // L01: 5 − 1
        var finding = s.Findings.SingleOrDefault(f => f.ItemCode == "R01");
        if (overdue == 0) Assert.Null(finding);
        else Assert.Equal(("六乱治理", "整改落实", (decimal)(expected - 10), detail), (finding!.Section, finding.ItemTitle, finding.Points, finding.Text));
        Assert.Equal(overdue, r01.Clauses.Single().Count);
    }

    [Fact]
    public void The_item_can_be_omitted_and_is_full_marks_without_a_count()
    {
        var s = ScoreOk(Load(ItemKindSheet), Entries());
        Assert.Equal(15m, s.Total);
    }

    [Theory]
    // noLedger (deductIf 2), overdue count (×1.5), C01's score: 5 − 2·[noLedger] − 1.5n, floored at 0
    [InlineData(false, 0, 5.0, "各条细则均未扣分，不扣分（得5/5分）")]
    [InlineData(false, 2, 2.0, "逾期未整改问题2处，每处扣1.5分，扣3分；共扣3分（得2/5分）")]
    [InlineData(true, 1, 1.5, "未建立整改台账，扣2分；逾期未整改问题1处，每处扣1.5分，扣1.5分；合计扣3.5分（得1.5/5分）")]
    [InlineData(true, 3, 0.0, "未建立整改台账，扣2分；逾期未整改问题3处，每处扣1.5分，扣4.5分；合计扣6.5分，扣完为止（得0/5分）")]
    public void The_clause_deducts_the_ledger_count_with_the_other_clauses(bool noLedger, int overdue, double expected, string detail)
    {
        var rules = Load(ClauseSheet);
        var s = ScoreOk(rules, Entries(new ItemEntry("C01", Clauses: new Dictionary<string, ClauseInput> { ["a"] = new(Yes: noLedger) })) with { OverdueProblems = overdue });
        Assert.Equal((decimal)expected, s.Total);
        Assert.Equal(detail, s.Items.Single().Detail);
        var b = s.Items.Single().Clauses.Single(c => c.Code == "b");
        Assert.Equal(((int?)overdue, $"{overdue}处", overdue * 1.5m), (b.Count, b.Input, b.Deduction));
    }

    [Fact]
    public void An_entered_count_is_refused_with_a_clear_message()
    {
        var items = Load(ItemKindSheet);
        var p = Assert.Single(ScoringEngine.Validate(items, Entries(new ItemEntry("R01", Count: 0))));
        Assert.Equal((EntryProblemKind.FieldNotAllowed, "R01", "Count"), (p.Kind, p.ItemCode, p.Field));
        Assert.StartsWith("评分项\"整改落实\"的逾期未整改问题数由整改台账自动计算，不能填写", p.Message);

        var clauses = Load(ClauseSheet);
        var q = Assert.Single(ScoringEngine.Validate(clauses, Entries(new ItemEntry("C01",
            Clauses: new Dictionary<string, ClauseInput> { ["a"] = new(Yes: false), ["b"] = new(Count: 2) }))));
        Assert.Equal((EntryProblemKind.FieldNotAllowed, "C01", "Clauses.b"), (q.Kind, q.ItemCode, q.Field));
        Assert.StartsWith("细则\"逾期未整改问题\"的逾期未整改问题数由整改台账自动计算，不能填写", q.Message);
        // An empty input (a form that sends the clause with nothing in it) is not an input.
        Assert.Empty(ScoringEngine.Validate(clauses, Entries(new ItemEntry("C01",
            Clauses: new Dictionary<string, ClauseInput> { ["a"] = new(Yes: false), ["b"] = new() }))));
    }

    [Fact]
    public void Not_applicable_keeps_its_meaning()
    {
        var rules = Load(ItemKindSheet.Replace("maxDeduction: 6}", "maxDeduction: 6, mayBeNotApplicable: true}"));
        var s = ScoreOk(rules, Entries(new ItemEntry("R01", NotApplicable: true)) with { OverdueProblems = 3 });
        Assert.Equal(15m, s.Total); // 5/5 scaled to 15
        var compiled = new CompiledRuleSet(rules);
        var e = Entries(new ItemEntry("R01", NotApplicable: true)) with { OverdueProblems = 3 };
        Assert.Equal(15m, compiled.Evaluate(compiled.Encode(e), false).Total);
    }

    /// <summary>The default sheet with one more section: 整改落实 10分, 每处逾期未整改问题扣2分，最多扣6分.</summary>
    private static readonly RuleSet WithOverdue = DefaultSheet with
    {
        TotalPoints = DefaultSheet.TotalPoints + 10,
        Sections = [.. DefaultSheet.Sections, new Section
        {
            Code = "RZ", Title = "整改落实", MaxPoints = 10,
            Items = [new OverdueProblemsItem { Code = "RZ1", Title = "逾期未整改", Points = 10, DeductionEach = 2, MaxDeduction = 6, MayBeNotApplicable = true }],
        }],
    };

    [Fact]
    public void Compiled_path_gives_the_same_figures_bit_for_bit_with_overdue_problems()
    {
        var compiled = new CompiledRuleSet(WithOverdue);
        var items = WithOverdue.Items.Where(i => i is not OverdueProblemsItem).ToArray();
        Gen.Select(Gen.Int[0, 12].Array[items.Length], Gen.Int[0, 9].Array[items.Length], Gen.Int[0, 9], Gen.Int[0, 9]).Sample((values, modes, overdue, naMode) =>
        {
            var entries = new List<ItemEntry>();
            for (var i = 0; i < items.Length; i++)
            {
                var item = items[i];
                if (modes[i] == 1 && item.MayBeNotApplicable) { entries.Add(new(item.Code, NotApplicable: true)); continue; }
                entries.Add(item switch
                {
                    PerOccurrenceItem => new(item.Code, Count: values[i]),
                    SampledItem sm => new(item.Code, FailedSamples: values[i] % (sm.Samples + 1)),
                    LevelsItem l => new(item.Code, Level: l.Levels[values[i] % l.Levels.Count].Code),
                    _ => new(item.Code, Passed: values[i] % 2 == 0),
                });
            }
            if (naMode == 0) entries.Add(new("RZ1", NotApplicable: true));
            var e = new SheetEntries(entries, []) { OverdueProblems = overdue };
            var s = ScoreOk(WithOverdue, e);
            var sections = new long[compiled.SectionCount];
            var t = compiled.Evaluate(compiled.Encode(e), s.Vetoed, sections);
            Assert.Equal((s.Total, s.BaseScore, s.RawScore, s.ApplicableMax, s.BonusApplied),
                (t.Total, t.BaseScore, t.RawScore, t.ApplicableMax, t.BonusApplied));
            Assert.Equal(s.SectionDeductions, sections.Select(h => h / 100m));
            Assert.Equal(decimal.GetBits(s.Total), decimal.GetBits(t.Total));
            Assert.Equal(decimal.GetBits(s.BaseScore), decimal.GetBits(t.BaseScore));
            // Hand arithmetic of the overdue section: min(2n, 6), or nothing when N/A.
            Assert.Equal(naMode == 0 ? 0 : Math.Min(2 * overdue, 6), s.Sections[^1].Deduction);
        }, iter: 2000);
    }
}

/// <summary>The example of scoring-rules/README.md ("Overdue problems") is a valid sheet that scores as its text says.</summary>
public class ReadmeOverdueExampleTests
{
    [Fact]
    public void The_readme_example_loads_and_scores()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EnvScore.sln"))) dir = dir.Parent;
        var readme = File.ReadAllText(Path.Combine(dir!.FullName, "scoring-rules", "README.md"));
        var section = readme[readme.IndexOf("## Overdue problems", StringComparison.Ordinal)..];
        var start = section.IndexOf("```yaml\n", StringComparison.Ordinal) + 8;
        var yaml = section[start..section.IndexOf("```", start, StringComparison.Ordinal)];
        var r = RuleSetLoader.Parse("""
            code: README
            title: 示例
            version: 1
            effectiveFrom: "2026-01"
            tiers: {demonstrationMin: 14, upgradeMin: 10}
            combination: {selfWeight: 0.3, districtWeight: 0.7, inflationThreshold: 10}

            """ + yaml, "README.md");
        Assert.True(r.Succeeded, string.Join("\n", r.Problems));
        var s = ScoreOk(r.RuleSet!, Entries(new ItemEntry("C01", Clauses: new Dictionary<string, ClauseInput> { ["a"] = new(Yes: false) })) with { OverdueProblems = 3 });
        Assert.Equal(4m, s.Items.Single(i => i.Code == "Z01").Score);    // 10 − min(6, 6)
        Assert.Equal(0.5m, s.Items.Single(i => i.Code == "C01").Score);  // 5 − 4.5
        Assert.Equal(4.5m, s.Total);
        Assert.Equal("整改落实：逾期未整改问题3处，每处扣2分，扣6分（得4/10分）", s.Items.Single(i => i.Code == "Z01").Explanation);
        Assert.Contains(r.RuleSet!.Items, i => i is OverdueProblemsItem);
    }
}
