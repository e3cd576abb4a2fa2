using EnvScore.Api.Features.Computation;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Infrastructure.Scheduling;
using EnvScore.Domain.Calendar;
using EnvScore.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Quartz;
using static EnvScore.Api.Tests.Computation.ComputationData;

namespace EnvScore.Api.Tests.Computation;

public class DeadlineTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    [Fact]
    public async Task The_deadline_locks_drafts_and_records_missing_villages_once()
    {
        const int Oct = 202610;
        var (districtId, _, rules) = await ContextAsync(factory);
        var at = new DateTimeOffset(2026, 10, 30, 0, 0, 0, TimeSpan.Zero);
        await AddSheetAsync(factory, Village(0, 0), Oct, EvaluationKind.Self, EvaluationStatus.Submitted, Entries(rules), at);
        await AddSheetAsync(factory, Village(0, 1), Oct, EvaluationKind.Self, EvaluationStatus.Draft, Entries(rules), null);
        await AddSheetAsync(factory, Village(0, 2), Oct, EvaluationKind.Self, EvaluationStatus.Returned, Entries(rules), at); // submitted once, returned
        await AddSheetAsync(factory, Village(0, 3), Oct, EvaluationKind.District, EvaluationStatus.Draft, Entries(rules), null); // not a self sheet

        for (var round = 0; round < 2; round++)
        {
            await using var scope = factory.Services.CreateAsyncScope();
            var (locked, missing) = await scope.ServiceProvider.GetRequiredService<DeadlineProcessor>().RunAsync(districtId, EvaluationMonth.FromKey(Oct));
            Assert.Equal(round == 0 ? (2, 54) : (0, 0), (locked, missing));
        }

        var sheets = await WithDbAsync(factory, db => db.Evaluations.AsNoTracking().Where(e => e.Month == Oct)
            .Join(db.Villages, e => e.VillageId, v => v.Id, (e, v) => new { v.Code, e.Kind, e.Status, e.LockedAt }).ToListAsync());
        Assert.Equal(EvaluationStatus.Submitted, sheets.Single(s => s.Code == Village(0, 0)).Status);
        Assert.All(sheets.Where(s => s.Code == Village(0, 1) || s.Code == Village(0, 2)), s => Assert.Equal((EvaluationStatus.Locked, factory.Clock.GetUtcNow()), (s.Status, s.LockedAt!.Value)));
        Assert.Equal(EvaluationStatus.Draft, sheets.Single(s => s.Kind == EvaluationKind.District).Status);
        var trail = await WithDbAsync(factory, db => db.AuditLog.AsNoTracking().Where(a => a.Action == "Evaluation.Lock").ToListAsync());
        Assert.Equal(2, trail.Count);
        Assert.All(trail, a => Assert.Equal(DeadlineProcessor.SystemUser, a.UserName));
        Assert.Contains(trail, a => a.Before!.Contains("Returned") && a.After!.Contains("Locked"));
        var missingVillages = await WithDbAsync(factory, db => db.MissingSubmissions.Where(m => m.Month == Oct)
            .Join(db.Villages, m => m.VillageId, v => v.Id, (m, v) => v.Code).ToListAsync());
        Assert.Equal(54, missingVillages.Count);
        Assert.DoesNotContain(Village(0, 0), missingVillages);
        Assert.Contains(Village(0, 2), missingVillages);

        // The computation then counts the returned-and-locked sheet as missing, though it carries a SubmittedAt.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var outcome = Assert.IsType<ComputationOutcome.Completed>(await scope.ServiceProvider.GetRequiredService<MonthlyComputation>()
                .RunAsync(districtId, EvaluationMonth.FromKey(Oct), "test"));
            Assert.Equal((ComputationStatus.Succeeded, 55, 54), (outcome.Run.Status, outcome.Run.VillageCount, outcome.Run.MissingCount));
        }
    }
}

public class CronAndMisfireTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    [Fact]
    public void Cron_triggers_fire_in_Asia_Shanghai_across_month_and_year_boundaries()
    {
        // A monthly cron as a district might configure it (the defaults poll hourly; the calendar decides).
        var deadline = TriggerBuilder.Create().WithIdentity("d").StartAt(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero))
            .WithCronSchedule("0 0 18 5 * ?", c => c.InTimeZone(ChinaTime.Zone)).Build();
        // 2026-11-30 16:00 UTC is already 1 December in Shanghai: the next deadline is 5 December 18:00 CST = 10:00 UTC.
        Assert.Equal(new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero), deadline.GetFireTimeAfter(new DateTimeOffset(2026, 11, 30, 16, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateTimeOffset(2027, 1, 5, 10, 0, 0, TimeSpan.Zero), deadline.GetFireTimeAfter(new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero)));
        var compute = TriggerBuilder.Create().WithIdentity("c").StartAt(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero))
            .WithCronSchedule("0 0 20 10 * ?", c => c.InTimeZone(ChinaTime.Zone)).Build();
        // 20:00 CST on the 10th is 12:00 UTC the same day; from late on the 10th (UTC) the next is January's.
        Assert.Equal(new DateTimeOffset(2026, 12, 10, 12, 0, 0, TimeSpan.Zero), compute.GetFireTimeAfter(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateTimeOffset(2027, 1, 10, 12, 0, 0, TimeSpan.Zero), compute.GetFireTimeAfter(new DateTimeOffset(2026, 12, 10, 12, 0, 0, TimeSpan.Zero)));

        // The job handles the month before the scheduled fire time's month — in Shanghai, not UTC.
        Assert.Equal(new EvaluationMonth(2026, 11), ChinaTime.MonthOf(new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero)).Previous());
        Assert.Equal(new EvaluationMonth(2026, 11), ChinaTime.MonthOf(new DateTimeOffset(2026, 11, 30, 16, 30, 0, TimeSpan.Zero)).Previous()); // 1 Dec 00:30 CST
        var hourly = TriggerBuilder.Create().WithIdentity("h").StartAt(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero))
            .WithCronSchedule(new MonthlyScheduleOptions().DeadlineCron, c => c.InTimeZone(ChinaTime.Zone)).Build();
        Assert.Equal(new DateTimeOffset(2026, 12, 5, 11, 0, 0, TimeSpan.Zero), hourly.GetFireTimeAfter(new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero)));
    }

    public sealed class CountingJob : IJob
    {
        public static int Fired;
        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Fired);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A scheduler configured like production: persistent store, a declared trigger never replaces the stored one (whose history holds the missed firing).</summary>
    private ServiceProvider Scheduler(string instance) =>
        new ServiceCollection().AddLogging()
            .Configure<QuartzOptions>(o =>
            {
                o.Scheduling.IgnoreDuplicates = true;
            })
            .AddQuartz(q =>
            {
                q.ConfigureScheduler(s => s.InstanceName = instance);
                q.UsePersistentStore(s => { s.UsePostgres(factory.ConnectionString); s.UseSystemTextJsonSerializer(); s.UseClustering(); });
                q.AddJob<CountingJob>(j => j.WithIdentity("counting").StoreDurably());
                q.AddTrigger(t => t.ForJob("counting").WithIdentity("fire-and-proceed")
                    .WithCronSchedule("0 0 18 5 * ?", c => c.InTimeZone(ChinaTime.Zone).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed)));
                q.AddTrigger(t => t.ForJob("counting").WithIdentity("do-nothing")
                    .WithCronSchedule("0 0 18 5 * ?", c => c.InTimeZone(ChinaTime.Zone).WithMisfireInstruction(CronTriggerMisfireInstruction.DoNothing)));
            })
            .BuildServiceProvider();

    [Fact]
    public async Task A_firing_missed_while_down_runs_once_on_start_with_fire_and_proceed()
    {
        // First life: the triggers are stored; then every instance is down.
        await using (var first = Scheduler("misfire-test"))
        {
            var scheduler = await first.GetRequiredService<ISchedulerFactory>().GetScheduler();
            await scheduler.Start();
            await scheduler.Shutdown(true);
        }
        // While down, the 5th 18:00 passed (the triggers last fired the month before).
        var now = DateTimeOffset.UtcNow;
        await using (var conn = new NpgsqlConnection(factory.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("UPDATE qrtz_triggers SET prev_fire_time = @prev, next_fire_time = @next", conn);
            cmd.Parameters.AddWithValue("prev", now.AddDays(-40).UtcTicks);
            cmd.Parameters.AddWithValue("next", now.AddDays(-10).UtcTicks);
            Assert.Equal(2, await cmd.ExecuteNonQueryAsync());
        }

        Interlocked.Exchange(ref CountingJob.Fired, 0);
        await using var second = Scheduler("misfire-test");
        var restarted = await second.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await restarted.Start();
        try
        {
            var until = DateTime.UtcNow.AddSeconds(8);
            while (Volatile.Read(ref CountingJob.Fired) == 0 && DateTime.UtcNow < until) await Task.Delay(50);
            await Task.Delay(1000); // room for a wrong second firing
            Assert.Equal(1, Volatile.Read(ref CountingJob.Fired)); // fire-and-proceed ran once; do-nothing skipped the missed firing
            var next = await restarted.GetTrigger(new TriggerKey("fire-and-proceed"));
            Assert.True(next!.NextFireTimeUtc > DateTimeOffset.UtcNow); // back on the monthly schedule
        }
        finally
        {
            await restarted.Shutdown(true);
        }
    }
}

/// <summary>Quartz on: the persistent, clustered store in the test database (schema from the EF migration).</summary>
public sealed class SchedulingOnFactory : EnvScoreFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Scheduling:Enabled"] = "true",
        ["Scheduling:DeadlineCron"] = "0 0 18 5 * ?",
        ["Scheduling:ComputeCron"] = "0 30 20 10 * ?",
    };
}

public class PersistentSchedulerTests(SchedulingOnFactory factory) : IClassFixture<SchedulingOnFactory>
{
    [Fact]
    public async Task The_scheduler_starts_on_the_migrated_schema_and_stores_both_cron_triggers_in_Shanghai_time()
    {
        factory.CreateClient().Dispose(); // start the host (and Quartz with it)
        var scheduler = await factory.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (scheduler.Status != SchedulerStatus.Running && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal(SchedulerStatus.Running, scheduler.Status);

        await using var conn = new NpgsqlConnection(factory.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT trigger_name, cron_expression, time_zone_id FROM qrtz_cron_triggers ORDER BY trigger_name", conn);
        var rows = new List<(string, string, string)>();
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        Assert.Equal([("compute-cron", "0 30 20 10 * ?", "Asia/Shanghai"), ("deadline-cron", "0 0 18 5 * ?", "Asia/Shanghai")], rows);
        await using var state = new NpgsqlCommand("SELECT count(*) FROM qrtz_scheduler_state", conn);
        Assert.True((long)(await state.ExecuteScalarAsync())! >= 1); // clustered: the node checked in
    }
}
