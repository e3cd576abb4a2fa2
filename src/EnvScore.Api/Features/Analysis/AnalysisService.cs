using System.Data.Common;
using System.Text.Json.Serialization;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Scoring;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Analysis;

/// <summary>
/// The month-over-month analysis behind the notice's summary, from the district's computed (working) results: problems by
/// item and section (district-wide and per township), the items that lose the most points, the gap between township
/// self-evaluations and district spot-checks per township, and villages moving between tiers. Points lost are positive;
/// a gap is mean(self − district) over the villages that had both sheets counted (positive = self-evaluation above
/// the check). Set-based SQL over <c>village_results</c> (findings jsonb) — no row leaves the database unaggregated
/// except the villages that changed tier.
/// </summary>
public sealed class AnalysisService(EnvScoreDbContext db)
{
    public const int MaxMonths = 24;

    public async Task<DistrictAnalysis> ForDistrictAsync(int districtId, EvaluationMonth last, int months, CancellationToken ct)
    {
        months = Math.Clamp(months, 1, MaxMonths);
        var first = last.AddMonths(-(months - 1));
        var keys = Enumerable.Range(0, months).Select(i => first.AddMonths(i).Key).ToList();
        var conn = db.Database.GetDbConnection();
        if (conn.State != System.Data.ConnectionState.Open) await conn.OpenAsync(ct);

        var problems = await QueryAsync(conn, """
            SELECT r.month, r.township_id, t.name, f->>'Section', f->>'ItemCode', f->>'ItemTitle', count(DISTINCT r.village_id)::int, sum(-(f->>'Points')::numeric)
            FROM village_results r JOIN townships t ON t.id = r.township_id, jsonb_array_elements(coalesce(r.findings, '[]'::jsonb)) f
            WHERE r.district_id = @d AND r.month BETWEEN @from AND @to AND (f->>'Points')::numeric < 0
            GROUP BY r.month, r.township_id, t.name, f->>'Section', f->>'ItemCode', f->>'ItemTitle'
            """, districtId, first.Key, last.Key, r => new ItemProblem(r.GetInt32(0), r.GetInt32(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
                r.GetInt32(6), r.GetDecimal(7)), ct);

        var gaps = await QueryAsync(conn, """
            SELECT r.month, r.township_id, t.name, count(*)::int, round(avg(r.self_score - r.district_score), 2), count(*) FILTER (WHERE r.inflated_flag)::int
            FROM village_results r JOIN townships t ON t.id = r.township_id
            WHERE r.district_id = @d AND r.month BETWEEN @from AND @to AND r.self_score IS NOT NULL AND r.district_score IS NOT NULL
            GROUP BY r.month, r.township_id, t.name
            """, districtId, first.Key, last.Key, r => new SelfCheckGap(r.GetInt32(0), r.GetInt32(1), r.GetString(2), r.GetInt32(3), r.GetDecimal(4), r.GetInt32(5)), ct);

        var previous = last.Previous();
        var moves = await QueryAsync(conn, """
            SELECT r.village_id, v.name, t.name, p.tier, r.tier, p.final_score, r.final_score
            FROM village_results r JOIN village_results p ON p.village_id = r.village_id AND p.month = @from
            JOIN villages v ON v.id = r.village_id JOIN townships t ON t.id = r.township_id
            WHERE r.district_id = @d AND r.month = @to AND p.tier <> r.tier
            ORDER BY t.name, v.name
            """, districtId, previous.Key, last.Key, r => new TierMove(r.GetInt32(0), r.GetString(1), r.GetString(2), Enum.Parse<Tier>(r.GetString(3)),
                Enum.Parse<Tier>(r.GetString(4)), r.GetDecimal(5), r.GetDecimal(6)), ct);
        var stayed = await QueryAsync(conn, """
            SELECT r.tier, count(*)::int FROM village_results r JOIN village_results p ON p.village_id = r.village_id AND p.month = @from
            WHERE r.district_id = @d AND r.month = @to AND p.tier = r.tier GROUP BY r.tier
            """, districtId, previous.Key, last.Key, r => (Tier: Enum.Parse<Tier>(r.GetString(0)), Count: r.GetInt32(1)), ct);

        var district = problems.GroupBy(p => (p.Month, p.ItemCode))
            .Select(g => g.First() with { TownshipId = 0, TownshipName = "全区", Villages = g.Sum(x => x.Villages), PointsLost = g.Sum(x => x.PointsLost) })
            .ToList();
        var sections = district.GroupBy(p => (p.Month, p.Section))
            .Select(g => new SectionProblem(g.Key.Month, g.Key.Section, g.Sum(x => x.PointsLost))).OrderBy(s => s.Month).ThenByDescending(s => s.PointsLost).ToList();
        var transitions = Enum.GetValues<Tier>().SelectMany(from => Enum.GetValues<Tier>().Select(to => new TierTransition(from, to,
            from == to ? stayed.Where(s => s.Tier == from).Sum(s => s.Count) : moves.Count(m => m.From == from && m.To == to)))).ToList();
        return new DistrictAnalysis(keys, district.OrderBy(p => p.Month).ThenByDescending(p => p.PointsLost).ThenBy(p => p.ItemCode, StringComparer.Ordinal).ToList(),
            problems.OrderBy(p => p.Month).ThenBy(p => p.TownshipName, StringComparer.Ordinal).ThenByDescending(p => p.PointsLost).ToList(),
            sections, gaps.OrderBy(g => g.TownshipName, StringComparer.Ordinal).ThenBy(g => g.Month).ToList(), transitions, moves);
    }

    private static async Task<List<T>> QueryAsync<T>(DbConnection conn, string sql, int district, int from, int to, Func<DbDataReader, T> read, CancellationToken ct)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in new[] { ("d", district), ("from", from), ("to", to) })
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value;
            cmd.Parameters.Add(p);
        }
        var list = new List<T>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) list.Add(read(reader));
        return list;
    }
}

/// <summary>Months are yyyymm keys, oldest first.</summary>
public sealed record DistrictAnalysis(IReadOnlyList<int> Months, IReadOnlyList<ItemProblem> DistrictProblems, IReadOnlyList<ItemProblem> TownshipProblems,
    IReadOnlyList<SectionProblem> Sections, IReadOnlyList<SelfCheckGap> Gaps, IReadOnlyList<TierTransition> Transitions, IReadOnlyList<TierMove> Moves);

/// <summary>An item's deductions in a month: in how many villages, how many points in all. TownshipId 0 = the whole district.</summary>
public sealed record ItemProblem(int Month, int TownshipId, string TownshipName, string Section, string ItemCode, string ItemTitle, int Villages, decimal PointsLost);

public sealed record SectionProblem(int Month, string Section, decimal PointsLost);

/// <summary>Self-evaluation minus district check, averaged over the township's villages checked that month; InflatedCount = villages flagged 自评虚高.</summary>
public sealed record SelfCheckGap(int Month, int TownshipId, string TownshipName, int CheckedVillages, decimal MeanGap, int InflatedCount);

/// <summary>Villages in tier From last month and To this month (From == To: stayed).</summary>
public sealed record TierTransition([property: JsonConverter(typeof(JsonStringEnumConverter))] Tier From,
    [property: JsonConverter(typeof(JsonStringEnumConverter))] Tier To, int Villages);

public sealed record TierMove(int VillageId, string VillageName, string TownshipName, [property: JsonConverter(typeof(JsonStringEnumConverter))] Tier From,
    [property: JsonConverter(typeof(JsonStringEnumConverter))] Tier To, decimal PreviousScore, decimal Score);
