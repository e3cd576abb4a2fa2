using EnvScore.Domain.Calendar;
using Microsoft.Extensions.Options;
using Quartz;

namespace EnvScore.Api.Infrastructure.Scheduling;

/// <summary>
/// Applies a changed cron expression to the stored trigger at start. Unchanged triggers are left
/// alone so that their stored next fire time — and with it a firing missed while down — survives.
/// </summary>
public sealed class CronScheduleSync(ISchedulerFactory schedulers, IOptions<MonthlyScheduleOptions> options, ILogger<CronScheduleSync> log) : IHostedService
{
    public static IEnumerable<(TriggerKey Key, JobKey Job, string Cron)> Triggers(MonthlyScheduleOptions options) =>
    [
        (new TriggerKey("deadline-cron", "envscore"), DeadlineJob.Key, options.DeadlineCron),
        (new TriggerKey("compute-cron", "envscore"), ComputeJob.Key, options.ComputeCron),
    ];

    /// <summary>
    /// Asia/Shanghai, fire-and-proceed on misfire: a deadline or computation missed while the service
    /// was down must still happen, once, as soon as it is back — running late is right (both jobs are
    /// idempotent and work on the month of the scheduled fire time); skipping would leave a month
    /// unlocked or uncomputed until someone noticed.
    /// </summary>
    public static ITriggerConfigurator<IJob> Configure(ITriggerConfigurator<IJob> trigger, string cron) =>
        trigger.WithCronSchedule(cron, c => c.InTimeZone(ChinaTime.Zone).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed));

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        // Jobs stored before they requested recovery: store them again with the flag (their triggers stay as they are).
        foreach (var jobKey in new[] { DeadlineJob.Key, ComputeJob.Key })
            if (await scheduler.GetJobDetail(jobKey, cancellationToken) is { RequestsRecovery: false } old)
                await scheduler.AddJob(old.GetJobBuilder().RequestRecovery().Build(), AddJobOptions.Replacing, cancellationToken);
        foreach (var (key, job, cron) in Triggers(options.Value))
        {
            if (await scheduler.GetTrigger(key, cancellationToken) is ICronTrigger stored
                && stored.CronExpressionString == cron && stored.TimeZone.Id == ChinaTime.Zone.Id) continue;
            var trigger = TriggerBuilder.Create().WithIdentity(key).ForJob(job)
                .WithCronSchedule(cron, c => c.InTimeZone(ChinaTime.Zone).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed))
                .Build();
            if (await scheduler.RescheduleJob(key, trigger, cancellationToken) is null)
                await scheduler.ScheduleJob(trigger, default, cancellationToken);
            log.LogInformation("Trigger {Trigger} now follows \"{Cron}\" (Asia/Shanghai)", key, cron);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
