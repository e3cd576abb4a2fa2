using EnvScore.Domain.Rules;

namespace EnvScore.Domain.Scoring;

/// <summary>
/// The allowed range of a whole-number input: <see cref="Min"/> ≤ n ≤ <see cref="Max"/> (no upper bound when
/// <see cref="Max"/> is null). Units are the item's own (处/户/次 …).
/// </summary>
public readonly record struct CountBounds(int Min, int? Max)
{
    /// <summary>0 ≤ n, unbounded above.</summary>
    public static CountBounds NonNegative { get; } = new(0, null);

    public bool Contains(int n) => n >= Min && (Max is not { } max || n <= max);
}

/// <summary>
/// The one source of every numeric input bound of a rule set: the engine's validator
/// (<see cref="ScoringEngine.Validate"/>), the spreadsheet template writer and reader, and every other
/// input path ask here. Rules (docs/scoring-model.md):
/// <list type="bullet">
/// <item>per-occurrence count (处数): 0 … unbounded — the deduction is floored by the item's points, not the count;</item>
/// <item>sampled failures (不合格数): 0 … the item's sample size;</item>
/// <item>bonus awards (加分次数): 0 … unbounded — the points are capped (per item and in total), not the count
///   (issue #13: B02 = 3 with cap 2 is a valid entry worth 2 points).</item>
/// </list>
/// Levels and pass/fail items have no numeric input (null); nor has an overdueProblems item or clause, whose count
/// comes from the rectification ledger and is not user-enterable (<see cref="IsEntered(Clause)"/>).
/// </summary>
public static class InputBounds
{
    /// <summary>The bound of a scored item's numeric field (Count or FailedSamples); null for levels and pass/fail.</summary>
    public static CountBounds? Of(ScoringItem item) => item switch
    {
        PerOccurrenceItem => CountBounds.NonNegative,
        SampledItem s => new CountBounds(0, s.Samples),
        _ => null,
    };

    /// <summary>
    /// Whether anyone enters the clause's input (form, API, spreadsheet): false for <see cref="OverdueProblemsClause"/>,
    /// whose count the computation takes from the rectification ledger — templates and forms offer no field for it.
    /// </summary>
    public static bool IsEntered(Clause clause) => clause is not OverdueProblemsClause;

    /// <summary>Whether an item has any input to enter: false for an <see cref="OverdueProblemsItem"/> (see <see cref="IsEntered(Clause)"/>).</summary>
    public static bool IsEntered(ScoringItem item) => item.AsClauses.Any(IsEntered);

    /// <summary>The bound of a bonus item's award count.</summary>
    public static CountBounds Of(BonusItem bonus)
    {
        ArgumentNullException.ThrowIfNull(bonus);
        return CountBounds.NonNegative;
    }
}
