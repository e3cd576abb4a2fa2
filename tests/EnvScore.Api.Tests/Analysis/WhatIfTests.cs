using System.Net;
using EnvScore.Api.Features.Computation;
using EnvScore.Api.Features.Demo;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Domain.Calendar;
using EnvScore.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static EnvScore.Api.Tests.Computation.ComputationData;

namespace EnvScore.Api.Tests.Analysis;

/// <summary>
/// The what-if of the default sheet with other thresholds (示范 ≥ 97, 提升 ≥ 93 instead of 90/75) on the whole demo
/// district's October (55 villages, random findings, 11 district checks) must give exactly what a real recomputation
/// under those rules gives — and write nothing.
/// </summary>
public sealed class WhatIfTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    [Fact]
    public async Task The_what_if_of_changed_thresholds_matches_a_recomputation_and_stores_nothing()
    {
        const int Oct = 202610;
        var (districtId, active, rules) = await ContextAsync(factory);
        var random = new Random(7);
        var at = new DateTimeOffset(2026, 10, 30, 0, 0, 0, TimeSpan.Zero);
        var n = 0;
        for (var t = 0; t < DemoDistrict.Townships.Length; t++)
            for (var v = 0; v < DemoDistrict.Townships[t].Villages.Length; v++, n++)
            {
                if (n == 7) continue; // one village never submits
                await AddSheetAsync(factory, Village(t, v), Oct, EvaluationKind.Self, EvaluationStatus.Submitted,
                    Entries(rules, [("L01", random.Next(0, 3)), ("L02", random.Next(0, 5)), ("Q01", random.Next(0, 3)), ("Q03", random.Next(0, 2))]), at);
                if (n % 5 == 0)
                    await AddSheetAsync(factory, Village(t, v), Oct, EvaluationKind.District, EvaluationStatus.Submitted,
                        Entries(rules, [("L02", random.Next(0, 6)), ("Q02", random.Next(0, 3))]), at);
            }
        await ComputeAsync(districtId, Oct);
        string Snapshot(List<VillageResult> rows) => string.Join(",", rows.OrderBy(r => r.VillageId).Select(r => $"{r.VillageId}:{r.FinalScore:0.##}:{r.Tier}:{r.DistrictRank}:{r.TownshipRank}"));
        var before = Snapshot(await WithDbAsync(factory, db => db.VillageResults.AsNoTracking().Where(r => r.Month == Oct).ToListAsync()));

        var yaml = active.Source.Replace("demonstrationMin: 90", "demonstrationMin: 97").Replace("upgradeMin: 75", "upgradeMin: 93")
            .Replace("version: 1\n", "version: 2\n").Replace("effectiveFrom: \"2026-01\"", "effectiveFrom: \"2026-10\"");
        Assert.NotEqual(active.Source, yaml);
        int draftId;
        await using (var scope = factory.Services.CreateAsyncScope())
            draftId = Assert.IsType<RuleSetWrite.Created>(await scope.ServiceProvider.GetRequiredService<RuleSetStore>()
                .ImportAsync(districtId, yaml, "draft.yaml", "admin")).RuleSet.Id;

        var admin = await factory.ClientForAsync("admin");
        var inspector = await factory.ClientForAsync("inspector");
        await (await factory.CreateClient().GetAsync($"/api/what-if/{draftId}/2026-10")).ExpectAsync(HttpStatusCode.Unauthorized);
        await (await inspector.GetAsync($"/api/what-if/{draftId}/2026-10")).ExpectAsync(HttpStatusCode.Forbidden);
        await (await admin.GetAsync($"/api/what-if/{draftId}/2026-09")).ExpectAsync(HttpStatusCode.NotFound);
        await (await admin.GetAsync($"/api/what-if/{draftId + 999}/2026-10")).ExpectAsync(HttpStatusCode.NotFound);
        await (await admin.GetAsync($"/api/what-if/{draftId}/2026-1x")).ExpectAsync(HttpStatusCode.BadRequest);
        var result = await admin.GetJsonAsync($"/api/what-if/{draftId}/2026-10");
        Assert.True(result.GetProperty("compiledPath").GetBoolean());
        var villages = result.GetProperty("villages").EnumerateArray().ToList();
        Assert.Equal(55, villages.Count);
        Assert.True(result.GetProperty("tierChanged").GetInt32() > 0, "stricter thresholds move some villages down");
        Assert.Equal(before, Snapshot(await WithDbAsync(factory, db => db.VillageResults.AsNoTracking().Where(r => r.Month == Oct).ToListAsync()))); // nothing stored

        // "Now" is what is stored.
        Assert.Equal(before, string.Join(",", villages.OrderBy(v => v.GetProperty("villageId").GetInt32()).Select(v =>
            $"{v.GetProperty("villageId").GetInt32()}:{v.GetProperty("finalScore").GetDecimal():0.##}:{v.GetProperty("tier").GetString()}:{v.GetProperty("districtRank").GetInt32()}:{v.GetProperty("townshipRank").GetInt32()}")));

        // The real recomputation: the draft in force for October and the month's sheets bound to it.
        await WithDbAsync(factory, db => db.RuleSets.Where(r => r.Id == draftId).ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RuleSetStatus.Active)));
        await WithDbAsync(factory, db => db.Evaluations.Where(e => e.Month == Oct).ExecuteUpdateAsync(s => s.SetProperty(e => e.RuleSetId, draftId)));
        await ComputeAsync(districtId, Oct);
        var recomputed = await WithDbAsync(factory, db => db.VillageResults.AsNoTracking().Where(r => r.Month == Oct).ToListAsync());
        Assert.All(recomputed, r => Assert.Equal(draftId, r.RuleSetId));
        Assert.Equal(Snapshot(recomputed), string.Join(",", villages.OrderBy(v => v.GetProperty("villageId").GetInt32()).Select(v =>
            $"{v.GetProperty("villageId").GetInt32()}:{v.GetProperty("newFinalScore").GetDecimal():0.##}:{v.GetProperty("newTier").GetString()}:{v.GetProperty("newDistrictRank").GetInt32()}:{v.GetProperty("newTownshipRank").GetInt32()}")));
        foreach (var t in result.GetProperty("tiers").EnumerateArray())
            Assert.Equal(recomputed.Count(r => r.Tier.ToString() == t.GetProperty("tier").GetString()), t.GetProperty("whatIf").GetInt32());
    }

    private async Task ComputeAsync(int districtId, int month)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var outcome = Assert.IsType<ComputationOutcome.Completed>(await scope.ServiceProvider.GetRequiredService<MonthlyComputation>()
            .RunAsync(districtId, EvaluationMonth.FromKey(month), "test"));
        Assert.Equal(ComputationStatus.Succeeded, outcome.Run.Status);
    }
}
