using EnvScore.Domain.Rules;

namespace EnvScore.Domain.Scoring;

/// <summary>The outcome of one scoring item.</summary>
/// <param name="Max">The item's full points (counted in the applicable maximum unless N/A).</param>
/// <param name="ZeroedBy">The reported zero-if conditions, in rule order; empty if none.</param>
/// <param name="Explanation">One line a secretary understands, e.g. 乱堆乱放：发现3处，每处扣1分，扣3分（得2/5分）.</param>
public sealed record ItemResult(string Code, string Title, string SectionCode, ItemKind Kind, decimal Max, decimal Deduction,
    decimal Score, bool NotApplicable, IReadOnlyList<NamedCondition> ZeroedBy, string Explanation);

/// <summary>The outcome of one bonus item, after its own cap (the sheet's total cap is applied on the sheet).</summary>
public sealed record BonusResult(string Code, string Title, int Awards, decimal Points, string Explanation);

/// <summary>Raw (not normalised) subtotals of a section.</summary>
public sealed record SectionResult(string Code, string Title, decimal Max, decimal ApplicableMax, decimal Deduction, decimal Score);

/// <summary>A scored sheet. All figures are exact except <see cref="BaseScore"/> when normalised (rounded once).</summary>
/// <param name="Total">BaseScore + BonusApplied; a veto does not change it, only the tier.</param>
/// <param name="RawScore">Sum of applicable item scores.</param>
/// <param name="ApplicableMax">Sum of applicable items' points.</param>
/// <param name="BaseScore">RawScore × TotalPoints / ApplicableMax, rounded to 2 decimals (= RawScore when nothing is N/A).</param>
/// <param name="NormalisationFactor">TotalPoints / ApplicableMax, for display only (rounded to 6 decimals); 1 when nothing is N/A.</param>
public sealed record SheetScore(decimal Total, decimal BaseScore, decimal RawScore, decimal ApplicableMax, decimal NormalisationFactor,
    decimal BonusRequested, decimal BonusApplied, IReadOnlyList<SectionResult> Sections, IReadOnlyList<ItemResult> Items,
    IReadOnlyList<BonusResult> Bonuses, IReadOnlyList<VetoRule> Vetoes, IReadOnlyList<string> Summary)
{
    public bool Vetoed => Vetoes.Count > 0;

    /// <summary>Section deductions in sheet order: the tie-break keys for <see cref="TierCandidate"/>.</summary>
    public IReadOnlyList<decimal> SectionDeductions => Sections.Select(s => s.Deduction).ToArray();
}

/// <summary>Either a score (no problems) or every problem with the entries.</summary>
public sealed record SheetScoreResult(SheetScore? Score, IReadOnlyList<EntryProblem> Problems)
{
    public bool Succeeded => Score is not null;
}
