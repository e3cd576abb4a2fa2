using EnvScore.Domain.Calendar;
using EnvScore.Domain.Scoring;

namespace EnvScore.Api.Features.Notices;

/// <summary>
/// A month's notice (通报) as data: every word and number the .docx (<see cref="NoticeDocx"/>) and the printable page
/// render, composed by <see cref="NoticeComposer"/> from published rows (or the working results for a preview) and
/// their structured findings — never from explanation text. Scores are on the rule set's (converted) scale, points
/// lost are positive numbers of points.
/// </summary>
public sealed record Notice
{
    /// <summary>「关于2026年10月份农村人居环境集中整治月评比结果的通报」.</summary>
    public required string Title { get; init; }
    public required EvaluationMonth Month { get; init; }
    public required string District { get; init; }
    /// <summary>The published revision's number; null for a preview.</summary>
    public int? Revision { get; init; }
    public bool Preview => Revision is null;
    public required DateOnly Date { get; init; }
    public required string Addressees { get; init; }
    public required string Opening { get; init; }
    public required string Closing { get; init; }
    public required string Signature { get; init; }
    /// <summary>The template version whose words were used (0 = the default words).</summary>
    public int TemplateVersion { get; init; }
    /// <summary>Present when this revision (or the preview of an open correction) replaces an earlier revision.</summary>
    public NoticeCorrection? Correction { get; init; }
    /// <summary>The summary in prose, one paragraph per string.</summary>
    public required IReadOnlyList<string> Summary { get; init; }
    public required IReadOnlyList<NoticeVillageRow> DistrictRanking { get; init; }
    public required IReadOnlyList<NoticeTownshipRow> TownshipRanking { get; init; }
    public required IReadOnlyList<NoticeListEntry> RedList { get; init; }
    public required IReadOnlyList<NoticeListEntry> BlackList { get; init; }
    /// <summary>Problems by item, most villages first.</summary>
    public required IReadOnlyList<NoticeProblem> Problems { get; init; }
    public required NoticeConsequences Consequences { get; init; }
}

public sealed record NoticeVillageRow(int DistrictRank, int TownshipRank, int? Movement, string VillageCode, string VillageName,
    string TownshipName, decimal Score, Tier Tier, IReadOnlyList<string> Flags);

public sealed record NoticeTownshipRow(int Rank, string TownshipName, decimal MeanScore, int VillageCount, int Demonstration, int Upgrade, int Rectify,
    IReadOnlyList<NoticeVillageRow> Villages);

public sealed record NoticeListEntry(string VillageName, string TownshipName, decimal Score, string Reason);

/// <summary>One item of the rule set that lost points this month: in how many villages, how many points in all, where.</summary>
public sealed record NoticeProblem(string Section, string ItemCode, string ItemTitle, int VillageCount, decimal PointsLost,
    IReadOnlyList<string> Villages, IReadOnlyList<NoticePhoto> Photos);

/// <summary>A photo to print under a problem: JPEG or PNG bytes with their pixel size and a caption.</summary>
public sealed record NoticePhoto(byte[] Bytes, string ContentType, int Width, int Height, string Caption);

/// <summary>约谈 and rewards, as the computation flagged them under the rule set's consequence policy.</summary>
public sealed record NoticeConsequences(string? InterviewRule, IReadOnlyList<NoticeListEntry> Interviews, string? RewardRule, IReadOnlyList<NoticeListEntry> Rewards);

/// <summary>What a correction changed and why: the reason, the sheets corrected (with their reasons) and the villages whose result changed.</summary>
public sealed record NoticeCorrection(int ReplacesRevision, string Reason, IReadOnlyList<string> CorrectedSheets, IReadOnlyList<NoticeChange> Changes);

public sealed record NoticeChange(string VillageName, string TownshipName, decimal OldScore, decimal NewScore, Tier OldTier, Tier NewTier, int OldRank, int NewRank);
