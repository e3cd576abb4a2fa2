using System.Globalization;
using EnvScore.Api.Features.Computation;
using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;
using EnvScore.Testing;
using Npgsql;
using NpgsqlTypes;

namespace EnvScore.Api.Tests.Computation;

/// <summary>
/// The SQL the monthly computation runs for the self/district combination, the inflation flag (虚高) and the consequence
/// runs (约谈 / reward) — the fragments of <see cref="CombinationSql"/> — against their C# references
/// <see cref="ScoreCombiner.Combine"/> and <see cref="ConsequenceEvaluator.Evaluate"/>, evaluated by the test run's
/// PostgreSQL: hand-computed cases at the rounding and threshold edges, then many generated ones.
/// </summary>
public class CombinationSqlAgreementTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    private sealed record Case(decimal Self, decimal? District, decimal SelfWeight, decimal DistrictWeight, decimal Threshold);

    private sealed record SqlCombined(string Final, decimal? Gap, bool Inflated);

    // Expected values worked out by hand (四舍五入: a third decimal of 5 rounds away from zero; banker's rounding would
    // differ in the first three), not by the code under test.
    public static TheoryData<string, string?, string, string, string, string, bool> HandComputed => new()
    {
        // self, district, self weight, district weight, threshold → final (2 decimals), inflated
        { "90.01", "80.00", "0.5", "0.5", "10", "85.01", true },        // 85.005 → 85.01; gap 10.01 = threshold + 0.01
        { "90.05", "80.00", "0.3", "0.7", "10", "83.02", true },        // 27.015 + 56 = 83.015 → 83.02
        { "91.00", "80.10", "0.35", "0.65", "10", "83.92", true },      // 31.85 + 52.065 = 83.915 → 83.92
        { "95.55", "80.05", "0.35", "0.65", "10", "85.48", true },      // 33.4425 + 52.0325 = 85.475 → 85.48
        { "90.00", "80.00", "0.3", "0.7", "10", "83.00", false },       // gap exactly at the threshold: not inflated
        { "89.99", "80.00", "0.3", "0.7", "10", "83.00", false },       // 82.997 → 83.00; gap 9.99
        { "80.01", "80.00", "0.35", "0.65", "0", "80.00", true },       // 80.0035 → 80.00; gap 0.01 > 0
        { "85.50", "80.00", "0.4", "0.6", "5.5", "82.20", false },      // gap 5.50 = threshold
        { "85.51", "80.00", "0.4", "0.6", "5.5", "82.20", true },       // 82.204 → 82.20; gap 5.51
        { "85.49", "80.00", "0.4", "0.6", "5.5", "82.20", false },      // 82.196 → 82.20; gap 5.49
        { "100", "0", "0.3", "0.7", "10", "30.00", true },              // full marks self, zero district check
        { "0", "100", "0.3", "0.7", "10", "70.00", false },             // gap −100
        { "0", "0", "0.3", "0.7", "10", "0.00", false },
        { "100", "100", "0.35", "0.65", "10", "100.00", false },
        { "87.50", null, "0.3", "0.7", "10", "87.50", false },          // no district check: the self total, never inflated
        { "0", null, "0.3", "0.7", "0", "0.00", false },
        { "100", null, "0.35", "0.65", "10", "100.00", false },
    };

    [Theory, MemberData(nameof(HandComputed))]
    public async Task Hand_computed_combinations(string self, string? district, string selfWeight, string districtWeight, string threshold,
        string final, bool inflated)
    {
        var c = new Case(D(self), district is null ? null : D(district), D(selfWeight), D(districtWeight), D(threshold));
        var expectedGap = c.District is { } k ? c.Self - k : (decimal?)null;

        var reference = ScoreCombiner.Combine(c.Self, c.District, Policy(c));
        Assert.Equal(final, reference.Final.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(inflated, reference.Inflated);
        Assert.Equal(expectedGap, reference.Gap);

        var sql = (await CombineInSqlAsync([c]))[0];
        Assert.Equal(new SqlCombined(final, expectedGap, inflated), sql);
    }

    public static TheoryData<int> Seeds => new() { 1, 2, 3, 4 };

    private static readonly (decimal Self, decimal District)[] Weights =
        [(0.3m, 0.7m), (0.35m, 0.65m), (0.5m, 0.5m), (0.4m, 0.6m), (0.25m, 0.75m), (0.333m, 0.667m), (1m, 0m), (0m, 1m), (0.7m, 0.3m)];

    private static readonly decimal[] Thresholds = [0m, 5m, 5.5m, 10m, 15.25m, 100m];

    [Theory, MemberData(nameof(Seeds))]
    public async Task Sql_combination_agrees_with_the_reference(int seed)
    {
        var random = new Random(seed);
        decimal Total() => random.Next(0, 8) switch
        {
            0 => 0m,
            1 => 100m,
            // x.x5 and x.x1 endings: with weights like 0.3/0.35 the product ends in a half at the third decimal.
            2 => random.Next(0, 2000) * 0.05m,
            _ => random.Next(0, 10001) / 100m,
        };
        var cases = new List<Case>();
        for (var i = 0; i < 600; i++)
        {
            var (sw, dw) = Weights[random.Next(Weights.Length)];
            var threshold = Thresholds[random.Next(Thresholds.Length)];
            var self = Total();
            decimal? district = random.Next(0, 6) switch
            {
                0 => null,                                              // no district check
                // the gap at the threshold, or 0.01 either side (kept within 0..100)
                1 => Math.Clamp(self - threshold + random.Next(-1, 2) * 0.01m, 0m, 100m),
                _ => Total(),
            };
            cases.Add(new Case(self, district, sw, dw, threshold));
        }
        Assert.Contains(cases, c => c.District is null);
        Assert.Contains(cases, c => c.District is { } k && c.Self - k == c.Threshold);

        var sql = await CombineInSqlAsync(cases);
        for (var i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var e = ScoreCombiner.Combine(c.Self, c.District, Policy(c));
            var expected = new SqlCombined(e.Final.ToString(CultureInfo.InvariantCulture), e.Gap, e.Inflated);
            Assert.True(expected == sql[i], $"seed {seed}, {c}: reference {expected}, SQL {sql[i]}");
        }
    }

    /// <summary>Evaluates the computation's fragments over the cases, typed as the computation types them (cmp_sheet.total numeric(7,2), cmp_district weights numeric).</summary>
    private async Task<List<SqlCombined>> CombineInSqlAsync(IReadOnlyList<Case> cases)
    {
        await using var conn = new NpgsqlConnection(factory.ConnectionString);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var create = new NpgsqlCommand("""
            CREATE TEMP TABLE cmb_case (id int PRIMARY KEY, self numeric(7,2) NOT NULL, district numeric(7,2),
                self_w numeric NOT NULL, district_w numeric NOT NULL, inflation numeric NOT NULL) ON COMMIT DROP
            """, conn)) await create.ExecuteNonQueryAsync();
        await using (var w = await conn.BeginBinaryImportAsync("COPY cmb_case (id, self, district, self_w, district_w, inflation) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < cases.Count; i++)
            {
                var c = cases[i];
                await w.StartRowAsync();
                await w.WriteAsync(i, NpgsqlDbType.Integer);
                await w.WriteAsync(c.Self, NpgsqlDbType.Numeric);
                if (c.District is { } k) await w.WriteAsync(k, NpgsqlDbType.Numeric);
                else await w.WriteNullAsync();
                await w.WriteAsync(c.SelfWeight, NpgsqlDbType.Numeric);
                await w.WriteAsync(c.DistrictWeight, NpgsqlDbType.Numeric);
                await w.WriteAsync(c.Threshold, NpgsqlDbType.Numeric);
            }
            await w.CompleteAsync();
        }
        var result = new List<SqlCombined>();
        await using var read = new NpgsqlCommand(
            $"SELECT {CombinationSql.Final("self", "district", "self_w", "district_w")}, {CombinationSql.Gap("self", "district")}, " +
            $"{CombinationSql.Inflated("self", "district", "inflation")} FROM cmb_case ORDER BY id", conn);
        await using var reader = await read.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            result.Add(new SqlCombined(reader.GetDecimal(0).ToString(CultureInfo.InvariantCulture),
                reader.IsDBNull(1) ? null : reader.GetDecimal(1), reader.GetBoolean(2)));
        Assert.Equal(cases.Count, result.Count);
        return result;
    }

    private static CombinationPolicy Policy(Case c) =>
        new() { SelfWeight = c.SelfWeight, DistrictWeight = c.DistrictWeight, InflationThreshold = c.Threshold };

    private static decimal D(string s) => decimal.Parse(s, CultureInfo.InvariantCulture);

    // ---- Consequence runs ----

    private const Tier S = Tier.Demonstration, U = Tier.Upgrade, R = Tier.Rectify;

    /// <summary>
    /// Hand-worked months, oldest first (null = the village has no result that month); the run, 约谈 and reward of the
    /// last month as the computation stores them.
    /// </summary>
    public static TheoryData<Tier?[], int?, int?, int, bool, bool> HandRuns => new()
    {
        { [R, R, R], 3, null, 3, true, false },
        { [R, R], 3, null, 2, false, false },
        { [R, null, R, R], 3, null, 2, false, false },      // a month without a result ends the run
        { [U, R, R, R, R], 3, null, 4, true, false },
        { [R], 1, 1, 1, true, false },
        { [S, S], 3, 2, 2, false, true },
        { [U, S], null, 1, 1, false, true },
        { [S, S, S], null, null, 3, false, false },         // no consequences configured
        { [S, U, S], 3, 2, 1, false, false },
        { [U, U, U], 1, 1, 3, false, false },               // 提升 runs count but carry no consequence
    };

    [Theory, MemberData(nameof(HandRuns))]
    public async Task Hand_computed_runs(Tier?[] months, int? interviewAfter, int? rewardAfter, int run, bool interview, bool reward)
    {
        var policy = new ConsequencePolicy { InterviewAfterRectifyMonths = interviewAfter, RewardAfterDemonstrationMonths = rewardAfter };
        var sql = (await RunsInSqlAsync([(months, policy)]))[0][^1];
        Assert.Equal((run, interview, reward), (sql!.Value.Run, sql.Value.Interview, sql.Value.Reward));
        var flags = ConsequenceEvaluator.Evaluate(policy, NewestFirst(months, months.Length - 1));
        Assert.Equal((interview, reward), (flags.Interview, flags.Reward));
    }

    [Theory, MemberData(nameof(Seeds))]
    public async Task Sql_runs_agree_with_the_reference(int seed)
    {
        var random = new Random(seed);
        int? After() => random.Next(0, 4) == 0 ? null : random.Next(1, 5);
        var histories = new List<(Tier?[] Months, ConsequencePolicy Policy)>();
        for (var i = 0; i < 300; i++)
        {
            // Mostly one tier per history, so that long runs are common; now and then another tier or a month without a result.
            var main = (Tier)random.Next(1, 4);
            var months = Enumerable.Range(0, random.Next(1, 13))
                .Select(_ => random.Next(0, 10) == 0 ? (Tier?)null : random.Next(0, 4) == 0 ? (Tier)random.Next(1, 4) : main)
                .ToArray();
            histories.Add((months, new ConsequencePolicy { InterviewAfterRectifyMonths = After(), RewardAfterDemonstrationMonths = After() }));
        }
        var sql = await RunsInSqlAsync(histories);
        var compared = 0;
        for (var h = 0; h < histories.Count; h++)
        {
            var (months, policy) = histories[h];
            for (var m = 0; m < months.Length; m++)
            {
                if (months[m] is not { } tier) { Assert.Null(sql[h][m]); continue; }
                var a = sql[h][m]!.Value;
                var list = NewestFirst(months, m);
                var e = ConsequenceEvaluator.Evaluate(policy, list);
                // The reference counts 整治 and 示范 runs; a 提升 run is the same count of identical leading tiers.
                var expectedRun = tier switch { R => e.RectifyRun, S => e.DemonstrationRun, _ => list.TakeWhile(t => t == U).Count() };
                Assert.True((expectedRun, e.Interview, e.Reward) == (a.Run, a.Interview, a.Reward),
                    $"seed {seed}, history {h} [{string.Join(",", months.Select(t => t?.ToString() ?? "-"))}] month {m}, {policy}: " +
                    $"reference {(expectedRun, e.Interview, e.Reward)}, SQL {a}");
                compared++;
            }
        }
        Assert.True(compared > 1000, $"{compared} months compared");
    }

    /// <summary>Month <paramref name="current"/> and the consecutive months before it that have a result, newest first (the reference's input).</summary>
    private static Tier[] NewestFirst(Tier?[] months, int current)
    {
        var list = new List<Tier>();
        for (var m = current; m >= 0 && months[m] is { } t; m--) list.Add(t);
        return [.. list];
    }

    /// <summary>
    /// Steps every history month by month through the computation's fragments: each month's run reads the previous
    /// month's stored tier name and run as SQL produced them (nothing when that month had no result), as the
    /// computation reads village_results of the previous month.
    /// </summary>
    private async Task<List<(int Run, bool Interview, bool Reward)?[]>> RunsInSqlAsync(IReadOnlyList<(Tier?[] Months, ConsequencePolicy Policy)> histories)
    {
        await using var conn = new NpgsqlConnection(factory.ConnectionString);
        await conn.OpenAsync();
        var results = histories.Select(h => new (int Run, bool Interview, bool Reward)?[h.Months.Length]).ToList();
        var previous = histories.Select(_ => ((string? Tier, int? Run))(null, null)).ToArray();
        var tierName = string.Format(CultureInfo.InvariantCulture, TierSql.TierName, "u.tier");
        var sql = $"""
            SELECT i, tier_name, run_length,
                   {CombinationSql.Interview("tier", "run_length", "interview")},
                   {CombinationSql.Reward("tier", "run_length", "reward")}
            FROM (SELECT u.*, {tierName} AS tier_name,
                         {CombinationSql.RunLength("u.prev_tier", "u.prev_run", tierName)} AS run_length
                  FROM unnest(@i, @prev_tier, @prev_run, @tier, @interview, @reward) AS u(i, prev_tier, prev_run, tier, interview, reward)) x
            """;
        for (var m = 0; m < histories.Max(h => h.Months.Length); m++)
        {
            var live = Enumerable.Range(0, histories.Count).Where(h => m < histories[h].Months.Length).ToArray();
            var present = live.Where(h => histories[h].Months[m] is not null).ToArray();
            await using var cmd = new NpgsqlCommand(sql, conn);
            cmd.Parameters.Add(new NpgsqlParameter("i", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = present });
            cmd.Parameters.Add(new NpgsqlParameter("prev_tier", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = present.Select(h => previous[h].Tier).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter("prev_run", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = present.Select(h => previous[h].Run).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter("tier", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = present.Select(h => (int)histories[h].Months[m]!.Value).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter("interview", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = present.Select(h => histories[h].Policy.InterviewAfterRectifyMonths).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter("reward", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = present.Select(h => histories[h].Policy.RewardAfterDemonstrationMonths).ToArray() });
            foreach (var h in live) previous[h] = (null, null);   // a month without a result: the next month has nothing to continue
            await using var reader = await cmd.ExecuteReaderAsync();
            var read = 0;
            while (await reader.ReadAsync())
            {
                var h = reader.GetInt32(0);
                previous[h] = (reader.GetString(1), reader.GetInt32(2));
                results[h][m] = (reader.GetInt32(2), reader.GetBoolean(3), reader.GetBoolean(4));
                read++;
            }
            Assert.Equal(present.Length, read);
        }
        return results;
    }
}
