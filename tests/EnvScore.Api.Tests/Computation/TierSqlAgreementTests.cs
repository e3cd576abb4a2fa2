using EnvScore.Api.Features.Computation;
using EnvScore.Domain.Organisation;
using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;
using EnvScore.Testing;
using Npgsql;
using NpgsqlTypes;

namespace EnvScore.Api.Tests.Computation;

/// <summary>The SQL ranking (TierSql) against the reference TierAssigner: same candidates, same outcome, for many random districts.</summary>
public class TierSqlAgreementTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    public static TheoryData<int> Seeds => new() { 1, 2, 3, 4, 5, 6, 7, 8 };

    private static readonly TierPolicy[] Policies =
    [
        new() { DemonstrationMin = 90, UpgradeMin = 75, MaxDemonstrationPercent = 20, MinRectifyPercent = 10, RedListSize = 5, BlackListSize = 5 },
        new() { DemonstrationMin = 90, UpgradeMin = 75, QuotaScope = QuotaScope.Township, MaxDemonstrationPercent = 33.33m, MinRectifyPercent = 12.5m, RedListSize = 2, BlackListSize = 1 },
        new() { DemonstrationMin = 85, UpgradeMin = 60 },
        new() { DemonstrationMin = 95.5m, UpgradeMin = 80.25m, QuotaScope = QuotaScope.Township, BlackListSize = 3 },
    ];

    [Theory, MemberData(nameof(Seeds))]
    public async Task Sql_ranking_agrees_with_the_reference(int seed)
    {
        var random = new Random(seed);
        // Few distinct scores and deductions: ties at every level of the order.
        var candidates = new List<TierCandidate>();
        var townships = random.Next(1, 5);
        for (var t = 1; t <= townships; t++)
        {
            var size = random.Next(1, 25);
            for (var v = 1; v <= size; v++)
            {
                var missing = random.NextDouble() < 0.1;
                var village = DivisionCode.Parse($"410271{t:D3}{v:D3}");
                candidates.Add(new TierCandidate(village, village.TownshipCode!.Value,
                    missing ? 0m : random.Next(0, 9) switch { 0 => 100m, 1 => 95.5m, 2 => 90m, 3 => 89.99m, 4 => 80.25m, 5 => 75m, 6 => 60m, _ => random.Next(5000, 10000) / 100m },
                    !missing && random.NextDouble() < 0.1,
                    missing ? [] : [random.Next(0, 3), random.Next(0, 3) * 0.5m, random.Next(0, 2)],
                    missing));
            }
        }

        // Every policy × missing-sheet policy is its own district, all ranked by one statement: partitions must not leak.
        var districts = Policies.SelectMany(p => new[] { new MissingSheetPolicy(), new MissingSheetPolicy { Score = 50, Tier = Tier.Upgrade } },
                (policy, missing) => (Policy: policy, Missing: missing))
            .Select((x, i) => (DistrictId: i + 1, x.Policy, x.Missing,
                Input: candidates.Select(c => c.MissingSheet ? c with { FinalScore = x.Missing.Score } : c).ToList()))
            .ToList();
        var actual = await RankInSqlAsync(districts);
        foreach (var (districtId, policy, missingPolicy, input) in districts)
        {
            var expected = TierAssigner.Assign(input, policy, missingPolicy).ToDictionary(o => o.VillageCode.Value);
            Assert.Equal(expected.Count, actual.Count(a => a.Key.District == districtId));
            foreach (var (code, e) in expected)
            {
                var a = actual[(districtId, code)];
                Assert.True((e.Tier, e.Reason, e.TownshipRank, e.DistrictRank, e.OnRedList, e.OnBlackList) == a,
                    $"seed {seed}, {policy}, {missingPolicy}, village {code}: reference {(e.Tier, e.Reason, e.TownshipRank, e.DistrictRank, e.OnRedList, e.OnBlackList)}, SQL {a}");
            }
        }
    }

    private async Task<Dictionary<(int District, string Code), (Tier, TierReason, int, int, bool, bool)>> RankInSqlAsync(
        List<(int DistrictId, TierPolicy Policy, MissingSheetPolicy Missing, List<TierCandidate> Input)> districts)
    {
        await using var conn = new NpgsqlConnection(factory.ConnectionString);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var create = new NpgsqlCommand(TierSql.CreateCandidateTable, conn)) await create.ExecuteNonQueryAsync();
        await TierSql.WritePoliciesAsync(conn, districts.Select(d => (d.DistrictId, d.Policy, d.Missing)), CancellationToken.None);
        var ids = new Dictionary<int, (int, string)>();
        await using (var w = await conn.BeginBinaryImportAsync(
            "COPY cmp_candidate (district_id, village_id, village_code, township_id, township_code, final_score, vetoed, missing, tie) FROM STDIN (FORMAT BINARY)"))
        {
            var id = 0;
            foreach (var (districtId, _, _, input) in districts)
                // Ids in reverse code order, so that nothing can lean on insertion order or ids.
                foreach (var c in input.OrderByDescending(c => c.VillageCode.Value, StringComparer.Ordinal))
                {
                    ids[++id] = (districtId, c.VillageCode.Value);
                    await w.StartRowAsync();
                    await w.WriteAsync(districtId, NpgsqlDbType.Integer);
                    await w.WriteAsync(id, NpgsqlDbType.Integer);
                    await w.WriteAsync(c.VillageCode.Value, NpgsqlDbType.Text);
                    // Township ids are global: the same township number in two districts is two townships.
                    await w.WriteAsync(districtId * 1000 + int.Parse(c.TownshipCode.Value[6..9]), NpgsqlDbType.Integer);
                    await w.WriteAsync(c.TownshipCode.Value, NpgsqlDbType.Text);
                    await w.WriteAsync(c.FinalScore, NpgsqlDbType.Numeric);
                    await w.WriteAsync(c.Vetoed, NpgsqlDbType.Boolean);
                    await w.WriteAsync(c.MissingSheet, NpgsqlDbType.Boolean);
                    // As in the computation: a missing sheet's tie-break is zero-padded to the section count.
                    await w.WriteAsync(c.MissingSheet ? new decimal[3] : c.TieBreakDeductions.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Numeric);
                }
            await w.CompleteAsync();
        }
        await TierSql.RankAsync(conn, CancellationToken.None);
        var result = new Dictionary<(int, string), (Tier, TierReason, int, int, bool, bool)>();
        await using var read = new NpgsqlCommand("SELECT village_id, tier, reason, township_rank, district_rank, on_red_list, on_black_list FROM cmp_ranked", conn);
        await using var reader = await read.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            result[ids[reader.GetInt32(0)]] = ((Tier)reader.GetInt32(1), Enum.Parse<TierReason>(reader.GetString(2)), reader.GetInt32(3),
                reader.GetInt32(4), reader.GetBoolean(5), reader.GetBoolean(6));
        Assert.Equal(ids.Count, result.Count);
        return result;
    }
}
