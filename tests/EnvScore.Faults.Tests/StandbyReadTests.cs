using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using EnvScore.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;

namespace EnvScore.Faults.Tests;

/// <summary>
/// <c>ConnectionStrings:PublicReads</c> pointed at a real streaming standby of the test's own cluster (pg_basebackup -R on
/// loopback, hot standby), with the primary as the second host and <c>Target Session Attributes=prefer-standby</c>: the
/// anonymous public pages (/, /township/{id}, /village/{id}) and the anonymous bulletin downloads (xlsx, docx, the notice's
/// print page) read the standby, and when the primary stops they still answer 200 with the published month, while a
/// signed-in page answers the Chinese 503 page and a write the 503 problem. <c>/healthz</c> reports the public reads'
/// connection as <c>publicReads</c>: the standby while it answers (also while the primary is down and readiness is 503),
/// and, once the primary is back and the standby is stopped, Degraded with role primary — readiness stays 200.
/// </summary>
public sealed class StandbyReadTests(OwnClusterFactory factory) : IClassFixture<OwnClusterFactory>
{
    [Fact]
    public async Task Public_pages_read_the_standby_and_stay_up_while_the_primary_is_down_signed_in_pages_and_writes_answer_503()
    {
        var primary = factory.Postgres;
        var standby = await primary.StartStandbyAsync();
        var primaryStopped = false;
        var standbyStopped = false;
        try
        {
            var database = new NpgsqlConnectionStringBuilder(factory.ConnectionString).Database!;
            var publicReads = new NpgsqlConnectionStringBuilder
            {
                Host = $"127.0.0.1:{standby.Port},127.0.0.1:{primary.Port}", Username = "postgres", Database = database,
                // A connect timeout long enough for a loaded machine: prefer-standby falls back to the primary when the
                // standby does not answer in time (and marks it down for a while), which would read the primary here.
                TargetSessionAttributes = "prefer-standby", Timeout = 30, ApplicationName = "envscore-public-reads",
                HostRecheckSeconds = 1, // as docs/operations.md advises: a host that came back is tried again after 1 s
            }.ConnectionString;
            await using var app = factory.WithWebHostBuilder(b => b.UseSetting("ConnectionStrings:PublicReads", publicReads));
            Assert.True(await ScalarAsync<bool>(standby.ConnectionString(database), "SELECT pg_is_in_recovery()"));
            Assert.Equal(1L, await ScalarAsync<long>(primary.ConnectionString("postgres"), "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"));

            // November 2026 of the demo district: township 0 submits clean sheets (the clock, 10 Nov, is in November's window),
            // the month is computed and published (the clock after its compute time) — on the primary, streamed to the standby.
            var secretary = await LoginAsync(app, EnvScoreFactory.Secretary(0));
            var townshipId = await ScalarAsync<int>(factory.ConnectionString, $"SELECT id FROM townships WHERE code = '{Api.Features.Demo.DemoDistrict.Townships[0].Code}'");
            var template = await secretary.GetByteArrayAsync($"/api/spreadsheets/template?month=2026-11&townshipId={townshipId}");
            await (await secretary.PostAsync($"/api/spreadsheets/import?month=2026-11&townshipId={townshipId}&submit=true",
                SheetFiles.Upload(SheetFiles.FillClean(template)))).ExpectAsync(HttpStatusCode.OK);
            factory.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 20, 2, 0, 0, TimeSpan.Zero));
            var admin = await LoginAsync(app, "admin");
            var run = await (await admin.PostAsJsonAsync("/odata/ComputationRuns/Compute", new { month = "2026-11" })).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal("Succeeded", run.GetProperty("status").GetString());
            await (await admin.PostAsJsonAsync("/api/publications/2026-11/publish", new { title = "十一月红黑榜通报" })).ExpectAsync(HttpStatusCode.Created);
            await primary.WaitForReplayAsync(standby);

            // What was published, read from the primary in SQL: the district, and a village of township 0 with its township.
            var district = await ScalarAsync<string>(factory.ConnectionString, "SELECT d.name FROM districts d JOIN publications p ON p.district_id = d.id");
            var villageId = await ScalarAsync<int>(factory.ConnectionString, $"SELECT min(village_id) FROM published_village_results WHERE township_id = {townshipId}");
            var village = await ScalarAsync<string>(factory.ConnectionString, $"SELECT village_name FROM published_village_results WHERE village_id = {villageId}");
            var township = await ScalarAsync<string>(factory.ConnectionString, $"SELECT name FROM townships WHERE id = {townshipId}");
            var pages = new (string Url, string[] Shows)[]
            {
                ("/?m=2026-11", [district, "十一月红黑榜通报", village]),
                ($"/township/{townshipId}?m=2026-11", [township, village]),
                ($"/village/{villageId}?m=2026-11", [village]),
            };

            // Primary up: the public pages answer, and their connections are the standby's (the primary has none of them).
            var anonymous = app.CreateClient();
            foreach (var (url, shows) in pages) await PageAsync(anonymous, url, shows);
            Assert.True(await ScalarAsync<long>(standby.ConnectionString("postgres"),
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'envscore-public-reads'") > 0);
            Assert.Equal(0L, await ScalarAsync<long>(primary.ConnectionString("postgres"),
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'envscore-public-reads'"));

            // The anonymous downloads of the published revision: the bulletin (xlsx), the notice (docx) and its print page.
            var districtId = await ScalarAsync<int>(factory.ConnectionString, "SELECT district_id FROM publications");
            var bulletin = $"/api/bulletins/{districtId}/2026-11/1";
            var xlsx = await DownloadAsync(anonymous, bulletin, "xl/sharedStrings.xml");
            Assert.Contains(village, xlsx); // the district ranking lists every village
            Assert.Contains("十一月红黑榜通报", xlsx);
            var docx = await DownloadAsync(anonymous, bulletin + "?format=docx", "word/document.xml");
            Assert.Contains(district, docx);
            await PageAsync(anonymous, $"/notice/{districtId}/2026-11/1?", [district]);
            // … and the anonymous OData reads of published and organisational sets.
            var odata = new (string Url, string Shows)[]
            {
                ($"/odata/PublishedVillageResults?$filter=villageId eq {villageId}&$select=villageName", village),
                ($"/odata/Townships({townshipId})?$select=name", township),
                ($"/odata/PublicationRevisions?$filter=districtId eq {districtId}&$select=title", "十一月红黑榜通报"),
            };
            foreach (var (url, shows) in odata) await ODataAsync(anonymous, url, shows);

            // /healthz: the primary is the database, the public reads are the standby's.
            var health = await anonymous.GetAsync("/healthz");
            var healthJson = await health.ExpectAsync(HttpStatusCode.OK);
            Assert.Equal("Healthy", healthJson.GetProperty("checks").GetProperty("publicReads").GetString());
            Assert.Equal("standby", healthJson.GetProperty("publicReads").GetProperty("role").GetString());
            Assert.Equal($"127.0.0.1:{standby.Port}", healthJson.GetProperty("publicReads").GetProperty("server").GetString());
            Assert.Equal("primary", healthJson.GetProperty("database").GetProperty("role").GetString());

            // A signed-in visitor (cookie) before the stop, to ask for a page once the primary is gone.
            var signedIn = app.CreateClient();
            await (await signedIn.PostAsJsonAsync("/api/auth/login?useCookies=true", new { userName = "admin", password = EnvScoreFactory.Password }))
                .ExpectAsync(HttpStatusCode.OK);
            Assert.Equal(HttpStatusCode.OK, (await signedIn.GetAsync($"/admin?r={Guid.NewGuid():N}")).StatusCode);

            primary.Stop("fast");
            primaryStopped = true;

            // Primary down: every public page still answers from the standby (new query strings: never the output cache),
            // and so do the downloads, with the same content.
            foreach (var (url, shows) in pages) await PageAsync(anonymous, url, shows);
            Assert.Equal(xlsx, await DownloadAsync(anonymous, bulletin, "xl/sharedStrings.xml"));
            Assert.Equal(docx, await DownloadAsync(anonymous, bulletin + "?format=docx", "word/document.xml"));
            await PageAsync(anonymous, $"/notice/{districtId}/2026-11/1?", [district]);
            foreach (var (url, shows) in odata) await ODataAsync(anonymous, url, shows);

            // /healthz: not ready (the primary is down: 503), and it says the public reads still answer from the standby.
            var down = await anonymous.GetAsync("/healthz");
            var downJson = await down.ExpectAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Equal("Unhealthy", downJson.GetProperty("database").GetProperty("status").GetString());
            Assert.Equal("Healthy", downJson.GetProperty("publicReads").GetProperty("status").GetString());
            Assert.Equal("standby", downJson.GetProperty("publicReads").GetProperty("role").GetString());

            // … while a signed-in page is the Chinese 503 page and a write the 503 problem (both need the primary).
            var work = await signedIn.GetAsync($"/admin?r={Guid.NewGuid():N}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, work.StatusCode);
            Assert.Contains("系统暂时不可用", await work.Content.ReadAsStringAsync());
            Assert.Equal("5", work.Headers.RetryAfter?.ToString());
            var write = await admin.PostAsJsonAsync("/odata/ComputationRuns/Compute", new { month = "2026-11" });
            var problem = await write.ExpectAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Equal("DatabaseUnavailable", problem.GetProperty("code").GetString());
            Assert.Contains("数据库暂时不可用", problem.GetProperty("title").GetString());

            // The primary back, the standby stopped: ready again (200, the primary's state), publicReads Degraded — only the
            // primary answers it (prefer-standby falls back) — and the public pages and downloads answer from the primary.
            primary.Start();
            primaryStopped = false;
            standby.Stop("fast");
            standbyStopped = true;
            var back = await PollHealthAsync(anonymous, j => j.GetProperty("database").GetProperty("status").GetString() == "Healthy"
                && j.GetProperty("publicReads").TryGetProperty("role", out var r) && r.GetString() == "primary");
            Assert.Equal(HttpStatusCode.OK, back.Status);
            Assert.Equal("Degraded", back.Json.GetProperty("status").GetString());
            Assert.Equal("Healthy", back.Json.GetProperty("checks").GetProperty("database").GetString());
            Assert.Equal("Degraded", back.Json.GetProperty("checks").GetProperty("publicReads").GetString());
            Assert.Equal($"127.0.0.1:{primary.Port}", back.Json.GetProperty("publicReads").GetProperty("server").GetString());
            Assert.Contains("备库无应答", back.Json.GetProperty("publicReads").GetProperty("error").GetString());
            Assert.Equal("primary", back.Json.GetProperty("database").GetProperty("role").GetString());
            foreach (var (url, shows) in pages) await PageAsync(anonymous, url, shows);
            Assert.Equal(xlsx, await DownloadAsync(anonymous, bulletin, "xl/sharedStrings.xml"));
        }
        finally
        {
            if (!standbyStopped) standby.Stop("immediate");
            if (primaryStopped) primary.Start(); // the factory drops its database on the primary
        }
    }

    private static async Task PageAsync(HttpClient client, string url, string[] shows)
    {
        // A parameter the pages do not read (r= is the revision on /, refused when it is not one): a fresh cache key.
        var response = await client.GetAsync($"{url}&nocache={Guid.NewGuid():N}");
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode}\n{html[..Math.Min(html.Length, 2000)]}");
        Assert.Null(response.Headers.Age); // rendered now, not served from the output cache
        foreach (var text in shows) Assert.Contains(System.Net.WebUtility.HtmlEncode(text), html);
    }

    /// <summary>An anonymous OData read (a fresh query string: never the output cache) that must answer 200 and contain a text.</summary>
    private static async Task ODataAsync(HttpClient client, string url, string shows)
    {
        var response = await client.GetAsync($"{url}&r={Guid.NewGuid():N}");
        var json = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode}\n{json[..Math.Min(json.Length, 2000)]}");
        Assert.Contains(shows, System.Text.RegularExpressions.Regex.Unescape(json));
    }

    /// <summary>Downloads a file (a fresh query string: never the output cache) and returns the text of one part of the zip.</summary>
    private static async Task<string> DownloadAsync(HttpClient client, string url, string part)
    {
        var response = await client.GetAsync($"{url}{(url.Contains('?') ? '&' : '?')}r={Guid.NewGuid():N}");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode}\n{System.Text.Encoding.UTF8.GetString(bytes)}");
        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(bytes));
        using var reader = new StreamReader(zip.GetEntry(part)!.Open());
        // The text only: the markup carries generated relationship ids (a docx's r:id differs on every download).
        return System.Text.RegularExpressions.Regex.Replace(await reader.ReadToEndAsync(), "<[^>]*>", " ");
    }

    /// <summary>/healthz until <paramref name="done"/> holds (bounded: 2 minutes on a loaded machine), its status and body.</summary>
    private static async Task<(HttpStatusCode Status, System.Text.Json.JsonElement Json)> PollHealthAsync(HttpClient client, Func<System.Text.Json.JsonElement, bool> done)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var response = await client.GetAsync("/healthz");
            var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            if (done(json) || clock.Elapsed > TimeSpan.FromMinutes(2)) return (response.StatusCode, json);
            await Task.Delay(200);
        }
    }

    private static async Task<HttpClient> LoginAsync(WebApplicationFactory<Program> app, string userName)
    {
        var client = app.CreateClient();
        var response = await client.PostAsJsonAsync("/api/auth/login", new { userName, password = EnvScoreFactory.Password });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("accessToken").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        var value = await cmd.ExecuteScalarAsync();
        return value is DBNull or null ? default! : (T)value;
    }
}
