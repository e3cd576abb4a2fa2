using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Testing;

namespace EnvScore.Api.Tests.Security;

/// <summary>
/// Every parser fed by a request has a size and a work bound (issue #21): YAML (rule sets), JSON bodies (login, OData),
/// xlsx (spreadsheet import), OData $filter and $apply. Each is fed an amplification input and must answer a Chinese
/// 4xx with a machine-readable code, allocating a bounded amount (measured loosely over the process: other test
/// classes run at the same time, so the bound is generous next to what the attacks cost unbounded — gigabytes).
/// </summary>
public class AmplificationTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    private const long Generous = 300_000_000;

    private static StringContent Yaml(string text, string type = "application/yaml") => new(text, Encoding.UTF8, type);

    private static async Task<(System.Text.Json.JsonElement Body, HttpResponseMessage Response, long Allocated)> Measured(Func<Task<HttpResponseMessage>> send)
    {
        var before = GC.GetTotalAllocatedBytes(precise: false);
        var response = await send();
        var body = await response.Content.ReadAsStringAsync();
        var allocated = GC.GetTotalAllocatedBytes(precise: false) - before;
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{(int)response.StatusCode}: {body}");
        return (System.Text.Json.JsonDocument.Parse(body).RootElement, response, allocated);
    }

    private static void ChineseProblem(System.Text.Json.JsonElement problem, string code)
    {
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", problem.GetProperty("title").GetString()!);
    }

    [Fact]
    public async Task Yaml_billion_laughs_is_a_400_with_bounded_memory()
    {
        var inspector = await factory.ClientForAsync("inspector");
        var (problem, response, allocated) = await Measured(() => inspector.PostAsync("/api/rule-sets/validate", Yaml(YamlBoundsTests.BillionLaughs())));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        ChineseProblem(problem, "yaml-limit-exceeded");
        Assert.Contains("锚点", problem.GetProperty("title").GetString());
        Assert.True(allocated < Generous, $"allocated {allocated:N0} bytes");

        // Import is refused the same way (400, the problem's kind says why); nothing stored.
        var admin = await factory.ClientForAsync("admin");
        var import = await (await admin.PostAsync("/api/rule-sets", Yaml(YamlBoundsTests.BillionLaughs()))).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("YamlLimitExceeded", import.GetProperty("problems")[0].GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Deeply_nested_yaml_is_a_400_not_a_crash()
    {
        var admin = await factory.ClientForAsync("admin");
        var deep = "code: " + new string('[', 100_000) + new string(']', 100_000);
        var (problem, response, _) = await Measured(() => admin.PostAsync("/api/rule-sets/validate", Yaml(deep)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        ChineseProblem(problem, "yaml-limit-exceeded");
    }

    [Fact]
    public async Task Rule_set_files_need_a_signed_in_district_user()
    {
        var yaml = Yaml(DefaultRuleSet.Yaml);
        await (await factory.CreateClient().PostAsync("/api/rule-sets/validate", yaml)).ExpectAsync(HttpStatusCode.Unauthorized);
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(0));
        Assert.Equal(HttpStatusCode.Forbidden, (await secretary.PostAsync("/api/rule-sets/validate", Yaml(DefaultRuleSet.Yaml))).StatusCode);
        var inspector = await factory.ClientForAsync("inspector");
        var ok = await (await inspector.PostAsync("/api/rule-sets/validate", Yaml(DefaultRuleSet.Yaml))).ExpectAsync(HttpStatusCode.OK);
        Assert.True(ok.GetProperty("valid").GetBoolean(), ok.ToString());
    }

    [Fact]
    public async Task A_raw_body_with_curls_default_content_type_is_read_as_yaml_and_other_types_get_415()
    {
        var admin = await factory.ClientForAsync("admin");
        // curl --data-binary @file.yaml sends application/x-www-form-urlencoded: the body is the file, not a form.
        var curl = await (await admin.PostAsync("/api/rule-sets/validate", Yaml(DefaultRuleSet.Yaml, "application/x-www-form-urlencoded")))
            .ExpectAsync(HttpStatusCode.OK);
        Assert.True(curl.GetProperty("valid").GetBoolean(), curl.ToString());
        var noType = new ByteArrayContent(Encoding.UTF8.GetBytes(DefaultRuleSet.Yaml));
        Assert.True((await (await admin.PostAsync("/api/rule-sets/validate", noType)).ExpectAsync(HttpStatusCode.OK)).GetProperty("valid").GetBoolean());

        var json = await (await admin.PostAsync("/api/rule-sets/validate", Yaml("{}", "image/png"))).ExpectAsync(HttpStatusCode.UnsupportedMediaType);
        ChineseProblem(json, "unsupported-media-type");
        var empty = await admin.PostAsync("/api/rule-sets/validate", Yaml("", "text/plain"));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
    }

    [Fact]
    public async Task A_rule_set_file_over_1_MB_is_413_even_without_a_content_length()
    {
        var admin = await factory.ClientForAsync("admin");
        var big = "# " + new string('x', RuleSetFileEndpoints.MaxFileBytes + 10) + "\n";
        var (problem, response, _) = await Measured(() => admin.PostAsync("/api/rule-sets/validate", Yaml(big)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        ChineseProblem(problem, "body-too-large");

        // Streamed (chunked, no Content-Length): read up to the bound, not to the end.
        var streamed = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big)));
        streamed.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/rule-sets/validate") { Content = streamed };
        request.Headers.TransferEncodingChunked = true;
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await admin.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task The_problems_reported_are_capped_and_counted()
    {
        var admin = await factory.ClientForAsync("admin");
        var dup = DefaultRuleSet.Yaml + string.Concat(Enumerable.Range(0, 3000).Select(_ => "code: again\n"));
        var report = await (await admin.PostAsync("/api/rule-sets/validate", Yaml(dup))).ExpectAsync(HttpStatusCode.OK);
        Assert.False(report.GetProperty("valid").GetBoolean());
        Assert.True(report.GetProperty("truncated").GetBoolean());
        Assert.True(report.GetProperty("problemCount").GetInt32() >= 3000);
        Assert.Equal(RuleSetFileEndpoints.MaxProblemsReported, report.GetProperty("problems").GetArrayLength());
    }

    [Fact]
    public async Task Json_bodies_nested_or_oversized_are_a_chinese_4xx()
    {
        var client = factory.CreateClient();
        var nested = "{\"userName\":" + new string('[', 1_500) + new string(']', 1_500) + ",\"password\":\"x\"}";
        var (problem, _, _) = await Measured(() => client.PostAsync("/api/auth/login", new StringContent(nested, Encoding.UTF8, "application/json")));
        ChineseProblem(problem, "InvalidJson");

        var huge = "{\"userName\":\"admin\",\"password\":\"" + new string('x', 200_000) + "\"}";
        var (tooBig, response, _) = await Measured(() => client.PostAsync("/api/auth/login", new StringContent(huge, Encoding.UTF8, "application/json")));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        ChineseProblem(tooBig, "body-too-large");

        // OData bodies: the OData reader's own depth limit answers 400, never a 500.
        var admin = await factory.ClientForAsync("admin");
        var odata = await admin.PostAsync("/odata/Villages", new StringContent("{\"code\":" + new string('[', 20_000) + new string(']', 20_000) + "}", Encoding.UTF8, "application/json"));
        Assert.True((int)odata.StatusCode is >= 400 and < 500, $"{(int)odata.StatusCode}: {await odata.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task Odata_filter_and_apply_are_bounded_alike()
    {
        var admin = await factory.ClientForAsync("admin");
        var ors = string.Join(" or ", Enumerable.Range(0, 300).Select(i => $"id eq {i}"));
        foreach (var url in new[] { $"/odata/Villages?$filter={ors}", $"/odata/Villages?$apply=filter({ors})" })
        {
            var response = await admin.GetAsync(url);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url[..40]} → {(int)response.StatusCode}: {body}");
            Assert.Contains("InvalidQuery", body);
            Assert.Contains("超出限制", body);
        }
        // A long $apply: in the address it meets the 8 KB request-target limit first (414 naming POST /$query); sent
        // through /$query it meets the $apply length bound (400).
        var longApply = $"$apply=filter(name eq '{new string('村', 3000)}')";
        Assert.Equal(HttpStatusCode.RequestUriTooLong, (await admin.GetAsync("/odata/Villages?" + longApply)).StatusCode);
        var posted = await admin.PostAsync("/odata/Villages/$query", new StringContent(longApply, System.Text.Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.BadRequest, posted.StatusCode);
        // An ordinary aggregation still works.
        await admin.GetJsonAsync("/odata/Villages?$apply=groupby((townshipId),aggregate($count as n))");
    }

    [Fact]
    public async Task An_xlsx_zip_bomb_is_refused_before_it_is_inflated()
    {
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(0));
        var bomb = new MemoryStream();
        using (var zip = new ZipArchive(bomb, ZipArchiveMode.Create, leaveOpen: true))
        {
            zip.CreateEntry("[Content_Types].xml").Open().Dispose();
            await using var sheet = zip.CreateEntry("xl/worksheets/sheet1.xml", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 600; i++) await sheet.WriteAsync(zeros); // 600 MB inflated, ~600 KB compressed
        }
        var form = new MultipartFormDataContent { { new ByteArrayContent(bomb.ToArray()), "file", "bomb.xlsx" } };
        var me = await secretary.GetJsonAsync("/api/auth/me");
        var township = me.GetProperty("townshipId").GetInt32();
        var (problem, _, allocated) = await Measured(() => secretary.PostAsync($"/api/spreadsheets/import?month=2026-11&townshipId={township}", form));
        Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", problem.GetProperty("title").GetString()!);
        Assert.True(problem.TryGetProperty("problems", out var problems) && problems.GetArrayLength() > 0, problem.ToString());
        Assert.True(allocated < Generous, $"allocated {allocated:N0} bytes");
    }
}
