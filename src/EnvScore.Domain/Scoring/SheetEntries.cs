namespace EnvScore.Domain.Scoring;

/// <summary>One village's filled-in sheet: item entries and the codes of the vetoes that apply.</summary>
public sealed record SheetEntries(IReadOnlyList<ItemEntry> Items, IReadOnlyList<string> Vetoes);

/// <summary>
/// One item's entry. Count is used by perOccurrence and bonus items, Level (a level code) by levels,
/// FailedSamples by sampled, Passed by passFail. ZeroConditions lists reported zero-if condition codes.
/// </summary>
public sealed record ItemEntry(string ItemCode, bool NotApplicable = false, int? Count = null, string? Level = null,
    int? FailedSamples = null, bool? Passed = null, IReadOnlyList<string>? ZeroConditions = null, string? Note = null);

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
}

/// <summary>A problem with a sheet's entries: item code and field when known, Chinese message with English gloss.</summary>
public sealed record EntryProblem(EntryProblemKind Kind, string? ItemCode, string? Field, string Message)
{
    public override string ToString() => $"{ItemCode ?? "-"}.{Field ?? "-"}: {Message}";
}
