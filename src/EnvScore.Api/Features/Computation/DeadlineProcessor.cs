using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Computation;

/// <summary>
/// The township deadline of a month, for one district: records every active village without a
/// submitted self-evaluation as missing, then locks the drafts and returned sheets as they stand.
/// Idempotent: a second run finds nothing to lock and records nobody twice.
/// </summary>
public sealed class DeadlineProcessor(EnvScoreDbContext db, TimeProvider time, ILogger<DeadlineProcessor> log)
{
    public const string SystemUser = "system:deadline";

    public async Task<(int Locked, int Missing)> RunAsync(int districtId, EvaluationMonth month, CancellationToken ct = default)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = time.GetUtcNow();
        // Missing first: a returned sheet is not submitted, whatever SubmittedAt says from its first submission.
        var missing = await db.Database.ExecuteSqlRawAsync(MissingSql, [month.Key, now, districtId], ct);
        // Lock and audit in one statement: every status change leaves its trail (set-based, not per sheet).
        var locked = await db.Database.ExecuteSqlRawAsync(LockSql, [districtId, month.Key, now, SystemUser], ct);
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

    // {0} district id, {1} month key, {2} now, {3} the system user.
    private static readonly string LockSql = $$"""
        WITH target AS (
            SELECT id, township_id, status FROM evaluations
            WHERE district_id = {0} AND month = {1} AND kind = {{SqlNames.Literal(EvaluationKind.Self)}}
              AND status IN ({{SqlNames.Literal(EvaluationStatus.Draft)}}, {{SqlNames.Literal(EvaluationStatus.Returned)}})
            FOR UPDATE),
        changed AS (
            UPDATE evaluations e SET status = {{SqlNames.Literal(EvaluationStatus.Locked)}}, locked_at = {2}, updated_at = {2}, updated_by = {3}
            FROM target WHERE e.id = target.id
            RETURNING e.id)
        INSERT INTO audit_log (at, user_name, action, evaluation_id, township_id, district_id, before, after)
        SELECT {2}, {3}, 'Evaluation.Lock', t.id, t.township_id, {0},
               jsonb_build_object('status', t.status), jsonb_build_object('status', {{SqlNames.Literal(EvaluationStatus.Locked)}})
        FROM target t JOIN changed c ON c.id = t.id
        """;

    public Task<int[]> DistrictIdsAsync(CancellationToken ct) => db.Districts.AsNoTracking().OrderBy(d => d.Id).Select(d => d.Id).ToArrayAsync(ct);
}
