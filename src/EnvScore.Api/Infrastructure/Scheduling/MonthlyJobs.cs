using EnvScore.Api.Features.Calendar;
using EnvScore.Api.Features.Computation;
using EnvScore.Api.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using EnvScore.Domain.Calendar;
using Microsoft.Extensions.Options;
using Quartz;

namespace EnvScore.Api.Infrastructure.Scheduling;

/// <summary>
/// The month a firing is about: the month before the one the scheduled fire time falls in (Asia/Shanghai).
/// The scheduled time, not the actual one, so that a late (misfired) firing still handles the right month. A recovered
/// firing (its instance died mid-job; Quartz runs it again through a "recover_…" trigger whose own scheduled time is the
/// moment of recovery) uses the scheduled time of the firing that died, which Quartz keeps in the recovery trigger's data
/// (<see cref="SchedulerConstants.FailedJobOriginalTriggerScheduledFireTime"/>): a firing of 23:30 on the last day of a
/// month recovered after midnight still handles its own month.
/// </summary>
internal static class FiringMonth
{
    public static EvaluationMonth Of(IJobExecutionContext context) => ChinaTime.MonthOf(ScheduledAt(context)).Previous();

    public static DateTimeOffset ScheduledAt(IJobExecutionContext context) =>
        context.Recovering && OriginalScheduledTime(context) is { } original ? original : context.ScheduledFireTimeUtc ?? context.FireTimeUtc;

    /// <summary>The scheduled time of the firing being recovered, as Quartz stored it (text), or null when absent or unreadable.</summary>
    public static DateTimeOffset? OriginalScheduledTime(IJobExecutionContext context)
    {
        var text = context.MergedJobDataMap.TryGetValue(SchedulerConstants.FailedJobOriginalTriggerScheduledFireTime, out var v) ? v?.ToString() : null;
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at)) return at;
        if (long.TryParse(text, out var number)) // milliseconds since the Unix epoch or UTC ticks, whichever it is
            return number < 100_000_000_000_000L ? DateTimeOffset.FromUnixTimeMilliseconds(number) : new DateTimeOffset(number, TimeSpan.Zero);
        return null;
    }

    /// <summary>Logs a recovered firing (a warning: an instance died while running this job).</summary>
    public static void LogRecovery(IJobExecutionContext context, ILogger log, EvaluationMonth month)
    {
        if (!context.Recovering) return;
        log.LogWarning("Recovering job {Job}: its firing scheduled at {Scheduled:O} (trigger {Trigger}) was interrupted when its instance died; running it again for {Month}",
            context.JobDetail.Key, ScheduledAt(context), context.RecoveringTriggerKey, month);
    }
}

/// <summary>
/// Township deadline: for every district whose calendar deadline for the previous month has passed, lock
/// the unsubmitted self-evaluations and record the missing villages (idempotent: later firings find nothing).
/// </summary>
[DisallowConcurrentExecution]
public sealed class DeadlineJob(DeadlineProcessor deadline, CalendarService calendars, TimeProvider time, ILogger<DeadlineJob> log) : IJob
{
    public static readonly JobKey Key = new("deadline", "envscore");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var month = FiringMonth.Of(context);
        FiringMonth.LogRecovery(context, log, month);
        await RunDueAsync(month, cancellationToken);
    }

    /// <summary>Processes the month for every district whose deadline has passed; returns the districts processed.</summary>
    public async Task<int> RunDueAsync(EvaluationMonth month, CancellationToken cancellationToken)
    {
        var districts = await deadline.DistrictIdsAsync(cancellationToken);
        var calendar = await calendars.ForMonthAsync(districts, month, cancellationToken);
        var processed = 0;
        foreach (var district in districts)
        {
            if (time.GetUtcNow() < calendar[district].TownshipDeadline) continue; // the district moved its deadline later
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
/// Monthly computation: every district whose calendar says the previous month is due (ComputeAt passed)
/// and that has no successful computation since then is computed — set-based, in batches of
/// <see cref="MonthlyScheduleOptions.ComputeBatchDistricts"/> districts, <see cref="MonthlyScheduleOptions.ComputeParallelBatches"/>
/// at a time (a district is skipped when it is being computed elsewhere or is published).
/// </summary>
[DisallowConcurrentExecution]
public sealed class ComputeJob(IServiceScopeFactory scopes, DeadlineProcessor districts, CalendarService calendars,
    EnvScoreDbContext db, TimeProvider time, IOptions<MonthlyScheduleOptions> options, ILogger<ComputeJob> log) : IJob
{
    public const string SystemUser = "system:schedule";
    public static readonly JobKey Key = new("compute", "envscore");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var month = FiringMonth.Of(context);
        FiringMonth.LogRecovery(context, log, month);
        await RunDueAsync(month, cancellationToken);
    }

    /// <summary>Computes the month for every district where it is due and not yet computed since; returns how many were attempted.</summary>
    public async Task<int> RunDueAsync(EvaluationMonth month, CancellationToken cancellationToken)
    {
        var all = await districts.DistrictIdsAsync(cancellationToken);
        var calendar = await calendars.ForMonthAsync(all, month, cancellationToken);
        var now = time.GetUtcNow();
        var due = all.Where(d => now >= calendar[d].ComputeAt).ToArray();
        var lastSuccess = await db.ComputationRuns
            .Where(r => r.Month == month.Key && r.Status == ComputationStatus.Succeeded && due.Contains(r.DistrictId))
            .GroupBy(r => r.DistrictId)
            .Select(g => new { District = g.Key, At = g.Max(r => r.RequestedAt) })
            .ToDictionaryAsync(x => x.District, x => x.At, cancellationToken);
        var todo = due.Where(d => !(lastSuccess.TryGetValue(d, out var at) && at >= calendar[d].ComputeAt)).ToArray();

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Value.ComputeParallelBatches), CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(todo.Chunk(Math.Max(1, options.Value.ComputeBatchDistricts)), parallel, async (batch, ct) =>
        {
            // A scope per batch: each computation has its own DbContext and transaction.
            await using var scope = scopes.CreateAsyncScope();
            var outcomes = await scope.ServiceProvider.GetRequiredService<MonthlyComputation>().RunManyAsync(batch, month, SystemUser, ct);
            log.LogInformation("Scheduled computation of {Month} for {Count} district(s): {Succeeded} succeeded, {Failed} failed, {Skipped} skipped",
                month, batch.Length,
                outcomes.Values.Count(o => o is ComputationOutcome.Completed { Run.Status: ComputationStatus.Succeeded }),
                outcomes.Values.Count(o => o is ComputationOutcome.Completed { Run.Status: ComputationStatus.Failed }),
                outcomes.Values.Count(o => o is not ComputationOutcome.Completed));
        });
        return todo.Length;
    }
}
