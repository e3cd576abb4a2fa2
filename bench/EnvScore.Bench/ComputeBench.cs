using System.Diagnostics;
using EnvScore.Api.Features.Computation;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Rules;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace EnvScore.Bench;

/// <summary>
/// The month for all districts through the product's MonthlyComputation (resolved from its DI container,
/// a scope per batch of districts, in district order — exactly what ComputeJob does), against a hand-written
/// set-based SQL computation of the same scores, tiers and ranks on the same data (the yardstick).
/// </summary>
public static class ComputeBench
{
    public sealed record Result(string Label, double Seconds, long PeakRss, long PeakHeap, long Allocated, int Districts, int Failed);

    public static async Task<int> RunAsync(string cs, EvaluationMonth month, int rounds, int parallel, int batch, bool yardstick = true)
    {
        await using var host = new ProductHost(cs);
        var services = host.Start();
        int[] districts;
        await using (var scope = host.Scope())
            districts = await scope.ServiceProvider.GetRequiredService<DeadlineProcessor>().DistrictIdsAsync(CancellationToken.None);
        long villages;
        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync();
            villages = await Generator.ScalarAsync<long>(conn, "SELECT count(*) FROM villages WHERE is_active");
        }
        Console.WriteLine($"compute: {villages:N0} villages in {districts.Length:N0} districts, month {month}, {rounds} round(s), batches of {batch} district(s), parallel {parallel}");

        // Warm-up (JIT, connection pool, rule-set cache) on one district, not timed.
        await ComputeBatch(host, [districts[0]], month);

        var results = new List<Result>();
        for (var round = 1; round <= rounds; round++)
        {
            results.Add(await Measure("product", districts.Length, async () =>
            {
                var failed = 0;
                await Parallel.ForEachAsync(districts.Chunk(batch), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (chunk, _) =>
                {
                    Interlocked.Add(ref failed, await ComputeBatch(host, chunk, month));
                });
                return failed;
            }));
            if (yardstick) results.Add(await Measure("sql-yardstick", districts.Length, async () => { await Yardstick(cs, month); return 0; }));
        }

        var mismatches = yardstick ? await CompareAsync(cs, month) : "not run";
        Console.WriteLine();
        Console.WriteLine($"| villages | run | wall time (s) | peak RSS | peak GC heap | allocated |");
        foreach (var r in results)
            Console.WriteLine($"| {villages:N0} | {r.Label} | {r.Seconds:F1} | {MemoryProbe.Mb(r.PeakRss)} | {MemoryProbe.Mb(r.PeakHeap)} | {MemoryProbe.Mb(r.Allocated)} |");
        for (var i = 0; yardstick && i + 1 < results.Count; i += 2)
            Console.WriteLine($"ratio product / yardstick (round {i / 2 + 1}): {results[i].Seconds / results[i + 1].Seconds:F2}");
        Console.WriteLine($"yardstick vs product results: {mismatches}");
        return results.Any(r => r.Failed > 0) ? 1 : 0;
    }

    /// <summary>One transaction for the batch, as ComputeJob runs it; returns the districts that did not succeed.</summary>
    internal static async Task<int> ComputeBatch(ProductHost host, int[] districts, EvaluationMonth month)
    {
        await using var scope = host.Scope();
        var outcomes = await scope.ServiceProvider.GetRequiredService<MonthlyComputation>().RunManyAsync(districts, month, "bench", CancellationToken.None);
        var failed = outcomes.Where(o => o.Value is not ComputationOutcome.Completed { Run.Status: ComputationStatus.Succeeded }).ToList();
        foreach (var (district, outcome) in failed.Take(5)) Console.WriteLine($"  district {district}: {outcome}");
        return failed.Count;
    }

    internal static async Task<Result> Measure(string label, int districts, Func<Task<int>> body)
    {
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        using var probe = new MemoryProbe();
        var sw = Stopwatch.StartNew();
        var failed = await body();
        sw.Stop();
        var r = new Result(label, sw.Elapsed.TotalSeconds, MemoryProbe.PeakRssBytes(), probe.PeakGcHeapBytes,
            GC.GetTotalAllocatedBytes(precise: true) - allocated, districts, failed);
        Console.WriteLine($"  {label}: {r.Seconds:F1} s, peak RSS {MemoryProbe.Mb(r.PeakRss)}, peak GC heap {MemoryProbe.Mb(r.PeakHeap)}, allocated {MemoryProbe.Mb(r.Allocated)}{(failed > 0 ? $", {failed} FAILED" : "")}");
        return r;
    }

    /// <summary>
    /// The yardstick: every district of the month in one transaction of set-based SQL — item deductions from
    /// evaluation_entries and rule_set_items, normalisation, bonus cap, combination with district checks,
    /// then TierSql's window functions partitioned by district. Writes ys_village_results / ys_township_results.
    /// It computes fewer columns than the product (no explanations, section rows, movement or consecutive months).
    /// </summary>
    public static async Task Yardstick(string cs, EvaluationMonth month)
    {
        var rules = RuleSetLoader.Parse(DefaultRuleSet.Yaml).RuleSet!;
        if (rules.Tiers.QuotaScope != QuotaScope.District) throw new InvalidOperationException("the yardstick implements district-scope quotas");
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using var cmd = new NpgsqlCommand(YardstickSql, conn, tx) { CommandTimeout = 0 };
        void P(string n, NpgsqlDbType t, object? v) => cmd.Parameters.Add(new NpgsqlParameter(n, t) { Value = v ?? DBNull.Value });
        P("month", NpgsqlDbType.Integer, month.Key);
        P("total_points", NpgsqlDbType.Numeric, rules.TotalPoints);
        P("bonus_cap", NpgsqlDbType.Numeric, rules.Bonus.TotalCap);
        P("self_w", NpgsqlDbType.Numeric, rules.Combination.SelfWeight);
        P("district_w", NpgsqlDbType.Numeric, rules.Combination.DistrictWeight);
        P("missing_score", NpgsqlDbType.Numeric, rules.MissingSheet.Score);
        P("missing_tier", NpgsqlDbType.Integer, (int)rules.MissingSheet.Tier);
        P("sections", NpgsqlDbType.Integer, rules.Sections.Count);
        P("demo_min", NpgsqlDbType.Numeric, rules.Tiers.DemonstrationMin);
        P("upgrade_min", NpgsqlDbType.Numeric, rules.Tiers.UpgradeMin);
        P("max_demo_pct", NpgsqlDbType.Numeric, rules.Tiers.MaxDemonstrationPercent);
        P("min_rect_pct", NpgsqlDbType.Numeric, rules.Tiers.MinRectifyPercent);
        P("black_size", NpgsqlDbType.Integer, rules.Tiers.BlackListSize);
        P("red_size", NpgsqlDbType.Integer, rules.Tiers.RedListSize);
        await cmd.ExecuteNonQueryAsync();
        await tx.CommitAsync();
    }

    private const string YardstickSql = """
        DROP TABLE IF EXISTS ys_village_results;
        DROP TABLE IF EXISTS ys_township_results;
        CREATE TABLE ys_village_results AS
        WITH counted AS (
            SELECT e.id, e.village_id, e.rule_set_id, e.kind, e.vetoes
            FROM evaluations e
            WHERE e.month = @month AND e.submitted_at IS NOT NULL AND e.status IN ('Submitted', 'Locked')
              AND (e.kind = 'District' OR NOT EXISTS (SELECT 1 FROM missing_submissions m WHERE m.village_id = e.village_id AND m.month = e.month))
        ), levels AS (
            SELECT i.rule_set_id, i.code, split_part(l, ':', 1) AS level, split_part(l, ':', 3)::numeric AS deduction
            FROM rule_set_items i, unnest(string_to_array(i.levels, '; ')) AS l
            WHERE i.kind = 'Levels'
        ), items AS (
            SELECT c.id, c.rule_set_id, i.section_code, i.kind, i.points, coalesce(ee.not_applicable, false) AS na,
                   CASE WHEN i.kind = 'Bonus' OR coalesce(ee.not_applicable, false) THEN 0
                        WHEN cardinality(ee.zero_conditions) > 0 THEN i.points
                        WHEN i.kind = 'PerOccurrence' THEN least(i.points_each * coalesce(ee.count, 0), coalesce(i.max_deduction, i.points), i.points)
                        WHEN i.kind = 'Sampled' THEN least(i.points_each * coalesce(ee.failed_samples, 0), i.points)
                        WHEN i.kind = 'Levels' THEN lv.deduction
                        WHEN i.kind = 'PassFail' THEN CASE WHEN ee.passed THEN 0 ELSE coalesce(i.points_each, i.points) END
                   END AS deduction,
                   CASE WHEN i.kind = 'Bonus' THEN least(i.points_each * coalesce(ee.count, 0), i.points) ELSE 0 END AS bonus
            FROM counted c
            JOIN rule_set_items i ON i.rule_set_id = c.rule_set_id
            LEFT JOIN evaluation_entries ee ON ee.evaluation_id = c.id AND ee.item_code = i.code
            LEFT JOIN levels lv ON lv.rule_set_id = i.rule_set_id AND lv.code = i.code AND lv.level = ee.level
        ), sections AS (
            SELECT it.id, s.ordinal,
                   coalesce(sum(it.deduction) FILTER (WHERE NOT it.na), 0) AS deduction,
                   coalesce(sum(it.points - it.deduction) FILTER (WHERE NOT it.na), 0) AS score,
                   coalesce(sum(it.points) FILTER (WHERE NOT it.na), 0) AS applicable_max
            FROM items it
            JOIN rule_set_sections s ON s.rule_set_id = it.rule_set_id AND s.code = it.section_code
            WHERE it.kind <> 'Bonus'
            GROUP BY it.id, s.ordinal
        ), bonuses AS (
            SELECT it.id, least(sum(it.bonus), @bonus_cap) AS bonus FROM items it WHERE it.kind = 'Bonus' GROUP BY it.id
        ), sheets AS (
            SELECT s.id, sum(s.score) AS raw, sum(s.applicable_max) AS applicable_max,
                   array_agg(s.deduction ORDER BY s.ordinal) AS deductions
            FROM sections s GROUP BY s.id
        ), scored AS (
            SELECT c.village_id, c.kind, c.vetoes, sh.deductions,
                   CASE WHEN sh.applicable_max = @total_points THEN sh.raw ELSE round(sh.raw * @total_points / sh.applicable_max, 2) END
                   + coalesce(bo.bonus, 0) AS total
            FROM sheets sh JOIN counted c ON c.id = sh.id LEFT JOIN bonuses bo ON bo.id = sh.id
        ), cand AS (
            SELECT v.id AS village_id, v.code AS village_code, t.id AS township_id, t.code AS township_code, t.district_id,
                   CASE WHEN s.village_id IS NULL THEN @missing_score
                        WHEN k.village_id IS NOT NULL THEN round(s.total * @self_w + k.total * @district_w, 2)
                        ELSE s.total END AS final_score,
                   cardinality(coalesce(s.vetoes, '{}') || coalesce(k.vetoes, '{}')) > 0 AS vetoed,
                   s.village_id IS NULL AS missing,
                   CASE WHEN s.village_id IS NULL THEN array_fill(0::numeric, ARRAY[@sections])
                        WHEN k.village_id IS NOT NULL THEN k.deductions ELSE s.deductions END AS tie
            FROM villages v
            JOIN townships t ON t.id = v.township_id
            LEFT JOIN scored s ON s.village_id = v.id AND s.kind = 'Self'
            LEFT JOIN scored k ON k.village_id = v.id AND k.kind = 'District'
            WHERE v.is_active
        ), b AS (
            SELECT c.*, (c.vetoed OR c.missing) AS penalised,
                   CASE WHEN c.missing THEN @missing_tier WHEN c.vetoed THEN 3
                        WHEN c.final_score >= @demo_min THEN 1 WHEN c.final_score >= @upgrade_min THEN 2 ELSE 3 END AS t0,
                   CASE WHEN c.missing THEN 'MissingSheet' WHEN c.vetoed THEN 'Veto' ELSE 'Threshold' END AS r0
            FROM cand c
        ), o AS (
            SELECT b.*,
                   row_number() OVER (PARTITION BY district_id ORDER BY penalised, final_score DESC, tie, village_code COLLATE "C") AS district_rank,
                   row_number() OVER (PARTITION BY township_id ORDER BY penalised, final_score DESC, tie, village_code COLLATE "C") AS township_rank,
                   count(*) OVER (PARTITION BY district_id) AS n
            FROM b
        ), q1 AS (
            SELECT o.*, sum(CASE WHEN t0 = 1 THEN 1 ELSE 0 END) OVER (PARTITION BY district_id ORDER BY district_rank ROWS UNBOUNDED PRECEDING) AS demo_seq
            FROM o
        ), q3 AS (
            SELECT q1.*,
                   (t0 = 1 AND demo_seq > floor(n * @max_demo_pct / 100)) AS over_demo_quota,
                   (district_rank > n - ceil(n * @min_rect_pct / 100)) AS in_rect_quota,
                   (district_rank > n - @black_size) AS black
            FROM q1
        ), q4 AS (
            SELECT q3.*,
                   CASE WHEN over_demo_quota THEN 2 ELSE t0 END AS t1,
                   CASE WHEN over_demo_quota THEN 'DemonstrationQuota' ELSE r0 END AS r1
            FROM q3
        ), q5 AS (
            SELECT q4.*,
                   CASE WHEN t1 <> 3 AND (in_rect_quota OR black) THEN 3 ELSE t1 END AS t2,
                   CASE WHEN t1 <> 3 AND in_rect_quota THEN 'RectifyQuota' WHEN t1 <> 3 AND black THEN 'BlackList' ELSE r1 END AS r2
            FROM q4
        ), q6 AS (
            SELECT q5.*, sum(CASE WHEN t2 = 1 THEN 1 ELSE 0 END) OVER (PARTITION BY district_id ORDER BY district_rank ROWS UNBOUNDED PRECEDING) AS demo_seq2
            FROM q5
        )
        SELECT village_id, township_id, district_id, final_score, vetoed, missing,
               CASE t2 WHEN 1 THEN 'Demonstration' WHEN 2 THEN 'Upgrade' ELSE 'Rectify' END AS tier, r2 AS tier_reason,
               township_rank::int, district_rank::int, black AS on_black_list, (t2 = 1 AND demo_seq2 <= @red_size) AS on_red_list
        FROM q6;

        CREATE TABLE ys_township_results AS
        WITH g AS (
            SELECT r.township_id, r.district_id, t.code AS township_code, count(*)::int AS village_count,
                   count(*) FILTER (WHERE r.missing)::int AS missing_count, round(avg(r.final_score), 2) AS mean_final_score,
                   count(*) FILTER (WHERE r.tier = 'Demonstration')::int AS demonstration_count,
                   count(*) FILTER (WHERE r.tier = 'Upgrade')::int AS upgrade_count,
                   count(*) FILTER (WHERE r.tier = 'Rectify')::int AS rectify_count
            FROM ys_village_results r JOIN townships t ON t.id = r.township_id
            GROUP BY r.township_id, r.district_id, t.code
        )
        SELECT g.*, row_number() OVER (PARTITION BY district_id ORDER BY mean_final_score DESC, missing_count, township_code COLLATE "C")::int AS rank
        FROM g;
        """;

    /// <summary>Row-by-row agreement of the yardstick with the product's village_results and township_results.</summary>
    public static async Task<string> CompareAsync(string cs, EvaluationMonth month)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT (SELECT count(*) FROM ys_village_results),
                   (SELECT count(*) FROM village_results WHERE month = @month),
                   (SELECT count(*) FROM ys_village_results y JOIN village_results r ON r.village_id = y.village_id AND r.month = @month
                     WHERE (r.final_score, r.tier, r.tier_reason, r.township_rank, r.district_rank, r.on_red_list, r.on_black_list)
                       IS DISTINCT FROM (y.final_score, y.tier, y.tier_reason, y.township_rank, y.district_rank, y.on_red_list, y.on_black_list)),
                   (SELECT count(*) FROM ys_township_results y JOIN township_results r ON r.township_id = y.township_id AND r.month = @month
                     WHERE (r.mean_final_score, r.rank, r.demonstration_count, r.rectify_count) IS DISTINCT FROM (y.mean_final_score, y.rank, y.demonstration_count, y.rectify_count))
            """, conn) { CommandTimeout = 0 };
        cmd.Parameters.AddWithValue("month", month.Key);
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        return $"{r.GetInt64(0):N0} yardstick rows, {r.GetInt64(1):N0} product rows, {r.GetInt64(2):N0} village rows differ " +
               $"(score, tier, reason, ranks, lists), {r.GetInt64(3):N0} township rows differ";
    }
}
