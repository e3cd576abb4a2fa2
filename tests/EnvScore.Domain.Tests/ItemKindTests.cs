using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;
using static EnvScore.Domain.Tests.TestData;

namespace EnvScore.Domain.Tests;

public class ItemKindTests
{
    private static ItemResult One(ScoringItem item, ItemEntry entry) => ScoreOk(Sheet(item), Entries(entry)).Items.Single();

    // DOMAIN.md: "每发现一处扣1分，共计5分，扣完为止"
    [Theory]
    [InlineData(0, 5, "乱堆乱放：未发现问题，不扣分（得5/5分）")]
    [InlineData(1, 4, "乱堆乱放：发现1处，每处扣1分，扣1分（得4/5分）")]
    [InlineData(3, 2, "乱堆乱放：发现3处，每处扣1分，扣3分（得2/5分）")]
    [InlineData(5, 0, "乱堆乱放：发现5处，每处扣1分，扣5分（得0/5分）")]
    [InlineData(7, 0, "乱堆乱放：发现7处，每处扣1分，扣完为止，扣5分（得0/5分）")]
    public void PerOccurrence_deducts_each_and_floors_at_zero(int count, decimal score, string explanation)
    {
        var r = One(Disorder(), new ItemEntry("L02", Count: count));
        Assert.Equal(score, r.Score);
        Assert.Equal(5 - score, r.Deduction);
        Assert.Equal(explanation, r.Explanation);
    }

    [Fact]
    public void PerOccurrence_omitted_means_nothing_found()
    {
        var s = ScoreOk(Sheet(Disorder()), Entries());
        Assert.Equal(5, s.Total);
        Assert.Equal("乱堆乱放：未发现问题，不扣分（得5/5分）", s.Items.Single().Explanation);
    }

    [Fact]
    public void PerOccurrence_cap_limits_total_deduction()
    {
        var r = One(Disorder("L07", "乱扔乱丢", cap: 3), new ItemEntry("L07", Count: 5));
        Assert.Equal(2, r.Score);
        Assert.Equal("乱扔乱丢：发现5处，每处扣1分，本项最多扣3分，扣3分（得2/5分）", r.Explanation);
        Assert.Equal(3, One(Disorder("L07", "乱扔乱丢", cap: 3), new ItemEntry("L07", Count: 2)).Score);
    }

    [Fact]
    public void PerOccurrence_fractional_deduction_is_exact()
    {
        var r = One(Disorder("L04", "乱贴乱画", points: 4, each: 0.5m), new ItemEntry("L04", Count: 3));
        Assert.Equal(2.5m, r.Score);
        Assert.Equal("乱贴乱画：发现3处，每处扣0.5分，扣1.5分（得2.5/4分）", r.Explanation);
    }

    private static readonly SampledItem Toilets = new() { Code = "C04", Title = "户厕", Points = 10, Samples = 5, DeductionEach = 2, Unit = "户" };

    // DOMAIN.md: "随机走访5户农户，每有一户卫生厕所不能正常使用扣2分，共计10分"
    [Theory]
    [InlineData(0, 10, "户厕：抽查5户，均合格，不扣分（得10/10分）")]
    [InlineData(2, 6, "户厕：抽查5户，2户不合格，每户扣2分，扣4分（得6/10分）")]
    [InlineData(5, 0, "户厕：抽查5户，5户不合格，每户扣2分，扣10分（得0/10分）")]
    public void Sampled_deducts_per_failed_sample(int failed, decimal score, string explanation)
    {
        var r = One(Toilets, new ItemEntry("C04", FailedSamples: failed));
        Assert.Equal(score, r.Score);
        Assert.Equal(explanation, r.Explanation);
    }

    [Fact]
    public void Sampled_deduction_times_n_above_points_floors_at_zero()
    {
        var item = Toilets with { Points = 6 };
        var r = One(item, new ItemEntry("C04", FailedSamples: 4));
        Assert.Equal(0, r.Score);
        Assert.Equal("户厕：抽查5户，4户不合格，每户扣2分，扣完为止，扣6分（得0/6分）", r.Explanation);
    }

    private static readonly LevelsItem PointsSystem = new()
    {
        Code = "C05", Title = "积分制评比", Points = 5,
        Levels = [new("A", "已评比并张贴公示", 0), new("B", "已评比未张贴公示", 3), new("C", "已执行但未按时评比", 4), new("D", "未执行积分制", 5)],
    };

    // DOMAIN.md: "未执行积分制扣5分；已执行但未按时评比扣4分；已评比未张贴公示扣3分"
    [Theory]
    [InlineData("A", 5, "积分制评比：已评比并张贴公示，不扣分（得5/5分）")]
    [InlineData("B", 2, "积分制评比：已评比未张贴公示，扣3分（得2/5分）")]
    [InlineData("C", 1, "积分制评比：已执行但未按时评比，扣4分（得1/5分）")]
    [InlineData("D", 0, "积分制评比：未执行积分制，扣5分（得0/5分）")]
    public void Levels_deduct_the_chosen_level(string level, decimal score, string explanation)
    {
        var r = One(PointsSystem, new ItemEntry("C05", Level: level));
        Assert.Equal(score, r.Score);
        Assert.Equal(explanation, r.Explanation);
    }

    [Theory]
    [InlineData(true, null, 3, "保洁员配备：合格，不扣分（得3/3分）")]
    [InlineData(false, null, 0, "保洁员配备：不合格，扣3分（得0/3分）")]
    [InlineData(false, 1.0, 2, "保洁员配备：不合格，扣1分（得2/3分）")]
    public void PassFail_full_points_or_fixed_deduction(bool passed, double? failDeduction, decimal score, string explanation)
    {
        var item = new PassFailItem { Code = "C01", Title = "保洁员配备", Points = 3, FailDeduction = (decimal?)failDeduction };
        var r = One(item, new ItemEntry("C01", Passed: passed));
        Assert.Equal(score, r.Score);
        Assert.Equal(explanation, r.Explanation);
    }

    // DOMAIN.md: "有露天焚烧垃圾、秸秆现象，此项不得分"
    [Fact]
    public void Zero_if_condition_zeroes_the_item_whatever_else_was_entered()
    {
        var burning = new NamedCondition("Z1", "有露天焚烧垃圾、秸秆现象");
        var item = Disorder("L03", "乱排乱倒", zeroIf: burning);
        var r = One(item, new ItemEntry("L03", Count: 1, ZeroConditions: ["Z1"]));
        Assert.Equal(0, r.Score);
        Assert.Equal(5, r.Deduction);
        Assert.Equal([burning], r.ZeroedBy);
        Assert.Equal("乱排乱倒：有露天焚烧垃圾、秸秆现象，此项不得分（得0/5分）", r.Explanation);
    }

    [Fact]
    public void Zero_if_on_levels_item_needs_no_level()
    {
        var item = PointsSystem with { ZeroIf = [new("Z1", "评比材料弄虚作假")] };
        var r = One(item, new ItemEntry("C05", ZeroConditions: ["Z1"]));
        Assert.Equal(0, r.Score);
    }

    private static readonly BonusPolicy Bonus = new()
    {
        TotalCap = 5,
        Items =
        [
            new BonusItem { Code = "B01", Title = "获评省级美丽乡村示范村", PointsEach = 3, Cap = 3 },
            new BonusItem { Code = "B02", Title = "经验被市级推广", PointsEach = 1, Cap = 2 },
            new BonusItem { Code = "B03", Title = "媒体正面报道", PointsEach = 1 },
        ],
    };

    [Fact]
    public void Bonus_adds_points_capped_per_item_and_in_total()
    {
        var rules = Sheet([Disorder()], Bonus, []);
        var s = ScoreOk(rules, Entries(new ItemEntry("B01", Count: 1), new ItemEntry("B02", Count: 3), new ItemEntry("B03", Count: 2)));
        Assert.Equal(7, s.BonusRequested);
        Assert.Equal(5, s.BonusApplied);
        Assert.Equal(10, s.Total);
        Assert.Equal("经验被市级推广：加分3次，每次加1分，本项最多加2分，加2分", s.Bonuses.Single(b => b.Code == "B02").Explanation);
        Assert.Equal("获评省级美丽乡村示范村：加分1次，每次加3分，加3分", s.Bonuses.Single(b => b.Code == "B01").Explanation);
        Assert.Contains("加分：合计7分，超过加分上限5分，实加5分", s.Summary);
    }

    [Fact]
    public void Veto_is_recorded_and_does_not_change_the_score()
    {
        var veto = new VetoRule("V01", "发生被上级通报的重大人居环境问题");
        var rules = Sheet([Disorder()], BonusPolicy.None, [veto]);
        var s = ScoreOk(rules, new SheetEntries([], ["V01"]));
        Assert.True(s.Vetoed);
        Assert.Equal(5, s.Total);
        Assert.Equal([veto], s.Vetoes);
        Assert.Equal(Tier.Rectify, rules.Tiers.Classify(s.Total * 20, s.Vetoed));
        Assert.Contains("一票否决：发生被上级通报的重大人居环境问题，评为整治类", s.Summary);
    }

    [Fact]
    public void Section_subtotals_and_tie_break_keys()
    {
        var s = ScoreOk(DefaultSheet, DefaultSheetTests.AllGood() with { Items = [.. DefaultSheetTests.AllGood().Items.Where(e => e.ItemCode != "L02"), new ItemEntry("L02", Count: 2)] });
        Assert.Equal([2m, 0m, 0m], s.SectionDeductions);
        Assert.Equal(33, s.Sections[0].Score);
        Assert.Equal(98, s.Total);
    }
}
