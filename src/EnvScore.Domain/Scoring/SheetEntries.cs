namespace EnvScore.Domain.Scoring;

/// <summary>One village's filled-in sheet: item entries and the codes of the vetoes that apply.</summary>
public sealed record SheetEntries(IReadOnlyList<ItemEntry> Items, IReadOnlyList<string> Vetoes)
{
    /// <summary>
    /// The village's problems overdue and still not rectified at the end of the sheet's month (逾期未整改问题, ≥ 0), from
    /// the rectification ledger — never entered by anyone: the input of every <see cref="Rules.OverdueProblemsClause"/>
    /// (and <see cref="Rules.OverdueProblemsItem"/>). The computation, the what-if and the sheet preview set it
    /// (EnvScore.Api's OverdueProblemCount); 0 by default.
    /// </summary>
    public int OverdueProblems { get; init; }
}

/// <summary>
/// One item's entry. Count is used by perOccurrence and bonus items, Level (a level code) by levels,
/// FailedSamples by sampled, Passed by passFail. ZeroConditions lists reported zero-if condition codes.
/// An item with clauses (<see cref="Rules.ClauseItem"/>) takes its inputs in <see cref="Clauses"/>, by clause code.
/// </summary>
public sealed record ItemEntry(string ItemCode, bool NotApplicable = false, int? Count = null, string? Level = null,
    int? FailedSamples = null, bool? Passed = null, IReadOnlyList<string>? ZeroConditions = null, string? Note = null,
    IReadOnlyDictionary<string, ClauseInput>? Clauses = null);

/// <summary>
/// One clause's input (exactly the fields its kind takes): <see cref="Count"/> for perOccurrence, sampled (failed
/// samples) and addPerUnit; <see cref="Level"/> (a level code) for levels; <see cref="Yes"/> for passFail (passed),
/// deductIf and addIf (the condition occurred); <see cref="Percent"/> (0–100) or <see cref="Numerator"/> and
/// <see cref="Denominator"/> for rate.
/// </summary>
public sealed record ClauseInput(int? Count = null, string? Level = null, bool? Yes = null, decimal? Percent = null,
    decimal? Numerator = null, decimal? Denominator = null);

public enum EntryProblemKind
{
    UnknownItem,
    DuplicateItem,
    MissingRequired,
    NegativeNumber,
    TooManyFailures,
    UnknownLevel,
    UnknownCondition,
    UnknownVeto,
    DuplicateVeto,
    NotApplicableNotAllowed,
    FieldNotAllowed,
    NothingApplicable,
    /// <summary>A clause code the item does not have.</summary>
    UnknownClause,
    /// <summary>A percentage outside 0–100, a numerator above its denominator, a denominator of 0.</summary>
    OutOfRange,
}

/// <summary>A problem with a sheet's entries: item code and field when known, Chinese message with English gloss.</summary>
public sealed record EntryProblem(EntryProblemKind Kind, string? ItemCode, string? Field, string Message)
{
    public override string ToString() => $"{ItemCode ?? "-"}.{Field ?? "-"}: {Message}";
}
