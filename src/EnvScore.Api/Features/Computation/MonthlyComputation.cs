using System.Text;
using EnvScore.Api.Features.Calendar;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace EnvScore.Api.Features.Computation;

/// <summary>Whether a district-month has been published; a published month is never recomputed (revisions come later).</summary>
public interface IMonthPublicationGuard
{
    Task<bool> IsPublishedAsync(int districtId, EvaluationMonth month, CancellationToken ct);
}

/// <summary>Until publication exists, no month is published.</summary>
public sealed class NoPublicationYet : IMonthPublicationGuard
{
    public Task<bool> IsPublishedAsync(int districtId, EvaluationMonth month, CancellationToken ct) => Task.FromResult(false);
}

public abstract record ComputationOutcome
{
    /// <summary>The run ended (succeeded or failed — see its status).</summary>
    public sealed record Completed(ComputationRun Run) : ComputationOutcome;
    /// <summary>Another computation of the same district-month holds the lock.</summary>
    public sealed record AlreadyRunning(string Message) : ComputationOutcome;
    public sealed record Published(string Message) : ComputationOutcome;
}

/// <summary>A counted sheet whose entries do not validate: a data problem the district must fix, so the run fails.</summary>
public sealed class InvalidSheetException(string message) : Exception(message);

/// <summary>
/// Computes one district-month in one transaction: sheets are scored by the engine in bounded batches
/// and bulk-copied into temp tables; combination, tiers, quotas, ranks, movement and flags are SQL;
/// the month's rows are replaced (DELETE + INSERT) so a failure leaves the previous results intact.
/// A transaction-scoped advisory lock keyed by district and month serialises computations across instances.
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
    /// <summary>Sheets read and scored per round trip: bounds memory whatever the district's size.</summary>
    public const int BatchSize = 500;
    private const short SelfKind = 0, DistrictKind = 1;

    /// <summary>The advisory-lock key of a district-month: a namespace tag, the district id and the month index.</summary>
    public static long LockKey(int districtId, EvaluationMonth month) =>
        (0x4553L << 48) | ((long)districtId << 20) | (long)(month.Year * 12 + month.Month - 1);

    public async Task<ComputationOutcome> RunAsync(int districtId, EvaluationMonth month, string requestedBy, CancellationToken ct = default)
    {
        if (await publication.IsPublishedAsync(districtId, month, ct))
            return new ComputationOutcome.Published($"{month.ToChinese()}的结果已发布，不能重新计算；请通过修订更正 (a published month is not recomputed: issue a revision)");

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock(@key)", conn))
        {
            lockCmd.Parameters.AddWithValue("key", LockKey(districtId, month));
            if (!(bool)(await lockCmd.ExecuteScalarAsync(ct))!)
                return new ComputationOutcome.AlreadyRunning($"{month.ToChinese()}的计算正在进行，请稍后查看结果 (a computation of this month is already running)");
        }

        // The run record is written on its own connection and committed at once, so it is visible
        // (queued, running, failed) while this transaction is open or after it rolls back.
        var run = await SaveRunAsync(new ComputationRun
        {
            DistrictId = districtId, Month = month.Key, Status = ComputationStatus.Queued,
            RequestedBy = requestedBy, RequestedAt = time.GetUtcNow(),
        }, ct);
        try
        {
            var record = await ruleSets.ResolveAsync(districtId, month, ct)
                ?? throw new InvalidSheetException($"{month.ToChinese()}没有启用的评分细则 (no rule set in force for the month)");
            var rules = ruleSets.Parse(record);
            run.Status = ComputationStatus.Running;
            run.StartedAt = time.GetUtcNow();
            await SaveRunAsync(run, ct);

            await StageSheetsAsync(conn, districtId, month, (record.Id, rules), ct);
            var (villages, missing) = await ComputeAsync(conn, districtId, month, record.Id, rules, run.Id, ct);
            await tx.CommitAsync(ct);

            run.Status = ComputationStatus.Succeeded;
            run.VillageCount = villages;
            run.MissingCount = missing;
            log.LogInformation("Computed district {District} month {Month}: {Villages} villages, {Missing} missing (run {Run})",
                districtId, month, villages, missing, run.Id);
        }
        catch (Exception e)
        {
            // Everything fails the run, cancellation included, so that no run is left "running".
            await tx.RollbackAsync(CancellationToken.None);
            run.Status = ComputationStatus.Failed;
            run.Error = e is InvalidSheetException ? e.Message : $"计算失败 (computation failed): {e.GetType().Name}: {e.Message}";
            if (run.Error.Length > 4000) run.Error = run.Error[..4000];
            log.LogError(e, "Computation of district {District} month {Month} failed (run {Run})", districtId, month, run.Id);
        }
        run.FinishedAt = time.GetUtcNow();
        await SaveRunAsync(run, CancellationToken.None);
        return new ComputationOutcome.Completed(run);
    }

    private async Task<ComputationRun> SaveRunAsync(ComputationRun run, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var runs = scope.ServiceProvider.GetRequiredService<EnvScoreDbContext>();
        if (run.Id == 0) runs.ComputationRuns.Add(run);
        else runs.ComputationRuns.Update(run);
        await runs.SaveChangesAsync(ct);
        return run;
    }

    /// <summary>
    /// Scores every counted sheet and copies the scores into cmp_sheet / cmp_section. Counted: Self
    /// sheets submitted (Submitted, or Locked with a SubmittedAt) and not recorded missing at the
    /// deadline; District sheets Submitted or Locked after submission.
    /// </summary>
    private async Task StageSheetsAsync(NpgsqlConnection conn, int districtId, EvaluationMonth month, (int Id, RuleSet Rules) inForce, CancellationToken ct)
    {
        await ExecAsync(conn, """
            CREATE TEMP TABLE cmp_sheet (
                evaluation_id int NOT NULL, village_id int NOT NULL, kind smallint NOT NULL, total numeric(7,2) NOT NULL,
                vetoes text[] NOT NULL, deductions numeric[] NOT NULL, explanation text NOT NULL, submitted_at timestamptz,
                PRIMARY KEY (village_id, kind)) ON COMMIT DROP;
            CREATE TEMP TABLE cmp_section (
                village_id int NOT NULL, kind smallint NOT NULL, ordinal int NOT NULL, code text NOT NULL, title text NOT NULL,
                max numeric(7,2) NOT NULL, applicable_max numeric(7,2) NOT NULL, deduction numeric(7,2) NOT NULL, score numeric(7,2) NOT NULL) ON COMMIT DROP;
            """, ct);

        // The sheets of a month are normally bound to the version in force, already parsed by the caller.
        var rulesById = new Dictionary<int, RuleSet> { [inForce.Id] = inForce.Rules };
        var counted = db.Evaluations.AsNoTracking()
            .Where(e => e.DistrictId == districtId && e.Month == month.Key && e.SubmittedAt != null
                        && (e.Status == EvaluationStatus.Submitted || e.Status == EvaluationStatus.Locked))
            .Where(e => e.Kind == EvaluationKind.District
                        || !db.MissingSubmissions.Any(m => m.VillageId == e.VillageId && m.Month == e.Month));
        var problems = new List<string>();
        var lastId = 0;
        while (true)
        {
            // Only the columns scoring needs (a projection, not whole entities): measured in docs/performance.md.
            var batch = await counted.Where(e => e.Id > lastId).OrderBy(e => e.Id).Take(BatchSize)
                .Select(e => new CountedSheet(e.Id, e.VillageId, e.Kind, e.RuleSetId, e.SubmittedAt, e.Vetoes,
                    e.Entries.Select(x => new CountedEntry(x.ItemCode, x.NotApplicable, x.Count, x.Level, x.FailedSamples, x.Passed, x.ZeroConditions)).ToList()))
                .ToListAsync(ct);
            if (batch.Count == 0) break;
            lastId = batch[^1].Id;

            var scored = new List<(CountedSheet Sheet, SheetScore Score)>(batch.Count);
            foreach (var sheet in batch)
            {
                if (!rulesById.TryGetValue(sheet.RuleSetId, out var rules))
                {
                    var record = await db.RuleSets.AsNoTracking().SingleAsync(r => r.Id == sheet.RuleSetId, ct);
                    rulesById[sheet.RuleSetId] = rules = ruleSets.Parse(record);
                }
                var result = ScoringEngine.Score(rules, ToEntries(sheet));
                if (result.Score is { } score) scored.Add((sheet, score));
                else problems.Add($"村{sheet.VillageId}（{(sheet.Kind == EvaluationKind.Self ? "自评" : "区级抽查")}）：{string.Join("；", result.Problems.Select(p => p.ToString()))}");
            }
            await CopyAsync(conn, scored, ct);
            if (batch.Count < BatchSize) break; // a short batch is the last: no empty round trip
        }
        if (problems.Count > 0)
            throw new InvalidSheetException($"{problems.Count}份已提交评分表无法计分，请退回更正 ({problems.Count} counted sheets do not validate): " +
                                            string.Join(" | ", problems.Take(20)));
    }

    /// <summary>What scoring and staging read of a counted sheet.</summary>
    private sealed record CountedSheet(int Id, int VillageId, EvaluationKind Kind, int RuleSetId, DateTimeOffset? SubmittedAt,
        List<string> Vetoes, List<CountedEntry> Entries);

    private sealed record CountedEntry(string ItemCode, bool NotApplicable, int? Count, string? Level, int? FailedSamples, bool? Passed,
        List<string> ZeroConditions);

    private static SheetEntries ToEntries(CountedSheet sheet) => new(
        sheet.Entries.Select(e => new ItemEntry(e.ItemCode, e.NotApplicable, e.Count, e.Level, e.FailedSamples, e.Passed,
            e.ZeroConditions.Count > 0 ? e.ZeroConditions : null)).ToArray(),
        sheet.Vetoes);

    private static async Task CopyAsync(NpgsqlConnection conn, List<(CountedSheet Sheet, SheetScore Score)> scored, CancellationToken ct)
    {
        await using (var w = await conn.BeginBinaryImportAsync(
            "COPY cmp_sheet (evaluation_id, village_id, kind, total, vetoes, deductions, explanation, submitted_at) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var (sheet, score) in scored)
            {
                await w.StartRowAsync(ct);
                await w.WriteAsync(sheet.Id, NpgsqlDbType.Integer, ct);
                await w.WriteAsync(sheet.VillageId, NpgsqlDbType.Integer, ct);
                await w.WriteAsync(sheet.Kind == EvaluationKind.Self ? SelfKind : DistrictKind, NpgsqlDbType.Smallint, ct);
                await w.WriteAsync(score.Total, NpgsqlDbType.Numeric, ct);
                await w.WriteAsync(score.Vetoes.Select(v => v.Code).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
                await w.WriteAsync(score.SectionDeductions.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Numeric, ct);
                await w.WriteAsync(Explain(sheet.Kind, score), NpgsqlDbType.Text, ct);
                if (sheet.SubmittedAt is { } at) await w.WriteAsync(at.ToUniversalTime(), NpgsqlDbType.TimestampTz, ct);
                else await w.WriteNullAsync(ct);
            }
            await w.CompleteAsync(ct);
        }
        await using (var w = await conn.BeginBinaryImportAsync(
            "COPY cmp_section (village_id, kind, ordinal, code, title, max, applicable_max, deduction, score) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var (sheet, score) in scored)
                for (var i = 0; i < score.Sections.Count; i++)
                {
                    var s = score.Sections[i];
                    await w.StartRowAsync(ct);
                    await w.WriteAsync(sheet.VillageId, NpgsqlDbType.Integer, ct);
                    await w.WriteAsync(sheet.Kind == EvaluationKind.Self ? SelfKind : DistrictKind, NpgsqlDbType.Smallint, ct);
                    await w.WriteAsync(i + 1, NpgsqlDbType.Integer, ct);
                    await w.WriteAsync(s.Code, NpgsqlDbType.Text, ct);
                    await w.WriteAsync(s.Title, NpgsqlDbType.Text, ct);
                    await w.WriteAsync(s.Max, NpgsqlDbType.Numeric, ct);
                    await w.WriteAsync(s.ApplicableMax, NpgsqlDbType.Numeric, ct);
                    await w.WriteAsync(s.Deduction, NpgsqlDbType.Numeric, ct);
                    await w.WriteAsync(s.Score, NpgsqlDbType.Numeric, ct);
                }
            await w.CompleteAsync(ct);
        }
    }

    /// <summary>The sheet's explanation: a header, one line per item and bonus, then the engine's summary lines.</summary>
    public static string Explain(EvaluationKind kind, SheetScore score)
    {
        var text = new StringBuilder(kind == EvaluationKind.Self ? "【自评】" : "【区级抽查】");
        foreach (var item in score.Items) text.Append('\n').Append(item.Explanation);
        foreach (var bonus in score.Bonuses) text.Append('\n').Append(bonus.Explanation);
        foreach (var line in score.Summary) text.Append('\n').Append(line);
        return text.ToString();
    }

    private async Task<(int Villages, int Missing)> ComputeAsync(NpgsqlConnection conn, int districtId, EvaluationMonth month,
        int ruleSetId, RuleSet rules, int runId, CancellationToken ct)
    {
        var missingScore = Points.Canonical(rules.MissingSheet.Score);
        var missingLine = $"未提交自评表，按缺报处理：计{Points.Format(missingScore)}分，评为{rules.MissingSheet.Tier.ToChinese()} " +
                          "(no self-evaluation counted: the missing-sheet policy applies)";
        // On time = submitted by the month's township deadline (the district's calendar, override or default).
        var deadline = (await calendars.ForMonthAsync(districtId, month, ct)).TownshipDeadline.ToUniversalTime();
        var p = new Dictionary<string, (object? Value, NpgsqlDbType Type)>
        {
            ["district"] = (districtId, NpgsqlDbType.Integer),
            ["month"] = (month.Key, NpgsqlDbType.Integer),
            ["prev_month"] = (month.Previous().Key, NpgsqlDbType.Integer),
            ["rule_set"] = (ruleSetId, NpgsqlDbType.Integer),
            ["run"] = (runId, NpgsqlDbType.Integer),
            ["self_w"] = (rules.Combination.SelfWeight, NpgsqlDbType.Numeric),
            ["district_w"] = (rules.Combination.DistrictWeight, NpgsqlDbType.Numeric),
            ["inflation"] = (rules.Combination.InflationThreshold, NpgsqlDbType.Numeric),
            ["missing_score"] = (missingScore, NpgsqlDbType.Numeric),
            ["missing_line"] = (missingLine, NpgsqlDbType.Text),
            ["sections"] = (rules.Sections.Count, NpgsqlDbType.Integer),
            ["interview"] = (rules.Consequences.InterviewAfterRectifyMonths, NpgsqlDbType.Integer),
            ["reward"] = (rules.Consequences.RewardAfterDemonstrationMonths, NpgsqlDbType.Integer),
            ["deadline"] = (deadline, NpgsqlDbType.TimestampTz),
        };

        await ExecAsync(conn, TierSql.CreateCandidateTable, ct);
        await ExecAsync(conn, """
            INSERT INTO cmp_candidate (village_id, village_code, township_id, township_code, final_score, vetoed, missing, tie)
            SELECT v.id, v.code, t.id, t.code,
                   CASE WHEN s.village_id IS NULL THEN @missing_score
                        WHEN k.village_id IS NOT NULL THEN round(s.total * @self_w + k.total * @district_w, 2)
                        ELSE s.total END,
                   cardinality(coalesce(s.vetoes, '{}') || coalesce(k.vetoes, '{}')) > 0,
                   s.village_id IS NULL,
                   CASE WHEN s.village_id IS NULL THEN array_fill(0::numeric, ARRAY[@sections])
                        WHEN k.village_id IS NOT NULL THEN k.deductions ELSE s.deductions END
            FROM villages v
            JOIN townships t ON t.id = v.township_id
            LEFT JOIN cmp_sheet s ON s.village_id = v.id AND s.kind = 0
            LEFT JOIN cmp_sheet k ON k.village_id = v.id AND k.kind = 1
            WHERE t.district_id = @district AND v.is_active
            """, ct, p);
        await TierSql.RankAsync(conn, rules.Tiers, rules.MissingSheet, ct);

        // Replace the month's rows; sections go with their village rows (ON DELETE CASCADE).
        await ExecAsync(conn, """
            DELETE FROM township_results WHERE district_id = @district AND month = @month;
            DELETE FROM village_results WHERE district_id = @district AND month = @month;
            """, ct, p);
        await ExecAsync(conn, $$"""
            WITH x AS (
                SELECT c.village_id, c.township_id, c.final_score, c.vetoed, c.missing, r.tier, r.reason,
                       r.township_rank, r.district_rank, r.on_red_list, r.on_black_list,
                       {{string.Format(TierSql.TierName, "r.tier")}} AS tier_name,
                       s.total AS self_score, k.total AS district_score,
                       ARRAY(SELECT DISTINCT code COLLATE "C" FROM unnest(coalesce(s.vetoes, '{}') || coalesce(k.vetoes, '{}')) AS code ORDER BY 1) AS veto_codes,
                       CASE WHEN c.missing THEN @missing_line || coalesce(E'\n' || k.explanation, '')
                            ELSE coalesce(k.explanation, s.explanation) END AS explanation,
                       p.district_rank AS prev_rank, p.tier AS prev_tier, p.consecutive_months_in_tier AS prev_run
                FROM cmp_candidate c
                JOIN cmp_ranked r ON r.village_id = c.village_id
                LEFT JOIN cmp_sheet s ON s.village_id = c.village_id AND s.kind = 0
                LEFT JOIN cmp_sheet k ON k.village_id = c.village_id AND k.kind = 1
                LEFT JOIN village_results p ON p.village_id = c.village_id AND p.month = @prev_month
            ), y AS (
                SELECT x.*, CASE WHEN prev_tier = tier_name THEN prev_run + 1 ELSE 1 END AS run_length FROM x
            )
            INSERT INTO village_results (village_id, month, district_id, township_id, rule_set_id, self_score, district_score, final_score,
                vetoed, veto_codes, tier, tier_reason, township_rank, district_rank, previous_district_rank, movement,
                consecutive_months_in_tier, inflation_gap, inflated_flag, missing_sheet, interview_flag, reward_flag,
                on_red_list, on_black_list, explanation, computation_run_id)
            SELECT village_id, @month, @district, township_id, @rule_set, self_score, district_score, final_score,
                   vetoed, veto_codes, tier_name, reason, township_rank, district_rank, prev_rank, prev_rank - district_rank,
                   run_length,
                   CASE WHEN NOT missing THEN self_score - district_score END,
                   coalesce(NOT missing AND self_score - district_score > @inflation, false),
                   missing,
                   (@interview IS NOT NULL AND tier = 3 AND run_length >= @interview),
                   (@reward IS NOT NULL AND tier = 1 AND run_length >= @reward),
                   on_red_list, on_black_list, explanation, @run
            FROM y
            """, ct, p);
        await ExecAsync(conn, """
            INSERT INTO village_result_sections (village_id, month, ordinal, code, title, max, applicable_max, deduction, score)
            SELECT c.village_id, @month, c.ordinal, c.code, c.title, c.max, c.applicable_max, c.deduction, c.score
            FROM cmp_section c
            JOIN village_results r ON r.village_id = c.village_id AND r.month = @month
            WHERE r.district_id = @district AND NOT r.missing_sheet
              AND c.kind = CASE WHEN r.district_score IS NULL THEN 0 ELSE 1 END
            """, ct, p);
        await ExecAsync(conn, """
            WITH g AS (
                SELECT r.township_id, t.code AS township_code,
                       count(*)::int AS village_count,
                       count(*) FILTER (WHERE NOT r.missing_sheet)::int AS submitted_count,
                       count(*) FILTER (WHERE NOT r.missing_sheet AND s.submitted_at <= @deadline)::int AS on_time_count,
                       count(*) FILTER (WHERE r.missing_sheet)::int AS missing_count,
                       round(avg(r.final_score), 2) AS mean_final_score,
                       count(*) FILTER (WHERE r.tier = 'Demonstration')::int AS demonstration_count,
                       count(*) FILTER (WHERE r.tier = 'Upgrade')::int AS upgrade_count,
                       count(*) FILTER (WHERE r.tier = 'Rectify')::int AS rectify_count,
                       round(avg(r.inflation_gap), 2) AS mean_inflation_gap
                FROM village_results r
                JOIN townships t ON t.id = r.township_id
                LEFT JOIN cmp_sheet s ON s.village_id = r.village_id AND s.kind = 0
                WHERE r.district_id = @district AND r.month = @month
                GROUP BY r.township_id, t.code
            )
            INSERT INTO township_results (township_id, month, district_id, village_count, submitted_count, on_time_count, missing_count,
                mean_final_score, demonstration_count, upgrade_count, rectify_count, mean_inflation_gap, rank, computation_run_id)
            SELECT township_id, @month, @district, village_count, submitted_count, on_time_count, missing_count,
                   mean_final_score, demonstration_count, upgrade_count, rectify_count, mean_inflation_gap,
                   row_number() OVER (ORDER BY mean_final_score DESC, missing_count, township_code COLLATE "C")::int, @run
            FROM g
            """, ct, p);

        await using var count = new NpgsqlCommand("SELECT count(*)::int, count(*) FILTER (WHERE missing)::int FROM cmp_candidate", conn);
        await using var reader = await count.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt32(0), reader.GetInt32(1));
    }

    private static async Task ExecAsync(NpgsqlConnection conn, string sql, CancellationToken ct,
        Dictionary<string, (object? Value, NpgsqlDbType Type)>? parameters = null)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        if (parameters is not null)
            foreach (var (name, (value, type)) in parameters)
                if (sql.Contains('@' + name, StringComparison.Ordinal))
                    cmd.Parameters.Add(new NpgsqlParameter(name, type) { Value = value ?? DBNull.Value });
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
