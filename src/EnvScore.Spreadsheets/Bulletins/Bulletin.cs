using EnvScore.Domain.Calendar;
using EnvScore.Domain.Organisation;
using EnvScore.Domain.Scoring;

namespace EnvScore.Spreadsheets.Bulletins;

/// <summary>A computed, reviewed month ready to print (通报). Plain data; the API fills it.</summary>
public sealed record Bulletin
{
    public required EvaluationMonth Month { get; init; }
    /// <summary>e.g. "2026年11月农村人居环境集中整治月评比通报".</summary>
    public required string Title { get; init; }
    /// <summary>Date printed under the title (passed in: this library has no clock).</summary>
    public required DateOnly Date { get; init; }
    public string? IssuedBy { get; init; }
    public string? Foreword { get; init; }
    public IReadOnlyList<DistrictRankingRow> DistrictRanking { get; init; } = [];
    public IReadOnlyList<TownshipRankingRow> TownshipRanking { get; init; } = [];
    public IReadOnlyList<ListEntry> RedList { get; init; } = [];
    public IReadOnlyList<ListEntry> BlackList { get; init; } = [];
    public IReadOnlyList<VillageDeductions> Deductions { get; init; } = [];
}

/// <summary>
/// One village in the district ranking. <paramref name="Movement"/>: places gained since last month
/// (positive = up, negative = down, 0 = same, null = not ranked last month).
/// </summary>
public sealed record DistrictRankingRow(
    int Rank,
    int? Movement,
    DivisionCode VillageCode,
    string VillageName,
    DivisionCode TownshipCode,
    string TownshipName,
    decimal Score,
    Tier Tier,
    int? TownshipRank = null,
    IReadOnlyList<string>? Flags = null);

public sealed record TownshipRankingRow(
    int Rank,
    int? Movement,
    DivisionCode TownshipCode,
    string TownshipName,
    decimal AverageScore,
    int VillageCount,
    int DemonstrationCount,
    int UpgradeCount,
    int RectifyCount);

/// <summary>A red-list (红榜) or black-list (黑榜) entry.</summary>
public sealed record ListEntry(DivisionCode VillageCode, string VillageName, string TownshipName, decimal Score, string Reason);

public sealed record VillageDeductions(DivisionCode VillageCode, string VillageName, string TownshipName, decimal Score, IReadOnlyList<DeductionLine> Lines);

/// <summary><paramref name="Points"/>: negative for a deduction, positive for a bonus.</summary>
public sealed record DeductionLine(string SectionTitle, string ItemCode, string ItemTitle, decimal Points, string Explanation);
