using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Organisation;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EnvScore.Api.Tests.Security;

/// <summary>
/// Sessions end on logout, lockout and password change (cookie and bearer token); security headers on every response;
/// no cookie-authenticated API write from another site; calendars and the audit page hold (issue #21).
/// </summary>
public class SessionAndHeaderTests(SessionAndHeaderTests.Factory factory) : IClassFixture<SessionAndHeaderTests.Factory>
{
    public class Factory : EnvScoreFactory
    {
        public const string OtherAdmin = "admin-elsewhere";
        private readonly SemaphoreSlim _gate = new(1, 1);
        private bool _ready;

        /// <summary>Another district with its own admin.</summary>
        public async Task EnsureOtherDistrictAsync()
        {
            await _gate.WaitAsync();
            try
            {
                if (_ready) return;
                await using var scope = Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<EnvScoreDbContext>();
                var other = new District { Code = "410205000000", Name = "禹王台区" };
                db.Districts.Add(other);
                await db.SaveChangesAsync();
                await scope.ServiceProvider.GetRequiredService<AccountProvisioner>().CreateAsync(OtherAdmin, Password, Roles.DistrictAdmin, other.Id, null);
                _ready = true;
            }
            finally { _gate.Release(); }
        }
    }

    private async Task<string> TokenAsync(string user)
    {
        var response = await factory.CreateClient().PostAsJsonAsync("/api/auth/login", new { userName = user, password = EnvScoreFactory.Password });
        return (await response.ExpectAsync(HttpStatusCode.OK)).GetProperty("accessToken").GetString()!;
    }

    private HttpClient Bearer(string token)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>A cookie as the browser holds it: replayable from another client after logout.</summary>
    private async Task<string> CookieAsync(string user)
    {
        var client = factory.CreateClient(new() { HandleCookies = false });
        var response = await client.PostAsJsonAsync("/api/auth/login?useCookies=true", new { userName = user, password = EnvScoreFactory.Password });
        await response.ExpectAsync(HttpStatusCode.OK);
        return response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("envscore.auth=")).Split(';')[0];
    }

    private async Task<HttpStatusCode> MeWithCookie(string cookie)
    {
        var client = factory.CreateClient(new() { HandleCookies = false });
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        request.Headers.Add("Cookie", cookie);
        return (await client.SendAsync(request)).StatusCode;
    }

    [Fact]
    public async Task Logout_ends_the_bearer_token_and_every_copy_of_the_cookie()
    {
        var token = await TokenAsync(EnvScoreFactory.Secretary(0));
        var cookie = await CookieAsync(EnvScoreFactory.Secretary(0));
        Assert.Equal(HttpStatusCode.OK, (await Bearer(token).GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, await MeWithCookie(cookie));

        await (await Bearer(token).PostAsync("/api/auth/logout", null)).ExpectAsync(HttpStatusCode.NoContent);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Bearer(token).GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await MeWithCookie(cookie));
        // Signing in again works.
        Assert.Equal(HttpStatusCode.OK, (await Bearer(await TokenAsync(EnvScoreFactory.Secretary(0))).GetAsync("/api/auth/me")).StatusCode);
    }

    [Fact]
    public async Task A_refresh_token_gives_a_new_access_token_until_logout()
    {
        var login = await (await factory.CreateClient().PostAsJsonAsync("/api/auth/login",
            new { userName = "inspector", password = EnvScoreFactory.Password })).ExpectAsync(HttpStatusCode.OK); // not the lockout test's account
        var refreshToken = login.GetProperty("refreshToken").GetString()!;
        var refreshed = await (await factory.CreateClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken })).ExpectAsync(HttpStatusCode.OK);
        var token = refreshed.GetProperty("accessToken").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await Bearer(token).GetAsync("/api/auth/me")).StatusCode);
        Assert.False(string.IsNullOrEmpty(refreshed.GetProperty("refreshToken").GetString()));

        // Not a refresh token of ours, or none: a Chinese refusal with a code.
        var forged = await (await factory.CreateClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = "abc" })).ExpectAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("session-expired", forged.GetProperty("code").GetString());
        await (await factory.CreateClient().PostAsJsonAsync("/api/auth/refresh", new { })).ExpectAsync(HttpStatusCode.BadRequest);

        // Logout renews the security stamp: the old refresh token no longer refreshes.
        await (await Bearer(token).PostAsync("/api/auth/logout", null)).ExpectAsync(HttpStatusCode.NoContent);
        await (await factory.CreateClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken })).ExpectAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_password_change_and_a_lockout_end_existing_sessions()
    {
        var user = EnvScoreFactory.Secretary(1);
        var token = await TokenAsync(user);
        var cookie = await CookieAsync(user);
        // Used once first, so that the account's stamp is the one remembered (SessionStamps) when it changes.
        Assert.Equal(HttpStatusCode.OK, (await Bearer(token).GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, await MeWithCookie(cookie));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var account = (await users.FindByNameAsync(user))!;
            Assert.True((await users.ChangePasswordAsync(account, EnvScoreFactory.Password, "Another-Passw0rd-7")).Succeeded);
            Assert.True((await users.ChangePasswordAsync(account, "Another-Passw0rd-7", EnvScoreFactory.Password)).Succeeded);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await Bearer(token).GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await MeWithCookie(cookie));

        var victim = EnvScoreFactory.Secretary(2);
        var victimToken = await TokenAsync(victim);
        Assert.Equal(HttpStatusCode.OK, (await Bearer(victimToken).GetAsync("/api/auth/me")).StatusCode);
        var anyone = factory.CreateClient();
        for (var i = 0; i < 5; i++) await anyone.PostAsJsonAsync("/api/auth/login", new { userName = victim, password = $"x{i}" });
        Assert.Equal(HttpStatusCode.Unauthorized, (await Bearer(victimToken).GetAsync("/api/auth/me")).StatusCode);
    }

    [Fact]
    public async Task A_stamp_changed_by_another_process_ends_the_session_within_the_check_interval()
    {
        var token = await TokenAsync("inspector");
        Assert.Equal(HttpStatusCode.OK, (await Bearer(token).GetAsync("/api/auth/me")).StatusCode);
        // Another instance (or the create-admin command) renews the stamp: this process learns it at its next read.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<EnvScore.Api.Infrastructure.Data.EnvScoreDbContext>();
            Assert.Equal(1, await db.Database.ExecuteSqlRawAsync("""UPDATE "AspNetUsers" SET security_stamp = 'CHANGED-ELSEWHERE' WHERE user_name = 'inspector'"""));
        }
        // Within the interval (5 s by default, Accounts:SessionStampSeconds) the remembered stamp still answers…
        Assert.Equal(HttpStatusCode.OK, (await Bearer(token).GetAsync("/api/auth/me")).StatusCode);
        // …and after it the session has ended.
        factory.Clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Bearer(token).GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Bearer(await TokenAsync("inspector")).GetAsync("/api/auth/me")).StatusCode);
    }

    public static TheoryData<string> Urls => new() { "/", "/login", "/css/site.css", "/odata/Villages?$top=1", "/api/auth/me", "/odata/$metadata", "/no-such-page" };

    [Theory]
    [MemberData(nameof(Urls))]
    public async Task Every_response_carries_the_security_headers(string url)
    {
        var response = await factory.CreateClient().GetAsync(url);
        var h = response.Headers;
        Assert.Contains("frame-ancestors 'none'", h.GetValues("Content-Security-Policy").Single());
        Assert.Contains("script-src 'self'", h.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", h.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("same-origin", h.GetValues("Referrer-Policy").Single());
        Assert.Equal("DENY", h.GetValues("X-Frame-Options").Single());
    }

    /// <summary>An unexpected failure (here a request that throws past every EnvScore handler): the Chinese 500 problem still
    /// carries the security headers (the exception handler clears headers before it writes; they are set again as it starts).</summary>
    [Fact]
    public async Task An_unexpected_500_carries_the_security_headers()
    {
        using var failing = factory.WithWebHostBuilder(b => b.ConfigureServices(services =>
            services.AddTransient<Microsoft.AspNetCore.Hosting.IStartupFilter, ThrowingEndpoint>()));
        var response = await failing.CreateClient().GetAsync("/test-unexpected-failure");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.DoesNotContain("InvalidOperationException", await response.Content.ReadAsStringAsync());
    }

    /// <summary>After the whole pipeline, a branch that throws (reached because no endpoint matched the path).</summary>
    private sealed class ThrowingEndpoint : Microsoft.AspNetCore.Hosting.IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Map("/test-unexpected-failure", b => b.Run(_ => throw new InvalidOperationException("a test's failure")));
        };
    }

    [Fact]
    public async Task Cookie_authenticated_api_writes_from_another_site_are_refused()
    {
        var cookie = await CookieAsync("admin");
        var client = factory.CreateClient(new() { HandleCookies = false });
        HttpRequestMessage Post(string? origin, string? fetchSite = null)
        {
            var r = new HttpRequestMessage(HttpMethod.Post, "/odata/Villages") { Content = JsonContent.Create(new { code = "410271001099", name = "跨站村" }) };
            r.Headers.Add("Cookie", cookie);
            if (origin is not null) r.Headers.Add("Origin", origin);
            if (fetchSite is not null) r.Headers.Add("Sec-Fetch-Site", fetchSite);
            return r;
        }
        var evil = await (await client.SendAsync(Post("https://evil.example"))).ExpectAsync(HttpStatusCode.Forbidden);
        Assert.Equal("cross-site-write", evil.GetProperty("code").GetString());
        Assert.Contains("其他网站", evil.GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(Post(null, "cross-site"))).StatusCode);
        // Same origin (the pages' own scripts) passes the guard.
        Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(Post("http://localhost"))).StatusCode);
        // A bearer token cannot be sent by another site: no Origin check.
        var bearer = Bearer(await TokenAsync("admin"));
        var r = new HttpRequestMessage(HttpMethod.Post, "/odata/Villages") { Content = JsonContent.Create(new { code = "410271001098", name = "令牌村" }) };
        r.Headers.Add("Origin", "https://tool.example");
        Assert.Equal(HttpStatusCode.Created, (await bearer.SendAsync(r)).StatusCode);
    }

    [Fact]
    public async Task Calendars_list_only_the_callers_districts_overrides()
    {
        await factory.EnsureOtherDistrictAsync();
        var other = await factory.ClientForAsync(Factory.OtherAdmin);
        await (await other.PostAsJsonAsync("/odata/Calendars", new
        {
            month = 202703, opensAt = "2027-03-01T00:00:00+08:00", townshipDeadline = "2027-04-05T18:00:00+08:00",
            districtCheckDeadline = "2027-04-10T18:00:00+08:00", computeAt = "2027-04-10T20:00:00+08:00",
        })).ExpectAsync(HttpStatusCode.Created);
        var admin = await factory.ClientForAsync("admin");
        await (await admin.PostAsJsonAsync("/odata/Calendars", new
        {
            month = 202704, opensAt = "2027-04-01T00:00:00+08:00", townshipDeadline = "2027-05-05T18:00:00+08:00",
            districtCheckDeadline = "2027-05-10T18:00:00+08:00", computeAt = "2027-05-10T20:00:00+08:00",
        })).ExpectAsync(HttpStatusCode.Created);

        foreach (var user in new[] { "admin", "inspector", EnvScoreFactory.Secretary(0) })
        {
            var list = await (await factory.ClientForAsync(user)).GetJsonAsync("/odata/Calendars");
            var months = list.GetProperty("value").EnumerateArray().Select(c => c.GetProperty("month").GetInt32()).ToList();
            Assert.Contains(202704, months);
            Assert.DoesNotContain(202703, months);
        }
        var theirs = await other.GetJsonAsync("/odata/Calendars");
        Assert.Equal([202703], theirs.GetProperty("value").EnumerateArray().Select(c => c.GetProperty("month").GetInt32()));
    }

    [Theory]
    [InlineData("42949674")]
    [InlineData("2147483647")]
    [InlineData("-5")]
    public async Task The_audit_page_clamps_a_huge_page_number(string p)
    {
        var client = factory.CreateClient();
        await (await client.PostAsJsonAsync("/api/auth/login?useCookies=true", new { userName = "admin", password = EnvScoreFactory.Password })).ExpectAsync(HttpStatusCode.OK);
        var response = await client.GetAsync($"/admin/audit?p={p}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

/// <summary>Behind a configured proxy: the client's address and https come from X-Forwarded-*; cookies are Secure.</summary>
public class ForwardedHeadersTests(ForwardedHeadersTests.Factory factory) : IClassFixture<ForwardedHeadersTests.Factory>
{
    public class Factory : EnvScoreFactory
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Security:KnownProxies"] = "10.9.8.7", ["Accounts:FailedLoginsPerAddress"] = "2",
        };

        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            // The test server has no socket: every request arrives "from" the proxy.
            builder.ConfigureServices(s => s.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter>(new FromProxy()));
        }

        private sealed class FromProxy : Microsoft.AspNetCore.Hosting.IStartupFilter
        {
            public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
            {
                app.Use((ctx, n) => { ctx.Connection.RemoteIpAddress = IPAddress.Parse("10.9.8.7"); return n(ctx); });
                next(app);
            };
        }
    }

    [Fact]
    public async Task Cookies_are_secure_behind_https_and_failures_count_per_forwarded_client()
    {
        var client = factory.CreateClient(new() { HandleCookies = false });
        HttpRequestMessage Login(string client, string password, bool cookies = false)
        {
            var r = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login" + (cookies ? "?useCookies=true" : ""))
                { Content = JsonContent.Create(new { userName = "admin", password }) };
            r.Headers.Add("X-Forwarded-For", client);
            r.Headers.Add("X-Forwarded-Proto", "https");
            return r;
        }
        var ok = await client.SendAsync(Login("203.0.113.1", EnvScoreFactory.Password, cookies: true));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Contains("secure", ok.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("envscore.auth=")), StringComparison.OrdinalIgnoreCase);

        // Two failures from one client address use up its limit (2); another client behind the same proxy is unaffected.
        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Login("203.0.113.9", $"bad{i}"))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.SendAsync(Login("203.0.113.9", EnvScoreFactory.Password))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Login("203.0.113.10", EnvScoreFactory.Password))).StatusCode);
    }
}
