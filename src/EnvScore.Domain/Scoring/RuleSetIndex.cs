using System.Runtime.CompilerServices;
using EnvScore.Domain.Rules;

namespace EnvScore.Domain.Scoring;

/// <summary>
/// Lookups of a rule set and the item results that do not depend on the sheet (nothing found, passed, a level,
/// not applicable), built once per <see cref="RuleSet"/> instance and shared: a rule set is immutable, and a
/// month's computation scores hundreds of thousands of sheets against the same one (docs/performance.md).
/// The cached results are made by the same code that scores a sheet, so they are identical to uncached ones.
/// </summary>
internal sealed class RuleSetIndex
{
    private static readonly ConditionalWeakTable<RuleSet, RuleSetIndex> Cache = new();

    public static RuleSetIndex For(RuleSet rules) => Cache.GetValue(rules, r => new RuleSetIndex(r));

    public ScoringItem[] Items { get; }
    public Dictionary<string, ScoringItem> ItemsByCode { get; }
    public Dictionary<string, BonusItem> BonusesByCode { get; }
    public HashSet<string> VetoCodes { get; }
    /// <summary>Per item code: the result when nothing was found (perOccurrence, no overdue problems), every sample passed (sampled) or it passed (passFail).</summary>
    public Dictionary<string, ItemResult> FullMarks { get; } = new(StringComparer.Ordinal);
    /// <summary>Per item code: the result when it is not applicable.</summary>
    public Dictionary<string, ItemResult> NotApplicable { get; } = new(StringComparer.Ordinal);
    /// <summary>Per (levels item code, level code): the result of that level.</summary>
    public Dictionary<(string Item, string Level), ItemResult> Levels { get; } = new();

    private RuleSetIndex(RuleSet rules)
    {
        Items = [.. rules.Items];
        ItemsByCode = Items.ToDictionary(i => i.Code, StringComparer.Ordinal);
        BonusesByCode = rules.Bonus.Items.ToDictionary(b => b.Code, StringComparer.Ordinal);
        VetoCodes = rules.Vetoes.Select(v => v.Code).ToHashSet(StringComparer.Ordinal);
        foreach (var (section, _, _) in rules.AllSections)
            foreach (var item in section.Items)
            {
                NotApplicable[item.Code] = ScoringEngine.ScoreItem(item, section.Code, new ItemEntry(item.Code, NotApplicable: true));
                switch (item)
                {
                    case PerOccurrenceItem or SampledItem or OverdueProblemsItem: FullMarks[item.Code] = ScoringEngine.ScoreItem(item, section.Code, null); break;
                    case PassFailItem: FullMarks[item.Code] = ScoringEngine.ScoreItem(item, section.Code, new ItemEntry(item.Code, Passed: true)); break;
                    case LevelsItem l:
                        foreach (var level in l.Levels)
                            Levels[(item.Code, level.Code)] = ScoringEngine.ScoreItem(item, section.Code, new ItemEntry(item.Code, Level: level.Code));
                        break;
                }
            }
    }
}
