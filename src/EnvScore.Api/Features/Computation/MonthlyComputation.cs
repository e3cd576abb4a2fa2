using EnvScore.Api.Features.Calendar;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace EnvScore.Api.Features.Computation;

/// <summary>Which district-months are published; a published month is never recomputed (revisions come later).</summary>
public interface IMonthPublicationGuard
{
    /// <summary>The districts among <paramref name="districtIds"/> whose month is published (and not open for correction).</summary>
    Task<IReadOnlySet<int>> PublishedAmongAsync(IReadOnlyCollection<int> districtIds, EvaluationMonth month, CancellationToken ct);
}

public abstract record ComputationOutcome
{
    /// <summary>The run ended (succeeded or failed — see its status).</summary>
    public sealed record Completed(ComputationRun Run) : ComputationOutcome;
    /// <summary>Another computation of the same district-month holds the lock.</summary>
    public sealed record AlreadyRunning(string Message) : ComputationOutcome;
    public sealed record Published(string Message) : ComputationOutcome;
}

/// <summary>
/// Computes district-months — one district for a request, every due district of a month for the schedule —
/// set-based, in one transaction: the engine scores the counted sheets (<see cref="SheetStaging"/>), then SQL
/// combines, tiers, ranks, flags and replaces the month's rows of all the districts at once (DELETE + INSERT),
/// so a failure leaves the previous results intact. Per district: a run record, a transaction-scoped advisory
/// lock (serialises computations across instances; a district locked elsewhere is skipped) and the rule set in
/// force. A district whose counted sheets do not validate fails alone; any other error fails the batch.
/// </summary>
public sealed class MonthlyComputation(
    EnvScoreDbContext db,
    RuleSetStore ruleSets,
    IMonthPublicationGuard publication,
    IServiceScopeFactory scopes,
    CalendarService calendars,
    TimeProvider time,
    ILogger<MonthlyComputation> log)
{
    /// <summary>The advisory-lock key of a district-month: a namespace tag, the district id and the month index.</summary>
    public static long LockKey(int districtId, EvaluationMonth month) =>
        (0x4553L << 48) | ((long)districtId << 20) | (long)(month.Year * 12 + month.Month - 1);

    public async Task<ComputationOutcome> RunAsync(int districtId, EvaluationMonth month, string requestedBy, CancellationToken ct = default) =>
        (await RunManyAsync([districtId], month, requestedBy, ct))[districtId];

    /// <summary>Computes the month for every district given, in one transaction; one outcome per district.</summary>
    public async Task<IReadOnlyDictionary<int, ComputationOutcome>> RunManyAsync(IReadOnlyCollection<int> districtIds, EvaluationMonth month,
        string requestedBy, CancellationToken ct = default)
    {
        var outcomes = new Dictionary<int, ComputationOutcome>();
        var requested = districtIds.Distinct().Order().ToArray();
        var published = await publication.PublishedAmongAsync(requested, month, ct);
        foreach (var d in published)
            outcomes[d] = new ComputationOutcome.Published($"{month.ToChinese()}的结果已发布，不能重新计算；请通过修订更正 (a published month is not recomputed: issue a revision)");
        var candidates = requested.Where(d => !published.Contains(d)).ToArray();
        if (candidates.Length == 0) return outcomes;

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        var locked = await TryLockAsync(conn, candidates, month, ct);
        foreach (var d in candidates.Except(locked))
            outcomes[d] = new ComputationOutcome.AlreadyRunning($"{month.ToChinese()}的计算正在进行，请稍后查看结果 (a computation of this month is already running)");
        if (locked.Length == 0) return outcomes;

        // Run records are written on their own connection and committed at once, so they are visible
        // (queued, running, failed) while this transaction is open or after it rolls back.
        var runs = await StartRunsAsync(locked, month, requestedBy, ct);
        var failures = new Dictionary<int, string>();
        var counts = new Dictionary<int, (int Villages, int Missing)>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        TimeSpan staged = default, written = default;
        try
        {
            var inForce = await ruleSets.ResolveManyAsync(locked, month, ct);
            foreach (var d in locked.Where(d => !inForce.ContainsKey(d)))
                failures[d] = $"{month.ToChinese()}没有启用的评分细则 (no rule set in force for the month)";
            var scoring = locked.Where(inForce.ContainsKey).ToArray();
            await MarkRunningAsync(runs.Values.Where(r => inForce.ContainsKey(r.DistrictId)).ToList(), ct);
            if (scoring.Length > 0)
            {
                var rules = await RulesAsync(conn, inForce, scoring, month, ct);
                var problems = await SheetStaging.StageAsync(conn, db.Database.GetConnectionString()!, scoring, month.Key, rules, ct);
                staged = clock.Elapsed;
                foreach (var (d, list) in problems)
                    failures[d] = $"{list.Count}份已提交评分表无法计分，请退回更正 ({list.Count} counted sheets do not validate): " + string.Join(" | ", list.Take(20));
                var ok = scoring.Where(d => !failures.ContainsKey(d)).ToArray();
                if (ok.Length > 0)
                    counts = await WriteResultsAsync(conn, ok, month, ok.ToDictionary(d => d, d => (inForce[d].Id, rules[inForce[d].Id], runs[d].Id)), ct);
            }
            written = clock.Elapsed;
            EnvScore.Api.Infrastructure.Faults.FaultPoint.Reach(EnvScore.Api.Infrastructure.Faults.FaultPoint.ComputeBeforeCommit);
            await tx.CommitAsync(ct);
        }
        catch (Exception e)
        {
            // Everything fails the runs, cancellation included, so that no run is left "running".
            try { await tx.RollbackAsync(CancellationToken.None); }
            catch (Exception rollback) { log.LogWarning(rollback, "Rollback after a failed computation failed; the connection is discarded"); }
            log.LogError(e, "Computation of {Month} failed for {Count} district(s)", month, locked.Length);
            foreach (var d in locked) failures[d] = $"计算失败 (computation failed): {e.GetType().Name}: {e.Message}";
            counts.Clear();
        }

        var finished = time.GetUtcNow();
        foreach (var (d, run) in runs)
        {
            run.FinishedAt = finished;
            if (failures.TryGetValue(d, out var error))
            {
                run.Status = ComputationStatus.Failed;
                run.Error = error.Length > 4000 ? error[..4000] : error;
            }
            else
            {
                run.Status = ComputationStatus.Succeeded;
                (run.VillageCount, run.MissingCount) = counts.GetValueOrDefault(d);
            }
            outcomes[d] = new ComputationOutcome.Completed(run);
        }
        await SaveRunsAsync(runs.Values, CancellationToken.None);
        log.LogInformation("Computed {Month}: {Succeeded} district(s) succeeded, {Failed} failed, {Skipped} skipped (running elsewhere or published); " +
                           "sheets scored and staged in {Staged:F1} s, results written in {Written:F1} s, committed in {Committed:F1} s",
            month, runs.Count - failures.Count, failures.Count, requested.Length - runs.Count,
            staged.TotalSeconds, (written - staged).TotalSeconds, (clock.Elapsed - written).TotalSeconds);
        await Rectifications.RectificationIntake.AfterComputationAsync(scopes, [.. runs.Values.Where(r => r.Status == ComputationStatus.Succeeded).Select(r => r.DistrictId)], month, ct);
        return outcomes;
    }

    /// <summary>Takes the month's advisory lock of every district it can; returns those it holds (till the transaction ends).</summary>
    private static async Task<int[]> TryLockAsync(NpgsqlConnection conn, int[] districts, EvaluationMonth month, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT d FROM unnest(@districts, @keys) AS u(d, k) WHERE pg_try_advisory_xact_lock(k) ORDER BY d", conn);
        cmd.Parameters.Add(new NpgsqlParameter("districts", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = districts });
        cmd.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = districts.Select(d => LockKey(d, month)).ToArray() });
        var locked = new List<int>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) locked.Add(reader.GetInt32(0));
        return [.. locked];
    }

    private async Task<Dictionary<int, ComputationRun>> StartRunsAsync(int[] districts, EvaluationMonth month, string requestedBy, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var runs = districts.ToDictionary(d => d, d => new ComputationRun
        {
            DistrictId = d, Month = month.Key, Status = ComputationStatus.Queued, RequestedBy = requestedBy, RequestedAt = now,
        });
        await SaveRunsAsync(runs.Values, ct);
        return runs;
    }

    private async Task MarkRunningAsync(List<ComputationRun> runs, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        foreach (var run in runs) { run.Status = ComputationStatus.Running; run.StartedAt = now; }
        await SaveRunsAsync(runs, ct);
    }

    private async Task SaveRunsAsync(IEnumerable<ComputationRun> runs, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var own = scope.ServiceProvider.GetRequiredService<EnvScoreDbContext>();
        foreach (var run in runs)
            if (run.Id == 0) own.ComputationRuns.Add(run);
            else own.ComputationRuns.Update(run);
        await own.SaveChangesAsync(ct);
    }

    /// <summary>Parsed rule sets by id: those in force, and any other version a counted sheet is bound to.</summary>
    private async Task<Dictionary<int, RuleSet>> RulesAsync(NpgsqlConnection conn, Dictionary<int, RuleSetRecord> inForce, int[] districts,
        EvaluationMonth month, CancellationToken ct)
    {
        var rules = new Dictionary<int, RuleSet>();
        foreach (var d in districts) rules[inForce[d].Id] = ruleSets.Parse(inForce[d]);
        var others = (await SheetStaging.RuleSetIdsAsync(conn, districts, month.Key, ct)).Where(id => !rules.ContainsKey(id)).ToArray();
        if (others.Length > 0)
            foreach (var record in await db.RuleSets.AsNoTracking().Where(r => others.Contains(r.Id)).ToListAsync(ct))
                rules[record.Id] = ruleSets.Parse(record);
        return rules;
    }

    /// <summary>
    /// Combination, tiers, ranks, flags and the month's rows of every district in <paramref name="districts"/>,
    /// from the staged sheets; each district's own rule set, calendar and run come in through cmp_district.
    /// </summary>
    private async Task<Dictionary<int, (int Villages, int Missing)>> WriteResultsAsync(NpgsqlConnection conn, int[] districts,
        EvaluationMonth month, Dictionary<int, (int RuleSetId, RuleSet Rules, int RunId)> context, CancellationToken ct)
    {
        // On time = submitted by the month's township deadline (the district's calendar, override or default).
        var calendar = await calendars.ForMonthAsync(districts, month, ct);
        await ExecAsync(conn, """
            CREATE TEMP TABLE cmp_district (
                district_id int PRIMARY KEY, rule_set_id int NOT NULL, run_id int NOT NULL,
                self_w numeric NOT NULL, district_w numeric NOT NULL, inflation numeric NOT NULL,
                missing_score numeric(7,2) NOT NULL, missing_line text NOT NULL, sections int NOT NULL,
                interview int, reward int, deadline timestamptz NOT NULL) ON COMMIT DROP
            """, ct);
        await using (var w = await conn.BeginBinaryImportAsync(
            "COPY cmp_district (district_id, rule_set_id, run_id, self_w, district_w, inflation, missing_score, missing_line, sections, " +
            "interview, reward, deadline) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var d in districts)
            {
                var (ruleSetId, rules, runId) = context[d];
                var missingScore = Points.Canonical(rules.MissingSheet.Score);
                await w.StartRowAsync(ct);
                await w.WriteAsync(d, NpgsqlDbType.Integer, ct);
                await w.WriteAsync(ruleSetId, NpgsqlDbType.Integer, ct);
                await w.WriteAsync(runId, NpgsqlDbType.Integer, ct);
                await w.WriteAsync(rules.Combination.SelfWeight, NpgsqlDbType.Numeric, ct);
                await w.WriteAsync(rules.Combination.DistrictWeight, NpgsqlDbType.Numeric, ct);
                await w.WriteAsync(rules.Combination.InflationThreshold, NpgsqlDbType.Numeric, ct);
                await w.WriteAsync(missingScore, NpgsqlDbType.Numeric, ct);
                await w.WriteAsync($"未提交自评表，按缺报处理：计{Points.Format(missingScore)}分，评为{rules.MissingSheet.Tier.ToChinese()} " +
                                   "(no self-evaluation counted: the missing-sheet policy applies)", NpgsqlDbType.Text, ct);
                await w.WriteAsync(rules.Sections.Count, NpgsqlDbType.Integer, ct);
                if (rules.Consequences.InterviewAfterRectifyMonths is { } interview) await w.WriteAsync(interview, NpgsqlDbType.Integer, ct);
                else await w.WriteNullAsync(ct);
                if (rules.Consequences.RewardAfterDemonstrationMonths is { } reward) await w.WriteAsync(reward, NpgsqlDbType.Integer, ct);
                else await w.WriteNullAsync(ct);
                await w.WriteAsync(calendar[d].TownshipDeadline.ToUniversalTime(), NpgsqlDbType.TimestampTz, ct);
            }
            await w.CompleteAsync(ct);
        }
        await TierSql.WritePoliciesAsync(conn, districts.Select(d => (d, context[d].Rules.Tiers, context[d].Rules.MissingSheet)), ct);
        await ExecAsync(conn, "ANALYZE cmp_district, cmp_policy", ct);

        var p = new Dictionary<string, (object? Value, NpgsqlDbType Type)>
        {
            ["month"] = (month.Key, NpgsqlDbType.Integer),
            ["prev_month"] = (month.Previous().Key, NpgsqlDbType.Integer),
        };
        await ExecAsync(conn, TierSql.CreateCandidateTable, ct);
        await ExecAsync(conn, $$"""
            INSERT INTO cmp_candidate (district_id, village_id, village_code, township_id, township_code, final_score, vetoed, missing, tie)
            SELECT d.district_id, v.id, v.code, t.id, t.code,
                   CASE WHEN s.village_id IS NULL THEN d.missing_score
                        ELSE {{CombinationSql.Final("s.total", "k.total", "d.self_w", "d.district_w")}} END,
                   cardinality(coalesce(s.vetoes, '{}') || coalesce(k.vetoes, '{}')) > 0,
                   s.village_id IS NULL,
                   CASE WHEN s.village_id IS NULL THEN array_fill(0::numeric, ARRAY[d.sections])
                        WHEN k.village_id IS NOT NULL THEN k.deductions ELSE s.deductions END
            FROM cmp_district d
            JOIN townships t ON t.district_id = d.district_id
            JOIN villages v ON v.township_id = t.id AND v.is_active
            LEFT JOIN cmp_sheet s ON s.village_id = v.id AND s.kind = 0
            LEFT JOIN cmp_sheet k ON k.village_id = v.id AND k.kind = 1;
            ANALYZE cmp_candidate (district_id, village_id, township_id);
            """, ct);
        await TierSql.RankAsync(conn, ct);
        // The previous month as the district announced it: the latest published revision's rows when that month is
        // published, its working rows otherwise (not yet published). Consequence runs (约谈, rewards) and the movement
        // follow what was announced, as ConsequenceEvaluator (EnvScore.Domain) says — a recomputation of a published
        // month that was not published again does not change them.
        await ExecAsync(conn, """
            DROP TABLE IF EXISTS cmp_prev;
            CREATE TEMP TABLE cmp_prev ON COMMIT DROP AS
            SELECT pv.village_id, pv.district_rank, pv.tier, pv.consecutive_months_in_tier
            FROM cmp_district d
            JOIN publications pb ON pb.district_id = d.district_id AND pb.month = @prev_month
            JOIN publication_revisions pr ON pr.publication_id = pb.id AND pr.number = pb.latest_revision
            JOIN published_village_results pv ON pv.revision_id = pr.id
            UNION ALL
            SELECT w.village_id, w.district_rank, w.tier, w.consecutive_months_in_tier
            FROM cmp_district d
            JOIN village_results w ON w.district_id = d.district_id AND w.month = @prev_month
            WHERE NOT EXISTS (SELECT 1 FROM publications pb WHERE pb.district_id = d.district_id AND pb.month = @prev_month);
            CREATE UNIQUE INDEX ON cmp_prev (village_id);
            ANALYZE cmp_prev;
            """, ct, p);

        // Replace the month's rows. The results tables carry no foreign-key constraints (migration
        // UnconstrainedVillageResults), so the section rows are deleted here, before their village rows.
        await ExecAsync(conn, """
            DELETE FROM township_results WHERE month = @month AND district_id IN (SELECT district_id FROM cmp_district);
            DELETE FROM village_result_sections s USING village_results r
            WHERE s.village_id = r.village_id AND s.month = r.month
              AND r.month = @month AND r.district_id IN (SELECT district_id FROM cmp_district);
            DELETE FROM village_results WHERE month = @month AND district_id IN (SELECT district_id FROM cmp_district);
            """, ct, p);
        await ExecAsync(conn, $$"""
            WITH x AS (
                SELECT c.district_id, c.village_id, c.township_id, c.final_score, c.vetoed, c.missing, r.tier, r.reason,
                       r.township_rank, r.district_rank, r.on_red_list, r.on_black_list,
                       {{string.Format(TierSql.TierName, "r.tier")}} AS tier_name,
                       s.total AS self_score, k.total AS district_score,
                       ARRAY(SELECT DISTINCT code COLLATE "C" FROM unnest(coalesce(s.vetoes, '{}') || coalesce(k.vetoes, '{}')) AS code ORDER BY 1) AS veto_codes,
                       CASE WHEN c.missing THEN d.missing_line || coalesce(E'\n' || k.explanation, '')
                            ELSE coalesce(k.explanation, s.explanation) END AS explanation,
                       CASE WHEN c.missing THEN coalesce(k.findings, '[]'::jsonb) ELSE coalesce(k.findings, s.findings) END AS findings,
                       p.district_rank AS prev_rank, p.tier AS prev_tier, p.consecutive_months_in_tier AS prev_run,
                       d.rule_set_id, d.run_id, d.inflation, d.interview, d.reward
                FROM cmp_candidate c
                JOIN cmp_district d ON d.district_id = c.district_id
                JOIN cmp_ranked r ON r.village_id = c.village_id
                LEFT JOIN cmp_sheet s ON s.village_id = c.village_id AND s.kind = 0
                LEFT JOIN cmp_sheet k ON k.village_id = c.village_id AND k.kind = 1
                LEFT JOIN cmp_prev p ON p.village_id = c.village_id
            ), y AS (
                SELECT x.*, {{CombinationSql.RunLength("prev_tier", "prev_run", "tier_name")}} AS run_length FROM x
            )
            INSERT INTO village_results (village_id, month, district_id, township_id, rule_set_id, self_score, district_score, final_score,
                vetoed, veto_codes, tier, tier_reason, township_rank, district_rank, previous_district_rank, movement,
                consecutive_months_in_tier, inflation_gap, inflated_flag, missing_sheet, interview_flag, reward_flag,
                on_red_list, on_black_list, explanation, findings, computation_run_id)
            SELECT village_id, @month, district_id, township_id, rule_set_id, self_score, district_score, final_score,
                   vetoed, veto_codes, tier_name, reason, township_rank, district_rank, prev_rank, prev_rank - district_rank,
                   run_length,
                   CASE WHEN NOT missing THEN {{CombinationSql.Gap("self_score", "district_score")}} END,
                   NOT missing AND {{CombinationSql.Inflated("self_score", "district_score", "inflation")}},
                   missing,
                   {{CombinationSql.Interview("tier", "run_length", "interview")}},
                   {{CombinationSql.Reward("tier", "run_length", "reward")}},
                   on_red_list, on_black_list, explanation, findings, run_id
            FROM y
            """, ct, p);
        // Section rows of the determining sheet (the district check when there is one): the engine's subtotals
        // from the sheet's arrays, names from the sheet's rule set.
        await ExecAsync(conn, """
            INSERT INTO village_result_sections (village_id, month, ordinal, code, title, max, applicable_max, deduction, score)
            SELECT s.village_id, @month, u.ordinal, rs.code, rs.title, rs.max, u.applicable_max, u.deduction, u.score
            FROM cmp_candidate c
            LEFT JOIN cmp_sheet k ON k.village_id = c.village_id AND k.kind = 1
            JOIN cmp_sheet s ON s.village_id = c.village_id AND s.kind = CASE WHEN k.village_id IS NULL THEN 0 ELSE 1 END
            CROSS JOIN LATERAL unnest(s.deductions, s.applicable_max, s.section_scores) WITH ORDINALITY AS u(deduction, applicable_max, score, ordinal)
            JOIN cmp_rule_section rs ON rs.rule_set_id = s.rule_set_id AND rs.ordinal = u.ordinal
            WHERE NOT c.missing
            """, ct, p);
        await ExecAsync(conn, $$"""
            WITH g AS (
                SELECT r.district_id, r.township_id, t.code AS township_code,
                       count(*)::int AS village_count,
                       count(*) FILTER (WHERE NOT r.missing_sheet)::int AS submitted_count,
                       count(*) FILTER (WHERE NOT r.missing_sheet AND s.submitted_at <= d.deadline)::int AS on_time_count,
                       count(*) FILTER (WHERE r.missing_sheet)::int AS missing_count,
                       round(avg(r.final_score), 2) AS mean_final_score,
                       count(*) FILTER (WHERE r.tier = {{SqlNames.Literal(Tier.Demonstration)}})::int AS demonstration_count,
                       count(*) FILTER (WHERE r.tier = {{SqlNames.Literal(Tier.Upgrade)}})::int AS upgrade_count,
                       count(*) FILTER (WHERE r.tier = {{SqlNames.Literal(Tier.Rectify)}})::int AS rectify_count,
                       round(avg(r.inflation_gap), 2) AS mean_inflation_gap,
                       d.run_id
                FROM village_results r
                JOIN cmp_district d ON d.district_id = r.district_id
                JOIN townships t ON t.id = r.township_id
                LEFT JOIN cmp_sheet s ON s.village_id = r.village_id AND s.kind = 0
                WHERE r.month = @month
                GROUP BY r.district_id, r.township_id, t.code, d.run_id
            )
            INSERT INTO township_results (township_id, month, district_id, village_count, submitted_count, on_time_count, missing_count,
                mean_final_score, demonstration_count, upgrade_count, rectify_count, mean_inflation_gap, rank, computation_run_id)
            SELECT township_id, @month, district_id, village_count, submitted_count, on_time_count, missing_count,
                   mean_final_score, demonstration_count, upgrade_count, rectify_count, mean_inflation_gap,
                   row_number() OVER (PARTITION BY district_id ORDER BY mean_final_score DESC, missing_count, township_code COLLATE "C")::int, run_id
            FROM g
            """, ct, p);

        var counts = new Dictionary<int, (int, int)>();
        await using var count = new NpgsqlCommand(
            "SELECT district_id, count(*)::int, count(*) FILTER (WHERE missing)::int FROM cmp_candidate GROUP BY district_id", conn);
        await using var reader = await count.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) counts[reader.GetInt32(0)] = (reader.GetInt32(1), reader.GetInt32(2));
        return counts;
    }

    private static async Task ExecAsync(NpgsqlConnection conn, string sql, CancellationToken ct,
        Dictionary<string, (object? Value, NpgsqlDbType Type)>? parameters = null)
    {
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        if (parameters is not null)
            foreach (var (name, (value, type)) in parameters)
                if (sql.Contains('@' + name, StringComparison.Ordinal))
                    cmd.Parameters.Add(new NpgsqlParameter(name, type) { Value = value ?? DBNull.Value });
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
