using System.Net;
using EnvScore.Testing;
using Microsoft.AspNetCore.Mvc.Testing;

namespace EnvScore.Api.Tests.Security;

/// <summary>
/// A download link (/api/… a workbook or a Word file) opened in a browser without a session leads to the sign-in page and
/// back to the file; an API client asking the same gets the 401 problem (found by a new user: the browser showed raw JSON).
/// </summary>
public class DownloadLinkTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    [Theory]
    [InlineData("/api/bulletins/1/2026-10/preview")]
    [InlineData("/api/rectifications/ledger.xlsx")]
    [InlineData("/api/spreadsheets/template?month=2026-11&townshipId=1")]
    public async Task A_browser_without_a_session_is_sent_to_sign_in_and_a_script_gets_401(string url)
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var browser = new HttpRequestMessage(HttpMethod.Get, url);
        browser.Headers.Add("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        browser.Headers.Add("Sec-Fetch-Mode", "navigate");
        var page = await client.SendAsync(browser);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/login", page.Headers.Location!.OriginalString.Replace("http://localhost", ""));
        Assert.Contains(Uri.EscapeDataString(url.Split('?')[0]), page.Headers.Location!.OriginalString);

        var script = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.Unauthorized, script.StatusCode);
        Assert.Equal("application/problem+json", script.Content.Headers.ContentType?.MediaType);
    }
}
