using EnvScore.Api.Features.Demo;
using EnvScore.Api.Features.Rectifications;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EnvScore.Api.Tests.Rectifications;

/// <summary>The demo district's sample months come with a ledger in every state, some problems overdue, all with photos.</summary>
public class DemoLedgerTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    [Fact]
    public async Task Demo_ledger_has_every_state_and_overdue_problems()
    {
        _ = factory.Server;
        await using (var scope = factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<DemoMonths>().AddAsync(3);
        await using var check = factory.Services.CreateAsyncScope();
        var problems = await check.ServiceProvider.GetRequiredService<EnvScoreDbContext>().Set<Rectification>().AsNoTracking()
            .Include(r => r.Photos).ToListAsync();
        Assert.All(problems, r => Assert.Equal(RectificationSource.DistrictCheck, r.Source));
        Assert.Equal(Enum.GetValues<RectificationState>().Order(), problems.Select(r => r.State).Distinct().Order());
        Assert.Contains(problems, r => r.RejectCount == 1 && r.State == RectificationState.Open);
        var today = new DateOnly(2026, 11, 10); // the factory's clock, Asia/Shanghai
        Assert.Contains(problems, r => RectificationRules.IsOverdue(r, today));
        Assert.All(problems, r => Assert.Contains(r.Photos, p => p.Kind == RectificationPhotoKind.Before));
        Assert.All(problems.Where(r => r.State != RectificationState.Open || r.RejectCount > 0),
            r => Assert.Contains(r.Photos, p => p.Kind == RectificationPhotoKind.After));

        // The public township page says how many of the month's problems are closed and overdue (counted here from the rows).
        var published = await check.ServiceProvider.GetRequiredService<EnvScoreDbContext>().PublishedVillageResults.Select(v => v.Month).Distinct().ToListAsync();
        var (townshipId, month) = problems.Where(r => published.Contains(r.Month)).GroupBy(r => (r.TownshipId, r.Month)).OrderByDescending(g => g.Count(r => RectificationRules.IsOverdue(r, today))).First().Key;
        var mine = problems.Where(r => r.TownshipId == townshipId && r.Month == month).ToList();
        var closed = mine.Count(r => r.State == RectificationState.Closed);
        var overdue = mine.Count(r => r.State == RectificationState.Open && r.Deadline < today);
        Assert.True(overdue > 0);
        var html = await factory.CreateClient().GetStringAsync($"/township/{townshipId}?m={month / 100}-{month % 100:00}");
        Assert.Contains($"已销号{closed}个，逾期未整改{overdue}个，整改中{mine.Count - closed - overdue}个", html);
    }
}
