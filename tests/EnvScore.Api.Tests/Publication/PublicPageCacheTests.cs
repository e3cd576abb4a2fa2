using System.Net;
using System.Net.Http.Json;
using EnvScore.Api.Features.Computation;
using EnvScore.Testing;

namespace EnvScore.Api.Tests.Publication;

/// <summary>Public pages are served from the output cache for anonymous visitors and refreshed by a publication.</summary>
public sealed class PublicPageCacheTests(PublicationFactory factory) : IClassFixture<PublicationFactory>
{
    [Fact]
    public async Task Anonymous_pages_are_cached_signed_in_pages_are_not_and_publishing_evicts()
    {
        await factory.SeedAsync();
        Assert.IsType<ComputationOutcome.Completed>(await factory.ComputeAsync());
        var anonymous = factory.CreateClient();
        const string Url = "/"; // the latest published month (a month asked for by ?m= before it is published is a 404, never cached)

        var before = await anonymous.GetAsync(Url);
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.DoesNotContain("红榜", await before.Content.ReadAsStringAsync()); // not published yet
        var again = await anonymous.GetAsync(Url);
        Assert.NotNull(again.Headers.Age); // served from the cache

        var signedIn = factory.CreateClient();
        await (await signedIn.PostAsJsonAsync("/api/auth/login?useCookies=true", new { userName = "inspector", password = EnvScoreFactory.Password }))
            .ExpectAsync(HttpStatusCode.OK);
        await signedIn.GetAsync(Url);
        Assert.Null((await signedIn.GetAsync(Url)).Headers.Age);

        var admin = await factory.ClientForAsync("admin");
        await (await admin.PostAsJsonAsync("/api/publications/2026-10/publish", new { title = "十月通报" })).ExpectAsync(HttpStatusCode.Created);
        var after = await anonymous.GetAsync(Url);
        Assert.Null(after.Headers.Age);
        Assert.Contains("十月通报", await after.Content.ReadAsStringAsync());
    }
}
