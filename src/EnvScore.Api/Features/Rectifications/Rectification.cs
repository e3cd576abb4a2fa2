namespace EnvScore.Api.Features.Rectifications;

/// <summary>
/// The states of a problem (整改闭环): 待整改 (Open) → 已整改待复核 (AwaitingReview) → 已销号 (Closed); a rejected
/// review (复核未通过) puts it back to Open. "Overdue" is not a state: it is Open past the deadline
/// (<see cref="RectificationRules.IsOverdue"/>).
/// </summary>
public enum RectificationState
{
    /// <summary>待整改: found, waiting for the township's fix (also after a rejected review).</summary>
    Open,
    /// <summary>已整改待复核: the township reported the fix with after-photos; a district inspector checks it.</summary>
    AwaitingReview,
    /// <summary>已销号: verified and closed by a district inspector; read-only for everybody.</summary>
    Closed,
}

/// <summary>Where a problem came from.</summary>
public enum RectificationSource
{
    /// <summary>A deduction of a district spot-check (区级抽查), created by the monthly computation.</summary>
    DistrictCheck,
    /// <summary>A deduction of a self-evaluation (乡镇自评), when the rule set asks for it.</summary>
    SelfEvaluation,
    /// <summary>An inspector's round outside the monthly sheet (日常巡查).</summary>
    Round,
}

public enum RectificationPhotoKind
{
    /// <summary>整改前: taken when the problem was found.</summary>
    Before,
    /// <summary>整改后: taken by the township when the fix is reported.</summary>
    After,
}

/// <summary>
/// One problem to fix (整改问题): a village, an item of the rule set in force, what was found and where, the source,
/// a deadline (a calendar day in Asia/Shanghai, inclusive) and its state. Township and district are denormalised from
/// the village so that scoping is a plain predicate. The row version (PostgreSQL xmin) is the ETag; every transition
/// and every photo changes it.
/// </summary>
public class Rectification
{
    public int Id { get; set; }
    public int VillageId { get; set; }
    public int TownshipId { get; set; }
    public int DistrictId { get; set; }
    /// <summary>yyyymm: the month the problem belongs to (the evaluation month, or the month of a round in Asia/Shanghai).</summary>
    public int Month { get; set; }
    public int RuleSetId { get; set; }
    public required string ItemCode { get; set; }
    public required string ItemTitle { get; set; }
    /// <summary>The clause (细则) when the problem came from a sheet's clause; null otherwise.</summary>
    public string? ClauseCode { get; set; }
    /// <summary>The count entered on the sheet (occurrences, failures), when the problem came from a sheet.</summary>
    public int? Count { get; set; }
    /// <summary>Points the sheet deducted for this item (positive), when the problem came from a sheet.</summary>
    public decimal? Points { get; set; }
    public required string Description { get; set; }
    public string? Location { get; set; }
    public RectificationSource Source { get; set; }
    /// <summary>The sheet the problem came from (null for a round).</summary>
    public int? EvaluationId { get; set; }
    public RectificationState State { get; set; }
    public DateTimeOffset FoundAt { get; set; }
    public required string FoundBy { get; set; }
    /// <summary>The last day (Asia/Shanghai) by which the fix must be reported; overdue from the next day while open.</summary>
    public DateOnly Deadline { get; set; }
    public DateTimeOffset? FixedAt { get; set; }
    public string? FixedBy { get; set; }
    public string? FixNote { get; set; }
    public DateTimeOffset? ReviewedAt { get; set; }
    public string? ReviewedBy { get; set; }
    /// <summary>The inspector's note on closing, or the reason of the last rejection.</summary>
    public string? ReviewNote { get; set; }
    /// <summary>How many reviews failed (复核未通过).</summary>
    public int RejectCount { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public string? ClosedBy { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>PostgreSQL xmin: the ETag.</summary>
    public uint Version { get; set; }

    public List<RectificationPhoto> Photos { get; set; } = [];
}

/// <summary>A before or after photo, checked by content (JPEG/PNG) like sheet evidence; the bytes live in their own table.</summary>
public class RectificationPhoto
{
    public int Id { get; set; }
    public int RectificationId { get; set; }
    public RectificationPhotoKind Kind { get; set; }
    public required string FileName { get; set; }
    public required string ContentType { get; set; }
    public long Size { get; set; }
    /// <summary>SHA-256 of the bytes (lower-case hex): the same content is the same photo, whatever its name.</summary>
    public required string Sha256 { get; set; }
    /// <summary>
    /// For an after-photo: the fix (整改上报) it belongs to — 1 for the first, n + 1 after n rejections (复核未通过),
    /// i.e. the problem's <see cref="Rectification.RejectCount"/> + 1 when it was uploaded. Null for a before-photo. The
    /// history (<see cref="RectificationHistory"/>) shows each fix with exactly its round's photos, and only the current
    /// round's after-photos count for 报告整改 (<see cref="RectificationRules.IsCurrent"/>).
    /// </summary>
    public int? FixRound { get; set; }
    /// <summary>When the photo was taken: EXIF DateTimeOriginal (Asia/Shanghai) when present, else the client's field; null if neither.</summary>
    public DateTimeOffset? CapturedAt { get; set; }
    public DateTimeOffset UploadedAt { get; set; }
    public required string UploadedBy { get; set; }
    public RectificationPhotoContent? Content { get; set; }
}

public class RectificationPhotoContent
{
    public int RectificationPhotoId { get; set; }
    public required byte[] Bytes { get; set; }
}
