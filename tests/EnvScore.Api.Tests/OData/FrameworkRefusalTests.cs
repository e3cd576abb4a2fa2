using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using EnvScore.Testing;

namespace EnvScore.Api.Tests.OData;

/// <summary>Refusals the framework makes (no route, no right, unreadable body) are Chinese problem details with a code.</summary>
public class FrameworkRefusalTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    private static async Task<JsonElement> ExpectChineseAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var problem = await response.ExpectAsync(status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Matches("[\u4e00-\u9fff]", problem.GetProperty("title").GetString());
        Assert.Equal(code, problem.GetProperty("code").GetString());
        return problem;
    }

    [Theory]
    [InlineData("/api/no-such-thing")]
    [InlineData("/odata/NoSuchSet")]
    public async Task An_unknown_address_is_a_Chinese_404(string url) =>
        await ExpectChineseAsync(await factory.CreateClient().GetAsync(url), HttpStatusCode.NotFound, "NotFound");

    [Fact]
    public async Task A_missing_sheet_is_a_404_naming_it()
    {
        var admin = await factory.ClientForAsync("admin");
        var problem = await ExpectChineseAsync(await admin.GetAsync("/odata/Evaluations(987654)"), HttpStatusCode.NotFound, "NotFound");
        Assert.Contains("987654", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task No_right_is_a_Chinese_403_and_no_sign_in_a_Chinese_401()
    {
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(0));
        await ExpectChineseAsync(await secretary.GetAsync("/api/bulletins/1/2026-10/preview"), HttpStatusCode.Forbidden, "Forbidden");
        await ExpectChineseAsync(await factory.CreateClient().GetAsync("/odata/Evaluations"), HttpStatusCode.Unauthorized, "Unauthenticated");
    }

    [Fact]
    public async Task A_body_that_is_not_UTF8_JSON_is_a_Chinese_400_naming_the_cause()
    {
        byte[] invalidUtf8 = [.. "{\"userName\":\""u8, 0xFF, 0xFE, .. "\",\"password\":\"x\"}"u8];
        var login = new ByteArrayContent(invalidUtf8);
        login.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var problem = await ExpectChineseAsync(await factory.CreateClient().PostAsync("/api/auth/login", login), HttpStatusCode.BadRequest, "InvalidJson");
        Assert.Contains("UTF-8", problem.GetProperty("title").GetString());

        var admin = await factory.ClientForAsync("admin");
        var publish = new ByteArrayContent([.. "{\"title\":\""u8, 0xFF, 0xFE, .. "\"}"u8]);
        publish.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        await ExpectChineseAsync(await admin.PostAsync("/api/publications/2026-11/publish", publish), HttpStatusCode.BadRequest, "InvalidJson");

        var sheet = new StringContent("{\"villageId\": 1, \"month\": ", System.Text.Encoding.UTF8, "application/json");
        await ExpectChineseAsync(await admin.PostAsync("/odata/Evaluations", sheet), HttpStatusCode.BadRequest, "InvalidJson");
    }

    [Fact]
    public async Task Batch_is_refused_in_Chinese()
    {
        var response = await factory.CreateClient().PostAsync("/odata/$batch", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.True((int)response.StatusCode is 404 or 405, $"{(int)response.StatusCode}");
        var problem = await response.Content.ReadAsStringAsync();
        Assert.Matches("[\u4e00-\u9fff]", problem);
    }
}
