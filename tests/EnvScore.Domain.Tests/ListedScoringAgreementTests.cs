using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;

namespace EnvScore.Domain.Tests;

/// <summary>
/// The computation's scoring path (<see cref="ListedScoring"/>: compiled figures, the engine's lines only for the items
/// that are listed) against the reference engine: for many generated sheets of every rule set shipped under
/// scoring-rules/ (the default sheet is also the demo's), and of two sheets written here for the kinds the shipped ones
/// lack (overdueProblems item and clause, caps, zero-if, N/A, nested sections), the expectation is
/// <see cref="ListedSheetScore.From"/> over <see cref="ScoringEngine.Score"/>, and every value the computation stores
/// must be equal — decimals bit for bit where they are written as text (total, findings' points, item deductions).
/// The generator also writes unusual and wrong entries (unknown codes, duplicates, fields of another kind, out-of-range
/// numbers, unknown vetoes), whose problems must be the engine's, word for word.
/// </summary>
public class ListedScoringAgreementTests
{
    private const string Head = """
        code: T
        title: 测试细则
        version: 1
        effectiveFrom: "2026-01"
        tiers: {demonstrationMin: 15, upgradeMin: 10}
        combination: {selfWeight: 0.3, districtWeight: 0.7, inflationThreshold: 10}

        """;

    /// <summary>Every single-input kind with caps, zero-if and N/A, nested sections, capped bonuses and vetoes.</summary>
    private const string KindsSheet = """
        totalPoints: 60
        sections:
          - code: A
            title: 环境卫生
            maxPoints: 40
            sections:
              - code: A1
                title: 六乱治理
                maxPoints: 22.5
                items:
                  - {code: L01, title: 乱堆乱放, kind: perOccurrence, points: 5, deductionEach: 1, unit: 处, maxDeduction: 3, mayBeNotApplicable: true,
                     zeroIf: [{code: Z1, text: 被媒体曝光}, {code: Z2, text: 群众投诉属实}]}
                  - {code: L02, title: 乱搭乱建, kind: perOccurrence, points: 7.5, deductionEach: 2.5, unit: 处}
                  - {code: L03, title: 道路保洁, kind: sampled, points: 10, samples: 4, deductionEach: 3.5, unit: 段, mayBeNotApplicable: true}
              - code: A2
                title: 长效管理
                maxPoints: 17.5
                items:
                  - {code: M01, title: 保洁制度, kind: levels, points: 7.5, mayBeNotApplicable: true,
                     levels: [{code: A, name: 好, deduction: 0}, {code: B, name: 较好, deduction: 2.5}, {code: C, name: 差, deduction: 7.5}],
                     zeroIf: [{code: Z3, text: 未建制度}]}
                  - {code: M02, title: 公示栏, kind: passFail, points: 5, failDeduction: 3}
                  - {code: M03, title: 村规民约, kind: passFail, points: 5, mayBeNotApplicable: true}
          - code: R
            title: 问题整改
            maxPoints: 20
            items:
              - {code: R01, title: 整改落实, kind: overdueProblems, points: 10, deductionEach: 2, maxDeduction: 6, mayBeNotApplicable: true,
                 zeroIf: [{code: Z4, text: 拒不整改}]}
              - {code: R02, title: 逾期问题, kind: overdueProblems, points: 10, deductionEach: 3}
        bonus:
          cap: 3
          items:
            - {code: B01, title: 示范创建, pointsEach: 1, cap: 2}
            - {code: B02, title: 媒体宣传, pointsEach: 0.5}
        vetoes:
          - {code: V01, title: 发生重大环境事件}
          - {code: V02, title: 弄虚作假}
        """;

    /// <summary>Items with clauses, 扣分制 and 得分制, with an overdueProblems clause, next to a single-input item.</summary>
    private const string ClauseSheet = """
        totalPoints: 20
        sections:
          - code: S
            title: 长效机制
            maxPoints: 20
            items:
              - code: C01
                title: 问题整改
                points: 5
                mayBeNotApplicable: true
                zeroIf: [{code: Z1, text: 拒不整改}]
                clauses:
                  - {code: a, kind: deductIf, text: 未建立整改台账, deduction: 2}
                  - {code: b, kind: overdueProblems, text: 逾期未整改问题, deductionEach: 1.5}
                  - {code: c, kind: perOccurrence, text: 垃圾堆积, unit: 处, deductionEach: 1, maxDeduction: 2}
              - code: C02
                title: 设施建设
                points: 10
                scoring: add
                clauses:
                  - {code: a, kind: addPerUnit, text: 建成公厕, unit: 座, first: 3, each: 1.5, maxAddition: 6}
                  - {code: b, kind: addIf, text: 建成污水站, addition: 4}
                  - {code: c, kind: rate, text: 分类覆盖率, threshold: 80, deductionPerPoint: 0.1, maxDeduction: 2}
              - {code: L01, title: 乱堆乱放, kind: perOccurrence, points: 5, deductionEach: 1, unit: 处}
        """;

    public static IEnumerable<object[]> RuleSets()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "scoring-rules");
        foreach (var file in Directory.GetFiles(dir, "*.yaml").Concat(Directory.GetFiles(Path.Combine(dir, "examples"), "*.yaml"))
                     .Where(f => !f.EndsWith(".cases.yaml", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            yield return [Path.GetRelativePath(dir, file)];
        yield return ["(test) kinds"];
        yield return ["(test) clauses"];
    }

    private static RuleSet Load(string name)
    {
        var r = name switch
        {
            "(test) kinds" => RuleSetLoader.Parse(Head + KindsSheet, "kinds.yaml"),
            "(test) clauses" => RuleSetLoader.Parse(Head + ClauseSheet, "clauses.yaml"),
            _ => RuleSetLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "scoring-rules", name)),
        };
        Assert.True(r.Succeeded, string.Join("\n", r.Problems));
        return r.RuleSet!;
    }

    [Theory]
    [MemberData(nameof(RuleSets))]
    public void The_listed_path_stores_what_the_engine_gives(string ruleSet)
    {
        var rules = Load(ruleSet);
        var random = new Random(20_2611 + ruleSet.Length);
        int scored = 0, refused = 0, quicks = 0, slow = 0, listedItems = 0, findings = 0, vetoed = 0, normalised = 0;
        for (var n = 0; n < 3000; n++)
        {
            var entries = Generate(rules, random, wrong: n % 10 == 9);
            var expected = ScoringEngine.Score(rules, entries);
            var actual = ListedScoring.Score(rules, entries);
            var context = $"{ruleSet}, sheet {n}";
            Assert.True(expected.Problems.Select(p => p.ToString()).SequenceEqual(actual.Problems.Select(p => p.ToString())),
                $"{context}: problems differ\nengine: {string.Join("; ", expected.Problems)}\nlisted: {string.Join("; ", actual.Problems)}");
            var quick = ListedScoring.TryScoreQuick(rules, entries);
            if (expected.Score is null) { Assert.Null(actual.Score); Assert.Null(quick); refused++; continue; }
            Same(ListedSheetScore.From(expected.Score), actual.Score!, context);
            scored++;
            if (quick is not null) { Same(ListedSheetScore.From(expected.Score), quick, context + " (quick path)"); quicks++; }
            else if (n % 10 != 9) slow++;
            listedItems += actual.Score!.ListedItems.Count;
            findings += actual.Score.Findings.Count;
            if (actual.Score.Vetoes.Count > 0) vetoed++;
            if (expected.Score.ApplicableMax != rules.TotalPoints) normalised++;
        }
        // Nearly every sheet without a planted fault takes the quick path (omitted/N-A/zeroed entries included).
        Assert.True(slow == 0 && quicks > 1500, $"{ruleSet}: quick path {quicks}, fault-free sheets left to the engine {slow}");
        // The generator must have reached both outcomes and the interesting cases.
        Assert.True(scored > 1500 && refused > 50, $"{ruleSet}: scored {scored}, refused {refused}");
        Assert.True(listedItems > scored / 2 && findings > scored / 2 && (vetoed > 50 || rules.Vetoes.Count == 0)
                && (normalised > 50 || !rules.Items.Any(i => i.MayBeNotApplicable)),
            $"{ruleSet}: listed {listedItems}, findings {findings}, vetoed {vetoed}, normalised {normalised}");
    }

    private static void Same(ListedSheetScore e, ListedSheetScore a, string context)
    {
        void Bits(decimal x, decimal y, string what) =>
            Assert.True(decimal.GetBits(x).SequenceEqual(decimal.GetBits(y)), $"{context}: {what} {x} (engine) vs {y}");
        Bits(e.Total, a.Total, "total");
        Assert.Equal(e.Vetoes.Select(v => v.Code), a.Vetoes.Select(v => v.Code));
        Assert.Equal(e.Sections.Count, a.Sections.Count);
        for (var i = 0; i < e.Sections.Count; i++)
        {
            var (x, y) = (e.Sections[i], a.Sections[i]);
            Assert.True((x.Code, x.Title, x.Max, x.ApplicableMax, x.Deduction, x.Score, x.Depth, x.ParentCode)
                == (y.Code, y.Title, y.Max, y.ApplicableMax, y.Deduction, y.Score, y.Depth, y.ParentCode), $"{context}: section {x} vs {y}");
        }
        Assert.True(e.ListedItems.Select(i => i.Explanation).SequenceEqual(a.ListedItems.Select(i => i.Explanation)),
            $"{context}: listed items\nengine: {string.Join(" | ", e.ListedItems.Select(i => i.Explanation))}\nlisted: {string.Join(" | ", a.ListedItems.Select(i => i.Explanation))}");
        for (var i = 0; i < e.ListedItems.Count; i++)
        {
            var (x, y) = (e.ListedItems[i], a.ListedItems[i]);
            Assert.Equal((x.Code, x.SectionCode, x.Detail, x.NotApplicable), (y.Code, y.SectionCode, y.Detail, y.NotApplicable));
            Assert.Equal(x.ZeroedBy.Select(z => z.Code), y.ZeroedBy.Select(z => z.Code));
            Bits(x.Deduction, y.Deduction, $"{x.Code} deduction");
        }
        Assert.Equal(e.FullMarkItems, a.FullMarkItems);
        Assert.Equal(e.Bonuses.Select(b => (b.Code, b.Awards, b.Explanation, b.Detail)), a.Bonuses.Select(b => (b.Code, b.Awards, b.Explanation, b.Detail)));
        for (var i = 0; i < e.Bonuses.Count; i++) Bits(e.Bonuses[i].Points, a.Bonuses[i].Points, $"bonus {e.Bonuses[i].Code}");
        Assert.True(e.Summary.SequenceEqual(a.Summary), $"{context}: summary\nengine: {string.Join(" | ", e.Summary)}\nlisted: {string.Join(" | ", a.Summary)}");
        Assert.Equal(e.Findings.Select(f => (f.Section, f.ItemCode, f.ItemTitle, f.Text)), a.Findings.Select(f => (f.Section, f.ItemCode, f.ItemTitle, f.Text)));
        for (var i = 0; i < e.Findings.Count; i++) Bits(e.Findings[i].Points, a.Findings[i].Points, $"finding {e.Findings[i].ItemCode}");
    }

    /// <summary>
    /// One sheet: most items full marks or a small loss (as villages fill them in), some N/A, zeroed, omitted; bonuses and
    /// vetoes now and then; the ledger's overdue count. With <paramref name="wrong"/>, one or two faults of any kind.
    /// </summary>
    private static SheetEntries Generate(RuleSet rules, Random r, bool wrong)
    {
        var entries = new List<ItemEntry>();
        foreach (var item in rules.Items)
        {
            var roll = r.Next(100);
            if (roll < 5 && item is not (LevelsItem or PassFailItem)) continue; // omitted: nothing found
            if (roll < 12 && (item.MayBeNotApplicable || (wrong && r.Next(4) == 0))) { entries.Add(new(item.Code, NotApplicable: true)); continue; }
            if (roll < 17 && item.ZeroIf.Count > 0)
            {
                var codes = item.ZeroIf.Where(_ => r.Next(2) == 0).Select(c => c.Code).DefaultIfEmpty(item.ZeroIf[0].Code).ToArray();
                entries.Add(Value(item, r, lossy: true) with { ZeroConditions = codes });
                continue;
            }
            entries.Add(Value(item, r, lossy: roll >= 60));
        }
        foreach (var b in rules.Bonus.Items)
            if (r.Next(4) == 0) entries.Add(new(b.Code, Count: r.Next(0, 5)));
        var vetoes = new List<string>();
        if (rules.Vetoes.Count > 0 && r.Next(12) == 0) vetoes.Add(rules.Vetoes[r.Next(rules.Vetoes.Count)].Code);
        var overdue = r.Next(3) == 0 ? r.Next(0, 6) : 0;
        if (wrong)
            for (var k = 1 + r.Next(2); k > 0; k--)
                Break(rules, entries, vetoes, r);
        return new SheetEntries(entries, vetoes) { OverdueProblems = wrong && r.Next(20) == 0 ? -1 : overdue };
    }

    private static ItemEntry Value(ScoringItem item, Random r, bool lossy) => item switch
    {
        PerOccurrenceItem => new(item.Code, Count: lossy ? r.Next(1, 9) : r.Next(3) == 0 ? null : 0),
        SampledItem s => new(item.Code, FailedSamples: lossy ? r.Next(1, s.Samples + 1) : 0),
        LevelsItem l => new(item.Code, Level: l.Levels[lossy ? r.Next(l.Levels.Count) : 0].Code),
        PassFailItem => new(item.Code, Passed: !lossy || r.Next(2) == 0),
        OverdueProblemsItem => new(item.Code),
        ClauseItem c => new(item.Code, Clauses: c.Clauses.Where(_ => r.Next(8) != 0 || !lossy).Select(cl => (cl.Code, Input: Clause(cl, r, lossy)))
            .Where(x => x.Input is not null).ToDictionary(x => x.Code, x => x.Input!)),
        _ => throw new InvalidOperationException(item.GetType().Name),
    };

    private static ClauseInput? Clause(Clause clause, Random r, bool lossy) => clause switch
    {
        PerOccurrenceClause => new(Count: lossy ? r.Next(0, 8) : 0),
        SampledClause s => new(Count: lossy ? r.Next(0, s.Samples + 1) : 0),
        LevelsClause l => new(Level: l.Levels[lossy ? r.Next(l.Levels.Count) : 0].Code),
        PassFailClause => new(Yes: !lossy || r.Next(2) == 0),
        DeductIfClause => new(Yes: lossy && r.Next(2) == 0),
        AddIfClause => new(Yes: r.Next(2) == 0),
        AddPerUnitClause => new(Count: r.Next(0, 6)),
        RateClause { Input: RateInput.Fraction } => r.Next(50, 101) is var den ? new(Numerator: r.Next(lossy ? 0 : den / 2, den + 1), Denominator: den) : null,
        RateClause => new(Percent: lossy ? r.Next(0, 10001) / 100m : r.Next(80, 101)),
        OverdueProblemsClause => null,
        _ => throw new InvalidOperationException(clause.GetType().Name),
    };

    /// <summary>One fault: of the kinds <see cref="ScoringEngine.Validate"/> reports, and unusual-but-valid entries.</summary>
    private static void Break(RuleSet rules, List<ItemEntry> entries, List<string> vetoes, Random r)
    {
        var i = entries.Count == 0 ? -1 : r.Next(entries.Count);
        switch (r.Next(14))
        {
            case 0: entries.Add(new("NOPE", Count: 1)); break;
            case 1 when i >= 0: entries.Add(entries[i]); break;
            case 2 when i >= 0: entries[i] = entries[i] with { Count = -1 }; break;
            case 3 when i >= 0: entries[i] = entries[i] with { Level = "Q" }; break;
            case 4 when i >= 0: entries[i] = entries[i] with { FailedSamples = 99 }; break;
            case 5 when i >= 0: entries[i] = entries[i] with { Passed = null, Level = null }; break;
            case 6 when i >= 0: entries[i] = entries[i] with { ZeroConditions = ["ZZ"] }; break;
            case 7 when i >= 0: entries[i] = entries[i] with { Passed = true }; break;
            case 8 when i >= 0: entries[i] = entries[i] with { Clauses = new Dictionary<string, ClauseInput> { ["a"] = new(Count: 1) } }; break;
            case 9 when i >= 0: entries.RemoveAt(i); break;
            case 10: vetoes.Add("V99"); break;
            case 11 when rules.Vetoes.Count > 0: vetoes.Add(rules.Vetoes[0].Code); vetoes.Add(rules.Vetoes[0].Code); break;
            case 12: entries.Clear(); entries.AddRange(rules.Items.Select(x => new ItemEntry(x.Code, NotApplicable: true))); break;
            case 13 when i >= 0: entries[i] = entries[i] with { Note = "备注", Count = entries[i].Count ?? 0 }; break;
        }
    }
}
