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
    /// <summary>Changed only by the transitions below (<see cref="Submit"/>, <see cref="Return"/>, <see cref="LockAtDeadline"/>).</summary>
    public EvaluationStatus Status { get; private set; } = EvaluationStatus.Draft;
    public string? Note { get; set; }
    /// <summary>Sheet-level vetoes (一票否决) reported, by veto code.</summary>
    public List<string> Vetoes { get; set; } = [];
    /// <summary>Why the district returned the sheet; cleared when it is submitted again.</summary>
    public string? ReturnReason { get; private set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public required string UpdatedBy { get; set; }
    public DateTimeOffset? SubmittedAt { get; private set; }
    public string? SubmittedBy { get; private set; }
    public DateTimeOffset? LockedAt { get; private set; }
    /// <summary>PostgreSQL xmin: the ETag. Every write changes it.</summary>
    public uint Version { get; set; }

    public List<EvaluationEntry> Entries { get; set; } = [];
    public List<EvidenceFile> Evidence { get; set; } = [];

    // ---- The sheet's life: the one place that says which state allows what (SheetWriter persists, pages ask SheetActions). ----

    /// <summary>
    /// Why the sheet's content (entries, vetoes, note, photos) cannot be changed by its writers in its state, or null
    /// when it can: Draft and Returned are editable; Submitted waits for the district (退回); Locked is final. The month's
    /// window (opening, deadline) is the calendar's rule, checked beside this one (<see cref="EvaluationService.WindowConflict"/>).
    /// </summary>
    public SheetOutcome.Conflict? EditRefusal() => AllowsEdit(Status) ? null : Status switch
    {
        EvaluationStatus.Submitted => new SheetOutcome.Conflict("该表已提交，只读；如需修改请联系区里退回 (submitted sheets are read-only: ask the district to return it)"),
        _ => new SheetOutcome.Conflict("该表已在截止时锁定，不能修改 (locked at the deadline)"),
    };

    /// <summary>Does a sheet in <paramref name="status"/> take edits from its writers? Draft and Returned do.</summary>
    public static bool AllowsEdit(EvaluationStatus status) => status is EvaluationStatus.Draft or EvaluationStatus.Returned;

    /// <summary>Draft/Returned → Submitted (the caller has validated the sheet as complete). Clears the return reason.</summary>
    /// <exception cref="InvalidOperationException">The sheet is not editable (<see cref="EditRefusal"/>).</exception>
    public void Submit(string by, DateTimeOffset at)
    {
        if (EditRefusal() is { } refused) throw new InvalidOperationException(refused.Message);
        Status = EvaluationStatus.Submitted;
        SubmittedAt = at;
        SubmittedBy = by;
        ReturnReason = null;
    }

    /// <summary>Submitted → Returned with the district's reason; null when done, else why not (409).</summary>
    public SheetOutcome.Conflict? Return(string reason)
    {
        if (Status != EvaluationStatus.Submitted)
            return new SheetOutcome.Conflict($"只能退回已提交的表，当前状态为{EvaluationService.StatusName(Status)} (only a submitted sheet can be returned)");
        Status = EvaluationStatus.Returned;
        ReturnReason = reason.Trim();
        return null;
    }

    /// <summary>The township deadline: Draft/Returned → Locked as it stands (true); a submitted or locked sheet is left alone (false).</summary>
    public bool LockAtDeadline(DateTimeOffset at)
    {
        if (!AllowsEdit(Status)) return false;
        Status = EvaluationStatus.Locked;
        LockedAt = at;
        return true;
    }

    /// <summary>
    /// History as it was recorded elsewhere — the demo months, the benchmark generator and test fixtures that seed a month
    /// long past. Never called by a write path: those use the transitions above.
    /// </summary>
    public Evaluation WithHistory(EvaluationStatus status, DateTimeOffset? submittedAt = null, string? submittedBy = null,
        DateTimeOffset? lockedAt = null, string? returnReason = null)
    {
        Status = status;
        SubmittedAt = submittedAt;
        SubmittedBy = submittedBy;
        LockedAt = lockedAt;
        ReturnReason = returnReason;
        return this;
    }
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
