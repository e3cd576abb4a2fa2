using System.Net;
using System.Net.Http.Json;
using EnvScore.Api.Features.Computation;
using EnvScore.Domain.Scoring;
using EnvScore.Testing;
using Microsoft.EntityFrameworkCore;
using static EnvScore.Api.Tests.Computation.ComputationData;

namespace EnvScore.Api.Tests.Computation;

/// <summary>
/// Consequence runs (约谈 after N months 整治) and movements continue the previous month as the district announced it
/// (issue #13; ConsequenceEvaluator: "published tiers"): a recomputation of a published month that was not published
/// again does not change them. Hand month: J is 整治 in Sep, Oct and Nov (run 3, interviewed); D likewise (vetoed).
/// </summary>
public class ConsequenceSourceTests(HandMonthFactory factory) : IClassFixture<HandMonthFactory>
{
    [Fact]
    public async Task The_next_month_continues_the_published_previous_month_not_its_later_working_rows()
    {
        await factory.SeedAsync(); // Sep and Oct computed
        var (districtId, _, _) = await ContextAsync(factory);
        var admin = await factory.ClientForAsync("admin");
        await (await admin.PostAsJsonAsync("/api/publications/2026-10/publish", new { title = "十月通报", date = "2026-11-15" })).ExpectAsync(HttpStatusCode.Created);

        // After publication, October's working rows change (as a recomputation would leave them) without a new revision:
        // J and D now read 提升 with a run of 1 and ranks 108/109 — the public still reads 整治, run 2, ranks 8/9.
        await WithDbAsync(factory, db => db.VillageResults
            .Where(r => r.Month == 202610 && (r.Village!.Code == HandMonthFactory.J || r.Village!.Code == HandMonthFactory.D))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Tier, Tier.Upgrade).SetProperty(r => r.ConsecutiveMonthsInTier, 1).SetProperty(r => r.DistrictRank, r => r.DistrictRank + 100)));

        Assert.IsType<ComputationOutcome.Completed>(await factory.ComputeAsync(districtId, 202611));
        var nov = await WithDbAsync(factory, db => db.VillageResults.AsNoTracking().Include(r => r.Village)
            .Where(r => r.Month == 202611).ToDictionaryAsync(r => r.Village!.Code));
        // By hand: published Oct — J 整治 run 2, district rank 8; D 整治 run 2, rank 9. Nov: both 整治 again → run 3 → 约谈 (after 3).
        Assert.Equal((Tier.Rectify, 3, true, 8, 0), (nov[HandMonthFactory.J].Tier, nov[HandMonthFactory.J].ConsecutiveMonthsInTier,
            nov[HandMonthFactory.J].InterviewFlag, nov[HandMonthFactory.J].PreviousDistrictRank!.Value, nov[HandMonthFactory.J].Movement!.Value));
        Assert.Equal((Tier.Rectify, 3, true, 9), (nov[HandMonthFactory.D].Tier, nov[HandMonthFactory.D].ConsecutiveMonthsInTier,
            nov[HandMonthFactory.D].InterviewFlag, nov[HandMonthFactory.D].PreviousDistrictRank!.Value));

    }
}
