using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;
using static EnvScore.Domain.Tests.TestData;

namespace EnvScore.Domain.Tests;

public class EntryValidatorTests
{
    private static EntryProblem Single(params ItemEntry[] replaced) => Single(replaced, []);

    private static EntryProblem Single(ItemEntry[] replaced, string[] vetoes)
    {
        var codes = replaced.Select(r => r.ItemCode).ToHashSet();
        var items = DefaultSheetTests.AllGood().Items.Where(e => !codes.Contains(e.ItemCode)).Concat(replaced).ToArray();
        var r = ScoringEngine.Score(DefaultSheet, new SheetEntries(items, vetoes));
        Assert.Null(r.Score);
        var p = Assert.Single(r.Problems);
        Assert.Matches(@"\p{IsCJKUnifiedIdeographs}.* \(.+\)$", p.Message);
        return p;
    }

    private static void Is(EntryProblem p, EntryProblemKind kind, string? item, string field) => Assert.Equal((kind, item, field), (p.Kind, p.ItemCode, p.Field));

    [Fact] public void Unknown_item() => Is(Single(new ItemEntry("L99", Count: 1)), EntryProblemKind.UnknownItem, "L99", "ItemCode");

    [Fact]
    public void Duplicate_item()
    {
        var items = DefaultSheetTests.AllGood().Items.Append(new ItemEntry("L02", Count: 1)).ToArray();
        var p = Assert.Single(ScoringEngine.Validate(DefaultSheet, new SheetEntries(items, [])));
        Is(p, EntryProblemKind.DuplicateItem, "L02", "ItemCode");
    }

    [Fact]
    public void Missing_level_is_required_but_omitted_occurrences_are_not()
    {
        var items = DefaultSheetTests.AllGood().Items.Where(e => e.ItemCode is not ("C05" or "L02" or "C04")).ToArray();
        var p = Assert.Single(ScoringEngine.Validate(DefaultSheet, new SheetEntries(items, [])));
        Is(p, EntryProblemKind.MissingRequired, "C05", "Level");
        Assert.StartsWith("评分项\"积分制评比\"未填写", p.Message);
    }

    [Fact] public void Missing_pass_fail_answer() => Is(Single(new ItemEntry("C01")), EntryProblemKind.MissingRequired, "C01", "Passed");

    [Fact]
    public void Negative_count()
    {
        var p = Single(new ItemEntry("L02", Count: -1));
        Is(p, EntryProblemKind.NegativeNumber, "L02", "Count");
        Assert.Equal("发现处数不能为负数，实际为-1 (count must not be negative)", p.Message);
    }

    [Fact]
    public void Failures_above_samples()
    {
        var p = Single(new ItemEntry("C04", FailedSamples: 6));
        Is(p, EntryProblemKind.TooManyFailures, "C04", "FailedSamples");
        Assert.StartsWith("不合格户数6超过抽查户数5", p.Message);
    }

    [Fact] public void Unknown_level() => Is(Single(new ItemEntry("C05", Level: "E")), EntryProblemKind.UnknownLevel, "C05", "Level");

    [Fact] public void Unknown_condition() => Is(Single(new ItemEntry("L02", ZeroConditions: ["Z1"])), EntryProblemKind.UnknownCondition, "L02", "ZeroConditions");

    [Fact] public void Unknown_veto() => Is(Single([], ["V09"]), EntryProblemKind.UnknownVeto, null, "Vetoes");

    [Fact] public void Duplicate_veto() => Is(Single([], ["V01", "V01"]), EntryProblemKind.DuplicateVeto, null, "Vetoes");

    [Fact]
    public void Not_applicable_where_not_allowed()
    {
        var p = Single(new ItemEntry("L01", NotApplicable: true));
        Is(p, EntryProblemKind.NotApplicableNotAllowed, "L01", "NotApplicable");
        Assert.StartsWith("评分项\"乱搭乱建\"不允许标记为不适用", p.Message);
    }

    [Fact] public void Field_not_allowed_for_the_kind() => Is(Single(new ItemEntry("L02", Level: "A")), EntryProblemKind.FieldNotAllowed, "L02", "Level");

    [Fact]
    public void Field_not_allowed_on_a_not_applicable_item()
    {
        var p = Single(new ItemEntry("Q05", NotApplicable: true, Count: 2));
        Is(p, EntryProblemKind.FieldNotAllowed, "Q05", "Count");
        Assert.Contains("不应填写数量", p.Message); // the field's Chinese name; the JSON name only in the English gloss
        Assert.DoesNotContain("\"Count\"", p.Message);
    }

    [Fact] public void Negative_bonus_count() => Is(Single(new ItemEntry("B01", Count: -2)), EntryProblemKind.NegativeNumber, "B01", "Count");

    [Fact]
    public void Every_problem_is_listed_at_once()
    {
        var items = new[] { new ItemEntry("X1"), new ItemEntry("L02", Count: -1), new ItemEntry("C04", FailedSamples: 9) };
        var problems = ScoringEngine.Validate(DefaultSheet, new SheetEntries(items, ["V7"]));
        Assert.Contains(problems, p => p.Kind == EntryProblemKind.UnknownItem);
        Assert.Contains(problems, p => p.Kind == EntryProblemKind.NegativeNumber);
        Assert.Contains(problems, p => p.Kind == EntryProblemKind.TooManyFailures);
        Assert.Contains(problems, p => p.Kind == EntryProblemKind.UnknownVeto);
        // Every levels and passFail item of the default sheet is missing.
        Assert.Equal(DefaultSheet.Items.Count(i => i is LevelsItem or PassFailItem), problems.Count(p => p.Kind == EntryProblemKind.MissingRequired));
    }
}
