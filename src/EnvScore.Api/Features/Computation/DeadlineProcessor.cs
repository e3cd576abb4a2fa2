using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Computation;

/// <summary>
/// The township deadline of a month, for one district: records every active village without a submitted
/// self-evaluation as missing (set-wide SQL over <see cref="SheetCounting.Sql"/>), then locks the drafts and returned
/// sheets as they stand — each through the sheet's own transition (<see cref="Evaluation.LockAtDeadline"/>) and the sheet
/// writer (row locks, one audit row per sheet). Idempotent: a second run finds nothing to lock and records nobody twice.
/// </summary>
public sealed class DeadlineProcessor(EnvScoreDbContext db, SheetWriter writer, TimeProvider time, ILogger<DeadlineProcessor> log)
{
    public const string SystemUser = "system:deadline";

    public async Task<(int Locked, int Missing)> RunAsync(int districtId, EvaluationMonth month, CancellationToken ct = default)
    {
        await using var tx = await writer.BeginAsync(ct);
        var now = time.GetUtcNow();
        // Missing first: a returned sheet is not submitted, whatever SubmittedAt says from its first submission.
        var missing = await db.Database.ExecuteSqlRawAsync(MissingSql, [month.Key, now, districtId], ct);
        var candidates = await db.Evaluations.AsNoTracking()
            .Where(e => e.DistrictId == districtId && e.Month == month.Key && e.Kind == EvaluationKind.Self
                        && (e.Status == EvaluationStatus.Draft || e.Status == EvaluationStatus.Returned))
            .Select(e => e.Id).ToListAsync(ct);
        var locked = 0;
        if (candidates.Count > 0)
        {
            await writer.LockAsync(candidates, ct);
            // Read again under the locks: a sheet submitted meanwhile is left alone by its own transition.
            foreach (var sheet in await db.Evaluations.Where(e => candidates.Contains(e.Id)).OrderBy(e => e.Id).ToListAsync(ct))
            {
                var before = sheet.Status;
                if (!sheet.LockAtDeadline(now)) continue;
                writer.RecordTransition(SystemUser, "Evaluation.Lock", sheet, before);
                locked++;
            }
            await db.SaveChangesAsync(ct);
        }
        await tx.CommitAsync(ct);
        log.LogInformation("Deadline of {Month} for district {District}: {Locked} sheets locked, {Missing} villages recorded missing",
            month, districtId, locked, missing);
        return (locked, missing);
    }

    // {0} month key, {1} now, {2} district id. Which self-evaluations count: SheetCounting (one rule).
    private static readonly string MissingSql = $$"""
        INSERT INTO missing_submissions (village_id, township_id, district_id, month, recorded_at)
        SELECT v.id, t.id, t.district_id, {0}, {1}
        FROM villages v JOIN townships t ON t.id = v.township_id
        WHERE t.district_id = {2} AND v.is_active
          AND NOT EXISTS (SELECT 1 FROM evaluations e
                          WHERE e.village_id = v.id AND e.month = {0} AND e.kind = {{SqlNames.Literal(EvaluationKind.Self)}}
                            AND {{SheetCounting.Sql("e")}})
        ON CONFLICT (village_id, month) DO NOTHING
        """;

    public Task<int[]> DistrictIdsAsync(CancellationToken ct) => db.Districts.AsNoTracking().OrderBy(d => d.Id).Select(d => d.Id).ToArrayAsync(ct);
}
