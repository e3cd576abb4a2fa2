using CsCheck;
using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;
using static EnvScore.Domain.Tests.TestData;

namespace EnvScore.Domain.Tests;

/// <summary>
/// The general item model (clauses) scores every sheet written in the old format exactly as the old model did:
/// item by item (deduction, score, explanation word for word) against the frozen old code, on the default sheet and
/// on generated rule sets of the four old kinds; and an old item rewritten as an item with one clause scores the same.
/// </summary>
public class BackwardCompatibilityTests
{
    /// <summary>A random old-format item (any of the four kinds, caps, zero-if, N/A) and a random valid entry for it.</summary>
    private static readonly Gen<(ScoringItem Item, ItemEntry Entry)> GenItemAndEntry =
        Gen.Select(Gen.Int[0, 3], Gen.Int[1, 40], Gen.Int[1, 40], Gen.Int[0, 30], Gen.Int[0, 9], Gen.Int[1, 6], Gen.Bool)
            .Select((kind, pointsTenths, eachTenths, value, mode, samples, flag) =>
            {
                var points = pointsTenths * 0.5m;
                var each = Math.Min(points, eachTenths * 0.25m);
                ScoringItem item = kind switch
                {
                    0 => new PerOccurrenceItem { Code = "X", Title = "乱堆乱放", Points = points, DeductionEach = each, Unit = "处", MaxDeduction = flag ? Math.Min(points, each * 2) : null },
                    1 => new SampledItem { Code = "X", Title = "户厕", Points = points, Samples = samples, DeductionEach = each, Unit = "户" },
                    2 => new LevelsItem { Code = "X", Title = "积分制", Points = points, Levels = [new("A", "好", 0), new("B", "中", each), new("C", "差", points)] },
                    _ => new PassFailItem { Code = "X", Title = "保洁员", Points = points, FailDeduction = flag ? each : null },
                };
                item = item with { ZeroIf = mode == 0 ? [new NamedCondition("Z1", "焚烧")] : [], MayBeNotApplicable = mode == 1 };
                ItemEntry entry = mode switch
                {
                    0 => new("X", ZeroConditions: ["Z1"]),
                    1 => new("X", NotApplicable: true),
                    _ => item switch
                    {
                        PerOccurrenceItem => new("X", Count: value),
                        SampledItem s => new("X", FailedSamples: value % (s.Samples + 1)),
                        LevelsItem l => new("X", Level: l.Levels[value % 3].Code),
                        _ => new("X", Passed: value % 2 == 0),
                    },
                };
                return (item, entry);
            });

    private static readonly PerOccurrenceItem Filler = new() { Code = "F", Title = "其他", Points = 1, DeductionEach = 1, Unit = "处" };

    [Fact]
    public void Every_old_item_scores_and_reads_exactly_as_before() =>
        GenItemAndEntry.Sample(x =>
        {
            var before = LegacyItemScoring.ScoreItem(x.Item, "S", x.Entry);
            // A second item keeps the sheet scorable when the generated one is N/A.
            var after = ScoreOk(Sheet(x.Item, Filler), Entries(x.Entry)).Items[0];
            Assert.Equal((before.Deduction, before.Score, before.NotApplicable, before.Explanation),
                (after.Deduction, after.Score, after.NotApplicable, after.Explanation));
        }, iter: 5000);

    [Fact]
    public void The_default_sheet_scores_item_by_item_as_before()
    {
        var rules = DefaultSheet;
        var items = rules.Items.ToArray();
        Gen.Int[0, 12].Array[items.Length].Sample(values =>
        {
            var entries = items.Select((item, i) => item switch
            {
                PerOccurrenceItem => new ItemEntry(item.Code, Count: values[i]),
                SampledItem s => new ItemEntry(item.Code, FailedSamples: values[i] % (s.Samples + 1)),
                LevelsItem l => new ItemEntry(item.Code, Level: l.Levels[values[i] % l.Levels.Count].Code),
                _ => new ItemEntry(item.Code, Passed: values[i] % 2 == 0),
            }).ToArray();
            var score = ScoreOk(rules, Entries(entries));
            var section = rules.Sections.SelectMany(s => s.Items.Select(i => (i.Code, s.Code))).ToDictionary();
            foreach (var (item, result) in items.Zip(score.Items))
            {
                var before = LegacyItemScoring.ScoreItem(item, section[item.Code], entries.Single(e => e.ItemCode == item.Code));
                Assert.Equal((before.Deduction, before.Score, before.Explanation), (result.Deduction, result.Score, result.Explanation));
            }
        }, iter: 500);
    }

    [Fact]
    public void An_old_item_rewritten_with_one_clause_scores_the_same() =>
        GenItemAndEntry.Sample(x =>
        {
            if (x.Entry.NotApplicable || x.Entry.ZeroConditions is { Count: > 0 }) return;
            var clause = x.Item.AsClauses.Single() with { Code = "a" };
            var general = new ClauseItem { Code = "X", Title = x.Item.Title, Points = x.Item.Points, Clauses = [clause] };
            var input = x.Item switch
            {
                PerOccurrenceItem => new ClauseInput(Count: x.Entry.Count),
                SampledItem => new ClauseInput(Count: x.Entry.FailedSamples),
                LevelsItem => new ClauseInput(Level: x.Entry.Level),
                _ => new ClauseInput(Yes: x.Entry.Passed),
            };
            var old = ScoreOk(Sheet(x.Item), Entries(x.Entry)).Items.Single();
            var now = ScoreOk(Sheet(general), Entries(new ItemEntry("X", Clauses: new Dictionary<string, ClauseInput> { ["a"] = input }))).Items.Single();
            Assert.Equal((old.Deduction, old.Score), (now.Deduction, now.Score));
        }, iter: 3000);
}
