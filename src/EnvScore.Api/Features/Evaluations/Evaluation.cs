namespace EnvScore.Api.Features.Evaluations;

/// <summary>Self: the township's self-evaluation (自评). District: an inspector's spot-check (区级抽查).</summary>
public enum EvaluationKind
{
    Self,
    District,
}

/// <summary>Draft → Submitted → (Returned → Submitted) → Locked.</summary>
public enum EvaluationStatus
{
    Draft,
    Submitted,
    /// <summary>Sent back by the district with a reason; editable again until the deadline.</summary>
    Returned,
    /// <summary>Frozen at the deadline (drafts are locked as they stand).</summary>
    Locked,
}

/// <summary>One village's sheet for one month and kind, bound to the rule set in force for the month.</summary>
public class Evaluation
{
    public int Id { get; set; }
    public int VillageId { get; set; }
    /// <summary>Denormalised from the village so that township scoping is a plain predicate in every query.</summary>
    public int TownshipId { get; set; }
    public int DistrictId { get; set; }
    /// <summary>yyyymm.</summary>
    public int Month { get; set; }
    public EvaluationKind Kind { get; set; }
    public int RuleSetId { get; set; }
    public EvaluationStatus Status { get; set; }
    public string? Note { get; set; }
    /// <summary>Sheet-level vetoes (一票否决) reported, by veto code.</summary>
    public List<string> Vetoes { get; set; } = [];
    public string? ReturnReason { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public required string UpdatedBy { get; set; }
    public DateTimeOffset? SubmittedAt { get; set; }
    public string? SubmittedBy { get; set; }
    public DateTimeOffset? LockedAt { get; set; }
    /// <summary>PostgreSQL xmin: the ETag. Every write changes it.</summary>
    public uint Version { get; set; }

    public List<EvaluationEntry> Entries { get; set; } = [];
    public List<EvidenceFile> Evidence { get; set; } = [];
}

/// <summary>One item's entry, holding what the item's kind needs (see ItemEntry in the domain).</summary>
public class EvaluationEntry
{
    public int Id { get; set; }
    public int EvaluationId { get; set; }
    public required string ItemCode { get; set; }
    public bool NotApplicable { get; set; }
    public int? Count { get; set; }
    public string? Level { get; set; }
    public int? FailedSamples { get; set; }
    public bool? Passed { get; set; }
    public List<string> ZeroConditions { get; set; } = [];
    public string? Note { get; set; }
    /// <summary>The inputs of an item with clauses (细则), one per clause code; empty for the single-input kinds. Stored as jsonb.</summary>
    public List<ClauseValue> Clauses { get; set; } = [];
}

/// <summary>
/// One clause's input, by its code (the shape of <see cref="Domain.Scoring.ClauseInput"/>): Count (perOccurrence,
/// sampled failures, addPerUnit), Level (levels), Yes (passFail: passed; deductIf/addIf: the condition occurred),
/// Percent 0–100 or Numerator and Denominator (rate). JSON: {"code":"a","yes":true}.
/// </summary>
public class ClauseValue
{
    public string Code { get; set; } = "";
    public int? Count { get; set; }
    public string? Level { get; set; }
    public bool? Yes { get; set; }
    public decimal? Percent { get; set; }
    public decimal? Numerator { get; set; }
    public decimal? Denominator { get; set; }

    public Domain.Scoring.ClauseInput ToInput() => new(Count, Level, Yes, Percent, Numerator, Denominator);
}

/// <summary>A photo attached to a sheet or one of its items, kept in the database (durable, transactional).</summary>
public class EvidenceFile
{
    public int Id { get; set; }
    public int EvaluationId { get; set; }
    public string? ItemCode { get; set; }
    public required string FileName { get; set; }
    public required string ContentType { get; set; }
    public long Size { get; set; }
    public required string Sha256 { get; set; }
    public DateTimeOffset UploadedAt { get; set; }
    public required string UploadedBy { get; set; }
    /// <summary>The bytes live in their own table so that listing evidence never loads them.</summary>
    public EvidenceContent? Content { get; set; }
}

public class EvidenceContent
{
    public int EvidenceFileId { get; set; }
    public required byte[] Bytes { get; set; }
}

/// <summary>A village with no submitted self-evaluation at the township deadline (recorded by the deadline job).</summary>
public class MissingSubmission
{
    public int Id { get; set; }
    public int VillageId { get; set; }
    public int TownshipId { get; set; }
    public int DistrictId { get; set; }
    public int Month { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
}
