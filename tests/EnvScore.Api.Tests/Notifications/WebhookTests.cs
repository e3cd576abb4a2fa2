using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EnvScore.Api.Tests.Rectifications;
using EnvScore.Testing;

namespace EnvScore.Api.Tests.Notifications;

/// <summary>
/// Outbound webhooks against a robot on 127.0.0.1: what each event posts (field by field, written by hand), retries
/// (500 then 200; errcode ≠ 0), failure after 3 attempts and sending again, nothing for a rolled-back write, who may
/// configure, and the Chinese answer to a bad address. The sender runs when a test says so (<see cref="NotificationFactory.SendAsync"/>).
/// </summary>
public class WebhookTests(NotificationFactory factory) : IClassFixture<NotificationFactory>
{
    private string Base => $"/api/notifications/{factory.DistrictId}";

    private async Task<HttpClient> AdminAsync()
    {
        await factory.EnsureAsync();
        return await factory.ClientForAsync("admin");
    }

    private async Task ConfigureAsync(HttpClient admin, string flavour = "WeCom", string? keyword = null, bool enabled = true, string? url = null)
    {
        await (await admin.PutAsJsonAsync($"{Base}/webhook", new { url = url ?? factory.Robot.Url, flavour, keyword, enabled })).ExpectAsync(HttpStatusCode.OK);
        await factory.SendAsync(); // whatever an earlier test left
        factory.Robot.Clear();
    }

    private static JsonElement Parse(string body) => JsonDocument.Parse(body).RootElement;

    private static string[] Names(JsonElement e) => e.EnumerateObject().Select(p => p.Name).ToArray();

    private async Task<JsonElement> DeliveryAsync(HttpClient admin, long id) =>
        (await admin.GetJsonAsync($"{Base}/deliveries?top=200")).GetProperty("value").EnumerateArray().Single(d => d.GetProperty("id").GetInt64() == id);

    [Fact]
    public async Task A_new_problem_posts_the_WeCom_shape_and_a_reported_fix_the_DingTalk_shape_with_its_keyword()
    {
        var admin = await AdminAsync();
        await ConfigureAsync(admin);
        var inspector = await factory.ClientForAsync("inspector");
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(0));

        var (id, _, _) = await Problems.CreateAsync(inspector); // 双河铺社区 (水稻乡), L01 乱搭乱建, found 2026-11-10
        Assert.Equal(1, await factory.SendAsync());
        var wecom = Parse(Assert.Single(factory.Robot.Accepted));
        Assert.Equal(["msgtype", "markdown"], Names(wecom));
        Assert.Equal("markdown", wecom.GetProperty("msgtype").GetString());
        Assert.Equal(["content"], Names(wecom.GetProperty("markdown")));
        Assert.Equal($"### 新整改问题：水稻乡双河铺社区\n**水稻乡 双河铺社区**\n评分项：乱搭乱建\n问题：村口垃圾堆放\n位置：村委会东侧\n整改时限：2026-11-17\n\n链接：/work/problems/{id}",
            wecom.GetProperty("markdown").GetProperty("content").GetString());

        // 钉钉 with the custom keyword 月评比: put in front of the title (the message does not contain it).
        await ConfigureAsync(admin, "DingTalk", "月评比");
        factory.Clock.Advance(TimeSpan.FromMinutes(5));
        await (await Problems.PhotoAsync(secretary, id, "after", TestImages.Png, "after.png")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(0, await factory.SendAsync()); // a photo is no event
        await (await Problems.ActAsync(secretary, id, "ReportFix", await Problems.ETagAsync(secretary, id), new { note = "已清理" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, await factory.SendAsync());
        var ding = Parse(Assert.Single(factory.Robot.Accepted));
        Assert.Equal(["msgtype", "markdown"], Names(ding));
        Assert.Equal("markdown", ding.GetProperty("msgtype").GetString());
        Assert.Equal(["title", "text"], Names(ding.GetProperty("markdown")));
        Assert.Equal("【月评比】已整改待复核：水稻乡双河铺社区", ding.GetProperty("markdown").GetProperty("title").GetString());
        Assert.Equal($"### 【月评比】已整改待复核：水稻乡双河铺社区\n**水稻乡 双河铺社区**\n评分项：乱搭乱建\n问题：村口垃圾堆放\n整改说明：已清理\n请区级督查员现场复核。\n\n链接：/work/problems/{id}",
            ding.GetProperty("markdown").GetProperty("text").GetString());

        // Closing is no event; the delivery's status is there for the admin.
        await (await Problems.ActAsync(inspector, id, "Close", await Problems.ETagAsync(inspector, id), new { note = "合格" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(0, await factory.SendAsync());
        var latest = (await admin.GetJsonAsync($"{Base}/deliveries?top=1")).GetProperty("value")[0];
        Assert.Equal(("FixAwaitingReview", "Sent", 1), (latest.GetProperty("event").GetString(), latest.GetProperty("status").GetString(), latest.GetProperty("attempts").GetInt32()));
        Assert.Equal(factory.Clock.GetUtcNow(), latest.GetProperty("sentAt").GetDateTimeOffset());

        // Turned off: an event queues nothing.
        await ConfigureAsync(admin, enabled: false);
        var before = (await factory.OutboxAsync()).Count;
        await Problems.CreateAsync(inspector);
        Assert.Equal(before, (await factory.OutboxAsync()).Count);
    }

    [Fact]
    public async Task A_robot_answering_500_then_200_gets_the_message_once_after_a_retry()
    {
        var admin = await AdminAsync();
        await ConfigureAsync(admin);
        factory.Robot.Script((500, "服务繁忙"));
        var queued = await (await admin.PostAsync($"{Base}/test", null)).ExpectAsync(HttpStatusCode.Accepted);
        Assert.Equal("Pending", queued.GetProperty("status").GetString());
        await factory.SendAsync();
        Assert.Equal(2, factory.Robot.Received.Count);
        var message = Parse(Assert.Single(factory.Robot.Accepted));
        Assert.Equal("### 测试消息\n这是示范区农村人居环境月评比系统的测试消息。收到即表示推送地址配置正确。\n\n链接：/admin/notifications",
            message.GetProperty("markdown").GetProperty("content").GetString());
        var delivery = await DeliveryAsync(admin, queued.GetProperty("id").GetInt64());
        Assert.Equal(("Sent", 2), (delivery.GetProperty("status").GetString(), delivery.GetProperty("attempts").GetInt32()));
        Assert.Equal("HTTP 500：服务繁忙", delivery.GetProperty("lastError").GetString());
    }

    [Fact]
    public async Task An_errcode_answer_is_retried_fails_after_three_attempts_and_can_be_sent_again()
    {
        var admin = await AdminAsync();
        await ConfigureAsync(admin);
        const string refused = """{"errcode":93000,"errmsg":"invalid webhook url"}""";

        // errcode ≠ 0 once, then accepted: delivered on the second post.
        factory.Robot.Script((200, """{"errcode":45009,"errmsg":"api freq out of limit"}"""));
        var first = (await (await admin.PostAsync($"{Base}/test", null)).ExpectAsync(HttpStatusCode.Accepted)).GetProperty("id").GetInt64();
        await factory.SendAsync();
        Assert.Equal((2, 1), (factory.Robot.Received.Count, factory.Robot.Accepted.Count));
        Assert.Equal("Sent", (await DeliveryAsync(admin, first)).GetProperty("status").GetString());

        // Refused three times: Failed, with the robot's answer.
        factory.Robot.Clear();
        factory.Robot.Script((200, refused), (200, refused), (200, refused));
        var id = (await (await admin.PostAsync($"{Base}/test", null)).ExpectAsync(HttpStatusCode.Accepted)).GetProperty("id").GetInt64();
        await factory.SendAsync();
        Assert.Equal((3, 0), (factory.Robot.Received.Count, factory.Robot.Accepted.Count));
        var failed = await DeliveryAsync(admin, id);
        Assert.Equal(("Failed", 3), (failed.GetProperty("status").GetString(), failed.GetProperty("attempts").GetInt32()));
        Assert.Equal("机器人返回错误码93000：invalid webhook url", failed.GetProperty("lastError").GetString());
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("sentAt").ValueKind);
        Assert.Equal(0, await factory.SendAsync()); // a failed delivery stays failed

        // Sent again by the admin: delivered; a delivered one cannot be sent again.
        await (await admin.PostAsync($"{Base}/deliveries/{id}/retry", null)).ExpectAsync(HttpStatusCode.Accepted);
        await factory.SendAsync();
        var sent = await DeliveryAsync(admin, id);
        Assert.Equal(("Sent", 1), (sent.GetProperty("status").GetString(), sent.GetProperty("attempts").GetInt32()));
        var again = await (await admin.PostAsync($"{Base}/deliveries/{id}/retry", null)).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("DeliveryNotFailed", again.GetProperty("code").GetString());

        // Nobody listening: three attempts, then failed with the reason.
        await ConfigureAsync(admin, url: "http://127.0.0.1:1/robot");
        var lost = (await (await admin.PostAsync($"{Base}/test", null)).ExpectAsync(HttpStatusCode.Accepted)).GetProperty("id").GetInt64();
        await factory.SendAsync();
        var unreachable = await DeliveryAsync(admin, lost);
        Assert.Equal(("Failed", 3), (unreachable.GetProperty("status").GetString(), unreachable.GetProperty("attempts").GetInt32()));
        Assert.StartsWith("无法送达：", unreachable.GetProperty("lastError").GetString());
    }

    [Fact]
    public async Task A_rolled_back_write_sends_nothing()
    {
        var admin = await AdminAsync();
        await ConfigureAsync(admin);
        var inspector = await factory.ClientForAsync("inspector");
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(0));
        // Faults injected in the database: the audit row of a new problem described 回滚, and a fix noted 回滚, fail.
        await factory.ExecuteAsync("""
            CREATE OR REPLACE FUNCTION test_injected_fault() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected fault'; END $$ LANGUAGE plpgsql;
            CREATE OR REPLACE TRIGGER test_fail_create BEFORE INSERT ON audit_log FOR EACH ROW
              WHEN (NEW.action = 'Rectification.Create' AND NEW.after::text LIKE '%回滚%') EXECUTE FUNCTION test_injected_fault();
            CREATE OR REPLACE TRIGGER test_fail_fix BEFORE UPDATE ON rectifications FOR EACH ROW
              WHEN (NEW.fix_note = '回滚') EXECUTE FUNCTION test_injected_fault();
            """);
        var (id, _, _) = await Problems.CreateAsync(inspector);
        await factory.SendAsync();
        factory.Robot.Clear();
        var outbox = (await factory.OutboxAsync()).Count;

        var create = await inspector.PostAsJsonAsync("/odata/Rectifications", new { villageId = Problems.Village, itemCode = Problems.Item, description = "回滚" });
        Assert.True((int)create.StatusCode >= 500, $"the injected fault answered {(int)create.StatusCode}");
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await (await Problems.PhotoAsync(secretary, id, "after", TestImages.Png, "after.png")).ExpectAsync(HttpStatusCode.OK);
        var fix = await Problems.ActAsync(secretary, id, "ReportFix", await Problems.ETagAsync(secretary, id), new { note = "回滚" });
        Assert.True((int)fix.StatusCode >= 500, $"the injected fault answered {(int)fix.StatusCode}");

        Assert.Equal(outbox, (await factory.OutboxAsync()).Count);
        Assert.Equal(0, await factory.SendAsync());
        Assert.Empty(factory.Robot.Received);
        Assert.Equal("Open", (await Problems.GetAsync(secretary, id)).GetProperty("state").GetString());
        await factory.ExecuteAsync("DROP TRIGGER test_fail_create ON audit_log; DROP TRIGGER test_fail_fix ON rectifications;");
    }

    public static TheoryData<string, string> Endpoints() => new()
    {
        { "GET", "/webhook" }, { "PUT", "/webhook" }, { "DELETE", "/webhook" }, { "POST", "/test" }, { "GET", "/deliveries" }, { "POST", "/deliveries/1/retry" },
    };

    [Theory, MemberData(nameof(Endpoints))]
    public async Task Only_the_district_admin_of_the_district_configures(string method, string path)
    {
        await factory.EnsureAsync();
        HttpRequestMessage Request() => new(new HttpMethod(method), Base + path)
        {
            Content = method == "PUT" ? JsonContent.Create(new { url = "http://127.0.0.1:9/robot", flavour = "WeCom" }) : null,
        };
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient().SendAsync(Request())).StatusCode);
        foreach (var user in new[] { EnvScoreFactory.Secretary(0), "inspector", NotificationFactory.OtherAdmin })
        {
            var response = await (await factory.ClientForAsync(user)).SendAsync(Request());
            var problem = await response.ExpectAsync(HttpStatusCode.Forbidden);
            Assert.Equal("Forbidden", problem.GetProperty("code").GetString());
        }
        // The other district's admin manages its own district.
        var other = await factory.ClientForAsync(NotificationFactory.OtherAdmin);
        Assert.Equal("NoWebhook", (await (await other.GetAsync($"/api/notifications/{factory.OtherDistrictId}/webhook")).ExpectAsync(HttpStatusCode.NotFound)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_bad_address_is_answered_in_Chinese_naming_the_field_and_nothing_is_stored()
    {
        var admin = await AdminAsync();
        await ConfigureAsync(admin);
        foreach (var (body, field, words) in new (object, string, string)[]
                 {
                     (new { url = "qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc", flavour = "WeCom" }, "url", "推送地址“qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc”不是以http://或https://开头的完整网址"),
                     (new { url = "ftp://127.0.0.1/robot", flavour = "WeCom" }, "url", "不是以http://或https://开头的完整网址"),
                     (new { url = "", flavour = "WeCom" }, "url", "请填写推送地址"),
                     (new { url = "http://127.0.0.1:9/robot", flavour = "Slack" }, "flavour", "机器人类型须为WeCom（企业微信）或DingTalk（钉钉）"),
                     (new { url = "http://127.0.0.1:9/robot", flavour = "DingTalk", keyword = new string('词', 21) }, "keyword", "关键词不能超过20个字"),
                 })
        {
            var problem = await (await admin.PutAsJsonAsync($"{Base}/webhook", body)).ExpectAsync(HttpStatusCode.BadRequest);
            Assert.Equal("InvalidField", problem.GetProperty("code").GetString());
            var errors = problem.GetProperty("errors");
            Assert.Equal([field], Names(errors));
            Assert.Contains(words, errors.GetProperty(field)[0].GetString());
        }
        var stored = await admin.GetJsonAsync($"{Base}/webhook");
        Assert.Equal((factory.Robot.Url, "WeCom", true), (stored.GetProperty("url").GetString(), stored.GetProperty("flavour").GetString(), stored.GetProperty("enabled").GetBoolean()));
    }
}
