using System.Net;
using System.Text.Json;
using EnvScore.Api.Features.Computation;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Domain.Calendar;
using EnvScore.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static EnvScore.Api.Tests.Computation.ComputationData;

namespace EnvScore.Api.Tests.Analysis;

/// <summary>
/// The analysis of a hand-made district: six villages (two per township). September: only the last village has
/// 乱堆乱放 (L02, 1 point a 处) ×2. October: self-evaluations L02 × 0…5; district checks of the second village (L02 ×5)
/// and the fourth (L02 ×3). A checked village's findings are the check's, so October's L02 loses 0+5+2+3+4+5 = 19
/// points in 5 villages (township 1: 5 in 1, township 2: 2+3 = 5 in 2, township 3: 4+5 = 9 in 2); the self − check gaps
/// are 99 − 95 = +4 (township 1) and 97 − 97 = 0 (township 2).
/// </summary>
public sealed class AnalysisTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    private static readonly string[] Active = [Village(0, 0), Village(0, 1), Village(1, 0), Village(1, 1), Village(2, 0), Village(2, 1)];

    [Fact]
    public async Task Problems_gaps_and_tier_moves_match_the_hand_month()
    {
        var (districtId, _, rules) = await ContextAsync(factory);
        await WithDbAsync(factory, db => db.Villages.Where(v => !Active.Contains(v.Code)).ExecuteUpdateAsync(s => s.SetProperty(v => v.IsActive, false)));
        var sep = new DateTimeOffset(2026, 9, 28, 2, 0, 0, TimeSpan.Zero);
        var oct = new DateTimeOffset(2026, 10, 28, 2, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < Active.Length; i++)
        {
            await AddSheetAsync(factory, Active[i], 202609, EvaluationKind.Self, EvaluationStatus.Locked, Entries(rules, i == 5 ? [("L02", 2)] : []), sep);
            await AddSheetAsync(factory, Active[i], 202610, EvaluationKind.Self, EvaluationStatus.Locked, Entries(rules, [("L02", i)]), oct);
        }
        await AddSheetAsync(factory, Active[1], 202610, EvaluationKind.District, EvaluationStatus.Locked, Entries(rules, [("L02", 5)]), oct);
        await AddSheetAsync(factory, Active[3], 202610, EvaluationKind.District, EvaluationStatus.Locked, Entries(rules, [("L02", 3)]), oct);
        foreach (var month in new[] { 202609, 202610 })
        {
            await using var scope = factory.Services.CreateAsyncScope();
            var outcome = Assert.IsType<ComputationOutcome.Completed>(await scope.ServiceProvider.GetRequiredService<MonthlyComputation>()
                .RunAsync(districtId, EvaluationMonth.FromKey(month), "test"));
            Assert.Equal(ComputationStatus.Succeeded, outcome.Run.Status);
        }

        var anonymous = factory.CreateClient();
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(0));
        var inspector = await factory.ClientForAsync("inspector");
        var url = $"/api/analysis/{districtId}/2026-10?months=2";
        await (await anonymous.GetAsync(url)).ExpectAsync(HttpStatusCode.Unauthorized);
        await (await secretary.GetAsync(url)).ExpectAsync(HttpStatusCode.Forbidden);
        await (await inspector.GetAsync($"/api/analysis/{districtId + 1000}/2026-10")).ExpectAsync(HttpStatusCode.Forbidden);
        await (await inspector.GetAsync($"/api/analysis/{districtId}/2026-13")).ExpectAsync(HttpStatusCode.BadRequest);
        await (await inspector.GetAsync($"/api/analysis/{districtId}/2026-10?months=0")).ExpectAsync(HttpStatusCode.BadRequest);

        var a = await inspector.GetJsonAsync(url);
        Assert.Equal([202609, 202610], a.GetProperty("months").EnumerateArray().Select(m => m.GetInt32()));
        string Problem(JsonElement p) => $"{p.GetProperty("month").GetInt32()}|{p.GetProperty("townshipName").GetString()}|{p.GetProperty("itemCode").GetString()}|{p.GetProperty("itemTitle").GetString()}|{p.GetProperty("villages").GetInt32()}|{p.GetProperty("pointsLost").GetDecimal():0.##}";
        Assert.Equal(["202609|全区|L02|乱堆乱放|1|2", "202610|全区|L02|乱堆乱放|5|19"], a.GetProperty("districtProblems").EnumerateArray().Select(Problem));
        var names = await WithDbAsync(factory, db => db.Townships.OrderBy(t => t.Code).Select(t => t.Name).ToListAsync());
        Assert.Equal(new[] { $"202609|{names[2]}|L02|乱堆乱放|1|2", $"202610|{names[0]}|L02|乱堆乱放|1|5", $"202610|{names[1]}|L02|乱堆乱放|2|5", $"202610|{names[2]}|L02|乱堆乱放|2|9" }.Order(StringComparer.Ordinal),
            a.GetProperty("townshipProblems").EnumerateArray().Select(Problem).Order(StringComparer.Ordinal));
        Assert.Equal(["202609|六乱治理|2", "202610|六乱治理|19"], a.GetProperty("sections").EnumerateArray()
            .Select(s => $"{s.GetProperty("month").GetInt32()}|{s.GetProperty("section").GetString()}|{s.GetProperty("pointsLost").GetDecimal():0.##}"));
        Assert.Equal(new[] { $"202610|{names[0]}|1|4|0", $"202610|{names[1]}|1|0|0" }.Order(StringComparer.Ordinal), a.GetProperty("gaps").EnumerateArray()
            .Select(g => $"{g.GetProperty("month").GetInt32()}|{g.GetProperty("townshipName").GetString()}|{g.GetProperty("checkedVillages").GetInt32()}|{g.GetProperty("meanGap").GetDecimal():0.##}|{g.GetProperty("inflatedCount").GetInt32()}")
            .Order(StringComparer.Ordinal));

        // Tier moves: counted here from the two months' stored rows.
        var rows = await WithDbAsync(factory, db => db.VillageResults.AsNoTracking().Where(r => r.DistrictId == districtId).ToListAsync());
        var pairs = rows.Where(r => r.Month == 202610).Select(r => (From: rows.Single(p => p.Month == 202609 && p.VillageId == r.VillageId).Tier, To: r.Tier)).ToList();
        foreach (var t in a.GetProperty("transitions").EnumerateArray())
        {
            var (from, to) = (Enum.Parse<Domain.Scoring.Tier>(t.GetProperty("from").GetString()!), Enum.Parse<Domain.Scoring.Tier>(t.GetProperty("to").GetString()!));
            Assert.Equal(pairs.Count(p => p.From == from && p.To == to), t.GetProperty("villages").GetInt32());
        }
        Assert.Equal(pairs.Count(p => p.From != p.To), a.GetProperty("moves").GetArrayLength());

        // The page shows the same numbers.
        var admin = await factory.ClientForAsync("admin");
        var html = await admin.GetStringAsync($"/admin/analysis?m=2026-10");
        Assert.Contains("乱堆乱放（六乱治理）", html);
        Assert.Contains("5个村</text>", html);
        Assert.Contains("扣19分", html);
        Assert.Contains("+4分", html);
    }
}
