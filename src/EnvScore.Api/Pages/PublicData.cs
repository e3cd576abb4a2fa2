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

public sealed record MonthPicker(string Action, List<PublicData.MonthChoice> Months, EvaluationMonth Selected, int? DistrictId);
