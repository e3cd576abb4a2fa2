using System.Net;
using EnvScore.Testing;

namespace EnvScore.Api.Tests.Security;

/// <summary>
/// A web address that matches no route (a malformed id) answers the Chinese page, the API's the problem details — a
/// fresh user's probe found <c>/village/abc</c> answering JSON with "Not Found" on a phone.
/// </summary>
public sealed class StatusCodePageTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    [Theory]
    [InlineData("/village/abc")]
    [InlineData("/village/%E4%B8%AD")]
    [InlineData("/township/99999999999")]
    [InlineData("/no-such-page")]
    public async Task A_page_address_that_matches_nothing_answers_the_Chinese_404_page(string url)
    {
        var response = await factory.CreateClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("找不到该页面", html);
        Assert.DoesNotContain("Not Found", html);
    }

    [Theory]
    [InlineData("/odata/NoSuchSet")]
    [InlineData("/api/no-such-endpoint")]
    public async Task An_API_address_that_matches_nothing_answers_problem_details(string url)
    {
        var response = await factory.CreateClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
