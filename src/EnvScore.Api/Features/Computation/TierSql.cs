using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;
using Npgsql;
using NpgsqlTypes;

namespace EnvScore.Api.Features.Computation;

/// <summary>
/// Tiers, quotas, ranks and red/black lists in SQL — the set-based twin of <see cref="TierAssigner"/>
/// (the reference; tests feed both the same candidates). Works on session temp tables inside the
/// caller's transaction, for any number of districts at once, each with its own policy:
/// reads cmp_candidate and cmp_policy, creates cmp_ranked.
/// </summary>
public static class TierSql
{
    /// <summary>One row per village. tie = the tie-break section deductions, zero-padded for a missing sheet.</summary>
    public const string CreateCandidateTable = """
        CREATE TEMP TABLE cmp_candidate (
            district_id   int NOT NULL,
            village_id    int PRIMARY KEY,
            village_code  text NOT NULL,
            township_id   int NOT NULL,
            township_code text NOT NULL,
            final_score   numeric(7,2) NOT NULL,
            vetoed        boolean NOT NULL,
            missing       boolean NOT NULL,
            tie           numeric[] NOT NULL
        ) ON COMMIT DROP
        """;

    /// <summary>One row per district: its tier policy and missing-sheet tier (columns mirror <see cref="TierPolicy"/>).</summary>
    public const string CreatePolicyTable = """
        CREATE TEMP TABLE cmp_policy (
            district_id    int PRIMARY KEY,
            missing_tier   int NOT NULL,
            demo_min       numeric NOT NULL,
            upgrade_min    numeric NOT NULL,
            township_scope boolean NOT NULL,
            max_demo_pct   numeric,
            min_rect_pct   numeric,
            black_size     int,
            red_size       int
        ) ON COMMIT DROP
        """;

    // Tier numbers are the Tier enum values (1 示范, 2 提升, 3 整治), so "worse" is "greater".
    // Rank order (docs/scoring-model.md): unpenalised first, score desc, tie-break deductions asc
    // (array comparison is element by element, like TierAssigner), village code asc (byte order).
    // Each quota step is a window over the quota scope (the district, or a township of it) in that
    // order; the steps run in TierAssigner's order. Township ids are global, so (district, scope) is a scope.
    private const string RankSql = """
        CREATE TEMP TABLE cmp_ranked ON COMMIT DROP AS
        WITH b AS (
            SELECT c.*, p.township_scope, p.max_demo_pct, p.min_rect_pct, p.black_size, p.red_size,
                   (c.vetoed OR c.missing) AS penalised,
                   CASE WHEN c.missing THEN p.missing_tier WHEN c.vetoed THEN 3
                        WHEN c.final_score >= p.demo_min THEN 1 WHEN c.final_score >= p.upgrade_min THEN 2 ELSE 3 END AS t0,
                   CASE WHEN c.missing THEN 'MissingSheet' WHEN c.vetoed THEN 'Veto' ELSE 'Threshold' END AS r0
            FROM cmp_candidate c
            JOIN cmp_policy p ON p.district_id = c.district_id
        ), o AS (
            SELECT b.*,
                   row_number() OVER (PARTITION BY district_id ORDER BY penalised, final_score DESC, tie, village_code COLLATE "C") AS district_rank,
                   row_number() OVER (PARTITION BY township_id ORDER BY penalised, final_score DESC, tie, village_code COLLATE "C") AS township_rank,
                   CASE WHEN township_scope THEN township_id ELSE 0 END AS scope_id
            FROM b
        ), s AS (
            SELECT o.*, CASE WHEN township_scope THEN township_rank ELSE district_rank END AS pos,
                   count(*) OVER (PARTITION BY district_id, scope_id) AS n
            FROM o
        ), q1 AS (
            SELECT s.*, sum(CASE WHEN t0 = 1 THEN 1 ELSE 0 END) OVER (PARTITION BY district_id, scope_id ORDER BY pos ROWS UNBOUNDED PRECEDING) AS demo_seq
            FROM s
        ), q2 AS (
            SELECT q1.*,
                   (t0 = 1 AND max_demo_pct IS NOT NULL AND demo_seq > floor(n * max_demo_pct / 100)) AS over_demo_quota
            FROM q1
        ), q3 AS (
            SELECT q2.*,
                   CASE WHEN over_demo_quota THEN 2 ELSE t0 END AS t1,
                   CASE WHEN over_demo_quota THEN 'DemonstrationQuota' ELSE r0 END AS r1,
                   (min_rect_pct IS NOT NULL AND pos > n - ceil(n * min_rect_pct / 100)) AS in_rect_quota,
                   (black_size IS NOT NULL AND pos > n - black_size) AS black
            FROM q2
        ), q4 AS (
            SELECT q3.*,
                   CASE WHEN t1 <> 3 AND (in_rect_quota OR black) THEN 3 ELSE t1 END AS t2,
                   CASE WHEN t1 <> 3 AND in_rect_quota THEN 'RectifyQuota' WHEN t1 <> 3 AND black THEN 'BlackList' ELSE r1 END AS r2
            FROM q3
        ), q5 AS (
            SELECT q4.*, sum(CASE WHEN t2 = 1 THEN 1 ELSE 0 END) OVER (PARTITION BY district_id, scope_id ORDER BY pos ROWS UNBOUNDED PRECEDING) AS demo_seq2
            FROM q4
        )
        SELECT village_id, t2 AS tier, r2 AS reason, township_rank::int AS township_rank, district_rank::int AS district_rank,
               black AS on_black_list, (red_size IS NOT NULL AND t2 = 1 AND demo_seq2 <= red_size) AS on_red_list
        FROM q5
        """;

    /// <summary>Creates cmp_policy and fills it: one row per district.</summary>
    public static async Task WritePoliciesAsync(NpgsqlConnection conn,
        IEnumerable<(int DistrictId, TierPolicy Policy, MissingSheetPolicy Missing)> policies, CancellationToken ct)
    {
        await using (var create = new NpgsqlCommand(CreatePolicyTable, conn)) await create.ExecuteNonQueryAsync(ct);
        await using var w = await conn.BeginBinaryImportAsync(
            "COPY cmp_policy (district_id, missing_tier, demo_min, upgrade_min, township_scope, max_demo_pct, min_rect_pct, black_size, red_size) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var (district, policy, missing) in policies)
        {
            await w.StartRowAsync(ct);
            await w.WriteAsync(district, NpgsqlDbType.Integer, ct);
            await w.WriteAsync((int)missing.Tier, NpgsqlDbType.Integer, ct);
            await w.WriteAsync(policy.DemonstrationMin, NpgsqlDbType.Numeric, ct);
            await w.WriteAsync(policy.UpgradeMin, NpgsqlDbType.Numeric, ct);
            await w.WriteAsync(policy.QuotaScope == QuotaScope.Township, NpgsqlDbType.Boolean, ct);
            await WriteNullableAsync(w, policy.MaxDemonstrationPercent, NpgsqlDbType.Numeric, ct);
            await WriteNullableAsync(w, policy.MinRectifyPercent, NpgsqlDbType.Numeric, ct);
            await WriteNullableAsync(w, policy.BlackListSize, NpgsqlDbType.Integer, ct);
            await WriteNullableAsync(w, policy.RedListSize, NpgsqlDbType.Integer, ct);
        }
        await w.CompleteAsync(ct);
    }

    /// <summary>Creates cmp_ranked (village_id, tier int, reason text, township_rank, district_rank, on_black_list, on_red_list).</summary>
    public static async Task RankAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(RankSql, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>SQL CASE turning a tier number into the stored enum name.</summary>
    internal static readonly string TierName =
        $"CASE {{0}} WHEN 1 THEN {Infrastructure.Data.SqlNames.Literal(Tier.Demonstration)} WHEN 2 THEN {Infrastructure.Data.SqlNames.Literal(Tier.Upgrade)} ELSE {Infrastructure.Data.SqlNames.Literal(Tier.Rectify)} END";

    private static async Task WriteNullableAsync<T>(NpgsqlBinaryImporter w, T? value, NpgsqlDbType type, CancellationToken ct) where T : struct
    {
        if (value is { } v) await w.WriteAsync(v, type, ct);
        else await w.WriteNullAsync(ct);
    }
}
