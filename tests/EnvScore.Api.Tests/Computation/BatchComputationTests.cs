using EnvScore.Api.Features.Computation;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Features.Organisation;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Organisation;
using EnvScore.Domain.Scoring;
using EnvScore.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static EnvScore.Api.Tests.Computation.ComputationData;

namespace EnvScore.Api.Tests.Computation;

/// <summary>
/// The scheduled computation's shape: several districts in one set-based transaction. Each test class gets its own
/// database; this one adds two small districts next to the demo district.
/// </summary>
public class BatchComputationTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    private const int Oct = 202610;
    private static readonly EvaluationMonth October = EvaluationMonth.FromKey(Oct);

    private async Task<(int Demo, int Good, int Broken)> SeedAsync()
    {
        var (demo, _, rules) = await ContextAsync(factory);
        var ids = await WithDbAsync(factory, async db =>
        {
            foreach (var code in new[] { "410273", "410274" })
                if (!await db.Districts.AnyAsync(d => d.Code == code + "000000"))
                    db.Districts.Add(new District
                    {
                        Code = code + "000000", Name = $"测试区{code}",
                        Townships = [new Township
                        {
                            Code = code + "001000", Name = "测试镇", Kind = TownshipKind.Zhen,
                            Villages = [.. new[] { 201, 202 }.Select(n => new Village { Code = $"{code}001{n}", Name = $"测试{n}村" })],
                        }],
                    });
            await db.SaveChangesAsync();
            return await db.Districts.Where(d => d.Code == "410273000000" || d.Code == "410274000000").OrderBy(d => d.Code).Select(d => d.Id).ToListAsync();
        });
        await using (var scope = factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<DefaultRuleSet>().EnsureForAllDistrictsAsync();

        var at = new DateTimeOffset(2026, 10, 28, 2, 0, 0, TimeSpan.Zero);
        if (!await WithDbAsync(factory, db => db.Evaluations.AnyAsync(e => e.Month == Oct)))
        {
            await AddSheetAsync(factory, Village(0, 0), Oct, EvaluationKind.Self, EvaluationStatus.Submitted, Entries(rules, [("L02", 2)]), at);
            await AddSheetAsync(factory, "410273001201", Oct, EvaluationKind.Self, EvaluationStatus.Submitted, Entries(rules, [("L01", 1)]), at);
            await AddSheetAsync(factory, "410273001202", Oct, EvaluationKind.Self, EvaluationStatus.Submitted, Entries(rules), at);
            // A counted sheet that does not validate (a level the rule set does not have): only its district may fail.
            var broken = Entries(rules);
            var levels = broken.First(e => e.Level is not null);
            levels.Level = "Z";
            await AddSheetAsync(factory, "410274001201", Oct, EvaluationKind.Self, EvaluationStatus.Submitted, broken, at);
        }
        return (demo, ids[0], ids[1]);
    }

    private async Task<IReadOnlyDictionary<int, ComputationOutcome>> RunManyAsync(params int[] districts)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<MonthlyComputation>().RunManyAsync(districts, October, "test");
    }

    [Fact]
    public async Task A_batch_computes_every_district_and_a_district_with_an_invalid_sheet_fails_alone()
    {
        var (demo, good, broken) = await SeedAsync();
        var outcomes = await RunManyAsync(demo, good, broken);

        var runs = outcomes.ToDictionary(o => o.Key, o => Assert.IsType<ComputationOutcome.Completed>(o.Value).Run);
        Assert.Equal((ComputationStatus.Succeeded, 55, 54), (runs[demo].Status, runs[demo].VillageCount, runs[demo].MissingCount));
        Assert.Equal((ComputationStatus.Succeeded, 2, 0), (runs[good].Status, runs[good].VillageCount, runs[good].MissingCount));
        Assert.Equal(ComputationStatus.Failed, runs[broken].Status);
        Assert.Contains("1份已提交评分表无法计分", runs[broken].Error);
        Assert.Contains("\"Z\"", runs[broken].Error); // names the bad level
        Assert.Contains("测试201村（410274001201，自评）", runs[broken].Error); // and the village as users know it

        var results = await WithDbAsync(factory, db => db.VillageResults.AsNoTracking().Where(r => r.Month == Oct)
            .GroupBy(r => r.DistrictId).Select(g => new { g.Key, Count = g.Count(), Runs = g.Select(r => r.ComputationRunId).Distinct().Count() })
            .ToDictionaryAsync(x => x.Key, x => (x.Count, x.Runs)));
        Assert.Equal((55, 1), results[demo]);
        Assert.Equal((2, 1), results[good]);
        Assert.False(results.ContainsKey(broken)); // nothing half-written for the failed district

        // Ranks, tiers and townships are per district even though one statement ranked them all.
        var goodRows = await WithDbAsync(factory, db => db.VillageResults.AsNoTracking().Include(r => r.Village)
            .Where(r => r.Month == Oct && r.DistrictId == good).OrderBy(r => r.DistrictRank).ToListAsync());
        Assert.Equal(["410273001202", "410273001201"], goodRows.Select(r => r.Village!.Code));
        Assert.Equal([1, 2], goodRows.Select(r => r.DistrictRank));
        Assert.Equal(100.00m, goodRows[0].FinalScore);
        Assert.True(goodRows[1].FinalScore < 100.00m);
        Assert.Contains("其余", goodRows[1].Explanation);
        var townshipRanks = await WithDbAsync(factory, db => db.TownshipResults.AsNoTracking()
            .Where(t => t.Month == Oct && t.DistrictId == good).Select(t => t.Rank).ToListAsync());
        Assert.Equal([1], townshipRanks);
        // Section rows exist for the counted sheets only, named from the rule set.
        var sections = await WithDbAsync(factory, db => db.VillageResults.AsNoTracking()
            .Where(r => r.Month == Oct && r.DistrictId == good).SelectMany(r => r.Sections).CountAsync());
        Assert.Equal(2 * 3, sections);
    }

    [Fact]
    public async Task A_district_locked_elsewhere_is_skipped_and_the_others_still_compute()
    {
        var (demo, good, _) = await SeedAsync();
        await using var other = new NpgsqlConnection(factory.ConnectionString);
        await other.OpenAsync();
        await using var tx = await other.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({MonthlyComputation.LockKey(good, October)})", other, tx))
            await hold.ExecuteNonQueryAsync();

        var outcomes = await RunManyAsync(demo, good);
        Assert.IsType<ComputationOutcome.AlreadyRunning>(outcomes[good]);
        Assert.Equal(ComputationStatus.Succeeded, Assert.IsType<ComputationOutcome.Completed>(outcomes[demo]).Run.Status);
        await tx.RollbackAsync();
    }

    [Fact]
    public void Staged_entries_round_trip_every_field()
    {
        const char F = '\u001f', E = '\u001e', Z = '\u001d';
        var text = $"L01{F}0{F}3{F}{F}{F}{F}{F}{E}Q05{F}1{F}{F}{F}{F}{F}{F}[]{E}C01{F}0{F}{F}B{F}{F}{F}Z1{Z}Z2{F}{E}C02{F}0{F}{F}{F}2{F}0{F}{F}"
            + $"{E}R01{F}0{F}{F}{F}{F}{F}{F}[{{\"Code\": \"a\", \"Yes\": true}}, {{\"Code\": \"c\", \"Count\": 10, \"Percent\": 84.5}}]";
        var entries = SheetStaging.ParseEntries(text);
        Assert.Equal(
            [
                new ItemEntry("L01", Count: 3),
                new ItemEntry("Q05", NotApplicable: true),
                new ItemEntry("C01", Level: "B", ZeroConditions: entries[2].ZeroConditions),
                new ItemEntry("C02", FailedSamples: 2, Passed: false),
                new ItemEntry("R01", Clauses: entries[4].Clauses),
            ],
            entries.Take(5));
        Assert.Equal(new ClauseInput(Yes: true), entries[4].Clauses!["a"]);
        Assert.Equal(new ClauseInput(Count: 10, Percent: 84.5m), entries[4].Clauses!["c"]);
        Assert.Equal(["Z1", "Z2"], entries[2].ZeroConditions!);
        Assert.Throws<FormatException>(() => SheetStaging.ParseEntries($"L01{F}0{F}3"));
    }
}
