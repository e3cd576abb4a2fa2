using EnvScore.Domain.Calendar;
using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;

namespace EnvScore.Domain.Tests;

internal static class TestData
{
    public static string DefaultSheetPath => Path.Combine(AppContext.BaseDirectory, "scoring-rules", "six-disorders-six-cleanups.yaml");

    private static readonly Lazy<RuleSet> defaultSheet = new(() =>
    {
        var r = RuleSetLoader.LoadFile(DefaultSheetPath);
        return r.RuleSet ?? throw new InvalidOperationException(string.Join("\n", r.Problems));
    });

    public static RuleSet DefaultSheet => defaultSheet.Value;

    /// <summary>A one-section rule set whose total is the sum of the items' points.</summary>
    public static RuleSet Sheet(params ScoringItem[] items) => Sheet(items, BonusPolicy.None, []);

    public static RuleSet Sheet(ScoringItem[] items, BonusPolicy bonus, VetoRule[] vetoes)
    {
        var total = items.Sum(i => i.Points);
        return new RuleSet
        {
            Code = "T", Title = "测试细则", Version = 1, EffectiveFrom = new EvaluationMonth(2026, 1), TotalPoints = total,
            Sections = [new Section { Code = "S", Title = "测试", MaxPoints = total, Items = items }],
            Bonus = bonus, Vetoes = vetoes,
            Tiers = new TierPolicy { DemonstrationMin = 90, UpgradeMin = 75 },
            Combination = new CombinationPolicy { SelfWeight = 0.3m, DistrictWeight = 0.7m, InflationThreshold = 10 },
        };
    }

    public static PerOccurrenceItem Disorder(string code = "L02", string title = "乱堆乱放", decimal points = 5, decimal each = 1, string unit = "处", decimal? cap = null, bool mayBeNa = false, params NamedCondition[] zeroIf) =>
        new() { Code = code, Title = title, Points = points, DeductionEach = each, Unit = unit, MaxDeduction = cap, MayBeNotApplicable = mayBeNa, ZeroIf = zeroIf };

    public static SheetEntries Entries(params ItemEntry[] items) => new(items, []);

    public static SheetScore ScoreOk(RuleSet rules, SheetEntries entries)
    {
        var r = ScoringEngine.Score(rules, entries);
        Assert.True(r.Succeeded, string.Join("\n", r.Problems));
        return r.Score!;
    }

    /// <summary>A minimal valid rule-set file; validator tests change one line and check the reported location.</summary>
    public const string MinimalYaml = """
        code: T
        title: 测试细则
        version: 1
        effectiveFrom: "2026-01"
        totalPoints: 10
        sections:
          - code: S
            title: 六乱治理
            maxPoints: 10
            items:
              - code: L01
                title: 乱堆乱放
                kind: perOccurrence
                points: 5
                deductionEach: 1
                unit: 处
              - code: C01
                title: 积分制
                kind: levels
                points: 5
                levels:
                  - {code: A, name: 已评比并张贴公示, deduction: 0}
                  - {code: B, name: 未执行积分制, deduction: 5}
        tiers:
          demonstrationMin: 9
          upgradeMin: 7.5
        combination:
          selfWeight: 0.3
          districtWeight: 0.7
          inflationThreshold: 1
        """;
}
