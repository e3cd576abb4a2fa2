using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Computation;
using EnvScore.Api.Features.Demo;
using EnvScore.Api.Features.Organisation;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Organisation;
using EnvScore.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static EnvScore.Api.Tests.Computation.ComputationData;

namespace EnvScore.Api.Tests.Computation;

/// <summary>
/// The demo district (55 villages, 3 townships) and a second district (one township, three villages), with
/// October 2026 computed for both. No sheets: every village is ranked as missing, which is all these tests need.
/// </summary>
public sealed class ResultsCacheFactory : EnvScoreFactory
{
    public const int Month = 202610;
    public const string OtherAdmin = "admin-other", OtherSecretary = "secretary-other";
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _seeded;

    public int DemoDistrictId { get; private set; }
    public int OtherDistrictId { get; private set; }
    public int[] DemoTownshipIds { get; private set; } = [];
    public int OtherTownshipId { get; private set; }

    public async Task SeedAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_seeded) return;
            (DemoDistrictId, _, _) = await ContextAsync(this);
            await using (var scope = Services.CreateAsyncScope())
            {
                var sp = scope.ServiceProvider;
                var db = sp.GetRequiredService<Infrastructure.Data.EnvScoreDbContext>();
                var township = new Township
                {
                    Code = "410272001000", Name = "测试镇", Kind = TownshipKind.Zhen,
                    Villages = [.. new[] { 201, 202, 203 }.Select(n => new Village { Code = $"410272001{n}", Name = $"测试{n}村" })],
                };
                var district = new District { Code = "410272000000", Name = "测试区", Townships = [township] };
                db.Districts.Add(district);
                await db.SaveChangesAsync();
                (OtherDistrictId, OtherTownshipId) = (district.Id, township.Id);
                await sp.GetRequiredService<DefaultRuleSet>().EnsureForAllDistrictsAsync();
                var accounts = sp.GetRequiredService<AccountProvisioner>();
                await accounts.CreateAsync(OtherAdmin, Password, Roles.DistrictAdmin, district.Id, null);
                await accounts.CreateAsync(OtherSecretary, Password, Roles.TownshipSecretary, district.Id, township.Id);
                // In the order of DemoDistrict.Townships, so that DemoTownshipIds[i] is Secretary(i)'s township.
                var codes = DemoDistrict.Townships.Select(t => t.Code).ToList();
                var ids = await db.Townships.Where(t => codes.Contains(t.Code)).ToDictionaryAsync(t => t.Code, t => t.Id);
                DemoTownshipIds = [.. codes.Select(c => ids[c])];
            }
            foreach (var districtId in new[] { DemoDistrictId, OtherDistrictId })
                await ComputeAsync(districtId);
            _seeded = true;
        }
        finally { _gate.Release(); }
    }

    public async Task<ComputationRun> ComputeAsync(int districtId)
    {
        await using var scope = Services.CreateAsyncScope();
        var outcome = await scope.ServiceProvider.GetRequiredService<MonthlyComputation>()
            .RunAsync(districtId, EvaluationMonth.FromKey(Month), "test");
        var run = Assert.IsType<ComputationOutcome.Completed>(outcome).Run;
        Assert.True(run.Status == ComputationStatus.Succeeded, run.Error);
        return run;
    }

    public async Task ExecuteSqlAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}

/// <summary>
/// The computed results (VillageResults, TownshipResults) are output-cached per visibility scope and results stamp
/// (ComputedResultsCachePolicy). A response served from the cache carries an Age header; a fresh one does not.
/// Every test uses its own URLs, so the tests of the class do not see each other's entries.
/// </summary>
public sealed class ComputedResultsCacheTests(ResultsCacheFactory factory) : IClassFixture<ResultsCacheFactory>
{
    private const int Oct = ResultsCacheFactory.Month;

    private static async Task<(JsonElement Body, string Raw, HttpResponseMessage Response)> GetAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        var raw = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url} → {(int)response.StatusCode}: {raw}");
        return (JsonDocument.Parse(raw).RootElement, raw, response);
    }

    private static bool Cached(HttpResponseMessage response) => response.Headers.Age is not null;

    private static IEnumerable<JsonElement> Rows(JsonElement body) => body.GetProperty("value").EnumerateArray();

    [Fact]
    public async Task A_repeated_request_is_served_from_the_cache_until_the_districts_results_change()
    {
        await factory.SeedAsync();
        var admin = await factory.ClientForAsync("admin");
        var township = factory.DemoTownshipIds[0];
        var url = $"/odata/VillageResults?$filter=townshipId eq {township} and month eq {Oct}&$orderby=townshipRank&$top=50&$select=villageId,finalScore,computationRunId";

        var (first, firstRaw, firstResponse) = await GetAsync(admin, url);
        Assert.False(Cached(firstResponse));
        var row = Rows(first).First();
        var (village, score, run) = (row.GetProperty("villageId").GetInt32(), row.GetProperty("finalScore").GetDecimal(), row.GetProperty("computationRunId").GetInt32());
        var (_, againRaw, again) = await GetAsync(admin, url);
        Assert.True(Cached(again));
        Assert.Equal(firstRaw, againRaw);

        // A change the stamp does not see (triggers off for this transaction): the cache still answers with the old
        // value, while an uncached query (another URL) shows that the row did change.
        await factory.ExecuteSqlAsync($"""
            BEGIN; SET LOCAL session_replication_role = replica;
            UPDATE village_results SET final_score = 55.55 WHERE village_id = {village} AND month = {Oct}; COMMIT;
            """);
        var (_, staleRaw, stale) = await GetAsync(admin, url);
        Assert.True(Cached(stale));
        Assert.Equal(firstRaw, staleRaw);
        var (direct, _, _) = await GetAsync(admin, $"/odata/VillageResults?$filter=villageId eq {village} and month eq {Oct}&$select=finalScore");
        Assert.Equal(55.55m, Rows(direct).Single().GetProperty("finalScore").GetDecimal());

        // Any ordinary write of the district's results changes the stamp (the trigger), so the next request is fresh.
        await factory.ExecuteSqlAsync($"UPDATE village_results SET final_score = 66.66 WHERE village_id = {village} AND month = {Oct}");
        var (edited, _, editedResponse) = await GetAsync(admin, url);
        Assert.False(Cached(editedResponse));
        Assert.Equal(66.66m, Rows(edited).Single(r => r.GetProperty("villageId").GetInt32() == village).GetProperty("finalScore").GetDecimal());

        // A computation rewrites the month: new rows (the computed score again, a new run id), not the cached ones.
        var newRun = await factory.ComputeAsync(factory.DemoDistrictId);
        var (recomputed, recomputedRaw, recomputedResponse) = await GetAsync(admin, url);
        Assert.False(Cached(recomputedResponse));
        var after = Rows(recomputed).Single(r => r.GetProperty("villageId").GetInt32() == village);
        Assert.Equal(score, after.GetProperty("finalScore").GetDecimal());
        Assert.Equal(newRun.Id, after.GetProperty("computationRunId").GetInt32());
        Assert.NotEqual(run, newRun.Id);
        var (_, cachedAgainRaw, cachedAgain) = await GetAsync(admin, url);
        Assert.True(Cached(cachedAgain));
        Assert.Equal(recomputedRaw, cachedAgainRaw);
    }

    [Fact]
    public async Task Users_of_different_districts_or_townships_never_see_each_others_rows_through_the_cache()
    {
        await factory.SeedAsync();
        var url = $"/odata/VillageResults?$filter=month eq {Oct}&$orderby=villageId&$top=100&$select=villageId,districtId,townshipId";
        var demoAdmin = await factory.ClientForAsync("admin");
        var otherAdmin = await factory.ClientForAsync(ResultsCacheFactory.OtherAdmin);

        // Each user twice (the second answer from the cache), alternating, so that any shared entry would show.
        for (var round = 0; round < 2; round++)
        {
            var (demo, _, demoResponse) = await GetAsync(demoAdmin, url);
            var (other, _, otherResponse) = await GetAsync(otherAdmin, url);
            Assert.Equal(round == 1, Cached(demoResponse));
            Assert.Equal(round == 1, Cached(otherResponse));
            Assert.Equal(55, Rows(demo).Count());
            Assert.All(Rows(demo), r => Assert.Equal(factory.DemoDistrictId, r.GetProperty("districtId").GetInt32()));
            Assert.Equal(3, Rows(other).Count());
            Assert.All(Rows(other), r => Assert.Equal(factory.OtherDistrictId, r.GetProperty("districtId").GetInt32()));
        }

        // Secretaries of three townships (two of the demo district, one of the other), same URL.
        var secretaries = new[]
        {
            (Client: await factory.ClientForAsync(EnvScoreFactory.Secretary(0)), Township: factory.DemoTownshipIds[0]),
            (Client: await factory.ClientForAsync(EnvScoreFactory.Secretary(1)), Township: factory.DemoTownshipIds[1]),
            (Client: await factory.ClientForAsync(ResultsCacheFactory.OtherSecretary), Township: factory.OtherTownshipId),
        };
        for (var round = 0; round < 2; round++)
            foreach (var (client, township) in secretaries)
            {
                // October is not published: a township reads none of its results, and its answers are never cached
                // (they depend on the publication state, which the results stamp does not follow; issue #21).
                var (body, _, response) = await GetAsync(client, url);
                Assert.False(Cached(response));
                Assert.Empty(Rows(body));
            }

        // The stamp is per district: recomputing the other district leaves the demo district's entry in place.
        await factory.ComputeAsync(factory.OtherDistrictId);
        Assert.True(Cached((await GetAsync(demoAdmin, url)).Response));
        Assert.False(Cached((await GetAsync(otherAdmin, url)).Response));
    }

    [Fact]
    public async Task A_secretarys_entry_is_never_served_to_a_district_user_nor_the_other_way_round()
    {
        await factory.SeedAsync();
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(2));
        var admin = await factory.ClientForAsync("admin");
        var inspector = await factory.ClientForAsync("inspector");
        var township = factory.DemoTownshipIds[2];

        // Secretary first (October unpublished: nothing, never cached — issue #21).
        var townships = $"/odata/TownshipResults?$filter=month eq {Oct}&$orderby=rank";
        var (own, _, ownResponse) = await GetAsync(secretary, townships);
        Assert.False(Cached(ownResponse));
        Assert.Empty(Rows(own));
        Assert.False(Cached((await GetAsync(secretary, townships)).Response));
        var (all, _, allResponse) = await GetAsync(admin, townships);
        Assert.False(Cached(allResponse));
        Assert.Equal(3, Rows(all).Count());
        // The district's other role shares the district's entry: the key is the scope, not the user.
        var (inspected, _, inspectedResponse) = await GetAsync(inspector, townships);
        Assert.True(Cached(inspectedResponse));
        Assert.Equal(3, Rows(inspected).Count());
        Assert.Empty(Rows((await GetAsync(secretary, townships)).Body));

        // District admin first.
        var villages = $"/odata/VillageResults?$filter=month eq {Oct}&$orderby=districtRank&$top=100&$select=villageId,townshipId,districtRank";
        var (district, _, districtResponse) = await GetAsync(admin, villages);
        Assert.False(Cached(districtResponse));
        Assert.Equal(55, Rows(district).Count());
        var (mine, _, mineResponse) = await GetAsync(secretary, villages);
        Assert.False(Cached(mineResponse));
        Assert.Empty(Rows(mine));
        Assert.Equal(township, factory.DemoTownshipIds[2]);
        Assert.Equal(55, Rows((await GetAsync(admin, villages)).Body).Count());
    }

    [Fact]
    public async Task Anonymous_and_bad_tokens_get_401_even_when_the_url_is_cached()
    {
        await factory.SeedAsync();
        var url = $"/odata/VillageResults?$filter=month eq {Oct}&$orderby=districtRank&$top=5";
        var admin = await factory.ClientForAsync("admin");
        await GetAsync(admin, url);
        Assert.True(Cached((await GetAsync(admin, url)).Response));

        var anonymous = factory.CreateClient();
        var refused = await anonymous.GetAsync(url);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.DoesNotContain("villageId", await refused.Content.ReadAsStringAsync());
        var forged = factory.CreateClient();
        forged.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync(url)).StatusCode);
        // And the 401 did not displace the entry.
        Assert.True(Cached((await GetAsync(admin, url)).Response));
    }

    [Fact]
    public async Task Expand_and_navigation_queries_are_not_cached()
    {
        await factory.SeedAsync();
        var admin = await factory.ClientForAsync("admin");
        var township = factory.DemoTownshipIds[1];
        var url = $"/odata/VillageResults?$filter=townshipId eq {township} and month eq {Oct}&$orderby=townshipRank&$expand=village($select=id,name)";

        var (first, _, firstResponse) = await GetAsync(admin, url);
        Assert.False(Cached(firstResponse));
        Assert.False(Cached((await GetAsync(admin, url)).Response));
        // A village is renamed without any computation: the expanded name is current at once.
        var village = Rows(first).First().GetProperty("village").GetProperty("id").GetInt32();
        await factory.ExecuteSqlAsync($"UPDATE villages SET name = '改名村' WHERE id = {village}");
        var (renamed, _, renamedResponse) = await GetAsync(admin, url);
        Assert.False(Cached(renamedResponse));
        Assert.Equal("改名村", Rows(renamed).First().GetProperty("village").GetProperty("name").GetString());

        // The same through the other spellings and through a filter or order on the navigation property.
        foreach (var other in new[]
                 {
                     $"/odata/VillageResults?$filter=townshipId eq {township}&expand=village",
                     $"/odata/VillageResults?$filter=village/name eq '改名村'",
                     $"/odata/VillageResults?$filter=month eq {Oct}&$orderby=village/name&$top=3",
                     $"/odata/TownshipResults?$expand=township",
                 })
        {
            await GetAsync(admin, other);
            Assert.False(Cached((await GetAsync(admin, other)).Response), other);
        }
    }

    [Fact]
    public async Task Results_responses_are_private_no_store_and_vary_by_the_OData_headers()
    {
        await factory.SeedAsync();
        var admin = await factory.ClientForAsync("admin");
        foreach (var url in new[]
                 {
                     $"/odata/VillageResults?$filter=month eq {Oct}&$top=2&$select=villageId",
                     $"/odata/TownshipResults?$filter=month eq {Oct}&$select=townshipId,rank",
                     $"/odata/VillageResults?$filter=month eq {Oct}&$top=2&$expand=village",
                 })
            for (var i = 0; i < 2; i++) // fresh, then (if cacheable) from the cache: both say it
            {
                var response = (await GetAsync(admin, url)).Response;
                var cacheControl = response.Headers.CacheControl;
                Assert.NotNull(cacheControl);
                Assert.True(cacheControl.Private && cacheControl.NoStore, $"{url}: Cache-Control {cacheControl}");
            }

        // Another metadata level (Accept) is another payload: not served from the minimal-metadata entry.
        var plain = $"/odata/VillageResults?$filter=month eq {Oct}&$top=1&$select=villageId,finalScore";
        var (_, minimalRaw, _) = await GetAsync(admin, plain);
        Assert.True(Cached((await GetAsync(admin, plain)).Response));
        var full = new HttpRequestMessage(HttpMethod.Get, plain);
        full.Headers.Accept.ParseAdd("application/json;odata.metadata=full");
        var fullResponse = await admin.SendAsync(full);
        var fullRaw = await fullResponse.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, fullResponse.StatusCode);
        Assert.False(Cached(fullResponse));
        Assert.Contains("@odata.id", fullRaw);
        Assert.DoesNotContain("@odata.id", minimalRaw);
    }

    [Fact]
    public async Task Every_write_of_a_districts_result_rows_changes_that_districts_stamp_only()
    {
        await factory.SeedAsync();
        await using var conn = new NpgsqlConnection(factory.ConnectionString);
        await conn.OpenAsync();
        async Task<(long Demo, long Other)> StampsAsync()
        {
            await using var cmd = new NpgsqlCommand($"SELECT (SELECT version FROM results_stamps WHERE district_id = {factory.DemoDistrictId}), " +
                                                    $"(SELECT version FROM results_stamps WHERE district_id = {factory.OtherDistrictId})", conn);
            await using var reader = await cmd.ExecuteReaderAsync();
            await reader.ReadAsync();
            return (reader.GetInt64(0), reader.GetInt64(1));
        }
        var village = $"(SELECT village_id FROM village_results WHERE district_id = {factory.DemoDistrictId} AND month = {Oct} ORDER BY village_id LIMIT 1)";
        string[] writes =
        [
            $"UPDATE village_results SET final_score = final_score WHERE village_id = {village} AND month = {Oct}",
            $"UPDATE township_results SET rank = rank WHERE district_id = {factory.DemoDistrictId} AND month = {Oct}",
            $"INSERT INTO village_result_sections (village_id, month, ordinal, code, title, max, applicable_max, deduction, score) " +
            $"SELECT {village}, {Oct}, 99, 'X', '测试', 0, 0, 0, 0",
            $"UPDATE village_result_sections SET score = score WHERE village_id = {village} AND month = {Oct}",
            $"DELETE FROM village_result_sections WHERE village_id = {village} AND month = {Oct} AND ordinal = 99",
        ];
        foreach (var sql in writes)
        {
            var before = await StampsAsync();
            await factory.ExecuteSqlAsync(sql);
            var after = await StampsAsync();
            Assert.True(after.Demo > before.Demo, $"{sql}: the demo district's stamp did not change");
            Assert.Equal(before.Other, after.Other);
        }
        // A statement that changes no row changes no stamp.
        var unchanged = await StampsAsync();
        await factory.ExecuteSqlAsync($"DELETE FROM village_results WHERE month = 190001");
        Assert.Equal(unchanged, await StampsAsync());
    }

    [Theory]
    [InlineData("?$filter=townshipId eq 10 and month eq 202610&$orderby=townshipRank&$top=50", true)]
    [InlineData("?$apply=groupby((townshipId),aggregate(finalScore with average as mean))&$count=true&$skip=5", true)]
    [InlineData("?filter=month eq 202610&$SELECT=villageId", true)]
    [InlineData("?$expand=village", false)]
    [InlineData("?expand=village", false)]
    [InlineData("?$EXPAND=Village", false)]
    [InlineData("?$filter=village/name eq 'x'", false)]
    [InlineData("?$orderby=Township/Code", false)]
    [InlineData("?$select=village", false)]
    [InlineData("?$compute=finalScore mul 2 as double", false)]
    [InlineData("?$filter=townshipId eq @t&@t=10", false)]
    [InlineData("?utm=x", false)]
    public void Only_plain_query_options_without_navigation_are_cacheable(string query, bool cacheable) =>
        Assert.Equal(cacheable, ComputedResultsCachePolicy.IsCacheableQuery(new QueryCollection(QueryHelpers.ParseQuery(query))));
}
