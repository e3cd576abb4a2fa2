using EnvScore.Api.Features.Computation;
using EnvScore.Domain.Calendar;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace EnvScore.Api.Infrastructure.Data;

/// <summary>
/// Computation runs left <c>Queued</c> or <c>Running</c> by a process that died (SIGKILL, power loss, OOM) are marked
/// <c>Failed</c> at start. A run is stale exactly when nobody holds its district-month's advisory lock
/// (<see cref="MonthlyComputation.LockKey"/>): a live computation holds it, on whichever instance, from before its run
/// record exists until its transaction ends, and PostgreSQL releases it when the dead process's connection goes. So
/// another instance's computation in progress is never touched. The dead run's results were never committed (one
/// transaction per batch): the previous results stand, and the next scheduled firing (or the admin) computes again.
/// </summary>
public static class InterruptedRuns
{
    public const string Message = "计算中断：执行计算的服务进程已退出，本次计算未生效，原有结果不变；请重新计算 (interrupted: the process computing it stopped; nothing of it was committed)";

    /// <summary>Marks the stale runs failed; returns how many.</summary>
    public static async Task<int> RecoverAsync(EnvScoreDbContext db, TimeProvider time, ILogger log, CancellationToken ct = default)
    {
        var open = await db.ComputationRuns.AsNoTracking()
            .Where(r => r.Status == ComputationStatus.Queued || r.Status == ComputationStatus.Running)
            .Select(r => new { r.Id, r.DistrictId, r.Month }).ToListAsync(ct);
        var recovered = 0;
        foreach (var run in open)
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var conn = (NpgsqlConnection)db.Database.GetDbConnection();
            await using (var lockCmd = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock(@k)", conn))
            {
                lockCmd.Parameters.AddWithValue("k", MonthlyComputation.LockKey(run.DistrictId, EvaluationMonth.FromKey(run.Month)));
                if (!(bool)(await lockCmd.ExecuteScalarAsync(ct))!) continue; // being computed right now, elsewhere
            }
            // Conditional: a computation that finished between the read and the lock keeps its own status.
            recovered += await db.ComputationRuns
                .Where(r => r.Id == run.Id && (r.Status == ComputationStatus.Queued || r.Status == ComputationStatus.Running))
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, ComputationStatus.Failed)
                    .SetProperty(r => r.FinishedAt, time.GetUtcNow())
                    .SetProperty(r => r.Error, Message), ct);
            await tx.CommitAsync(ct);
        }
        if (recovered > 0) log.LogWarning("{Count} computation run(s) interrupted by a stopped process were marked failed", recovered);
        return recovered;
    }
}
