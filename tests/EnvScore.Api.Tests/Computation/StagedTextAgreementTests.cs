using EnvScore.Api.Features.Computation;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;

namespace EnvScore.Api.Tests.Computation;

/// <summary>
/// Staging writes the explanation and the findings JSON from the listed score (<see cref="ListedScoring"/>) since
/// issue #20; both must be, character for character, what they were from the engine's full score
/// (<see cref="ScoringEngine.Score"/>) — the stored text and jsonb do not change. Sheets of the shipped default sheet
/// (the demo's), generated as villages fill them in: most items full marks, some losses, N/A, zeroed items, bonuses,
/// vetoes, both kinds of sheet. The domain's ListedScoringAgreementTests pin every other figure for every rule set.
/// </summary>
public class StagedTextAgreementTests
{
    [Fact]
    public void Explanation_and_findings_are_the_same_text_as_from_the_engine()
    {
        var rules = RuleSetLoader.Parse(DefaultRuleSet.Yaml, DefaultRuleSet.FileName).RuleSet!;
        var random = new Random(2026_11_30);
        var items = rules.Items.ToArray();
        int quick = 0, withFindings = 0;
        for (var n = 0; n < 2000; n++)
        {
            var entries = new List<ItemEntry>();
            foreach (var item in items)
            {
                var roll = random.Next(100);
                if (roll < 6 && item.MayBeNotApplicable) { entries.Add(new(item.Code, NotApplicable: true)); continue; }
                if (roll < 10 && item.ZeroIf.Count > 0) { entries.Add(new(item.Code, ZeroConditions: [item.ZeroIf[0].Code])); continue; }
                var lossy = roll >= 75;
                entries.Add(item switch
                {
                    PerOccurrenceItem => new(item.Code, Count: lossy ? random.Next(1, 8) : 0),
                    SampledItem s => new(item.Code, FailedSamples: lossy ? random.Next(1, s.Samples + 1) : 0),
                    LevelsItem l => new(item.Code, Level: l.Levels[lossy ? random.Next(l.Levels.Count) : 0].Code),
                    PassFailItem => new(item.Code, Passed: !lossy),
                    _ => new(item.Code),
                });
            }
            foreach (var b in rules.Bonus.Items)
                if (random.Next(5) == 0) entries.Add(new(b.Code, Count: random.Next(1, 4)));
            var sheet = new SheetEntries(entries, random.Next(15) == 0 ? [rules.Vetoes[0].Code] : []);
            var district = n % 3 == 0;

            var engine = ScoringEngine.Score(rules, sheet).Score!;
            var listed = ListedScoring.Score(rules, sheet).Score!;
            Assert.Equal(SheetStaging.Explain(district, engine), SheetStaging.Explain(district, listed));
            Assert.Equal(SheetStaging.FindingsJson(engine), SheetStaging.FindingsJson(listed));
            Assert.Equal(engine.Total, listed.Total);
            Assert.Equal(engine.Vetoes.Select(v => v.Code), listed.Vetoes.Select(v => v.Code));
            Assert.Equal(engine.Sections.Select(s => (s.Deduction, s.ApplicableMax, s.Score)), listed.Sections.Select(s => (s.Deduction, s.ApplicableMax, s.Score)));
            if (ListedScoring.TryScoreQuick(rules, sheet) is not null) quick++;
            if (engine.Findings.Count > 0) withFindings++;
        }
        Assert.Equal(2000, quick);
        Assert.True(withFindings > 1000, $"only {withFindings} sheets with findings");
    }

    [Fact]
    public void A_sheet_with_every_item_at_full_marks_reads_as_before()
    {
        var rules = RuleSetLoader.Parse(DefaultRuleSet.Yaml, DefaultRuleSet.FileName).RuleSet!;
        var entries = new SheetEntries(rules.Items.Select(i => i switch
        {
            LevelsItem l => new ItemEntry(i.Code, Level: l.Levels[0].Code),
            PassFailItem => new ItemEntry(i.Code, Passed: true),
            _ => new ItemEntry(i.Code),
        }).ToArray(), []);
        var listed = ListedScoring.Score(rules, entries).Score!;
        var text = SheetStaging.Explain(false, listed);
        // Hand-written: the header, one line counting every item, the summary of a perfect sheet.
        Assert.StartsWith($"【自评】\n全部{rules.Items.Count()}项未扣分（均得满分）\n", text);
        Assert.EndsWith($"总得分：{rules.TotalPoints:0.##}分", text);
        Assert.Equal("[]", SheetStaging.FindingsJson(listed));
        Assert.Empty(listed.ListedItems);
    }
}
