using System.Globalization;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Organisation;
using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;
using EnvScore.Spreadsheets.Bulletins;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Publication;

/// <summary>
/// Builds the bulletin workbook's data from a frozen revision — read through <see cref="PublicReads"/> (a standby when
/// <c>ConnectionStrings:PublicReads</c> is configured: the anonymous download keeps answering while the primary is down) —
/// or from the working results (preview, the primary: read-your-writes for the office).
/// </summary>
public sealed partial class BulletinFactory(EnvScoreDbContext db, PublicReads reads, RuleSetStore ruleSets)
{
    public const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>The revision's bulletin, every row read through <see cref="PublicReads"/> (published data only).</summary>
    public async Task<Bulletin> FromRevisionAsync(PublicationRevision revision, CancellationToken ct)
    {
        var published = reads.Db;
        var villages = await published.Set<PublishedVillageResult>().AsNoTracking().Where(v => v.RevisionId == revision.Id).ToListAsync(ct);
        var townships = await published.Set<PublishedTownshipResult>().AsNoTracking().Where(t => t.RevisionId == revision.Id).ToListAsync(ct);
        var district = await published.Districts.AsNoTracking().SingleAsync(d => d.Id == revision.DistrictId, ct);
        var rules = ruleSets.Parse(await published.RuleSets.AsNoTracking().SingleAsync(r => r.Id == revision.RuleSetId, ct));
        var foreword = revision.Reason is null ? revision.Foreword
            : $"本通报为第{revision.Number}版（更正版），更正原因：{revision.Reason}" + (revision.Foreword is null ? "" : "\n" + revision.Foreword);
        return Build(EvaluationMonth.FromKey(revision.Month), revision.Title, revision.Date, district.Name, foreword, rules, villages, townships);
    }

    /// <summary>A computed, unpublished (or under-correction) month as it would be published now — for district review.</summary>
    public async Task<Bulletin?> PreviewAsync(int districtId, EvaluationMonth month, DateOnly date, CancellationToken ct)
    {
        if (await WorkingRowsAsync(districtId, month, ct) is not { } working) return null;
        var district = await db.Districts.AsNoTracking().SingleAsync(d => d.Id == districtId, ct);
        var rules = ruleSets.Parse(await db.RuleSets.AsNoTracking().SingleAsync(r => r.Id == working.RuleSetId, ct));
        return Build(month, "【预览·未发布】" + PublicationService.DefaultTitle(month), date, district.Name, "本表为审核预览，尚未发布，不得对外公开。",
            rules, working.Villages, working.Townships);
    }

    /// <summary>
    /// The month's working results shaped as the rows publication would freeze now (unsaved, <c>RevisionId</c> 0), or
    /// null when the month has not been computed. The one mapping from working to published rows for the Excel
    /// preview and the notice preview (Features/Notices).
    /// </summary>
    public async Task<WorkingRows?> WorkingRowsAsync(int districtId, EvaluationMonth month, CancellationToken ct)
    {
        var results = await db.VillageResults.AsNoTracking().Include(r => r.Village).ThenInclude(v => v!.Township)
            .Where(r => r.DistrictId == districtId && r.Month == month.Key).ToListAsync(ct);
        if (results.Count == 0) return null;
        var townshipResults = await db.TownshipResults.AsNoTracking().Include(t => t.Township)
            .Where(t => t.DistrictId == districtId && t.Month == month.Key).ToListAsync(ct);
        var villages = results.Select(r => new PublishedVillageResult
        {
            VillageId = r.VillageId, DistrictId = r.DistrictId, Month = r.Month, VillageCode = r.Village!.Code, VillageName = r.Village.Name,
            TownshipId = r.TownshipId, TownshipCode = r.Village.Township!.Code, TownshipName = r.Village.Township.Name,
            SelfScore = r.SelfScore, DistrictScore = r.DistrictScore, FinalScore = r.FinalScore, Tier = r.Tier, VetoCodes = r.VetoCodes,
            TierReason = r.TierReason, DistrictRank = r.DistrictRank, TownshipRank = r.TownshipRank, PreviousDistrictRank = r.PreviousDistrictRank,
            Movement = r.Movement, ConsecutiveMonthsInTier = r.ConsecutiveMonthsInTier,
            OnRedList = r.OnRedList, OnBlackList = r.OnBlackList, Vetoed = r.Vetoed, MissingSheet = r.MissingSheet,
            InterviewFlag = r.InterviewFlag, RewardFlag = r.RewardFlag, InflatedFlag = r.InflatedFlag, Explanation = r.Explanation,
            Findings = r.Findings,
        }).ToList();
        var townships = townshipResults.Select(t => new PublishedTownshipResult
        {
            TownshipId = t.TownshipId, DistrictId = t.DistrictId, Month = t.Month, TownshipCode = t.Township!.Code, TownshipName = t.Township.Name,
            Rank = t.Rank, MeanFinalScore = t.MeanFinalScore, VillageCount = t.VillageCount, SubmittedCount = t.SubmittedCount,
            OnTimeCount = t.OnTimeCount, MissingCount = t.MissingCount, DemonstrationCount = t.DemonstrationCount,
            UpgradeCount = t.UpgradeCount, RectifyCount = t.RectifyCount,
        }).ToList();
        return new WorkingRows(villages, townships, results[0].RuleSetId);
    }

    private static Bulletin Build(EvaluationMonth month, string title, DateOnly date, string issuedBy, string? foreword, RuleSet rules,
        List<PublishedVillageResult> villages, List<PublishedTownshipResult> townships)
    {
        var ranked = villages.OrderBy(v => v.DistrictRank).ToList();
        return new Bulletin
        {
            Month = month, Title = title, Date = date, IssuedBy = issuedBy, Foreword = foreword,
            DistrictRanking = ranked.Select(v => new DistrictRankingRow(v.DistrictRank, v.Movement, DivisionCode.Parse(v.VillageCode), v.VillageName,
                DivisionCode.Parse(v.TownshipCode), v.TownshipName, v.FinalScore, v.Tier, v.TownshipRank, Flags(v))).ToList(),
            TownshipRanking = townships.OrderBy(t => t.Rank).Select(t => new TownshipRankingRow(t.Rank, t.PreviousRank is { } p ? p - t.Rank : null,
                DivisionCode.Parse(t.TownshipCode), t.TownshipName, t.MeanFinalScore, t.VillageCount, t.DemonstrationCount, t.UpgradeCount, t.RectifyCount)).ToList(),
            RedList = ranked.Where(v => v.OnRedList).Select(v => new ListEntry(DivisionCode.Parse(v.VillageCode), v.VillageName, v.TownshipName, v.FinalScore,
                $"区级排名第{v.DistrictRank}名，示范类")).ToList(),
            BlackList = ranked.Where(v => v.OnBlackList).OrderByDescending(v => v.DistrictRank).Select(v => new ListEntry(DivisionCode.Parse(v.VillageCode),
                v.VillageName, v.TownshipName, v.FinalScore, ListReason(v))).ToList(),
            Deductions = ranked.Select(v => new VillageDeductions(DivisionCode.Parse(v.VillageCode), v.VillageName, v.TownshipName, v.FinalScore,
                Lines(v))).Where(d => d.Lines.Count > 0).ToList(),
        };
    }

    public static string ListReason(PublishedVillageResult v) =>
        v.MissingSheet ? "未按时提交自评表" : v.Vetoed ? "一票否决" : $"区级排名第{v.DistrictRank}名，排名靠后";

    public static IReadOnlyList<string> Flags(PublishedVillageResult v) =>
    [
        .. v.OnRedList ? new[] { "红榜" } : [], .. v.OnBlackList ? new[] { "黑榜" } : [], .. v.Vetoed ? new[] { "一票否决" } : [],
        .. v.MissingSheet ? new[] { "未提交" } : [], .. v.InterviewFlag ? new[] { "约谈" } : [], .. v.RewardFlag ? new[] { "奖励" } : [],
        .. v.InflatedFlag ? new[] { "自评虚高" } : [],
    ];

    /// <summary>
    /// The deductions and bonuses of a published result, from its structured findings (the engine's results as
    /// computed; nothing is read back from the explanation's wording). A row computed before structured findings existed
    /// (migration StructuredFindings, development databases only) has none and lists none: recompute the month and publish
    /// a correction revision to fill them.
    /// </summary>
    public static IReadOnlyList<DeductionLine> Lines(PublishedVillageResult v) =>
        (v.Findings ?? []).Select(f => new DeductionLine(f.Section, f.ItemCode, f.ItemTitle, f.Points, f.Text)).ToList();
}

/// <summary>Working results shaped as published rows (see <see cref="BulletinFactory.WorkingRowsAsync"/>).</summary>
public sealed record WorkingRows(List<PublishedVillageResult> Villages, List<PublishedTownshipResult> Townships, int RuleSetId);
