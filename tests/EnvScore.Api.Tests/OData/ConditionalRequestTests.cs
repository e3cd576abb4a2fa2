using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EnvScore.Api.Tests.Evaluations;
using EnvScore.Testing;

namespace EnvScore.Api.Tests.OData;

/// <summary>
/// RFC 9110 §13.1 on /odata/Evaluations(k): a matrix of If-Match / If-None-Match × tag forms × verbs, each expectation
/// derived by hand from the RFC (strong comparison for If-Match, weak for If-None-Match; 304 for GET, 412 for writes),
/// and @odata.etag in payloads (OData JSON §4.5.3) equal to the ETag header.
/// </summary>
public class ConditionalRequestTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    /// <summary>The tag forms, given the current strong tag "v".</summary>
    private static string Form(string form, string current) => form switch
    {
        "current" => current,                                    // "v"
        "weak-current" => "W/" + current,                         // W/"v": weak, never matches If-Match (strong comparison)
        "star" => "*",
        "list-with-current" => $"\"1\", {current}, W/\"2\"",
        "list-without-current" => "\"1\", W/\"2\"",
        "stale" => "\"1\"",
        "malformed" => "74312",                                   // unquoted: not an entity-tag
        _ => throw new ArgumentOutOfRangeException(nameof(form)),
    };

    public static TheoryData<string, string, string, int> Matrix()
    {
        var data = new TheoryData<string, string, string, int>();
        // GET
        foreach (var (form, status) in new[] { ("current", 304), ("weak-current", 304), ("star", 304), ("list-with-current", 304),
                     ("list-without-current", 200), ("stale", 200), ("malformed", 400) })
            data.Add("GET", "If-None-Match", form, status);
        foreach (var (form, status) in new[] { ("current", 200), ("weak-current", 412), ("star", 200), ("list-with-current", 200),
                     ("list-without-current", 412), ("stale", 412), ("malformed", 400) })
            data.Add("GET", "If-Match", form, status);
        // Writes: If-Match (strong); If-None-Match on a write is a 412 when it matches (and If-Match must be given: 428 otherwise)
        foreach (var verb in new[] { "PATCH", "PUT", "Submit" })
        {
            foreach (var (form, status) in new[] { ("current", 200), ("weak-current", 412), ("star", 200), ("list-with-current", 200),
                         ("list-without-current", 412), ("stale", 412), ("malformed", 400) })
                data.Add(verb, "If-Match", form, status);
            data.Add(verb, "If-None-Match", "current", 428);
        }
        foreach (var (form, status) in new[] { ("current", 412), ("weak-current", 412), ("star", 412), ("stale", 200) })
            data.Add("PATCH", "If-Match:*+If-None-Match", form, status);
        return data;
    }

    [Theory, MemberData(nameof(Matrix))]
    public async Task Conditional_requests_follow_RFC_9110(string verb, string header, string form, int expected)
    {
        var villageId = Interlocked.Increment(ref _nextVillage); // a sheet of its own per case (42 cases, 55 demo villages)
        var client = await ClientForVillageAsync(villageId);
        var (id, current) = await Sheets.CreateAsync(client, villageId);
        Assert.Matches("^\"[0-9]+\"$", current); // a strong tag

        var request = verb switch
        {
            "GET" => new HttpRequestMessage(HttpMethod.Get, $"/odata/Evaluations({id})"),
            "PATCH" => new HttpRequestMessage(HttpMethod.Patch, $"/odata/Evaluations({id})") { Content = JsonContent.Create(new { note = "改" }) },
            "PUT" => new HttpRequestMessage(HttpMethod.Put, $"/odata/Evaluations({id})") { Content = JsonContent.Create(Sheets.Write(villageId, note: "换")) },
            "Submit" => new HttpRequestMessage(HttpMethod.Post, $"/odata/Evaluations({id})/Submit"),
            _ => throw new ArgumentOutOfRangeException(nameof(verb)),
        };
        if (header == "If-Match:*+If-None-Match")
        {
            request.Headers.TryAddWithoutValidation("If-Match", "*");
            request.Headers.TryAddWithoutValidation("If-None-Match", Form(form, current));
        }
        else request.Headers.TryAddWithoutValidation(header, Form(form, current));

        var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expected, $"{verb} {header}: {Form(form, current)} → {(int)response.StatusCode}, expected {expected}: {body}");
        if (expected == 304) Assert.Equal(current, response.Headers.ETag!.ToString());
        if (expected is 400 or 412 or 428)
        {
            using var problem = JsonDocument.Parse(body);
            Assert.Matches("[\u4e00-\u9fff]", problem.RootElement.GetProperty("title").GetString());
            Assert.True(problem.RootElement.TryGetProperty("code", out _), body);
        }
        if (expected == 200 && verb != "GET") Assert.NotEqual(current, response.Headers.ETag!.ToString()); // the write changed the tag
    }

    private static int _nextVillage;

    /// <summary>Signed in as the secretary of the village's township (looked up through the API).</summary>
    private async Task<HttpClient> ClientForVillageAsync(int villageId)
    {
        var anonymous = factory.CreateClient();
        var village = await anonymous.GetJsonAsync($"/odata/Villages({villageId})?$expand=township($select=code)");
        return await factory.ClientForAsync($"secretary-{village.GetProperty("township").GetProperty("code").GetString()}");
    }

    [Fact]
    public async Task Payloads_carry_the_same_etag_as_the_header()
    {
        var admin = await factory.ClientForAsync("admin");
        var (id, current) = await Sheets.CreateAsync(await ClientForVillageAsync(54), villageId: 54);
        var single = await admin.GetJsonAsync($"/odata/Evaluations({id})");
        Assert.Equal(current, single.GetProperty("@odata.etag").GetString());
        var feed = await admin.GetJsonAsync($"/odata/Evaluations?$filter=id eq {id}&$select=id,note");
        Assert.Equal(current, feed.GetProperty("value")[0].GetProperty("@odata.etag").GetString());
    }

    [Fact]
    public async Task An_explicit_null_clears_the_note_and_a_missing_member_leaves_it()
    {
        var secretary = await ClientForVillageAsync(55);
        var (id, etag) = await Sheets.CreateAsync(secretary, villageId: 55);
        var set = await Sheets.SendAsync(secretary, HttpMethod.Patch, $"/odata/Evaluations({id})", etag, new { note = "有备注" });
        Assert.Equal("有备注", (await set.ExpectAsync(HttpStatusCode.OK)).GetProperty("note").GetString());

        var untouched = await SendRawAsync(secretary, id, set.Headers.ETag!.ToString(), "{\"vetoes\":[]}");
        Assert.Equal("有备注", (await untouched.ExpectAsync(HttpStatusCode.OK)).GetProperty("note").GetString());

        var cleared = await SendRawAsync(secretary, id, untouched.Headers.ETag!.ToString(), "{\"note\":null}");
        Assert.Equal(JsonValueKind.Null, (await cleared.ExpectAsync(HttpStatusCode.OK)).GetProperty("note").ValueKind);
        Assert.Equal(JsonValueKind.Null, (await secretary.GetJsonAsync($"/odata/Evaluations({id})")).GetProperty("note").ValueKind);

        var refused = await SendRawAsync(secretary, id, cleared.Headers.ETag!.ToString(), "{\"entries\":null}");
        var problem = await refused.ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("entries", problem.GetProperty("errors").GetRawText());
    }

    private static Task<HttpResponseMessage> SendRawAsync(HttpClient client, int id, string etag, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/odata/Evaluations({id})")
        {
            Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        return client.SendAsync(request);
    }
}
