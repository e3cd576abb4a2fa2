using System.Net;
using System.Net.Http.Json;
using EnvScore.Api.Features.Computation;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Api.Infrastructure.Scheduling;
using EnvScore.Domain.Calendar;
using EnvScore.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EnvScore.Api.Tests.Computation;

/// <summary>The scheduled jobs follow each district's month calendar, so moving a deadline moves the locking.</summary>
public class CalendarDrivenJobsTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    private static readonly EvaluationMonth November = new(2026, 11);

    private async Task<int> RunAsync<TJob>(Func<TJob, Task<int>> run) where TJob : notnull
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await run(scope.ServiceProvider.GetRequiredService<TJob>());
    }

    [Fact]
    public async Task A_moved_deadline_postpones_locking_and_computation_runs_once_when_due()
    {
        var admin = await factory.ClientForAsync("admin");
        await (await admin.PostAsJsonAsync("/odata/Calendars", new
        {
            month = 202611,
            opensAt = "2026-11-01T00:00:00+08:00",
            townshipDeadline = "2026-12-08T18:00:00+08:00",
            districtCheckDeadline = "2026-12-12T18:00:00+08:00",
            computeAt = "2026-12-12T20:00:00+08:00",
        })).ExpectAsync(HttpStatusCode.Created);
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(0));
        await Evaluations.Sheets.CreateAsync(secretary, villageId: 1);

        // The default deadline (the 5th, 18:00) has passed but this district moved it to the 8th.
        factory.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal(0, await RunAsync<DeadlineJob>(j => j.RunDueAsync(November, default)));
        Assert.Equal(0, await RunAsync<ComputeJob>(j => j.RunDueAsync(November, default)));

        factory.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 8, 10, 0, 0, TimeSpan.Zero)); // 18:00 in Shanghai
        Assert.Equal(1, await RunAsync<DeadlineJob>(j => j.RunDueAsync(November, default)));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<EnvScoreDbContext>();
            Assert.Equal("Locked", (await db.Evaluations.SingleAsync(e => e.VillageId == 1 && e.Month == 202611)).Status.ToString());
            Assert.Equal(55, await db.MissingSubmissions.CountAsync(m => m.Month == 202611));
        }

        Assert.Equal(0, await RunAsync<ComputeJob>(j => j.RunDueAsync(November, default))); // computeAt is the 12th
        factory.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 12, 12, 0, 0, TimeSpan.Zero));
        Assert.Equal(1, await RunAsync<ComputeJob>(j => j.RunDueAsync(November, default)));
        Assert.Equal(0, await RunAsync<ComputeJob>(j => j.RunDueAsync(November, default))); // hourly polling computes once
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<EnvScoreDbContext>();
            var run = await db.ComputationRuns.SingleAsync(r => r.Month == 202611);
            Assert.Equal((ComputationStatus.Succeeded, ComputeJob.SystemUser), (run.Status, run.RequestedBy));
        }
    }
}
