using System.Net;
using System.Net.Http.Json;
using EnvScore.Api.Features.Computation;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Domain.Scoring;
using EnvScore.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static EnvScore.Api.Tests.Computation.ComputationData;

namespace EnvScore.Api.Tests.Computation;

/// <summary>
/// A hand-computed district: 10 active villages (the other 45 deactivated), the default sheet with a
/// red list of 2 and a black list of 1. Sep–Nov 2026 carry the same sheets, so Nov shows runs of 3 months.
/// </summary>
public sealed class HandMonthFactory : EnvScoreFactory
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _seeded;
    public static readonly int[] Months = [202609, 202610, 202611];

    public static readonly string A = Village(0, 0), B = Village(0, 1), C = Village(0, 2), D = Village(0, 3),
        E = Village(1, 0), F = Village(1, 1), G = Village(1, 2), H = Village(2, 0), I = Village(2, 1), J = Village(2, 2);

    public async Task SeedAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_seeded) return;
            Clock.SetUtcNow(new DateTimeOffset(2026, 12, 10, 4, 0, 0, TimeSpan.Zero)); // 12:00 on 10 Dec in Asia/Shanghai
            var (districtId, record, rules) = await ContextAsync(this);
            await WithDbAsync(this, async db =>
            {
                string[] active = [A, B, C, D, E, F, G, H, I, J];
                await db.Villages.Where(v => !active.Contains(v.Code)).ExecuteUpdateAsync(s => s.SetProperty(v => v.IsActive, false));
                var source = record.Source.Replace("redListSize: 5", "redListSize: 2").Replace("blackListSize: 5", "blackListSize: 1");
                return await db.RuleSets.Where(r => r.Id == record.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.Source, source).SetProperty(r => r.ContentHash, "hand-month"));
            });
            foreach (var month in Months)
            {
                var y = month / 100; var m = month % 100;
                var onTime = new DateTimeOffset(y, m, 28, 2, 0, 0, TimeSpan.Zero);
                var late = new DateTimeOffset(y, m, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1).AddDays(6); // after the 5th, 18:00
                Task Self(string v, List<EvaluationEntry> e, DateTimeOffset? at = null, params string[] vetoes) =>
                    AddSheetAsync(this, v, month, EvaluationKind.Self, EvaluationStatus.Submitted, e, at ?? onTime, vetoes);
                await Self(A, Entries(rules));                                                   // 100
                await AddSheetAsync(this, A, month, EvaluationKind.District, EvaluationStatus.Draft, Entries(rules, [("L01", 3)]), null); // a draft check does not count
                await Self(B, Entries(rules, [("L02", 3)]));                                     // 97, deductions [3,0,0]
                await Self(C, Entries(rules, [("Q01", 3)]));                                     // 97, deductions [0,3,0]: ranks before B
                await Self(D, Entries(rules, [("L02", 4)]), null, "V01");                       // 96, vetoed
                await Self(E, Entries(rules));                                                   // 100 …
                await AddSheetAsync(this, E, month, EvaluationKind.District, EvaluationStatus.Submitted,   // … checked: 80
                    Entries(rules, [("L01", 3), ("L02", 5), ("Q01", 5)], zero: [("L03", "Z1")]), onTime);
                await AddSheetAsync(this, F, month, EvaluationKind.Self, EvaluationStatus.Locked, Entries(rules), null); // locked, never submitted: missing
                await Self(G, Entries(rules, [("L02", 2)], notApplicable: ["Q05"]));            // 93/95 → 97.89
                await Self(H, Entries(rules, [("L01", 4), ("L02", 3)]), late);                  // 92, submitted late
                await Self(I, Entries(rules, [("L01", 3), ("L02", 5), ("L03", 3), ("L04", 8), ("L05", 1)])); // 80
                await Self(J, Entries(rules, [("L01", 3), ("L02", 5), ("L03", 3), ("L04", 8), ("L05", 1), ("Q01", 6), ("Q02", 2)])); // 70
            }
            foreach (var month in Months[..2])
                Assert.IsType<ComputationOutcome.Completed>(await ComputeAsync(districtId, month));
            _seeded = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<ComputationOutcome> ComputeAsync(int districtId, int month, string user = "test")
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<MonthlyComputation>()
            .RunAsync(districtId, Domain.Calendar.EvaluationMonth.FromKey(month), user);
    }
}

public class MonthlyComputationTests(HandMonthFactory factory) : IClassFixture<HandMonthFactory>
{
    private const int Nov = 202611;

    private async Task<(int DistrictId, ComputationRun Run)> ComputeNovAsync()
    {
        await factory.SeedAsync();
        var (districtId, _, _) = await ContextAsync(factory);
        var outcome = Assert.IsType<ComputationOutcome.Completed>(await factory.ComputeAsync(districtId, Nov));
        Assert.True(outcome.Run.Status == ComputationStatus.Succeeded, outcome.Run.Error);
        return (districtId, outcome.Run);
    }

    private Task<Dictionary<string, VillageResult>> ResultsAsync(int month) => WithDbAsync(factory, db =>
        db.VillageResults.AsNoTracking().Include(r => r.Village).Where(r => r.Month == month).ToDictionaryAsync(r => r.Village!.Code));

    [Fact]
    public async Task The_hand_computed_month_matches_row_by_row()
    {
        var (_, run) = await ComputeNovAsync();
        Assert.Equal(10, run.VillageCount);
        Assert.Equal(1, run.MissingCount);
        var r = await ResultsAsync(Nov);
        Assert.Equal(10, r.Count);

        //                     village            final   tier                reason                          district township
        (string V, decimal Final, Tier Tier, TierReason Reason, int Rank, int TRank)[] expected =
        [
            (HandMonthFactory.A, 100.00m, Tier.Demonstration, TierReason.Threshold, 1, 1),
            (HandMonthFactory.G, 97.89m, Tier.Demonstration, TierReason.Threshold, 2, 1),
            (HandMonthFactory.C, 97.00m, Tier.Upgrade, TierReason.DemonstrationQuota, 3, 2),   // tie with B: smaller 六乱 deduction first
            (HandMonthFactory.B, 97.00m, Tier.Upgrade, TierReason.DemonstrationQuota, 4, 3),
            (HandMonthFactory.H, 92.00m, Tier.Upgrade, TierReason.DemonstrationQuota, 5, 1),   // the 示范 quota floor(10 × 20%) = 2 binds
            (HandMonthFactory.E, 86.00m, Tier.Upgrade, TierReason.Threshold, 6, 2),            // 0.3 × 100 + 0.7 × 80
            (HandMonthFactory.I, 80.00m, Tier.Upgrade, TierReason.Threshold, 7, 2),
            (HandMonthFactory.J, 70.00m, Tier.Rectify, TierReason.Threshold, 8, 3),
            (HandMonthFactory.D, 96.00m, Tier.Rectify, TierReason.Veto, 9, 4),                 // vetoed: after every unpenalised village
            (HandMonthFactory.F, 0.00m, Tier.Rectify, TierReason.MissingSheet, 10, 3),
        ];
        foreach (var (v, final, tier, reason, rank, townshipRank) in expected)
        {
            var row = r[v];
            Assert.True((final, tier, reason, rank, townshipRank) == (row.FinalScore, row.Tier, row.TierReason, row.DistrictRank, row.TownshipRank),
                $"{v}: expected {(final, tier, reason, rank, townshipRank)}, got {(row.FinalScore, row.Tier, row.TierReason, row.DistrictRank, row.TownshipRank)}");
            Assert.Equal(rank, row.PreviousDistrictRank);  // same sheets in October
            Assert.Equal(0, row.Movement);
            Assert.Equal(3, row.ConsecutiveMonthsInTier);
            Assert.Equal(run.Id, row.ComputationRunId);
        }
        Assert.Equal([HandMonthFactory.A, HandMonthFactory.G], r.Values.Where(x => x.OnRedList).OrderBy(x => x.DistrictRank).Select(x => x.Village!.Code));
        Assert.Equal([HandMonthFactory.F], r.Values.Where(x => x.OnBlackList).Select(x => x.Village!.Code));
        Assert.Equal([HandMonthFactory.A, HandMonthFactory.G], r.Values.Where(x => x.RewardFlag).OrderBy(x => x.DistrictRank).Select(x => x.Village!.Code));
        Assert.Equal([HandMonthFactory.J, HandMonthFactory.D, HandMonthFactory.F], r.Values.Where(x => x.InterviewFlag).OrderBy(x => x.DistrictRank).Select(x => x.Village!.Code));

        var e = r[HandMonthFactory.E];
        Assert.Equal((100.00m, 80.00m, 20.00m, true), (e.SelfScore, e.DistrictScore, e.InflationGap, e.InflatedFlag));
        Assert.StartsWith("【区级抽查】", e.Explanation);                       // the district check determined the score
        Assert.Equal([15.00m, 5.00m, 0.00m], e.Sections.OrderBy(s => s.Ordinal).Select(s => s.Deduction));
        var a = r[HandMonthFactory.A];
        Assert.Equal((100.00m, (decimal?)null, false), (a.SelfScore, a.DistrictScore, a.InflatedFlag)); // the draft check is ignored
        var d = r[HandMonthFactory.D];
        Assert.True(d.Vetoed);
        Assert.Equal(["V01"], d.VetoCodes);
        var f = r[HandMonthFactory.F];
        Assert.True(f.MissingSheet);
        Assert.Null(f.SelfScore);
        Assert.Empty(f.Sections);
        Assert.Contains("未提交自评表", f.Explanation);
        var g = r[HandMonthFactory.G];
        Assert.Equal(97.89m, g.SelfScore);
        Assert.Contains("清畜禽粪污：不适用", g.Explanation);
        Assert.Equal([2.00m, 0.00m, 0.00m], g.Sections.OrderBy(s => s.Ordinal).Select(s => s.Deduction));
        Assert.Equal([33.00m, 29.00m, 31.00m], g.Sections.OrderBy(s => s.Ordinal).Select(s => s.Score)); // raw, not normalised
        Assert.Contains("乱堆乱放：发现3处，每处扣1分，扣3分（得2/5分）", r[HandMonthFactory.B].Explanation);
        // Items that lost nothing are counted, not listed; the lines that matter are all there.
        Assert.Contains("\n其余26项未扣分（均得满分）", r[HandMonthFactory.B].Explanation);
        Assert.Contains("\n全部27项未扣分（均得满分）", a.Explanation);
        Assert.DoesNotContain("不扣分（得", a.Explanation);
        Assert.Equal(["【自评】", "乱堆乱放：发现3处，每处扣1分，扣3分（得2/5分）", "其余26项未扣分（均得满分）"],
            r[HandMonthFactory.B].Explanation.Split('\n').Take(3));

        var townships = await WithDbAsync(factory, db => db.TownshipResults.AsNoTracking().Include(t => t.Township)
            .Where(t => t.Month == Nov).OrderBy(t => t.Rank).ToListAsync());
        Assert.Equal(
            [("410271001000", 4, 4, 4, 0, 97.50m, 1, 2, 1, (decimal?)null, 1),
             ("410271003000", 3, 3, 2, 0, 80.67m, 0, 2, 1, null, 2),
             ("410271002000", 3, 2, 2, 1, 61.30m, 1, 1, 1, 20.00m, 3)],
            townships.Select(t => (t.Township!.Code, t.VillageCount, t.SubmittedCount, t.OnTimeCount, t.MissingCount, t.MeanFinalScore,
                t.DemonstrationCount, t.UpgradeCount, t.RectifyCount, t.MeanInflationGap, t.Rank)));
    }

    [Fact]
    public async Task Recomputing_unchanged_inputs_writes_identical_rows()
    {
        var (_, first) = await ComputeNovAsync();
        var before = await SnapshotAsync();
        var (_, second) = await ComputeNovAsync();
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(before, await SnapshotAsync());
    }

    /// <summary>Every column of the month's rows as PostgreSQL renders them, but the run that wrote them.</summary>
    private async Task<string[]> SnapshotAsync()
    {
        await using var conn = new NpgsqlConnection(factory.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"""
            SELECT (to_jsonb(r) - 'computation_run_id')::text FROM village_results r WHERE month = {Nov}
            UNION ALL SELECT to_jsonb(s)::text FROM village_result_sections s WHERE month = {Nov}
            UNION ALL SELECT (to_jsonb(t) - 'computation_run_id')::text FROM township_results t WHERE month = {Nov}
            ORDER BY 1
            """, conn);
        var rows = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        Assert.True(rows.Count > 20);
        return [.. rows];
    }

    [Fact]
    public async Task A_concurrent_trigger_gets_409_and_only_one_computation_runs()
    {
        await ComputeNovAsync();
        var (districtId, _, _) = await ContextAsync(factory);
        var admin = await factory.ClientForAsync("admin");
        Task<int> RunCount() => WithDbAsync(factory, db => db.ComputationRuns.CountAsync(x => x.DistrictId == districtId && x.Month == Nov));
        var before = await RunCount();

        // Hold the month's rows: the first computation takes the month's lock, then waits at its DELETE.
        await using var blocker = new NpgsqlConnection(factory.ConnectionString);
        await blocker.OpenAsync();
        var tx = await blocker.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand($"SELECT 1 FROM village_results WHERE month = {Nov} FOR UPDATE", blocker, tx))
            await hold.ExecuteNonQueryAsync();

        var first = admin.PostAsJsonAsync("/odata/ComputationRuns/Compute", new { month = "2026-11" });
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await WithDbAsync(factory, db => db.ComputationRuns.AnyAsync(x => x.Month == Nov && x.Status == ComputationStatus.Running)))
        {
            Assert.True(DateTime.UtcNow < deadline, "the first computation never started");
            await Task.Delay(50);
        }
        var second = await admin.PostAsJsonAsync("/odata/ComputationRuns/Compute", new { month = "2026-11" });
        var conflict = await second.ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("正在进行", conflict.GetProperty("title").GetString());

        await tx.CommitAsync();
        var done = await (await first).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Succeeded", done.GetProperty("status").GetString());
        Assert.Equal(10, done.GetProperty("villageCount").GetInt32());
        Assert.Equal(before + 1, await RunCount());
    }

    [Fact]
    public async Task Only_a_district_admin_computes_and_results_are_scoped_by_role()
    {
        await ComputeNovAsync();
        var anonymous = factory.CreateClient();
        await (await anonymous.GetAsync("/odata/VillageResults")).ExpectAsync(HttpStatusCode.Unauthorized);
        await (await anonymous.PostAsJsonAsync("/odata/ComputationRuns/Compute", new { month = "2026-11" })).ExpectAsync(HttpStatusCode.Unauthorized);
        var inspector = await factory.ClientForAsync("inspector");
        await (await inspector.PostAsJsonAsync("/odata/ComputationRuns/Compute", new { month = "2026-11" })).ExpectAsync(HttpStatusCode.Forbidden);
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(1));
        await (await secretary.PostAsJsonAsync("/odata/ComputationRuns/Compute", new { month = "2026-11" })).ExpectAsync(HttpStatusCode.Forbidden);

        // November is computed but not published: the secretary of township 2 sees none of its results, whatever
        // the query asks for (unpublished district checks stay with the district; issue #21, ComputationVisibility).
        // After publication they see exactly their township's rows (tests/…/Security/UnpublishedResultsTests).
        var own = await secretary.GetJsonAsync($"/odata/VillageResults?$filter=month eq {Nov}&$expand=village&$orderby=townshipRank");
        Assert.Empty(own.GetProperty("value").EnumerateArray());
        var other = await secretary.GetJsonAsync($"/odata/VillageResults?$filter=month eq {Nov} and villageId ne 0&$count=true");
        Assert.Equal(0, other.GetProperty("@odata.count").GetInt32());
        var townships = await secretary.GetJsonAsync($"/odata/TownshipResults?$filter=month eq {Nov}");
        Assert.Empty(townships.GetProperty("value").EnumerateArray());
        Assert.Empty((await secretary.GetJsonAsync("/odata/ComputationRuns")).GetProperty("value").EnumerateArray());

        var inspectorView = await inspector.GetJsonAsync($"/odata/VillageResults?$filter=month eq {Nov} and tier eq 'Rectify'&$orderby=districtRank&$select=districtRank,finalScore");
        Assert.Equal([8, 9, 10], inspectorView.GetProperty("value").EnumerateArray().Select(x => x.GetProperty("districtRank").GetInt32()));
        var runs = await inspector.GetJsonAsync($"/odata/ComputationRuns?$filter=month eq {Nov} and status eq 'Succeeded'");
        Assert.NotEmpty(runs.GetProperty("value").EnumerateArray());
    }

    [Fact]
    public async Task Aggregation_and_section_filters_translate_to_sql()
    {
        await ComputeNovAsync();
        var admin = await factory.ClientForAsync("admin");
        var means = await admin.GetJsonAsync($"/odata/VillageResults?$apply=filter(month eq {Nov})/groupby((townshipId),aggregate(finalScore with average as mean))&$orderby=townshipId");
        var values = means.GetProperty("value").EnumerateArray().Select(x => Math.Round(x.GetProperty("mean").GetDecimal(), 2)).ToArray();
        Assert.Equal([97.50m, 61.30m, 80.67m], values);

        var tiers = await admin.GetJsonAsync($"/odata/VillageResults?$apply=filter(month eq {Nov})/groupby((tier),aggregate($count as n))");
        Assert.Equal(3, tiers.GetProperty("value").GetArrayLength());

        var bySection = await admin.GetJsonAsync($"/odata/VillageResults?$filter=month eq {Nov} and sections/any(s: s/code eq 'Q' and s/deduction gt 0)&$expand=village&$orderby=districtRank");
        Assert.Equal([HandMonthFactory.C, HandMonthFactory.E, HandMonthFactory.J],
            bySection.GetProperty("value").EnumerateArray().Select(x => x.GetProperty("village").GetProperty("code").GetString()));
    }

    [Fact]
    public async Task Bad_and_future_months_are_refused()
    {
        await factory.SeedAsync();
        var admin = await factory.ClientForAsync("admin");
        await (await admin.PostAsJsonAsync("/odata/ComputationRuns/Compute", new { month = "2026-13" })).ExpectAsync(HttpStatusCode.BadRequest);
        await (await admin.PostAsJsonAsync("/odata/ComputationRuns/Compute", new { month = "2027-01" })).ExpectAsync(HttpStatusCode.BadRequest);
    }
}
