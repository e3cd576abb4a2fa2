using System.Diagnostics;
using EnvScore.Api.Features.Computation;
using EnvScore.Api.Features.Demo;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Domain.Calendar;
using EnvScore.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static EnvScore.Api.Tests.Computation.ComputationData;

namespace EnvScore.Api.Tests.Computation;

/// <summary>
/// The whole demo district (55 villages, every self-evaluation and 11 district checks) computed three times in a row.
/// Timings are printed for information only: speed is measured by the benchmarks (docs/performance.md), never asserted here.
/// </summary>
public class DemoMonthTests(EnvScoreFactory factory, ITestOutputHelper output) : IClassFixture<EnvScoreFactory>
{
    [Fact]
    public async Task The_whole_demo_district_computes_the_same_every_time()
    {
        const int Oct = 202610;
        var (districtId, _, rules) = await ContextAsync(factory);
        var random = new Random(42);
        var at = new DateTimeOffset(2026, 10, 30, 0, 0, 0, TimeSpan.Zero);
        var n = 0;
        for (var t = 0; t < DemoDistrict.Townships.Length; t++)
            for (var v = 0; v < DemoDistrict.Townships[t].Villages.Length; v++, n++)
            {
                var counts = new[] { ("L01", random.Next(0, 3)), ("L02", random.Next(0, 4)), ("Q01", random.Next(0, 3)), ("Q03", random.Next(0, 2)) };
                await AddSheetAsync(factory, Village(t, v), Oct, EvaluationKind.Self, EvaluationStatus.Submitted, Entries(rules, counts), at);
                if (n % 5 == 0)
                    await AddSheetAsync(factory, Village(t, v), Oct, EvaluationKind.District, EvaluationStatus.Submitted,
                        Entries(rules, [("L02", random.Next(0, 6)), ("Q02", random.Next(0, 3))]), at);
            }

        var times = new List<long>();
        var tiers = new List<string>();
        for (var round = 0; round < 3; round++)
        {
            await using var scope = factory.Services.CreateAsyncScope();
            var watch = Stopwatch.StartNew();
            var outcome = Assert.IsType<ComputationOutcome.Completed>(await scope.ServiceProvider.GetRequiredService<MonthlyComputation>()
                .RunAsync(districtId, EvaluationMonth.FromKey(Oct), "test"));
            times.Add(watch.ElapsedMilliseconds);
            Assert.Equal((ComputationStatus.Succeeded, 55, 0), (outcome.Run.Status, outcome.Run.VillageCount, outcome.Run.MissingCount));
            tiers.Add(await WithDbAsync(factory, async db => string.Join(",", await db.VillageResults
                .Where(r => r.DistrictId == districtId && r.Month == Oct).OrderBy(r => r.DistrictRank)
                .Select(r => r.VillageId + ":" + r.FinalScore + ":" + r.Tier).ToListAsync())));
        }
        output.WriteLine($"demo month (55 villages, 66 sheets): {string.Join(", ", times)} ms (first includes warm-up)");
        Assert.Equal(55, tiers[0].Split(',').Length);
        Assert.All(tiers, t => Assert.Equal(tiers[0], t));
    }
}
