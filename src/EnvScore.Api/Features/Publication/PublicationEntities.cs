using EnvScore.Domain.Scoring;

namespace EnvScore.Api.Features.Publication;

/// <summary>
/// A district-month's bulletin (通报). Created when revision 1 is published; the latest revision is what
/// the public sees. A correction is opened with a reason, recomputed, then published as the next revision.
/// </summary>
public class Publication
{
    public int Id { get; set; }
    public int DistrictId { get; set; }
    /// <summary>yyyymm.</summary>
    public int Month { get; set; }
    public int LatestRevision { get; set; }
    /// <summary>While true the month may be recomputed and its sheets corrected; publishing the next revision closes it.</summary>
    public bool CorrectionOpen { get; set; }
    public string? CorrectionReason { get; set; }
    public DateTimeOffset? CorrectionOpenedAt { get; set; }
    public string? CorrectionOpenedBy { get; set; }

    public List<PublicationRevision> Revisions { get; set; } = [];
}

/// <summary>One published state of a month: the results copied at publication time, never references to live results.</summary>
public class PublicationRevision
{
    public int Id { get; set; }
    public int PublicationId { get; set; }
    public int DistrictId { get; set; }
    /// <summary>yyyymm.</summary>
    public int Month { get; set; }
    /// <summary>1, 2, 3 …</summary>
    public int Number { get; set; }
    public required string Title { get; set; }
    public DateOnly Date { get; set; }
    public string? Foreword { get; set; }
    /// <summary>Why this revision replaced the previous one; null only for revision 1.</summary>
    public string? Reason { get; set; }
    public DateTimeOffset PublishedAt { get; set; }
    public required string PublishedBy { get; set; }
    /// <summary>The run whose results were frozen.</summary>
    public int ComputationRunId { get; set; }
    public int RuleSetId { get; set; }

    public List<PublishedVillageResult> Villages { get; set; } = [];
    public List<PublishedTownshipResult> Townships { get; set; } = [];
}

/// <summary>A frozen copy of a village's result, with the names as they were when published.</summary>
public class PublishedVillageResult
{
    public int RevisionId { get; set; }
    public int VillageId { get; set; }
    public int DistrictId { get; set; }
    public int Month { get; set; }
    public required string VillageCode { get; set; }
    public required string VillageName { get; set; }
    public int TownshipId { get; set; }
    public required string TownshipCode { get; set; }
    public required string TownshipName { get; set; }
    public decimal? SelfScore { get; set; }
    public decimal? DistrictScore { get; set; }
    public decimal FinalScore { get; set; }
    public bool Vetoed { get; set; }
    public List<string> VetoCodes { get; set; } = [];
    public Tier Tier { get; set; }
    public TierReason TierReason { get; set; }
    public int TownshipRank { get; set; }
    public int DistrictRank { get; set; }
    public int? PreviousDistrictRank { get; set; }
    public int? Movement { get; set; }
    public int ConsecutiveMonthsInTier { get; set; }
    public bool InflatedFlag { get; set; }
    public bool MissingSheet { get; set; }
    public bool InterviewFlag { get; set; }
    public bool RewardFlag { get; set; }
    public bool OnRedList { get; set; }
    public bool OnBlackList { get; set; }
    public required string Explanation { get; set; }
    /// <summary>The result's structured findings as published (see <see cref="Computation.VillageResult.Findings"/>).</summary>
    public List<Computation.ResultFinding>? Findings { get; set; }
}

/// <summary>A frozen copy of a township's result.</summary>
public class PublishedTownshipResult
{
    public int RevisionId { get; set; }
    public int TownshipId { get; set; }
    public int DistrictId { get; set; }
    public int Month { get; set; }
    public required string TownshipCode { get; set; }
    public required string TownshipName { get; set; }
    public int VillageCount { get; set; }
    public int SubmittedCount { get; set; }
    public int OnTimeCount { get; set; }
    public int MissingCount { get; set; }
    public decimal MeanFinalScore { get; set; }
    public int DemonstrationCount { get; set; }
    public int UpgradeCount { get; set; }
    public int RectifyCount { get; set; }
    public int Rank { get; set; }
    /// <summary>Rank in the previous month's latest published revision, if any.</summary>
    public int? PreviousRank { get; set; }
}

/// <summary>A sheet of a published month corrected by the district while a correction was open (更正记录).</summary>
public class SheetCorrection
{
    public int Id { get; set; }
    public int PublicationId { get; set; }
    public int EvaluationId { get; set; }
    public int VillageId { get; set; }
    public required string Reason { get; set; }
    public DateTimeOffset CorrectedAt { get; set; }
    public required string CorrectedBy { get; set; }
}
