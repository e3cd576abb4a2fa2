using EnvScore.Api.Features.Computation;
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

/// <summary>Township deadline: for every district, lock the previous month's unsubmitted self-evaluations and record the missing villages.</summary>
[DisallowConcurrentExecution]
public sealed class DeadlineJob(DeadlineProcessor deadline, ILogger<DeadlineJob> log) : IJob
{
    public static readonly JobKey Key = new("deadline", "envscore");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var month = FiringMonth.Of(context);
        foreach (var district in await deadline.DistrictIdsAsync(cancellationToken))
        {
            try { await deadline.RunAsync(district, month, cancellationToken); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One district's failure must not keep the others unlocked; the job is idempotent, rerun it.
                log.LogError(e, "Deadline of {Month} failed for district {District}", month, district);
            }
        }
    }
}

/// <summary>Monthly computation: for every district, compute the previous month (skipped when running elsewhere or published).</summary>
[DisallowConcurrentExecution]
public sealed class ComputeJob(IServiceScopeFactory scopes, DeadlineProcessor districts, ILogger<ComputeJob> log) : IJob
{
    public const string SystemUser = "system:schedule";
    public static readonly JobKey Key = new("compute", "envscore");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var month = FiringMonth.Of(context);
        foreach (var district in await districts.DistrictIdsAsync(cancellationToken))
        {
            // A scope per district: each computation has its own DbContext and transaction.
            await using var scope = scopes.CreateAsyncScope();
            var outcome = await scope.ServiceProvider.GetRequiredService<MonthlyComputation>().RunAsync(district, month, SystemUser, cancellationToken);
            log.LogInformation("Scheduled computation of {Month} for district {District}: {Outcome}", month, district, outcome);
        }
    }
}
