using System.Net;
using System.Net.Http.Json;
using EnvScore.Testing;

namespace EnvScore.Api.Tests.Accounts;

public class LoginTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    [Fact]
    public async Task Login_returns_a_bearer_token_that_identifies_the_user_and_scope()
    {
        var client = await factory.ClientForAsync(EnvScoreFactory.Secretary(1));
        var me = await client.GetJsonAsync("/api/auth/me");
        Assert.Equal("secretary-410271002000", me.GetProperty("userName").GetString());
        Assert.Equal("TownshipSecretary", me.GetProperty("roles")[0].GetString());
        Assert.Equal(2, me.GetProperty("townshipId").GetInt32());
        Assert.Equal(1, me.GetProperty("districtId").GetInt32());
    }

    [Fact]
    public async Task Cookie_login_works_for_the_web_pages()
    {
        var client = factory.CreateClient();
        await (await client.PostAsJsonAsync("/api/auth/login?useCookies=true", new { userName = "inspector", password = EnvScoreFactory.Password }))
            .ExpectAsync(HttpStatusCode.OK);
        var me = await client.GetJsonAsync("/api/auth/me"); // the test client keeps cookies
        Assert.Equal("DistrictInspector", me.GetProperty("roles")[0].GetString());
    }

    [Fact]
    public async Task Wrong_password_is_401_with_a_chinese_message()
    {
        var response = await factory.CreateClient().PostAsJsonAsync("/api/auth/login", new { userName = "admin", password = "wrong-password" });
        var error = await response.ExpectAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("用户名或密码错误", error.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Five_failures_lock_the_account_even_for_the_right_password()
    {
        var client = factory.CreateClient();
        var user = EnvScoreFactory.Secretary(2);
        for (var i = 0; i < 5; i++)
            await (await client.PostAsJsonAsync("/api/auth/login", new { userName = user, password = $"wrong-{i}" })).ExpectAsync(HttpStatusCode.Unauthorized);

        var locked = await (await client.PostAsJsonAsync("/api/auth/login", new { userName = user, password = EnvScoreFactory.Password }))
            .ExpectAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("锁定", locked.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Protected_endpoints_need_a_login()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient().GetAsync("/api/auth/me")).StatusCode);
        var bad = factory.CreateClient();
        bad.DefaultRequestHeaders.Authorization = new("Bearer", "forged-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await bad.GetAsync("/api/auth/me")).StatusCode);
    }
}

public class LoginRateLimitTests(LoginRateLimitTests.Factory factory) : IClassFixture<LoginRateLimitTests.Factory>
{
    public class Factory : EnvScoreFactory
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Accounts:FailedLoginsPerAddress"] = "3" };
    }

    [Fact]
    public async Task Failed_logins_beyond_the_address_limit_get_429()
    {
        var client = factory.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
            statuses.Add((await client.PostAsJsonAsync("/api/auth/login", new { userName = "nobody", password = "x" })).StatusCode);
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized,
            HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
    }
}
