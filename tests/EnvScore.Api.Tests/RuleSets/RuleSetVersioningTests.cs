using System.Net;
using System.Text;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Testing;

namespace EnvScore.Api.Tests.RuleSets;

public class RuleSetVersioningTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    private static string Version(int version, string title = "农村人居环境集中整治月评比评分细则（治理六乱、开展六清）") =>
        DefaultRuleSet.Yaml.Replace("version: 1", $"version: {version}")
            .Replace("title: 农村人居环境集中整治月评比评分细则（治理六乱、开展六清）", $"title: {title}");

    private static StringContent Yaml(string text) => new(text, Encoding.UTF8, "application/yaml");

    [Fact]
    public async Task The_default_sheet_is_active_on_first_start_and_expands_to_its_items()
    {
        var json = await factory.CreateClient().GetJsonAsync("/odata/RuleSets?$expand=items($orderby=ordinal),sections,vetoes");
        var set = Assert.Single(json.GetProperty("value").EnumerateArray());
        Assert.Equal("Active", set.GetProperty("status").GetString());
        Assert.Equal(202601, set.GetProperty("effectiveFromMonth").GetInt32());
        Assert.Equal(100m, set.GetProperty("totalPoints").GetDecimal());
        var items = set.GetProperty("items").EnumerateArray().ToArray();
        Assert.InRange(items.Count(i => i.GetProperty("kind").GetString() != "Bonus"), 25, 40);
        Assert.Equal("乱堆乱放", items.Single(i => i.GetProperty("code").GetString() == "L02").GetProperty("title").GetString());
        Assert.Equal(["PerOccurrence", "Levels", "Sampled", "PassFail", "Bonus"],
            items.Select(i => i.GetProperty("kind").GetString()!).Distinct().OrderBy(k => k switch
            { "PerOccurrence" => 0, "Levels" => 1, "Sampled" => 2, "PassFail" => 3, _ => 4 }).ToArray());
        Assert.True(set.GetProperty("vetoes").GetArrayLength() >= 2);
        Assert.False(set.TryGetProperty("source", out _));

        var source = await factory.CreateClient().GetStringAsync($"/api/rule-sets/{set.GetProperty("id").GetInt32()}/source");
        Assert.Equal(DefaultRuleSet.Yaml, source);
    }

    [Fact]
    public async Task A_bad_file_is_rejected_with_every_problem_located_and_nothing_stored()
    {
        var admin = await factory.ClientForAsync("admin");
        var bad = Version(9).Replace("points: 5\n        deductionEach: 1", "points: -5\n        deductionEach: 1").Replace("kind: sampled", "kind: sampling");
        var error = await (await admin.PostAsync("/api/rule-sets", Yaml(bad))).ExpectAsync(HttpStatusCode.BadRequest);
        var problems = error.GetProperty("problems").EnumerateArray().ToArray();
        Assert.True(problems.Length >= 2, error.ToString());
        Assert.All(problems, p => Assert.True(p.GetProperty("line").GetInt32() > 0));
        Assert.Contains(problems, p => p.GetProperty("kind").GetString() == "UnknownKind");
        Assert.Contains(problems, p => p.GetProperty("itemCode").GetString() == "L02");

        var all = await admin.GetJsonAsync("/odata/RuleSets?$filter=version eq 9");
        Assert.Equal(0, all.GetProperty("value").GetArrayLength());

        var check = await admin.PostAsync("/api/rule-sets/validate", Yaml(bad)); // district users only (issue #21)
        var report = await check.ExpectAsync(HttpStatusCode.OK);
        Assert.False(report.GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task Import_edit_activate_and_resolve_months()
    {
        var admin = await factory.ClientForAsync("admin");
        var created = await (await admin.PostAsync("/api/rule-sets", Yaml(Version(2)))).ExpectAsync(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetInt32();
        Assert.Equal("Draft", created.GetProperty("status").GetString());

        // The same file again changes nothing; the same version with other content is a conflict.
        await (await admin.PostAsync("/api/rule-sets", Yaml(Version(2)))).ExpectAsync(HttpStatusCode.OK);
        await (await admin.PostAsync("/api/rule-sets", Yaml(Version(2, "另一个标题")))).ExpectAsync(HttpStatusCode.Conflict);

        // A draft can be edited…
        await (await admin.PutAsync($"/api/rule-sets/{id}/source", Yaml(Version(2, "2027年版评分细则")))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("2027年版评分细则", (await admin.GetJsonAsync($"/odata/RuleSets({id})")).GetProperty("title").GetString());

        // …and activated only from a month that has not started (clock: 2026-11-10 Asia/Shanghai).
        var late = await (await admin.PostAsync($"/odata/RuleSets({id})/Activate", Json("""{"fromMonth":"2026-11"}""")))
            .ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("已开始", late.GetProperty("title").GetString());
        await (await admin.PostAsync($"/odata/RuleSets({id})/Activate", Json("""{"fromMonth":"2027-01"}"""))).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(1, await VersionInForce("2026-12"));
        Assert.Equal(2, await VersionInForce("2027-01"));
        Assert.Equal(2, await VersionInForce("2031-06"));
        Assert.Equal(HttpStatusCode.NotFound, (await factory.CreateClient().GetAsync("/odata/RuleSets/InForce(districtId=1,month='2025-12')")).StatusCode);

        // An active version is immutable.
        await (await admin.PutAsync($"/api/rule-sets/{id}/source", Yaml(Version(2)))).ExpectAsync(HttpStatusCode.Conflict);
        await (await admin.DeleteAsync($"/odata/RuleSets({id})")).ExpectAsync(HttpStatusCode.Conflict);
    }

    /// <summary>Found by a new user: a future activation could not be taken back, and a month given as a number or before the file's start was silently changed.</summary>
    [Fact]
    public async Task A_future_activation_can_be_withdrawn_and_a_wrong_month_is_refused_not_ignored()
    {
        var admin = await factory.ClientForAsync("admin");
        var id = (await (await admin.PostAsync("/api/rule-sets", Yaml(Version(9)))).ExpectAsync(HttpStatusCode.Created)).GetProperty("id").GetInt32();
        var number = await (await admin.PostAsync($"/odata/RuleSets({id})/Activate", Json("""{"fromMonth":202703}"""))).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("yyyy-MM", number.GetProperty("title").GetString());
        var early = await (await admin.PostAsync($"/odata/RuleSets({id})/Activate", Json("""{"fromMonth":"2025-12"}"""))).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("早于文件中写明的起始月份2026年1月", early.GetProperty("title").GetString());
        Assert.Equal("Draft", (await admin.GetJsonAsync($"/odata/RuleSets({id})")).GetProperty("status").GetString());

        var active = await (await admin.PostAsync($"/odata/RuleSets({id})/Activate", Json("""{"fromMonth":"2027-03"}"""))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(202703, active.GetProperty("effectiveFromMonth").GetInt32());
        Assert.Equal(9, await VersionInForce("2027-03"));
        await (await (await factory.ClientForAsync("inspector")).PostAsync($"/odata/RuleSets({id})/Withdraw", Json("{}"))).ExpectAsync(HttpStatusCode.Forbidden);
        var back = await (await admin.PostAsync($"/odata/RuleSets({id})/Withdraw", Json("{}"))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Draft", back.GetProperty("status").GetString());
        Assert.NotEqual(9, await VersionInForce("2027-03"));
        // The version in force now (the district's first, from 2026-01) cannot be withdrawn.
        var inForce = await (await admin.PostAsync("/odata/RuleSets(1)/Withdraw", Json("{}"))).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("不能撤销", inForce.GetProperty("title").GetString());
        await (await admin.DeleteAsync($"/odata/RuleSets({id})")).ExpectAsync(HttpStatusCode.NoContent); // a draft again
    }

    [Fact]
    public async Task Drafts_are_private_to_their_district_and_deletable()
    {
        var admin = await factory.ClientForAsync("admin");
        var id = (await (await admin.PostAsync("/api/rule-sets", Yaml(Version(7)))).ExpectAsync(HttpStatusCode.Created)).GetProperty("id").GetInt32();

        Assert.Equal(HttpStatusCode.NotFound, (await factory.CreateClient().GetAsync($"/odata/RuleSets({id})")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await (await factory.ClientForAsync(EnvScoreFactory.Secretary(0))).GetAsync($"/odata/RuleSets({id})")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await factory.CreateClient().GetAsync($"/api/rule-sets/{id}/source")).StatusCode);
        await (await factory.ClientForAsync("inspector")).GetJsonAsync($"/odata/RuleSets({id})");

        await (await admin.DeleteAsync($"/odata/RuleSets({id})")).ExpectAsync(HttpStatusCode.NoContent);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/odata/RuleSets({id})")).StatusCode);
    }

    [Fact]
    public async Task Only_a_district_admin_writes_rule_sets()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient().PostAsync("/api/rule-sets", Yaml(Version(3)))).StatusCode);
        foreach (var user in new[] { EnvScoreFactory.Secretary(1), "inspector" })
        {
            var client = await factory.ClientForAsync(user);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/api/rule-sets", Yaml(Version(3)))).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/odata/RuleSets(1)/Activate", Json("{}"))).StatusCode);
        }
    }

    [Fact]
    public async Task A_file_can_be_uploaded_as_a_form_and_an_empty_one_is_explained()
    {
        var admin = await factory.ClientForAsync("admin");
        using var form = new MultipartFormDataContent { { new StringContent(Version(4), Encoding.UTF8), "file", "sheet-v4.yaml" } };
        await (await admin.PostAsync("/api/rule-sets", form)).ExpectAsync(HttpStatusCode.Created);
        var empty = await (await admin.PostAsync("/api/rule-sets", Yaml(""))).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("为空", empty.GetProperty("title").GetString());
    }

    private async Task<int> VersionInForce(string month) =>
        (await factory.CreateClient().GetJsonAsync($"/odata/RuleSets/InForce(districtId=1,month='{month}')")).GetProperty("version").GetInt32();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
