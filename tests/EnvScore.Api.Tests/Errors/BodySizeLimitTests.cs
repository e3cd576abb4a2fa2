using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EnvScore.Testing;

namespace EnvScore.Api.Tests.Errors;

/// <summary>
/// The service on real Kestrel (the test server does not enforce <c>MaxRequestBodySize</c>) with a 2 MB body limit instead of
/// the default 30 MB, so that "over the limit" is 2 MB and a bit rather than 30. Bodies above 1 MB pass
/// <c>ControlCharacterGuard</c> unread, so the endpoint's own reader is the one that meets the limit.
/// </summary>
public sealed class SmallBodyLimitFactory : EnvScoreFactory
{
    public const long Limit = 2 * 1024 * 1024;

    private bool _started;

    /// <summary>Starts Kestrel once on 127.0.0.1 (clients from <see cref="EnvScoreFactory.ClientForAsync"/> then go through it).</summary>
    public void Start()
    {
        if (_started) return;
        _started = true;
        UseKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, 0);
            o.Limits.MaxRequestBodySize = Limit;
        });
        StartServer();
    }
}

/// <summary>
/// A body over the server's limit is 413 <c>PayloadTooLarge</c> with the documented Chinese title naming the limit
/// (docs/api.md "Other HTTP refusals") on every path that reads a body: OData entity sets (POST/PATCH/PUT, with and without
/// Content-Length), minimal API JSON, multipart uploads (spreadsheet import, evidence photo, rectification photo) — never
/// 400 <c>InvalidJson</c> and never 500; nothing is stored.
/// </summary>
public class BodySizeLimitTests(SmallBodyLimitFactory factory) : IClassFixture<SmallBodyLimitFactory>
{
    /// <summary>
    /// Just over the limit: a chunked body is refused once 2 MB have been read, and the rest fits in the socket's buffers,
    /// so the client finishes sending before the server closes the connection. With a Content-Length the client sends
    /// <c>Expect: 100-continue</c> and the server refuses before any body is sent.
    /// </summary>
    private const int OverLimit = (int)SmallBodyLimitFactory.Limit + 64 * 1024;

    /// <summary>A JSON object of about 3 MB: one string member.</summary>
    private static byte[] BigJson() => Encoding.UTF8.GetBytes("{\"name\":\"" + new string('a', OverLimit) + "\"}");

    private static HttpContent Json(byte[] body, bool chunked)
    {
        HttpContent content = chunked ? new StreamContent(new NonSeekable(body)) : new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static MultipartFormDataContent BigFile(string name) =>
        new() { { new ByteArrayContent(new byte[OverLimit]) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } }, "file", name } };

    private static async Task AssertTooLargeAsync(HttpResponseMessage response, string what)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"{what} → {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(413, problem.GetProperty("status").GetInt32());
        Assert.Equal("PayloadTooLarge", problem.GetProperty("code").GetString());
        var title = problem.GetProperty("title").GetString()!;
        Assert.StartsWith("请求体过大", title);
        Assert.Contains("2097152字节（2MB）", title); // the limit in force, computed by hand: 2 × 1024 × 1024
    }

    private async Task<HttpClient> ClientAsync(string user)
    {
        factory.Start();
        var client = await factory.ClientForAsync(user);
        client.DefaultRequestHeaders.ExpectContinue = true;
        return client;
    }

    [Theory]
    [InlineData("POST", "/odata/Villages", false)]
    [InlineData("POST", "/odata/Villages", true)]
    [InlineData("PATCH", "/odata/Villages(1)", false)]
    [InlineData("PATCH", "/odata/Villages(1)", true)]
    [InlineData("PATCH", "/odata/Townships(1)", false)]
    [InlineData("PATCH", "/odata/Districts(1)", true)]
    [InlineData("POST", "/odata/Evaluations", false)]
    [InlineData("POST", "/odata/RuleSets(1)/Activate", false)]
    [InlineData("POST", "/odata/Evaluations(1)/Return", true)]
    public async Task An_OData_write_body_over_the_limit_is_413_not_InvalidJson(string method, string url, bool chunked)
    {
        var admin = await ClientAsync("admin");
        var before = await admin.GetJsonAsync("/odata/Villages?$count=true&$top=0");
        var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = Json(BigJson(), chunked) };
        request.Headers.IfMatch.Add(EntityTagHeaderValue.Any);
        await AssertTooLargeAsync(await admin.SendAsync(request), $"{method} {url} (chunked: {chunked})");
        var after = await admin.GetJsonAsync("/odata/Villages?$count=true&$top=0");
        Assert.Equal(before.GetProperty("@odata.count").GetInt32(), after.GetProperty("@odata.count").GetInt32());
    }

    [Fact]
    public async Task A_small_unreadable_OData_body_is_still_400_InvalidJson()
    {
        var admin = await ClientAsync("admin");
        var response = await admin.PostAsync("/odata/Villages", new StringContent("{\"name\": ", Encoding.UTF8, "application/json"));
        var problem = await response.ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("InvalidJson", problem.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_minimal_API_JSON_body_over_the_limit_is_413(bool chunked)
    {
        var admin = await ClientAsync("admin");
        var district = (await admin.GetJsonAsync("/odata/Districts")).GetProperty("value")[0].GetProperty("id").GetInt32();
        await AssertTooLargeAsync(await admin.PutAsync($"/api/notice-templates/{district}", Json(BigJson(), chunked)), "PUT /api/notice-templates");
    }

    [Fact]
    public async Task A_spreadsheet_import_over_the_limit_is_413()
    {
        var secretary = await ClientAsync(EnvScoreFactory.Secretary(0));
        var township = (await secretary.GetJsonAsync("/odata/Townships?$top=1&$orderby=code")).GetProperty("value")[0].GetProperty("id").GetInt32();
        await AssertTooLargeAsync(await secretary.PostAsync($"/api/spreadsheets/import?month=2026-11&townshipId={township}", BigFile("自评.xlsx")), "import");
    }

    [Fact]
    public async Task Photo_uploads_over_the_limit_are_413()
    {
        var secretary = await ClientAsync(EnvScoreFactory.Secretary(0));
        await AssertTooLargeAsync(await secretary.PostAsync("/api/evaluations/1/evidence", BigFile("photo.jpg")), "evidence");
        await AssertTooLargeAsync(await secretary.PostAsync("/api/rectifications/1/photos?kind=before", BigFile("photo.jpg")), "rectification photo");
    }

    /// <summary>A stream without a length, so that HttpClient sends the body chunked (no Content-Length to refuse up front).</summary>
    private sealed class NonSeekable(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => base.Position; set => throw new NotSupportedException(); }
    }
}
