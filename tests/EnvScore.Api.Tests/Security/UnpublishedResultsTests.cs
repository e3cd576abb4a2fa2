using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EnvScore.Api.Features.Demo;
using EnvScore.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EnvScore.Api.Tests.Security;

/// <summary>
/// Unpublished district spot-check results never reach the inspected township (issue #21, ComputationVisibility):
/// the demo's September is published, October computed (with district spot-checks) and waiting for review. A
/// secretary reads every OData set and opens every page that shows results: October's district-based figures appear
/// nowhere, September's (published) do; the district office sees October.
/// </summary>
public class UnpublishedResultsTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    private const int Sep = 202609, Oct = 202610;
    private static readonly SemaphoreSlim Gate = new(1, 1);

    private async Task SeedAsync()
    {
        await Gate.WaitAsync();
        try
        {
            await using var scope = factory.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<DemoMonths>().AddAsync(2); // no-op when already loaded
        }
        finally { Gate.Release(); }
    }

    private static IEnumerable<JsonElement> Rows(JsonElement body) => body.GetProperty("value").EnumerateArray();

    [Fact]
    public async Task A_secretary_reads_no_unpublished_result_through_any_set()
    {
        await SeedAsync();
        var admin = await factory.ClientForAsync("admin");
        Assert.NotEmpty(Rows(await admin.GetJsonAsync($"/odata/VillageResults?$filter=month eq {Oct} and districtScore ne null&$top=5")));
        Assert.NotEmpty(Rows(await admin.GetJsonAsync($"/odata/Rectifications?$filter=month eq {Oct} and source eq 'DistrictCheck'&$top=5")));
        var septemberProblems = 0;

        foreach (var s in Enumerable.Range(0, 3))
        {
            var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(s));
            foreach (var url in new[]
            {
                $"/odata/VillageResults?$filter=month eq {Oct}",
                $"/odata/VillageResults?$filter=month eq {Oct}&$expand=village&$count=true",
                $"/odata/VillageResults?$apply=filter(month eq {Oct})/aggregate($count as n)",
                $"/odata/VillageResults?$apply=groupby((month),aggregate(finalScore with average as mean))",
                $"/odata/TownshipResults?$filter=month eq {Oct}",
                $"/odata/TownshipResults?$apply=groupby((month),aggregate($count as n))",
                "/odata/ComputationRuns",
                "/odata/Evaluations?$filter=kind eq 'District'",
                // The problems the computation made from October's district checks carry its findings and points.
                $"/odata/Rectifications?$filter=month eq {Oct} and source eq 'DistrictCheck'",
                $"/odata/Rectifications?$apply=filter(month eq {Oct})/groupby((villageId),aggregate(points with sum as lost))",
                "/odata/Rectifications/Overdue()?$filter=month eq " + Oct,
            })
            {
                var body = await secretary.GetJsonAsync(url);
                var rows = Rows(body).ToList();
                // Aggregations over visible rows: October never appears; a $count over nothing is 0.
                Assert.True(rows.All(r => !r.TryGetProperty("month", out var m) || m.GetInt32() != Oct), $"{url}: {body}");
                if (url.Contains("aggregate($count as n)") && rows.Count > 0)
                    Assert.True(rows.All(r => !r.TryGetProperty("month", out _) || r.GetProperty("month").GetInt32() == Sep), $"{url}: {body}");
                if (url.Contains("ComputationRuns") || url.Contains("'District'") || url.Contains($"month eq {Oct}") || url.Contains("Rectifications"))
                    Assert.True(rows.Count == 0 || rows.All(r => r.TryGetProperty("n", out var n) && n.GetInt32() == 0), $"{url}: {body}");
            }
            // September is published: the secretary sees their township's rows, and its spot-check problems to fix.
            var sep = Rows(await secretary.GetJsonAsync($"/odata/VillageResults?$filter=month eq {Sep}")).ToList();
            septemberProblems += Rows(await secretary.GetJsonAsync($"/odata/Rectifications?$filter=month eq {Sep} and source eq 'DistrictCheck'")).Count();
            Assert.NotEmpty(sep);
            Assert.Single(Rows(await secretary.GetJsonAsync($"/odata/TownshipResults?$filter=month eq {Sep}")));
            // The bulletin preview (working results) is the district office's.
            Assert.Equal(HttpStatusCode.Forbidden, (await secretary.GetAsync("/api/bulletins/1/2026-10/preview")).StatusCode);
        }
        Assert.True(septemberProblems > 0, "no township read a problem of the published September's district checks");
    }

    [Fact]
    public async Task No_page_a_secretary_opens_shows_an_unpublished_district_score()
    {
        await SeedAsync();
        var admin = await factory.ClientForAsync("admin");
        var checkedVillages = Rows(await admin.GetJsonAsync(
            $"/odata/VillageResults?$filter=month eq {Oct} and districtScore ne null&$select=villageId,townshipId,districtScore,finalScore,explanation&$top=100")).ToList();
        Assert.NotEmpty(checkedVillages);
        var townships = Rows(await admin.GetJsonAsync("/odata/Townships?$orderby=id")).Select(t => t.GetProperty("id").GetInt32()).ToList();

        for (var s = 0; s < 3; s++)
        {
            var client = factory.CreateClient();
            await (await client.PostAsJsonAsync("/api/auth/login?useCookies=true", new { userName = EnvScoreFactory.Secretary(s), password = EnvScoreFactory.Password }))
                .ExpectAsync(HttpStatusCode.OK);
            var me = await client.GetJsonAsync("/api/auth/me");
            var township = me.GetProperty("townshipId").GetInt32();
            foreach (var v in checkedVillages.Where(v => v.GetProperty("townshipId").GetInt32() == township))
            {
                var id = v.GetProperty("villageId").GetInt32();
                var district = v.GetProperty("districtScore").GetDecimal().ToString("0.##", CultureInfo.InvariantCulture);
                var explanationLine = v.GetProperty("explanation").GetString()!.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
                foreach (var url in new[] { "/", $"/?m=2026-10", $"/township/{township}?m=2026-10", $"/village/{id}?m=2026-10", "/work?m=2026-10",
                             $"/work/sheet?villageId={id}&m=2026-10&kind=Self", $"/work/sheet?villageId={id}&m=2026-10&kind=District" })
                {
                    var response = await client.GetAsync(url);
                    Assert.True((int)response.StatusCode is 200 or 403 or 404, $"{url} → {(int)response.StatusCode}");
                    var html = await response.Content.ReadAsStringAsync();
                    Assert.DoesNotContain($"区级抽查 {district}", html);
                    Assert.DoesNotContain($"抽查{district}", html);
                    if (url.Contains("kind=District"))
                        Assert.True(response.StatusCode != HttpStatusCode.OK || response.RequestMessage!.RequestUri!.AbsolutePath == "/denied"
                            || html.Contains("无权"), $"{url} → {response.RequestMessage!.RequestUri}");
                    if (explanationLine is not null && !url.Contains("kind=Self")) Assert.DoesNotContain(explanationLine, html);
                }
            }
        }
        Assert.NotEmpty(townships);
    }
}
