using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using Quartz;

namespace EnvScore.Api.Infrastructure.Scheduling;

public static class SchedulingServiceCollectionExtensions
{
    /// <summary>
    /// Quartz with a clustered persistent store in the application's database (schema from the EF
    /// migration, only validated here). Any number of instances may run it: the cluster fires each
    /// trigger once. Scheduling:Enabled=false leaves the scheduler out of this process entirely.
    /// </summary>
    public static IHostApplicationBuilder AddEnvScoreScheduling(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(MonthlyScheduleOptions.Section);
        builder.Services.Configure<MonthlyScheduleOptions>(section);
        var options = section.Get<MonthlyScheduleOptions>() ?? new MonthlyScheduleOptions();
        builder.Services.AddScoped<DeadlineJob>();
        builder.Services.AddScoped<ComputeJob>();
        if (!options.Enabled) return builder;

        // Fail at start, with the key named, rather than at the first firing.
        foreach (var (key, cron) in new[] { ("DeadlineCron", options.DeadlineCron), ("ComputeCron", options.ComputeCron) })
            if (!CronExpression.TryParse(cron, out _))
                throw new InvalidOperationException($"配置项 Scheduling:{key} 不是有效的Quartz cron表达式 (not a valid Quartz cron expression): \"{cron}\"");

        var connectionString = builder.Configuration.GetConnectionString(DataServiceCollectionExtensions.ConnectionStringName)!;
        // A declared trigger never replaces the stored one: the stored trigger's next fire time is what
        // tells Quartz that a firing was missed while every instance was down (replacing it recomputes
        // the next firing from now, and the missed one is lost — measured, see SchedulingTests).
        // A changed cron expression is applied by CronScheduleSync instead.
        builder.Services.Configure<QuartzOptions>(o => o.Scheduling.IgnoreDuplicates = true);
        builder.Services.AddQuartz(q =>
        {
            q.ConfigureScheduler(s => s.InstanceName = "EnvScore");
            q.UsePersistentStore(s =>
            {
                s.UsePostgres(connectionString);
                s.UseSystemTextJsonSerializer();
                s.UseClustering();
            });
            q.AddJob<DeadlineJob>(j => j.WithIdentity(DeadlineJob.Key).StoreDurably().RequestRecovery().WithDescription("区级截止：锁定草稿、记录缺报 (township deadline)"));
            q.AddJob<ComputeJob>(j => j.WithIdentity(ComputeJob.Key).StoreDurably().RequestRecovery().WithDescription("月度计算 (monthly computation)"));
            // RequestRecovery: a firing whose instance died mid-job (SIGKILL, power loss) is run again by the cluster — by a
            // surviving instance at its next check-in, or by this one when it restarts. Both jobs are idempotent and
            // transactional per batch, so a re-run finishes what the dead one left uncommitted (docs/operations.md).
            // Fire-and-proceed on misfire: a deadline or computation missed while the service was down
            // must still happen, once, as soon as it is back — running it late is right (both jobs are
            // idempotent and work on the month of the scheduled time), skipping it would leave a month
            // unlocked or uncomputed until someone noticed.
            foreach (var (key, job, cron) in CronScheduleSync.Triggers(options))
                q.AddTrigger(t => CronScheduleSync.Configure(t.ForJob(job).WithIdentity(key), cron));
        });
        // CronScheduleSync first (hosted services start in registration order): a changed cron expression is applied
        // while the scheduler is still in standby, so a trigger of the old schedule that is due (or misfired while the
        // service was down) never fires once more after an operator replaced it. Recovery of a firing whose instance
        // died is unaffected: it runs through a trigger of its own (test: CrashTests' recovered firing).
        builder.Services.AddHostedService<CronScheduleSync>();
        builder.Services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return builder;
    }
}
