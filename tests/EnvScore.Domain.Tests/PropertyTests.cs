using CsCheck;
using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;
using static EnvScore.Domain.Tests.TestData;

namespace EnvScore.Domain.Tests;

public class PropertyTests
{
    private static readonly RuleSet Rules = DefaultSheet;
    private static readonly CompiledRuleSet Compiled = new(Rules);
    private static readonly ScoringItem[] Items = Rules.Items.ToArray();

    /// <summary>Random valid entries for the default sheet.</summary>
    private static readonly Gen<SheetEntries> GenEntries =
        Gen.Select(Gen.Int[0, 12].Array[Items.Length], Gen.Int[0, 9].Array[Items.Length], Gen.Int[0, 4].Array[Rules.Bonus.Items.Count], Gen.Int[0, 7])
            .Select((values, modes, bonus, veto) =>
            {
                var entries = new List<ItemEntry>();
                for (var i = 0; i < Items.Length; i++)
                {
                    var item = Items[i];
                    var mode = modes[i]; // 0: zero-if when possible, 1: N/A when allowed, else a value
                    if (mode == 0 && item.ZeroIf.Count > 0) { entries.Add(new(item.Code, ZeroConditions: [item.ZeroIf[0].Code])); continue; }
                    if (mode == 1 && item.MayBeNotApplicable) { entries.Add(new(item.Code, NotApplicable: true)); continue; }
                    entries.Add(item switch
                    {
                        PerOccurrenceItem => new(item.Code, Count: values[i]),
                        SampledItem s => new(item.Code, FailedSamples: values[i] % (s.Samples + 1)),
                        LevelsItem l => new(item.Code, Level: l.Levels[values[i] % l.Levels.Count].Code),
                        _ => new(item.Code, Passed: values[i] % 2 == 0),
                    });
                }
                for (var b = 0; b < bonus.Length; b++) entries.Add(new(Rules.Bonus.Items[b].Code, Count: bonus[b]));
                return new SheetEntries(entries, veto < Rules.Vetoes.Count ? [Rules.Vetoes[veto].Code] : []);
            });

    [Fact]
    public void Score_is_within_zero_and_total_plus_bonus_cap() =>
        GenEntries.Sample(e =>
        {
            var s = ScoreOk(Rules, e);
            return s.Total >= 0 && s.Total <= Rules.TotalPoints + Rules.Bonus.TotalCap && s.BaseScore <= Rules.TotalPoints;
        }, iter: 2000);

    [Fact]
    public void Normalisation_never_exceeds_the_total_and_is_exact_without_na() =>
        GenEntries.Sample(e =>
        {
            var s = ScoreOk(Rules, e);
            var anyNa = e.Items.Any(i => i.NotApplicable);
            return s.BaseScore <= Rules.TotalPoints && (anyNa || (s.BaseScore == s.RawScore && s.NormalisationFactor == 1));
        }, iter: 2000);

    [Fact]
    public void More_occurrences_never_raise_the_score() =>
        Gen.Select(GenEntries, Gen.Int[0, Items.Length - 1], Gen.Int[1, 5]).Sample((e, i, extra) =>
        {
            var item = Items[i];
            var entry = e.Items.Single(x => x.ItemCode == item.Code);
            ItemEntry? worse = item switch
            {
                PerOccurrenceItem when entry.Count is { } c => entry with { Count = c + extra },
                SampledItem s when entry.FailedSamples is { } f => entry with { FailedSamples = Math.Min(s.Samples, f + extra) },
                _ => null,
            };
            if (worse is null) return true;
            var after = e with { Items = e.Items.Select(x => x.ItemCode == item.Code ? worse : x).ToArray() };
            return ScoreOk(Rules, after).Total <= ScoreOk(Rules, e).Total;
        }, iter: 2000);

    [Fact]
    public void A_veto_always_yields_rectify() =>
        GenEntries.Sample(e =>
        {
            var vetoed = e with { Vetoes = [Rules.Vetoes[0].Code] };
            var s = ScoreOk(Rules, vetoed);
            var village = Organisation.DivisionCode.Parse("410201001001");
            var outcome = TierAssigner.Assign([new TierCandidate(village, village.TownshipCode!.Value, s.Total, s.Vetoed, s.SectionDeductions)], Rules.Tiers, Rules.MissingSheet);
            return s.Vetoed && Rules.Tiers.Classify(s.Total, s.Vetoed) == Tier.Rectify && outcome[0].Tier == Tier.Rectify;
        }, iter: 1000);

    [Fact]
    public void Compiled_path_gives_the_same_figures_bit_for_bit() =>
        GenEntries.Sample(e =>
        {
            var s = ScoreOk(Rules, e);
            var sections = new long[Compiled.SectionCount];
            var t = Compiled.Evaluate(Compiled.Encode(e), s.Vetoed, sections);
            Assert.Equal((s.Total, s.BaseScore, s.RawScore, s.ApplicableMax, s.BonusApplied, s.Vetoed),
                (t.Total, t.BaseScore, t.RawScore, t.ApplicableMax, t.BonusApplied, t.Vetoed));
            Assert.Equal(s.SectionDeductions, sections.Select(h => h / 100m));
            Assert.Equal(decimal.GetBits(s.Total), decimal.GetBits(t.Total));
            Assert.Equal(decimal.GetBits(s.BaseScore), decimal.GetBits(t.BaseScore));
        }, iter: 2000);

    [Fact]
    public void Scoring_is_deterministic() =>
        GenEntries.Sample(e => ScoreOk(Rules, e) is var a && ScoreOk(Rules, e) is var b
            && a.Total == b.Total && a.Items.Select(i => i.Explanation).SequenceEqual(b.Items.Select(i => i.Explanation)), iter: 300);

    [Fact]
    public void Ranks_are_a_permutation_and_tiers_follow_rank_order() =>
        Gen.Select(Gen.Int[0, 10000].Array[1, 60], Gen.Int[0, 9].Array[60]).Sample((scores, flags) =>
        {
            var cs = scores.Select((s, i) =>
            {
                var code = Organisation.DivisionCode.Parse($"410201{1 + i % 3:D3}{1 + i:D3}");
                return new TierCandidate(code, code.TownshipCode!.Value, s / 100m, flags[i] == 0, [flags[i]], flags[i] == 1);
            }).ToArray();
            var outcome = TierAssigner.Assign(cs, Rules.Tiers, Rules.MissingSheet);
            var ranksOk = outcome.Select(o => o.DistrictRank).SequenceEqual(Enumerable.Range(1, cs.Length));
            var monotone = outcome.Zip(outcome.Skip(1)).All(p => p.First.Tier <= p.Second.Tier);
            var quotaOk = outcome.Count(o => o.Tier == Tier.Demonstration) <= Math.Floor(cs.Length * 0.2m)
                && outcome.Count(o => o.Tier == Tier.Rectify) >= Math.Ceiling(cs.Length * 0.1m);
            var penalisedOk = outcome.Where(o => cs.Single(c => c.VillageCode == o.VillageCode) is { } c && (c.Vetoed || c.MissingSheet)).All(o => o.Tier == Tier.Rectify);
            return ranksOk && monotone && quotaOk && penalisedOk;
        }, iter: 300);
}
