using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Computation;
using EnvScore.Api.Features.Demo;
using EnvScore.Api.Features.Organisation;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Organisation;
using EnvScore.Domain.Scoring;
using EnvScore.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EnvScore.Api.Tests.Computation;

/// <summary>
/// Result rows written by hand for the demo district (55 villages: 水稻乡 410271001001–019, 杏花营农场 410271002001–018,
/// 杏花营镇 410271003001–018), for October and September 2026. Village number i (0–54, in code order):
/// October final score 95.00 − 0.5·i, September 85.00 − 0.5·i; district rank i + 1 in both months; township rank its
/// place within its township; two sections each, written in sheet order as the computation writes them (the stock path
/// returns them in the order the database reads them, the lean path by ordinal: the same for such rows), section 1
/// deducting i mod 3 of 60.
/// </summary>
public sealed class LeanReadFactory : EnvScoreFactory
{
    public const int Oct = 202610, Sep = 202609;
    public const string OtherAdmin = "admin-lean-other";
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _seeded;

    public int DistrictId { get; private set; }
    public int[] TownshipIds { get; private set; } = [];
    /// <summary>Village ids in code order (index i above).</summary>
    public int[] VillageIds { get; private set; } = [];

    public async Task SeedAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_seeded) return;
            await using var scope = Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<EnvScoreDbContext>();
            var district = await db.Districts.SingleAsync(d => d.Code == DemoDistrict.Code);
            DistrictId = district.Id;
            var villages = await db.Villages.Where(v => v.Township!.DistrictId == district.Id).OrderBy(v => v.Code).ToListAsync();
            Assert.Equal(55, villages.Count);
            VillageIds = [.. villages.Select(v => v.Id)];
            var codes = DemoDistrict.Townships.Select(t => t.Code).ToList();
            var townships = await db.Townships.Where(t => codes.Contains(t.Code)).ToDictionaryAsync(t => t.Code, t => t.Id);
            TownshipIds = [.. codes.Select(c => townships[c])];
            var ruleSet = await db.RuleSets.Where(r => r.DistrictId == district.Id).Select(r => r.Id).FirstAsync();

            var run = new ComputationRun { DistrictId = district.Id, Month = Oct, Status = ComputationStatus.Succeeded, RequestedBy = "test", RequestedAt = Clock.GetUtcNow() };
            db.ComputationRuns.Add(run);
            await db.SaveChangesAsync();
            foreach (var (month, top) in new[] { (Oct, 95.00m), (Sep, 85.00m) })
            {
                var perTownship = new Dictionary<int, int>();
                for (var i = 0; i < villages.Count; i++)
                {
                    var v = villages[i];
                    perTownship[v.TownshipId] = perTownship.GetValueOrDefault(v.TownshipId) + 1;
                    db.VillageResults.Add(new VillageResult
                    {
                        VillageId = v.Id, Month = month, DistrictId = district.Id, TownshipId = v.TownshipId, RuleSetId = ruleSet,
                        SelfScore = top - 0.5m * i, FinalScore = top - 0.5m * i,
                        Vetoed = false, VetoCodes = i == 0 ? ["V01", "V03"] : [],
                        Tier = i < 10 ? Tier.Demonstration : i < 40 ? Tier.Upgrade : Tier.Rectify, TierReason = TierReason.Threshold,
                        TownshipRank = perTownship[v.TownshipId], DistrictRank = i + 1, ConsecutiveMonthsInTier = 1,
                        // Village 5's text has every character class a JSON writer may escape differently.
                        Explanation = i == 5 ? "说明5 \"引号\" \\反斜杠 \t制表\r\n换行 \u0001\u001f控制 \u007f <>&'+ /斜杠 𠀀扩展B \u2028 é" : $"说明{i}",
                        Findings = i == 1 ? null : i == 0 ? [new ResultFinding { Section = "村容村貌", ItemCode = "1.1", ItemTitle = "乱堆乱放", Points = -2.5m, Text = "发现3处" }] : [],
                        ComputationRunId = run.Id,
                        Sections =
                        [
                            new VillageResultSection { Ordinal = 1, Code = "S1", Title = "村容村貌", Max = 60, ApplicableMax = 60, Deduction = i % 3, Score = 60 - i % 3 },
                            new VillageResultSection { Ordinal = 2, Code = "S2", Title = "生活垃圾", Max = 40, ApplicableMax = 40, Deduction = 0.5m, Score = 39.5m },
                        ],
                    });
                }
            }
            for (var t = 0; t < 3; t++)
                db.TownshipResults.Add(new TownshipResult
                {
                    TownshipId = TownshipIds[t], Month = Oct, DistrictId = district.Id, VillageCount = 19 - (t == 0 ? 0 : 1),
                    SubmittedCount = 10 + t, OnTimeCount = 9, MissingCount = 1, MeanFinalScore = 90.25m - t, DemonstrationCount = 3 - t,
                    UpgradeCount = 5, RectifyCount = t, Rank = t + 1, ComputationRunId = run.Id,
                });
            var other = new District
            {
                Code = "410273000000", Name = "对照区",
                Townships = [new Township { Code = "410273001000", Name = "对照镇", Kind = TownshipKind.Zhen, Villages = [new Village { Code = "410273001001", Name = "对照村" }] }],
            };
            db.Districts.Add(other);
            await db.SaveChangesAsync();
            await scope.ServiceProvider.GetRequiredService<AccountProvisioner>().CreateAsync(OtherAdmin, Password, Roles.DistrictAdmin, other.Id, null);
            _seeded = true;
        }
        finally { _gate.Release(); }
    }

    public async Task SetPublicationAsync(int month, bool? correctionOpen)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<EnvScoreDbContext>();
        await db.Publications.Where(p => p.DistrictId == DistrictId && p.Month == month).ExecuteDeleteAsync();
        if (correctionOpen is { } open)
        {
            db.Publications.Add(new Api.Features.Publication.Publication { DistrictId = DistrictId, Month = month, LatestRevision = 1, CorrectionOpen = open });
            await db.SaveChangesAsync();
        }
    }
}

/// <summary>
/// The lean read path of the computed results (<see cref="LeanResultsReadAttribute"/>, issue #20): the plain queries
/// answer the rows, the JSON, <c>@odata.nextLink</c> and <c>@odata.count</c> written here by hand, byte for byte what
/// the stock query path (the same service with <c>ResultsReads:Lean=false</c>) answers, for each role; the other queries
/// still go the stock way.
/// </summary>
public class LeanResultsReadTests(LeanReadFactory factory) : IClassFixture<LeanReadFactory>
{
    private const int Oct = LeanReadFactory.Oct, Sep = LeanReadFactory.Sep;

    private async Task<HttpClient> ClientAsync(WebApplicationFactory<Program> host, string user)
    {
        var client = host.CreateClient();
        var login = await client.PostAsJsonAsync("/api/auth/login", new { userName = user, password = EnvScoreFactory.Password });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>The same service and database with every read on the stock path.</summary>
    private WebApplicationFactory<Program> Stock() =>
        factory.WithWebHostBuilder(b => b.UseSetting(LeanResultsReadAttribute.Setting, "false"));

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        return (response.StatusCode, SectionsInSheetOrder(await response.Content.ReadAsStringAsync()));
    }

    /// <summary>
    /// The body with each row's <c>sections</c> in sheet order (by ordinal), the rest byte for byte. The stock path returns
    /// them in the order the database happens to read them (EF Core orders a query by the parent's key, not by the last
    /// included collection's), the lean path in sheet order; the sections written here contain no brackets.
    /// </summary>
    private static string SectionsInSheetOrder(string body) =>
        System.Text.RegularExpressions.Regex.Replace(body, "\"sections\":\\[\\{(.*?)\\}\\]", m =>
            "\"sections\":[{" + string.Join("},{", m.Groups[1].Value.Split("},{")
                .OrderBy(s => int.Parse(System.Text.RegularExpressions.Regex.Match(s, "\"ordinal\":(\\d+)").Groups[1].Value))) + "}]");

    private static JsonElement[] Rows(string body) => [.. JsonDocument.Parse(body).RootElement.GetProperty("value").EnumerateArray()];

    /// <summary>Counts of the plain reads by path while a test runs (other classes may add to them: compare with ≥).</summary>
    private sealed class ReadCounts : IDisposable
    {
        private readonly MeterListener _listener = new();
        public long Lean, Stock;

        public ReadCounts()
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "EnvScore.ResultsReads") l.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                    if (tag.Key == "path") { if ((string?)tag.Value == "lean") Interlocked.Add(ref Lean, value); else Interlocked.Add(ref Stock, value); }
            });
            _listener.Start();
        }

        public void Dispose() => _listener.Dispose();
    }

    [Fact]
    public async Task The_district_ranking_query_answers_the_hand_written_rows_on_the_lean_path()
    {
        await factory.SeedAsync();
        using var counts = new ReadCounts();
        var admin = await factory.ClientForAsync("admin");
        var t1 = factory.TownshipIds[1];
        // 杏花营农场 is villages 19–36: October scores 85.50, 85.00, 84.50 … — ≥ 80 are villages 19–30; the first five by township rank.
        var url = $"/odata/VillageResults?$filter=townshipId eq {t1} and month eq {Oct} and finalScore ge 80&$orderby=townshipRank&$top=5";
        var (status, body) = await GetAsync(admin, url);
        Assert.Equal(HttpStatusCode.OK, status);
        var rows = Rows(body);
        Assert.Equal([.. factory.VillageIds[19..24]], rows.Select(r => r.GetProperty("villageId").GetInt32()));
        Assert.Equal([85.5m, 85m, 84.5m, 84m, 83.5m], rows.Select(r => r.GetProperty("finalScore").GetDecimal()));
        Assert.Equal([1, 2, 3, 4, 5], rows.Select(r => r.GetProperty("townshipRank").GetInt32()));
        Assert.Equal([20, 21, 22, 23, 24], rows.Select(r => r.GetProperty("districtRank").GetInt32()));
        // Sections in sheet order; village 19 deducts 19 mod 3 = 1 of section 1.
        Assert.Equal("""[{"ordinal":1,"code":"S1","title":"村容村貌","max":60.00,"applicableMax":60.00,"deduction":1.00,"score":59.00},{"ordinal":2,"code":"S2","title":"生活垃圾","max":40.00,"applicableMax":40.00,"deduction":0.50,"score":39.50}]""",
            Compact(rows[0].GetProperty("sections")));
        Assert.False(JsonDocument.Parse(body).RootElement.TryGetProperty("@odata.nextLink", out _));
        Assert.True(counts.Lean >= 1);

        await using var stock = Stock();
        Assert.Equal(body, (await GetAsync(await ClientAsync(stock, "admin"), url)).Body);
    }

    [Fact]
    public async Task A_whole_row_is_the_stock_JSON_with_every_property()
    {
        await factory.SeedAsync();
        var admin = await factory.ClientForAsync("admin");
        var v0 = factory.VillageIds[0];
        var url = $"/odata/VillageResults?$filter=villageId eq {v0} and month eq {Oct}";
        var (status, body) = await GetAsync(admin, url);
        Assert.Equal(HttpStatusCode.OK, status);
        var row = Assert.Single(Rows(body));
        var expected = $$"""
            {"villageId":{{v0}},"month":202610,"districtId":{{factory.DistrictId}},"townshipId":{{factory.TownshipIds[0]}},"ruleSetId":{{row.GetProperty("ruleSetId").GetInt32()}},
            "selfScore":95.00,"districtScore":null,"finalScore":95.00,"vetoed":false,"vetoCodes":["V01","V03"],"tier":"Demonstration","tierReason":"Threshold",
            "townshipRank":1,"districtRank":1,"previousDistrictRank":null,"movement":null,"consecutiveMonthsInTier":1,"inflationGap":null,
            "inflatedFlag":false,"missingSheet":false,"interviewFlag":false,"rewardFlag":false,"onRedList":false,"onBlackList":false,
            "explanation":"说明0","computationRunId":{{row.GetProperty("computationRunId").GetInt32()}},
            "findings":[{"section":"村容村貌","itemCode":"1.1","itemTitle":"乱堆乱放","points":-2.5,"text":"发现3处"}],
            "sections":[{"ordinal":1,"code":"S1","title":"村容村貌","max":60.00,"applicableMax":60.00,"deduction":0.00,"score":60.00},
                        {"ordinal":2,"code":"S2","title":"生活垃圾","max":40.00,"applicableMax":40.00,"deduction":0.50,"score":39.50}]}
            """;
        Assert.Equal(Compact(JsonDocument.Parse(expected).RootElement), Compact(row));
        await using var stock = Stock();
        var stockAdmin = await ClientAsync(stock, "admin");
        Assert.Equal(body, (await GetAsync(stockAdmin, url)).Body);

        // Null findings (a row from before structured findings) are written as an empty collection, as OData writes them.
        var twoUrl = $"/odata/VillageResults?$filter=(villageId eq {factory.VillageIds[1]} or villageId eq {factory.VillageIds[2]}) and month eq {Oct}&$orderby=districtRank";
        var (_, two) = await GetAsync(admin, twoUrl);
        Assert.Equal(["[]", "[]"], Rows(two).Select(r => Compact(r.GetProperty("findings"))));
        Assert.Equal(two, (await GetAsync(stockAdmin, twoUrl)).Body);
    }

    [Fact]
    public async Task Server_paging_skip_count_and_select_answer_what_the_stock_path_answers()
    {
        await factory.SeedAsync();
        using var counts = new ReadCounts();
        var admin = await factory.ClientForAsync("admin");
        await using var stock = Stock();
        var stockAdmin = await ClientAsync(stock, "admin");

        // 110 rows (55 villages × 2 months): a page of 100, then 10, by the link.
        var url = $"/odata/VillageResults?$filter=month eq {Oct} or month eq {Sep}&$orderby=districtRank,month desc";
        var (_, page1) = await GetAsync(admin, url);
        var root = JsonDocument.Parse(page1).RootElement;
        Assert.Equal(100, root.GetProperty("value").GetArrayLength());
        var next = root.GetProperty("@odata.nextLink").GetString()!;
        Assert.Equal("http://localhost/odata/VillageResults?$filter=month%20eq%20202610%20or%20month%20eq%20202609&$orderby=districtRank%2Cmonth%20desc&$skip=100", next);
        var (_, page2) = await GetAsync(admin, next);
        var last = Rows(page2);
        Assert.Equal(10, last.Length);
        // Ranks 51–55, October before September within a rank.
        Assert.Equal([(51, Oct), (51, Sep), (52, Oct), (52, Sep), (53, Oct), (53, Sep), (54, Oct), (54, Sep), (55, Oct), (55, Sep)],
            last.Select(r => (r.GetProperty("districtRank").GetInt32(), r.GetProperty("month").GetInt32())));
        Assert.False(JsonDocument.Parse(page2).RootElement.TryGetProperty("@odata.nextLink", out _));
        Assert.Equal(page1, (await GetAsync(stockAdmin, url)).Body);
        Assert.Equal(page2, (await GetAsync(stockAdmin, next)).Body);

        // $skip past the first 105 of the order (rank, month ascending): index 105 is rank 53 October.
        var skip = "/odata/VillageResults?$orderby=districtRank,month&$skip=105";
        var (_, skipped) = await GetAsync(admin, skip);
        Assert.Equal([(53, Oct), (54, Sep), (54, Oct), (55, Sep), (55, Oct)],
            Rows(skipped).Select(r => (r.GetProperty("districtRank").GetInt32(), r.GetProperty("month").GetInt32())));
        Assert.Equal(skipped, (await GetAsync(stockAdmin, skip)).Body);

        // $count counts the filter, not the page: October 95.00 … 90.00 are villages 0–10 (11); September tops at 85.
        var count = "/odata/VillageResults?$count=true&$filter=finalScore ge 90&$orderby=finalScore desc&$top=2";
        var (_, counted) = await GetAsync(admin, count);
        Assert.Equal(11, JsonDocument.Parse(counted).RootElement.GetProperty("@odata.count").GetInt32());
        Assert.Equal([95m, 94.5m], Rows(counted).Select(r => r.GetProperty("finalScore").GetDecimal()));
        Assert.Equal(counted, (await GetAsync(stockAdmin, count)).Body);

        // $select: only the selected properties (sections included when selected), and the context URL names them.
        var v3 = factory.VillageIds[3];
        var select = $"/odata/VillageResults?$select=villageId,finalScore,sections&$filter=villageId eq {v3} and month eq {Sep}";
        var (_, selected) = await GetAsync(admin, select);
        Assert.Equal($$"""{"villageId":{{v3}},"finalScore":83.50,"sections":[{"ordinal":1,"code":"S1","title":"村容村貌","max":60.00,"applicableMax":60.00,"deduction":0.00,"score":60.00},{"ordinal":2,"code":"S2","title":"生活垃圾","max":40.00,"applicableMax":40.00,"deduction":0.50,"score":39.50}]}""",
            Compact(Assert.Single(Rows(selected))));
        Assert.Contains("$metadata#VillageResults(villageId,finalScore,sections)", JsonDocument.Parse(selected).RootElement.GetProperty("@odata.context").GetString());
        Assert.Equal(selected, (await GetAsync(stockAdmin, select)).Body);
        var noSections = $"/odata/VillageResults?$select=villageId,tier&$filter=month eq {Oct} and tier eq EnvScore.Tier'Rectify'&$orderby=villageId desc&$top=3";
        var (_, tiers) = await GetAsync(admin, noSections);
        Assert.Equal([.. factory.VillageIds[52..55].Reverse()], Rows(tiers).Select(r => r.GetProperty("villageId").GetInt32()));
        Assert.Equal(tiers, (await GetAsync(stockAdmin, noSections)).Body);

        // The township results: three rows by hand.
        var townships = "/odata/TownshipResults?$orderby=rank&$select=townshipId,rank,meanFinalScore";
        var (_, ranked) = await GetAsync(admin, townships);
        Assert.Equal([(factory.TownshipIds[0], 1, 90.25m), (factory.TownshipIds[1], 2, 89.25m), (factory.TownshipIds[2], 3, 88.25m)],
            Rows(ranked).Select(r => (r.GetProperty("townshipId").GetInt32(), r.GetProperty("rank").GetInt32(), r.GetProperty("meanFinalScore").GetDecimal())));
        Assert.Equal(ranked, (await GetAsync(stockAdmin, townships)).Body);
        var allTownships = "/odata/TownshipResults?$filter=month eq 202610&$orderby=rank desc";
        Assert.Equal((await GetAsync(stockAdmin, allTownships)).Body, (await GetAsync(admin, allTownships)).Body);

        Assert.True(counts.Lean >= 8, $"{counts.Lean} lean reads");
    }

    [Fact]
    public async Task Whole_rows_are_written_byte_for_byte_as_the_stock_serializer_writes_them_for_every_accept_header()
    {
        await factory.SeedAsync();
        var admin = await factory.ClientForAsync("admin");
        await using var stock = Stock();
        var stockAdmin = await ClientAsync(stock, "admin");
        var v5 = factory.VillageIds[5];
        string[] urls =
        [
            $"/odata/VillageResults?$filter=villageId eq {v5} and month eq {Oct}",
            $"/odata/VillageResults?$filter=month eq {Oct}&$orderby=districtRank&$count=true",
            "/odata/VillageResults?$orderby=villageId,month&$skip=3&$top=100",
            "/odata/TownshipResults",
        ];
        string?[] accepts =
        [
            null, "*/*", "application/json", "application/json;odata.metadata=minimal", "application/json;odata.metadata=full",
            "application/json;odata.metadata=none", "application/json;IEEE754Compatible=true", "application/json;odata.streaming=false",
        ];
        foreach (var url in urls)
            foreach (var accept in accepts)
            {
                var lean = await SendAsync(admin, url, accept);
                var expected = await SendAsync(stockAdmin, url, accept);
                Assert.Equal(expected.Status, lean.Status);
                Assert.Equal(expected.ContentType, lean.ContentType);
                Assert.Equal(expected.ODataVersion, lean.ODataVersion);
                Assert.Equal(expected.Body, lean.Body);
            }
        // The text with every escapable character class, read back as the stored string.
        var (_, body) = await GetAsync(admin, urls[0]);
        Assert.Equal("说明5 \"引号\" \\反斜杠 \t制表\r\n换行 \u0001\u001f控制 \u007f <>&'+ /斜杠 𠀀扩展B \u2028 é",
            Assert.Single(Rows(body)).GetProperty("explanation").GetString());
        Assert.Contains("\\u0001\\u001F", body); // control characters as \u00XX, as OData's System.Text.Json writer writes them

        static async Task<(HttpStatusCode Status, string? ContentType, string? ODataVersion, string Body)> SendAsync(HttpClient client, string url, string? accept)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (accept is not null) request.Headers.TryAddWithoutValidation("Accept", accept);
            var response = await client.SendAsync(request);
            return (response.StatusCode, response.Content.Headers.ContentType?.ToString(),
                response.Headers.TryGetValues("OData-Version", out var v) ? string.Join(",", v) : null, SectionsInSheetOrder(await response.Content.ReadAsStringAsync()));
        }
    }

    [Fact]
    public async Task Each_role_reads_what_it_may_on_the_lean_path()
    {
        await factory.SeedAsync();
        var url = $"/odata/VillageResults?$filter=month eq {Oct}&$orderby=villageId&$select=villageId,townshipId";
        var inspector = await factory.ClientForAsync("inspector");
        Assert.Equal(55, Rows((await GetAsync(inspector, url)).Body).Length);
        var other = await factory.ClientForAsync(LeanReadFactory.OtherAdmin);
        Assert.Empty(Rows((await GetAsync(other, url)).Body));
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient().GetAsync(url)).StatusCode);

        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(0));
        var t0 = factory.TownshipIds[0];
        try
        {
            await factory.SetPublicationAsync(Oct, correctionOpen: null); // not published: nothing
            Assert.Empty(Rows((await GetAsync(secretary, url)).Body));
            await factory.SetPublicationAsync(Oct, correctionOpen: false); // published: the 19 villages of 水稻乡
            var rows = Rows((await GetAsync(secretary, url + "&$count=true")).Body);
            Assert.Equal([.. factory.VillageIds[0..19]], rows.Select(r => r.GetProperty("villageId").GetInt32()));
            Assert.All(rows, r => Assert.Equal(t0, r.GetProperty("townshipId").GetInt32()));
            await factory.SetPublicationAsync(Oct, correctionOpen: true); // a correction is open: nothing again
            Assert.Empty(Rows((await GetAsync(secretary, url)).Body));
            Assert.Empty(Rows((await GetAsync(secretary, "/odata/TownshipResults")).Body));
        }
        finally { await factory.SetPublicationAsync(Oct, correctionOpen: null); }
    }

    [Fact]
    public async Task Other_queries_and_refusals_go_the_stock_way_unchanged()
    {
        await factory.SeedAsync();
        using var counts = new ReadCounts();
        var admin = await factory.ClientForAsync("admin");
        await using var stock = Stock();
        var stockAdmin = await ClientAsync(stock, "admin");

        // $expand is not lean: the stock path answers it.
        var expand = $"/odata/VillageResults?$expand=village($select=name)&$filter=villageId eq {factory.VillageIds[0]} and month eq {Oct}";
        var (status, body) = await GetAsync(admin, expand);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("双河铺社区", Assert.Single(Rows(body)).GetProperty("village").GetProperty("name").GetString());

        // Refusals: over the page ($top), a data exception (integer overflow), an unknown property — the stock 400s.
        foreach (var (query, code) in new[]
        {
            ("$top=101", "InvalidQuery"),
            ("$filter=villageId add 2147483647 gt 0", "UnsupportedQuery"),
            ("$filter=noSuchProperty eq 1", "InvalidQuery"),
            ("$orderby=tier", "UnsupportedQuery"),
        })
        {
            var url = $"/odata/VillageResults?{query}";
            var (refused, message) = await GetAsync(admin, url);
            Assert.Equal(HttpStatusCode.BadRequest, refused);
            Assert.Equal(code, JsonDocument.Parse(message).RootElement.GetProperty("error").GetProperty("code").GetString());
            Assert.Equal(message, (await GetAsync(stockAdmin, url)).Body);
        }
        Assert.True(counts.Stock >= 4, $"{counts.Stock} reads handed to the stock path");
    }

    private static string Compact(JsonElement e) => JsonSerializer.Serialize(e, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
