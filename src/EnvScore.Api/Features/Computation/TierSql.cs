using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;
using Npgsql;
using NpgsqlTypes;

namespace EnvScore.Api.Features.Computation;

/// <summary>
/// Tiers, quotas, ranks and red/black lists in SQL — the set-based twin of <see cref="TierAssigner"/>
/// (the reference; tests feed both the same candidates). Works on session temp tables inside the
/// caller's transaction: reads cmp_candidate, creates cmp_ranked.
/// </summary>
public static class TierSql
{
    /// <summary>One row per village of the district. tie = the tie-break section deductions, zero-padded for a missing sheet.</summary>
    public const string CreateCandidateTable = """
        CREATE TEMP TABLE cmp_candidate (
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

    // Tier numbers are the Tier enum values (1 示范, 2 提升, 3 整治), so "worse" is "greater".
    // Rank order (docs/scoring-model.md): unpenalised first, score desc, tie-break deductions asc
    // (array comparison is element by element, like TierAssigner), village code asc (byte order).
    // Each quota step is a window over the scope in that order; the steps run in TierAssigner's order.
    private const string RankSql = """
        CREATE TEMP TABLE cmp_ranked ON COMMIT DROP AS
        WITH b AS (
            SELECT c.*, (c.vetoed OR c.missing) AS penalised,
                   CASE WHEN c.missing THEN @missing_tier WHEN c.vetoed THEN 3
                        WHEN c.final_score >= @demo_min THEN 1 WHEN c.final_score >= @upgrade_min THEN 2 ELSE 3 END AS t0,
                   CASE WHEN c.missing THEN 'MissingSheet' WHEN c.vetoed THEN 'Veto' ELSE 'Threshold' END AS r0
            FROM cmp_candidate c
        ), o AS (
            SELECT b.*,
                   row_number() OVER (ORDER BY penalised, final_score DESC, tie, village_code COLLATE "C") AS district_rank,
                   row_number() OVER (PARTITION BY township_id ORDER BY penalised, final_score DESC, tie, village_code COLLATE "C") AS township_rank,
                   CASE WHEN @township_scope THEN township_id ELSE 0 END AS scope_id
            FROM b
        ), s AS (
            SELECT o.*, CASE WHEN @township_scope THEN township_rank ELSE district_rank END AS pos,
                   count(*) OVER (PARTITION BY scope_id) AS n
            FROM o
        ), q1 AS (
            SELECT s.*, sum(CASE WHEN t0 = 1 THEN 1 ELSE 0 END) OVER (PARTITION BY scope_id ORDER BY pos ROWS UNBOUNDED PRECEDING) AS demo_seq
            FROM s
        ), q2 AS (
            SELECT q1.*,
                   (t0 = 1 AND @max_demo_pct IS NOT NULL AND demo_seq > floor(n * @max_demo_pct / 100)) AS over_demo_quota
            FROM q1
        ), q3 AS (
            SELECT q2.*,
                   CASE WHEN over_demo_quota THEN 2 ELSE t0 END AS t1,
                   CASE WHEN over_demo_quota THEN 'DemonstrationQuota' ELSE r0 END AS r1,
                   (@min_rect_pct IS NOT NULL AND pos > n - ceil(n * @min_rect_pct / 100)) AS in_rect_quota,
                   (@black_size IS NOT NULL AND pos > n - @black_size) AS black
            FROM q2
        ), q4 AS (
            SELECT q3.*,
                   CASE WHEN t1 <> 3 AND (in_rect_quota OR black) THEN 3 ELSE t1 END AS t2,
                   CASE WHEN t1 <> 3 AND in_rect_quota THEN 'RectifyQuota' WHEN t1 <> 3 AND black THEN 'BlackList' ELSE r1 END AS r2
            FROM q3
        ), q5 AS (
            SELECT q4.*, sum(CASE WHEN t2 = 1 THEN 1 ELSE 0 END) OVER (PARTITION BY scope_id ORDER BY pos ROWS UNBOUNDED PRECEDING) AS demo_seq2
            FROM q4
        )
        SELECT village_id, t2 AS tier, r2 AS reason, township_rank::int AS township_rank, district_rank::int AS district_rank,
               black AS on_black_list, (@red_size IS NOT NULL AND t2 = 1 AND demo_seq2 <= @red_size) AS on_red_list
        FROM q5
        """;

    /// <summary>Creates cmp_ranked (village_id, tier int, reason text, township_rank, district_rank, on_black_list, on_red_list).</summary>
    public static async Task RankAsync(NpgsqlConnection conn, TierPolicy policy, MissingSheetPolicy missing, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(RankSql, conn);
        cmd.Parameters.Add(new NpgsqlParameter("missing_tier", NpgsqlDbType.Integer) { Value = (int)missing.Tier });
        cmd.Parameters.Add(new NpgsqlParameter("demo_min", NpgsqlDbType.Numeric) { Value = policy.DemonstrationMin });
        cmd.Parameters.Add(new NpgsqlParameter("upgrade_min", NpgsqlDbType.Numeric) { Value = policy.UpgradeMin });
        cmd.Parameters.Add(new NpgsqlParameter("township_scope", NpgsqlDbType.Boolean) { Value = policy.QuotaScope == QuotaScope.Township });
        cmd.Parameters.Add(new NpgsqlParameter("max_demo_pct", NpgsqlDbType.Numeric) { Value = (object?)policy.MaxDemonstrationPercent ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("min_rect_pct", NpgsqlDbType.Numeric) { Value = (object?)policy.MinRectifyPercent ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("black_size", NpgsqlDbType.Integer) { Value = (object?)policy.BlackListSize ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("red_size", NpgsqlDbType.Integer) { Value = (object?)policy.RedListSize ?? DBNull.Value });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>SQL CASE turning a tier number into the stored enum name.</summary>
    internal const string TierName = "CASE {0} WHEN 1 THEN 'Demonstration' WHEN 2 THEN 'Upgrade' ELSE 'Rectify' END";
}
