using EnvScore.Api.Features.Publication;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Pages;

/// <summary>
/// What the public pages read: only published revisions (never live results), through <see cref="PublicReads"/> — a standby
/// when <c>ConnectionStrings:PublicReads</c> is configured, else the primary.
/// </summary>
public sealed class PublicData(PublicReads reads)
{
    private readonly EnvScoreDbContext db = reads.Db;

    public sealed record MonthChoice(EvaluationMonth Month, int LatestRevision);

    /// <summary>The district to show: the one asked for, else the first that has published anything.</summary>
    public async Task<(int Id, string Name)?> DistrictAsync(int? id, CancellationToken ct)
    {
        var query = db.Districts.AsNoTracking().Where(d => db.Publications.Any(p => p.DistrictId == d.Id));
        if (id is not null) query = query.Where(d => d.Id == id);
        var district = await query.OrderBy(d => d.Code).Select(d => new { d.Id, d.Name }).FirstOrDefaultAsync(ct);
        return district is null ? null : (district.Id, district.Name);
    }

    /// <summary>
    /// The month a public page shows: the latest published when <paramref name="m"/> is absent or empty (the default, as
    /// the month picker sends it), else the month named — read by <see cref="EvaluationMonth.TryParse"/> (2026-10, 2026-1,
    /// 202610, 2026年10月) and only if published. Otherwise the refusal to show: 400 when <paramref name="m"/> is not a month,
    /// 404 when that month has no published 通报 (see <see cref="PublicRefusal"/>).
    /// </summary>
    public static PublicRefusal? PickMonth(List<MonthChoice> months, string? m, string action, int? districtId, out EvaluationMonth month)
    {
        month = months.Count > 0 ? months[0].Month : default;
        if (string.IsNullOrWhiteSpace(m)) return null;
        if (!EvaluationMonth.TryParse(m, out var asked))
            return new PublicRefusal(400, "月份无效",
                $"地址中的月份“{Shown(m)}”不是有效的月份，应写成“年-月”，例如 m={(months.Count > 0 ? months[0].Month : new EvaluationMonth(2026, 10))}。", action, months, districtId);
        if (!months.Any(x => x.Month == asked))
            return new PublicRefusal(404, $"{asked.ToChinese()}没有已发布的通报",
                $"{asked.ToChinese()}的评比结果尚未发布（或该月没有评比），暂无排名可看。", action, months, districtId);
        month = asked;
        return null;
    }

    /// <summary>A value from the address as shown back on a page: at most 40 characters (Razor encodes it).</summary>
    public static string Shown(string text) => text.Length > 40 ? text[..40] + "…" : text;

    public async Task<List<MonthChoice>> MonthsAsync(int districtId, CancellationToken ct) =>
        (await db.Publications.AsNoTracking().Where(p => p.DistrictId == districtId).OrderByDescending(p => p.Month)
            .Select(p => new { p.Month, p.LatestRevision }).ToListAsync(ct))
        .Select(p => new MonthChoice(EvaluationMonth.FromKey(p.Month), p.LatestRevision)).ToList();

    public Task<List<PublicationRevision>> RevisionsAsync(int districtId, EvaluationMonth month, CancellationToken ct) =>
        db.PublicationRevisions.AsNoTracking().Where(r => r.DistrictId == districtId && r.Month == month.Key).OrderBy(r => r.Number).ToListAsync(ct);

    public Task<List<PublishedVillageResult>> VillagesAsync(int revisionId, CancellationToken ct) =>
        db.PublishedVillageResults.AsNoTracking().Where(v => v.RevisionId == revisionId).OrderBy(v => v.DistrictRank).ToListAsync(ct);

    public Task<List<PublishedTownshipResult>> TownshipsAsync(int revisionId, CancellationToken ct) =>
        db.PublishedTownshipResults.AsNoTracking().Where(t => t.RevisionId == revisionId).OrderBy(t => t.Rank).ToListAsync(ct);

    /// <summary>A village's rows in the latest revision of every published month up to <paramref name="upTo"/>, newest last.</summary>
    public async Task<List<PublishedVillageResult>> VillageTrendAsync(int villageId, EvaluationMonth upTo, int months, CancellationToken ct)
    {
        var from = upTo.AddMonths(-(months - 1)).Key;
        var latest = PublicationService.LatestRevisions(db).Select(r => r.Id);
        return await db.PublishedVillageResults.AsNoTracking()
            .Where(v => v.VillageId == villageId && v.Month >= from && v.Month <= upTo.Key && latest.Contains(v.RevisionId))
            .OrderBy(v => v.Month).ToListAsync(ct);
    }
}

/// <summary>
/// Why a public page (<c>/</c>, <c>/township/{id}</c>, <c>/village/{id}</c>) cannot show what its address asks for, said on
/// the page in Chinese with links to what is published (<c>_PublicRefusal</c>): <see cref="Status"/> 400 for a value that is
/// not a month (<c>?m=abc</c>) or not a revision number (<c>?r=x</c>), 404 for a month with no published 通报
/// (<c>?m=2026-10</c> before it is published), a revision the month does not have, or a district that published nothing.
/// An address never silently shows another month than the one it names.
/// </summary>
/// <param name="Action">The page's path; the month links are <c>{Action}?m=yyyy-MM</c> (with <c>d</c> when given).</param>
/// <param name="Revisions">For a revision refused: links to the month's revisions (address, label), shown before the months.</param>
public sealed record PublicRefusal(int Status, string Heading, string Text, string Action, List<PublicData.MonthChoice> Months, int? DistrictId,
    List<(string Href, string Label)>? Revisions = null);

public sealed record MonthPicker(string Action, List<PublicData.MonthChoice> Months, EvaluationMonth Selected, int? DistrictId);
