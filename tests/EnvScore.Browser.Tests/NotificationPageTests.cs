using System.Text.Json;
using Deque.AxeCore.Playwright;
using EnvScore.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EnvScore.Browser.Tests;

/// <summary>
/// The admin's notification page (/admin/notifications), at phone and desktop size, against a robot on 127.0.0.1: a bad
/// address refused in Chinese, the address saved, a test message delivered and shown as 已发送, a refused one shown as
/// 发送失败 with the robot's code, sent again with 重新发送, and the push turned off — each read back over the API and
/// from the robot.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class NotificationPageTests(BrowserFixture f)
{
    [Theory, InlineData(Viewport.Phone), InlineData(Viewport.Desktop)]
    [Presses("Admin/Notifications.cshtml", "Save"), Presses("Admin/Notifications.cshtml", "Test"), Presses("Admin/Notifications.cshtml", "Retry")]
    public async Task Admin_sets_the_robot_sends_a_test_message_and_sends_a_failed_one_again(Viewport viewport)
    {
        await using var robot = await RobotReceiver.StartAsync();
        var phone = viewport == Viewport.Phone;
        var size = viewport.ToString().ToLowerInvariant();
        await using var s = await f.OpenAsync(BrowserFixture.Admin, viewport);
        var page = s.Page;
        await page.GotoAsync("/admin");
        await page.Locator("#office-links").GetByRole(AriaRole.Link, new() { Name = "消息推送" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("消息推送（企业微信、钉钉群机器人）");
        var api = await f.ApiAsync(BrowserFixture.Admin);
        var districtId = (await api.GetJsonAsync("/odata/Districts")).GetProperty("value")[0].GetProperty("id").GetInt32();

        // An address without http(s)://: refused in Chinese, what was typed stays, nothing stored.
        async Task<string> StoredAsync()
        {
            var response = await api.GetAsync($"/api/notifications/{districtId}/webhook");
            if (!response.IsSuccessStatusCode) return ((int)response.StatusCode).ToString(); // none yet: 404
            var w = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            return $"{w.GetProperty("url")} {w.GetProperty("flavour")} {w.GetProperty("enabled")} {w.GetProperty("updatedAt")}";
        }
        var before = await StoredAsync();
        await page.Locator("#url").FillAsync("qyapi.weixin.qq.com/cgi-bin/webhook/send");
        await page.Locator("#save").ClickAsync();
        await Expect(page.Locator("#errors")).ToContainTextAsync("不是以http://或https://开头的完整网址");
        await Expect(page.Locator("#url")).ToHaveValueAsync("qyapi.weixin.qq.com/cgi-bin/webhook/send");
        Assert.Equal(before, await StoredAsync());

        // Saved: 钉钉 with a keyword on the phone, 企业微信 on the desktop.
        await page.Locator("#url").FillAsync(robot.Url);
        await page.Locator("#flavour").SelectOptionAsync(phone ? "DingTalk" : "WeCom");
        await page.Locator("#keyword").FillAsync(phone ? "整改通知" : "");
        await page.Locator("#enabled").CheckAsync();
        await page.Locator("#save").ClickAsync();
        await Expect(page.Locator("#message")).ToContainTextAsync("推送地址已保存");
        var stored = await api.GetJsonAsync($"/api/notifications/{districtId}/webhook");
        Assert.Equal((robot.Url, phone ? "DingTalk" : "WeCom", true), (stored.GetProperty("url").GetString(), stored.GetProperty("flavour").GetString(), stored.GetProperty("enabled").GetBoolean()));

        // A test message: delivered to the robot, shown as 已发送.
        await page.Locator("#send-test").ClickAsync();
        await Expect(page.Locator("#message")).ToContainTextAsync("测试消息已加入发送队列");
        var first = await NewestRowAsync(page, "Sent");
        await Expect(first).ToContainTextAsync("已发送");
        var body = JsonDocument.Parse(Assert.Single(robot.Accepted)).RootElement;
        Assert.Equal("markdown", body.GetProperty("msgtype").GetString());
        if (phone)
        {
            Assert.Equal("【整改通知】测试消息", body.GetProperty("markdown").GetProperty("title").GetString());
            Assert.StartsWith("### 【整改通知】测试消息\n这是示范区农村人居环境月评比系统的测试消息。", body.GetProperty("markdown").GetProperty("text").GetString());
        }
        else Assert.StartsWith("### 测试消息\n这是示范区农村人居环境月评比系统的测试消息。", body.GetProperty("markdown").GetProperty("content").GetString());
        await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot($"admin-notifications-sent-{size}"), FullPage = true });

        // The robot refuses four times (errcode 93000): 发送失败 after 4 attempts, with the code.
        const string refused = """{"errcode":93000,"errmsg":"invalid webhook url"}""";
        robot.Script((200, refused), (200, refused), (200, refused), (200, refused));
        await page.Locator("#send-test").ClickAsync();
        var failed = await NewestRowAsync(page, "Failed");
        await Expect(failed).ToContainTextAsync("发送失败");
        await Expect(failed.Locator(".attempts")).ToHaveTextAsync("尝试4次");
        await Expect(failed.Locator(".last-error")).ToHaveTextAsync("机器人返回错误码93000");
        Assert.Equal(5, robot.Received.Count);
        await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot($"admin-notifications-failed-{size}"), FullPage = true });
        // The page with every kind of row passes axe (as the crawl checks every page) and has no Latin word.
        var axe = await page.RunAxe(new Deque.AxeCore.Commons.AxeRunOptions
        {
            RunOnly = new Deque.AxeCore.Commons.RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        });
        Assert.Empty(axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help} — {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))}"));
        Assert.Empty(ProbeFixTests.LatinWords(await page.Locator("main").InnerTextAsync()));

        // 重新发送: delivered this time.
        await failed.Locator("button.retry").ClickAsync();
        await Expect(page.Locator("#message")).ToContainTextAsync("已重新加入发送队列");
        await Expect(await NewestRowAsync(page, "Sent")).ToContainTextAsync("已发送");
        Assert.Equal(2, robot.Accepted.Count);
        var deliveries = (await api.GetJsonAsync($"/api/notifications/{districtId}/deliveries?top=1")).GetProperty("value")[0];
        Assert.Equal(("Sent", "Test"), (deliveries.GetProperty("status").GetString(), deliveries.GetProperty("event").GetString()));
        // The failed round is kept, not wiped by the resend: its attempts and error, and who sent it again (probe 2026-11-30).
        var earlier = Assert.Single(deliveries.GetProperty("earlier").EnumerateArray());
        Assert.Equal((4, "admin"), (earlier.GetProperty("attempts").GetInt32(), earlier.GetProperty("resentBy").GetString()));
        Assert.StartsWith("机器人返回错误码93000", earlier.GetProperty("lastError").GetString());
        var sent = await NewestRowAsync(page, "Sent");
        await Expect(sent.Locator(".earlier")).ToContainTextAsync("此前1轮发送");
        await Expect(sent.Locator(".earlier li")).ToContainTextAsync("尝试4次，失败：机器人返回错误码93000");
        await Expect(sent.Locator(".earlier li")).ToContainTextAsync("重新发送");
        Assert.Empty(ProbeFixTests.LatinWords(await page.Locator("main").InnerTextAsync()));
        await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot($"admin-notifications-resent-{size}"), FullPage = true });

        // Turned off (the robot goes away with this test): no test button, stored as off.
        await page.Locator("#enabled").UncheckAsync();
        await page.Locator("#save").ClickAsync();
        await Expect(page.Locator("#message")).ToContainTextAsync("推送已停用");
        await Expect(page.Locator("#send-test")).ToHaveCountAsync(0);
        Assert.False((await api.GetJsonAsync($"/api/notifications/{districtId}/webhook")).GetProperty("enabled").GetBoolean());
    }

    /// <summary>Presses 刷新状态 until the newest delivery has the status (the sender works in the background); at most 50 times.</summary>
    private static async Task<ILocator> NewestRowAsync(IPage page, string status)
    {
        var row = page.Locator("#deliveries tbody tr").First;
        for (var i = 0; i < 50; i++)
        {
            if (await row.GetAttributeAsync("data-status") == status) return row;
            await page.WaitForTimeoutAsync(100);
            await page.Locator("#refresh").ClickAsync();
            await page.WaitForLoadStateAsync();
        }
        Assert.Fail($"the newest delivery never became {status}: {await row.InnerTextAsync()}");
        return row;
    }
}
