using EnvScore.Api.Features.Calendar;
using EnvScore.Api.Features.Computation;
using EnvScore.Api.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using EnvScore.Domain.Calendar;
using Quartz;

namespace EnvScore.Api.Infrastructure.Scheduling;

/// <summary>
/// The month a firing is about: the month before the one the scheduled fire time falls in (Asia/Shanghai).
/// The scheduled time, not the actual one, so that a late (misfired) firing still handles the right month.
/// </summary>
internal static class FiringMonth
{
    public static EvaluationMonth Of(IJobExecutionContext context) =>
        ChinaTime.MonthOf(context.ScheduledFireTimeUtc ?? context.FireTimeUtc).Previous();
}

/// <summary>
/// Township deadline: for every district whose calendar deadline for the previous month has passed, lock
/// the unsubmitted self-evaluations and record the missing villages (idempotent: later firings find nothing).
/// </summary>
[DisallowConcurrentExecution]
public sealed class DeadlineJob(DeadlineProcessor deadline, CalendarService calendars, TimeProvider time, ILogger<DeadlineJob> log) : IJob
{
    public static readonly JobKey Key = new("deadline", "envscore");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await RunDueAsync(FiringMonth.Of(context), cancellationToken);

    /// <summary>Processes the month for every district whose deadline has passed; returns the districts processed.</summary>
    public async Task<int> RunDueAsync(EvaluationMonth month, CancellationToken cancellationToken)
    {
        var processed = 0;
        foreach (var district in await deadline.DistrictIdsAsync(cancellationToken))
        {
            var calendar = await calendars.ForMonthAsync(district, month, cancellationToken);
            if (time.GetUtcNow() < calendar.TownshipDeadline) continue; // the district moved its deadline later
            try { await deadline.RunAsync(district, month, cancellationToken); processed++; }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One district's failure must not keep the others unlocked; the job is idempotent, rerun it.
                log.LogError(e, "Deadline of {Month} failed for district {District}", month, district);
            }
        }
        return processed;
    }
}

/// <summary>
/// Monthly computation: for every district whose calendar says the previous month is due (ComputeAt passed)
/// and that has no successful computation since then, compute it (skipped when running elsewhere or published).
/// </summary>
[DisallowConcurrentExecution]
public sealed class ComputeJob(IServiceScopeFactory scopes, DeadlineProcessor districts, CalendarService calendars,
    EnvScoreDbContext db, TimeProvider time, ILogger<ComputeJob> log) : IJob
{
    public const string SystemUser = "system:schedule";
    public static readonly JobKey Key = new("compute", "envscore");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await RunDueAsync(FiringMonth.Of(context), cancellationToken);

    /// <summary>Computes the month for every district where it is due and not yet computed since; returns how many ran.</summary>
    public async Task<int> RunDueAsync(EvaluationMonth month, CancellationToken cancellationToken)
    {
        var computed = 0;
        foreach (var district in await districts.DistrictIdsAsync(cancellationToken))
        {
            var calendar = await calendars.ForMonthAsync(district, month, cancellationToken);
            if (time.GetUtcNow() < calendar.ComputeAt) continue;
            var done = await db.ComputationRuns.AnyAsync(r => r.DistrictId == district && r.Month == month.Key
                && r.Status == ComputationStatus.Succeeded && r.RequestedAt >= calendar.ComputeAt, cancellationToken);
            if (done) continue;
            // A scope per district: each computation has its own DbContext and transaction.
            await using var scope = scopes.CreateAsyncScope();
            var outcome = await scope.ServiceProvider.GetRequiredService<MonthlyComputation>().RunAsync(district, month, SystemUser, cancellationToken);
            log.LogInformation("Scheduled computation of {Month} for district {District}: {Outcome}", month, district, outcome);
            computed++;
        }
        return computed;
    }
}
