namespace EnvScore.Domain.Rules;

/// <summary>What is wrong with a rule-set file. One kind per rule in docs/scoring-model.md.</summary>
public enum RuleSetProblemKind
{
    FileNotFound,
    YamlSyntax,
    DuplicateKey,
    UnknownField,
    MissingField,
    WrongType,
    UnknownKind,
    NegativeNumber,
    NotPositive,
    TooManyDecimals,
    DuplicateCode,
    SectionsDoNotAddUp,
    ItemsDoNotAddUp,
    DeductionExceedsPoints,
    NoZeroDeductionLevel,
    TooFewLevels,
    EmptyList,
    ThresholdsOutOfOrder,
    ThresholdOutOfRange,
    PercentOutOfRange,
    QuotasOverlap,
    WeightOutOfRange,
    WeightsDoNotSumToOne,
    MalformedMonth,
    InvalidValue,
    /// <summary>A rate threshold outside 0–100 %.</summary>
    RateOutOfRange,
    /// <summary>A section with both items and sub-sections, or an item with both a kind and clauses.</summary>
    MixedShape,
    /// <summary>Anchors/aliases, too deep or too many nodes: refused before any work (YamlTree).</summary>
    YamlLimitExceeded,
}

/// <summary>
/// One problem in a rule-set file, located by file name and 1-based line/column (YamlDotNet marks)
/// and, when known, the code of the item it concerns. The message is Chinese with an English gloss.
/// </summary>
public sealed record RuleSetProblem(RuleSetProblemKind Kind, string Message, string? File, int Line, int Column, string? ItemCode)
{
    public override string ToString() =>
        $"{File ?? "<text>"}:{Line}:{Column}{(ItemCode is null ? "" : $" [{ItemCode}]")} {Message}";
}

/// <summary>Either a rule set (no problems) or every problem found; never both.</summary>
public sealed record RuleSetParseResult(RuleSet? RuleSet, IReadOnlyList<RuleSetProblem> Problems)
{
    public bool Succeeded => RuleSet is not null;
}
