using System.Diagnostics;
using System.Net;
using EnvScore.Api.Features.Demo;
using EnvScore.Api.Infrastructure.Faults;
using EnvScore.Api.Infrastructure.Scheduling;
using EnvScore.Testing;
using Npgsql;

namespace EnvScore.Faults.Tests;

/// <summary>
/// A scheduled computation (the Quartz compute job, clustered persistent store, <c>RequestRecovery</c>) whose process is
/// killed with SIGKILL before its commit is run again by Quartz's recovery when the service starts again — with the cron
/// moved far into the future, so nothing but recovery can run the job. Counted in SQL: the killed run is marked
/// interrupted, one run of the scheduler succeeds after the kill with the month's results, no run is left Running or
/// Queued, and no fired-trigger row is left in the Quartz store.
/// </summary>
public sealed class ScheduledRecoveryTests : IAsyncLifetime
{
    private const string EveryTwoSeconds = "0/2 * * * * ?";
    private const string Never = "0 0 0 1 1 ? 2099"; // far future: the cron trigger cannot fire during the test
    private readonly string _database = $"envscore_recovery_{Guid.NewGuid():N}";
    private readonly string _faultFile = Path.Combine(Path.GetTempPath(), $"envscore-fault-{Guid.NewGuid():N}");
    private PostgresServer _server = null!;
    private string _cs = null!;

    // The firing's month: the one before the month the (real-clock) firing falls in, Asia/Shanghai (FiringMonth).
    private static readonly DateTimeOffset ChinaNow = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8));
    private static readonly DateTimeOffset FiringMonthStart = new DateTimeOffset(ChinaNow.Year, ChinaNow.Month, 1, 0, 0, 0, TimeSpan.FromHours(8)).AddMonths(-1);
    private static readonly string Month = $"{FiringMonthStart:yyyy-MM}";
    private static readonly int MonthKey = FiringMonthStart.Year * 100 + FiringMonthStart.Month;

    public async Task InitializeAsync()
    {
        _server = await PostgresServer.GetAsync();
        _cs = await EnvScoreFactory.CreateDatabaseAsync(_server, _database);
    }

    public async Task DisposeAsync()
    {
        File.Delete(_faultFile);
        NpgsqlConnection.ClearAllPools();
        await _server.ExecuteAsync($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
    }

    private static Dictionary<string, string> Scheduler(string computeCron) => new()
    {
        ["Scheduling:Enabled"] = "true",
        ["Scheduling:ComputeCron"] = computeCron,
        ["Scheduling:DeadlineCron"] = Never,
        ["Logging:LogLevel:Quartz"] = "Information",
    };

    [Fact]
    public async Task A_scheduled_computation_killed_before_its_commit_is_run_again_by_Quartz_recovery_after_the_restart()
    {
        var t1 = await ScalarAsync<int>("SELECT id FROM townships WHERE code = @p", DemoDistrict.Townships[1].Code);
        var districtId = await ScalarAsync<int>("SELECT district_id FROM townships WHERE id = @p", t1);
        var t1Villages = await ScalarAsync<long>("SELECT count(*) FROM villages WHERE township_id = @p AND is_active", t1);
        // The firing month is open for the township until an hour from now (a district's calendar override), so its
        // secretary can submit the month's sheets.
        await ExecuteAsync($"""
            INSERT INTO month_calendars (district_id, month, opens_at, township_deadline, district_check_deadline, compute_at, is_override)
            VALUES ({districtId}, {MonthKey}, @p::timestamptz, now() + interval '1 hour', now() + interval '1 hour', now() + interval '1 hour', true)
            """, FiringMonthStart.UtcDateTime);

        // The compute job fires every 2 s; the fault point is armed from the start (only a computation reaches it, and
        // none is due until the calendar says so below).
        await File.WriteAllTextAsync(_faultFile, FaultPoint.ComputeBeforeCommit);
        var service = await ServiceProcess.StartAsync(_cs, _faultFile, Scheduler(EveryTwoSeconds));
        try
        {
            var secretary = await service.ClientForAsync(EnvScoreFactory.Secretary(1));
            var template = await secretary.GetByteArrayAsync($"/api/spreadsheets/template?month={Month}&townshipId={t1}");
            var imported = await secretary.PostAsync($"/api/spreadsheets/import?month={Month}&townshipId={t1}&submit=true", SheetFiles.Upload(SheetFiles.FillClean(template)));
            await imported.ExpectAsync(HttpStatusCode.OK);
            Assert.Equal(t1Villages, await ScalarAsync<long>("SELECT count(*) FROM evaluations WHERE township_id = @p AND status = 'Submitted'", t1));
            Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM computation_runs"));

            // The deadlines and the compute time pass: the next firing computes the month and blocks before its commit.
            await ExecuteAsync($"""
                UPDATE month_calendars SET township_deadline = now() - interval '3 minutes', district_check_deadline = now() - interval '2 minutes',
                  compute_at = now() - interval '1 minute' WHERE district_id = {districtId} AND month = {MonthKey}
                """);
            Assert.Equal(FaultPoint.ComputeBeforeCommit, await service.FaultReachedAsync());
            Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM computation_runs WHERE status = 'Running' AND requested_by = @p", ComputeJob.SystemUser));
            Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM qrtz_fired_triggers WHERE job_name = 'compute' AND state = 'EXECUTING'"));
            var killedRun = await ScalarAsync<int>("SELECT id FROM computation_runs WHERE status = 'Running'");
            service.Kill();
            var killedAt = DateTimeOffset.UtcNow;
            await service.DisposeAsync();
            File.Delete(_faultFile);
            Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM village_results WHERE month = @p", MonthKey)); // nothing committed

            // Restart with the cron trigger moved to 2099: only Quartz's recovery of the dead instance's firing can compute now.
            service = await ServiceProcess.StartAsync(_cs, _faultFile, Scheduler(Never));
            var deadline = Stopwatch.StartNew();
            while (await ScalarAsync<long>("SELECT count(*) FROM computation_runs WHERE status = 'Succeeded'") == 0
                   || await ScalarAsync<long>("SELECT count(*) FROM computation_runs WHERE status IN ('Queued', 'Running')") > 0
                   || await ScalarAsync<long>("SELECT count(*) FROM qrtz_fired_triggers") > 0)
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(3), $"the killed firing was not recovered within 3 minutes:\n{service.Output}");
                await Task.Delay(250);
            }

            Assert.Contains("计算中断", await ScalarAsync<string?>("SELECT error FROM computation_runs WHERE id = @p AND status = 'Failed'", killedRun));
            Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM computation_runs WHERE status = 'Succeeded'"));
            var rerun = await ScalarAsync<int>("SELECT id FROM computation_runs WHERE status = 'Succeeded' AND requested_by = @p", ComputeJob.SystemUser);
            Assert.True(rerun > killedRun);
            Assert.Equal(MonthKey, await ScalarAsync<int>("SELECT month FROM computation_runs WHERE id = @p", rerun));
            Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM computation_runs WHERE status IN ('Queued', 'Running')"));
            // The month's results are the re-run's: the township's submitted villages scored (hand count: every sheet clean).
            Assert.Equal(t1Villages, await ScalarAsync<long>("SELECT count(*) FROM village_results WHERE month = @p AND self_score = 100 AND computation_run_id = @p2", MonthKey, rerun));
            Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM village_results WHERE month = @p AND computation_run_id <> @p2", MonthKey, rerun));
            // Quartz's store: nothing in flight, the recovery trigger gone, the cron trigger where the restart put it.
            Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM qrtz_fired_triggers"));
            Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM qrtz_triggers WHERE trigger_group = 'RECOVERING_JOBS'"));
            Assert.Equal(Never, await ScalarAsync<string?>("SELECT cron_expression FROM qrtz_cron_triggers WHERE trigger_name = 'compute-cron'"));
            // The job knew it was recovering, and took its month from the killed firing's scheduled time (before the kill).
            var logged = System.Text.RegularExpressions.Regex.Match(service.Output, @"Recovering job envscore\.compute: its firing scheduled at (\S+) ");
            Assert.True(logged.Success, service.Output);
            Assert.True(DateTimeOffset.Parse(logged.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) < killedAt, logged.Value);
        }
        finally
        {
            await service.DisposeAsync();
        }
    }

    private async Task ExecuteAsync(string sql, object? p = null)
    {
        await using var conn = new NpgsqlConnection(_cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        if (p is not null) cmd.Parameters.AddWithValue("p", p);
        await cmd.ExecuteNonQueryAsync();
    }

    private async Task<T> ScalarAsync<T>(string sql, object? p = null, object? p2 = null)
    {
        await using var conn = new NpgsqlConnection(_cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        if (p is not null) cmd.Parameters.AddWithValue("p", p);
        if (p2 is not null) cmd.Parameters.AddWithValue("p2", p2);
        var value = await cmd.ExecuteScalarAsync();
        return value is DBNull or null ? default! : (T)value;
    }
}
