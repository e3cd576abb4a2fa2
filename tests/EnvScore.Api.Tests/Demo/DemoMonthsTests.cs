using EnvScore.Api.Features.Demo;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EnvScore.Api.Tests.Demo;

public class DemoMonthsTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    [Fact]
    public async Task Sample_months_are_loaded_computed_and_ranked_once()
    {
        _ = factory.Server;
        for (var round = 0; round < 2; round++)
        {
            await using var scope = factory.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<DemoMonths>().AddAsync(3);
        }
        await using var check = factory.Services.CreateAsyncScope();
        var db = check.ServiceProvider.GetRequiredService<EnvScoreDbContext>();
        // Clock: 2026-11-10 → the three complete months before it.
        var perMonth = await db.VillageResults.GroupBy(r => r.Month)
            .Select(g => new { Month = g.Key, Count = g.Count(), MaxRank = g.Max(r => r.DistrictRank), Missing = g.Count(r => r.MissingSheet) })
            .OrderBy(x => x.Month).ToListAsync();
        Assert.Equal(new[] { 202608, 202609, 202610 }, perMonth.Select(m => m.Month).ToArray());
        Assert.All(perMonth, m => Assert.Equal((55, 55), (m.Count, m.MaxRank)));
        Assert.All(perMonth, m => Assert.InRange(m.Missing, 0, 8));
        var selfSheets = await db.Evaluations.CountAsync(e => e.Kind == Features.Evaluations.EvaluationKind.Self);
        Assert.InRange(selfSheets, 3 * 47, 3 * 55);
        Assert.True(await db.VillageResults.AnyAsync(r => r.DistrictScore != null), "some district checks are blended in");
        var published = await factory.CreateClient().GetJsonAsync("/odata/Publications?$orderby=month");
        Assert.Equal(new[] { 202608, 202609 }, published.GetProperty("value").EnumerateArray().Select(p => p.GetProperty("month").GetInt32()).ToArray());
    }
}
