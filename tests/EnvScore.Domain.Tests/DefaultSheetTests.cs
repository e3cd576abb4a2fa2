using EnvScore.Domain.Calendar;
using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;
using static EnvScore.Domain.Tests.TestData;

namespace EnvScore.Domain.Tests;

public class DefaultSheetTests
{
    /// <summary>A perfect month: every levels item at its 0-deduction level, every passFail passed.</summary>
    public static SheetEntries AllGood() => new(DefaultSheet.Items.Select(i => i switch
    {
        LevelsItem l => new ItemEntry(i.Code, Level: l.Levels.Single(x => x.Deduction == 0).Code),
        PassFailItem => new ItemEntry(i.Code, Passed: true),
        _ => new ItemEntry(i.Code),
    }).ToArray(), []);

    [Fact]
    public void Loads_without_problems()
    {
        var r = RuleSetLoader.LoadFile(DefaultSheetPath);
        Assert.Empty(r.Problems);
        Assert.NotNull(r.RuleSet);
    }

    [Fact]
    public void Has_the_documented_shape()
    {
        var s = DefaultSheet;
        Assert.Equal(new EvaluationMonth(2026, 1), s.EffectiveFrom);
        Assert.Equal(100, s.TotalPoints);
        Assert.Equal(["六乱治理", "六清行动", "长效机制"], s.Sections.Select(x => x.Title));
        Assert.InRange(s.Items.Count(), 25, 40);
        // Every single-input kind but overdueProblems, whose count needs the rectification ledger (scoring-rules/README.md).
        Assert.Equal(Enum.GetValues<ItemKind>().Where(k => k is not ItemKind.Clauses and not ItemKind.OverdueProblems).ToHashSet(), s.Items.Select(i => i.Kind).ToHashSet());
        Assert.Contains(s.Items, i => i.ZeroIf.Count > 0);
        Assert.Contains(s.Items, i => i.MayBeNotApplicable);
        Assert.Contains(s.Items, i => i is PerOccurrenceItem { MaxDeduction: not null });
        Assert.InRange(s.Bonus.Items.Count, 2, 4);
        Assert.InRange(s.Vetoes.Count, 2, 3);
        Assert.Equal((90m, 75m), (s.Tiers.DemonstrationMin, s.Tiers.UpgradeMin));
        Assert.Equal((20m, 10m, QuotaScope.District), (s.Tiers.MaxDemonstrationPercent, s.Tiers.MinRectifyPercent, s.Tiers.QuotaScope));
        Assert.Equal((0.3m, 0.7m, 10m), (s.Combination.SelfWeight, s.Combination.DistrictWeight, s.Combination.InflationThreshold));
        Assert.Equal((0m, Tier.Rectify), (s.MissingSheet.Score, s.MissingSheet.Tier));
        Assert.Equal(3, s.Consequences.InterviewAfterRectifyMonths);
        foreach (var title in new[] { "乱搭乱建", "乱堆乱放", "乱排乱倒", "乱贴乱画", "乱拉乱挂", "乱停乱放", "乱扔乱丢", "清垃圾", "清塘沟", "清杂物", "清残垣断壁", "清畜禽粪污", "清废旧广告牌", "户厕", "网格化管理", "宣传栏", "村规民约" })
            Assert.Contains(s.Items, i => i.Title == title);
    }

    [Fact]
    public void A_perfect_month_scores_100()
    {
        var s = ScoreOk(DefaultSheet, AllGood());
        Assert.Equal(100, s.Total);
        Assert.All(s.Items, i => Assert.EndsWith("不扣分（得" + Points.Format(i.Max) + "/" + Points.Format(i.Max) + "分）", i.Explanation));
    }

    [Fact]
    public void The_domain_examples_score_as_worded_on_the_default_sheet()
    {
        var e = AllGood().Items.Where(x => x.ItemCode is not ("L02" or "C04" or "C05" or "L03")).ToList();
        e.Add(new ItemEntry("L02", Count: 3));
        e.Add(new ItemEntry("C04", FailedSamples: 2));
        e.Add(new ItemEntry("C05", Level: "B"));
        e.Add(new ItemEntry("L03", ZeroConditions: ["Z1"]));
        var s = ScoreOk(DefaultSheet, new SheetEntries(e, []));
        string Line(string code) => s.Items.Single(i => i.Code == code).Explanation;
        Assert.Equal("乱堆乱放：发现3处，每处扣1分，扣3分（得2/5分）", Line("L02"));
        Assert.Equal("户厕：抽查5户，2户不合格，每户扣2分，扣4分（得6/10分）", Line("C04"));
        Assert.Equal("积分制评比：已评比未张贴公示，扣3分（得2/5分）", Line("C05"));
        Assert.Equal("乱排乱倒：有露天焚烧垃圾、秸秆现象，此项不得分（得0/5分）", Line("L03"));
        Assert.Equal(100 - 3 - 4 - 3 - 5, s.Total);
    }
}
