using EnvScore.Api.Features.Organisation;
using EnvScore.Domain.Scoring;

namespace EnvScore.Api.Features.Computation;

public enum ComputationStatus
{
    /// <summary>Accepted; the month's lock is held, scoring has not begun.</summary>
    Queued,
    Running,
    Succeeded,
    /// <summary>Rolled back: the previous results of the month are untouched. See <see cref="ComputationRun.Error"/>.</summary>
    Failed,
}

/// <summary>One computation of a district-month: who asked, when, and how it ended. The only place results carry time.</summary>
public class ComputationRun
{
    public int Id { get; set; }
    public int DistrictId { get; set; }
    /// <summary>yyyymm.</summary>
    public int Month { get; set; }
    public ComputationStatus Status { get; set; }
    /// <summary>A user name, or "system:schedule" for the monthly job.</summary>
    public required string RequestedBy { get; set; }
    public DateTimeOffset RequestedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public int? VillageCount { get; set; }
    public int? MissingCount { get; set; }
    public string? Error { get; set; }
}

/// <summary>
/// A village's computed month. Keyed by (VillageId, Month): a recomputation replaces the row, and with
/// unchanged inputs writes the same values (only <see cref="ComputationRunId"/> tells the runs apart).
/// </summary>
public class VillageResult
{
    public int VillageId { get; set; }
    /// <summary>yyyymm.</summary>
    public int Month { get; set; }
    public int DistrictId { get; set; }
    public int TownshipId { get; set; }
    /// <summary>The rule set in force for the month (its tier, combination and missing-sheet policy were applied).</summary>
    public int RuleSetId { get; set; }
    /// <summary>Total of the counted self-evaluation (自评); null when missing.</summary>
    public decimal? SelfScore { get; set; }
    /// <summary>Total of the district spot-check (区级抽查), when one was counted.</summary>
    public decimal? DistrictScore { get; set; }
    /// <summary>Self, or 四舍五入(self × w1 + district × w2, 2), or the missing-sheet score.</summary>
    public decimal FinalScore { get; set; }
    public bool Vetoed { get; set; }
    /// <summary>Veto codes (一票否决) reported on either sheet, sorted.</summary>
    public List<string> VetoCodes { get; set; } = [];
    public Tier Tier { get; set; }
    /// <summary>Why the village has its tier (threshold, veto, missing sheet, a quota, the black list).</summary>
    public TierReason TierReason { get; set; }
    public int TownshipRank { get; set; }
    public int DistrictRank { get; set; }
    public int? PreviousDistrictRank { get; set; }
    /// <summary>PreviousDistrictRank − DistrictRank: positive = moved up.</summary>
    public int? Movement { get; set; }
    /// <summary>Months running (this one included) in the same tier, by the computed results of earlier months.</summary>
    public int ConsecutiveMonthsInTier { get; set; }
    /// <summary>self − district when both exist.</summary>
    public decimal? InflationGap { get; set; }
    /// <summary>自评虚高: the gap exceeds the rule set's inflation threshold.</summary>
    public bool InflatedFlag { get; set; }
    /// <summary>No counted self-evaluation: the missing-sheet policy applied.</summary>
    public bool MissingSheet { get; set; }
    /// <summary>约谈: 整治 for the rule set's number of months running.</summary>
    public bool InterviewFlag { get; set; }
    /// <summary>示范 for the rule set's number of months running.</summary>
    public bool RewardFlag { get; set; }
    public bool OnRedList { get; set; }
    public bool OnBlackList { get; set; }
    /// <summary>The per-item explanation lines of the sheet that determined the score (the district check when there is one).</summary>
    public required string Explanation { get; set; }
    /// <summary>
    /// What the determining sheet found, structured (items that lost points, bonuses), from the engine's results — what
    /// bulletins and pages render. Null only for rows computed before structured findings existed (migration StructuredFindings).
    /// </summary>
    public List<ResultFinding>? Findings { get; set; }
    public int ComputationRunId { get; set; }

    public Village? Village { get; set; }
    /// <summary>Section subtotals of the determining sheet, in sheet order (empty for a missing sheet).</summary>
    public List<VillageResultSection> Sections { get; set; } = [];
}

/// <summary>Raw (not normalised) subtotals of one section of the determining sheet.</summary>
public class VillageResultSection
{
    public int Ordinal { get; set; }
    public required string Code { get; set; }
    public required string Title { get; set; }
    public decimal Max { get; set; }
    public decimal ApplicableMax { get; set; }
    public decimal Deduction { get; set; }
    public decimal Score { get; set; }
}

/// <summary>A township's computed month: participation, mean score, tier counts and its rank among the district's townships.</summary>
public class TownshipResult
{
    public int TownshipId { get; set; }
    /// <summary>yyyymm.</summary>
    public int Month { get; set; }
    public int DistrictId { get; set; }
    public int VillageCount { get; set; }
    /// <summary>Villages with a counted self-evaluation.</summary>
    public int SubmittedCount { get; set; }
    /// <summary>Counted self-evaluations submitted by the configured township deadline.</summary>
    public int OnTimeCount { get; set; }
    public int MissingCount { get; set; }
    /// <summary>Mean final score of all villages (missing ones with the missing-sheet score), 四舍五入 to 2 decimals.</summary>
    public decimal MeanFinalScore { get; set; }
    public int DemonstrationCount { get; set; }
    public int UpgradeCount { get; set; }
    public int RectifyCount { get; set; }
    /// <summary>Mean self − district gap over villages with both sheets; null when none was checked.</summary>
    public decimal? MeanInflationGap { get; set; }
    /// <summary>1-based: mean final score descending, then fewer missing sheets, then township code.</summary>
    public int Rank { get; set; }
    public int ComputationRunId { get; set; }

    public Township? Township { get; set; }
}

/// <summary>
/// One finding of a result (<see cref="Domain.Scoring.Finding"/> as stored, jsonb): the item's category path, code and
/// title, the points it cost (negative) or the bonus (positive), and the engine's sentence without the title.
/// </summary>
public class ResultFinding
{
    public string Section { get; set; } = "";
    public string ItemCode { get; set; } = "";
    public string ItemTitle { get; set; } = "";
    public decimal Points { get; set; }
    public string Text { get; set; } = "";

    public ResultFinding Copy() => new() { Section = Section, ItemCode = ItemCode, ItemTitle = ItemTitle, Points = Points, Text = Text };
}
