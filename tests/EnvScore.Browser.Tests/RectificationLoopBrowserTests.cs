using System.Net.Http.Json;
using System.Text.RegularExpressions;
using EnvScore.Testing;
using EnvScore.Api.Features.Demo;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EnvScore.Browser.Tests;

/// <summary>
/// The rectification loop (整改闭环) on phones (390×844), in the browser only: the inspector finds 花西社区 by name and
/// reports a problem with a camera photo; 水稻乡's secretary sees it first in /work, fixes it with an after-photo; the
/// inspector sees it waiting for review, rejects it once with a reason; the secretary fixes again; the inspector closes it.
/// Every outcome is read back through the API. Also: a further before-photo, and the ledger's filter form.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class RectificationLoopBrowserTests(BrowserFixture f)
{
    [Fact]
    [Presses("Work/Problems/New.cshtml", "GET"), Presses("Work/Problems/New.cshtml", ""), Presses("Work/Problems/Detail.cshtml", "Fix"),
     Presses("Work/Problems/Detail.cshtml", "Reject"), Presses("Work/Problems/Detail.cshtml", "Close"), Presses("Work/Problems/Detail.cshtml", "Photo"),
     Presses("Work/Problems/Index.cshtml", "GET")]
    public async Task Report_fix_reject_fix_close_on_phones()
    {
        var secretary = BrowserFixture.Secretary(0);
        var villageId = await f.VillageIdAsync(0, 1); // 花西社区, 水稻乡
        var item = f.Rules.Items.First();
        int id;

        // — The inspector on a round: find the village by name, pick the item, take a photo, describe, submit. —
        await using (var s = await f.OpenAsync(BrowserFixture.Inspector, Viewport.Phone))
        {
            var page = s.Page;
            await page.GotoAsync("/work");
            await page.Locator("#rectification-todo a[href='/work/problems/new']").ClickAsync();
            await page.Locator("#q").FillAsync("花西");
            await page.Locator("#village-search button[type=submit]").ClickAsync();
            await Expect(page.Locator("#villageId option")).ToHaveCountAsync(1); // only 花西社区 is left: selected already
            await Expect(page.Locator("#villageId")).ToHaveValueAsync(villageId.ToString());
            await page.Locator("#itemCode").SelectOptionAsync(item.Code);
            await page.Locator("#photo").SetInputFilesAsync(SheetFormTests.Png("村口.png"));
            await Expect(page.Locator("#capturedAt")).Not.ToHaveValueAsync(""); // filled from the file's time
            await page.Locator("#capturedAt").FillAsync("2026-11-10T09:30");
            await page.Locator("#description").FillAsync("村口垃圾堆放未清运");
            await page.Locator("#location").FillAsync("村委会东侧路口");
            await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot("phone-problem-new"), FullPage = true });
            await page.Locator("#new-submit").ClickAsync();
            await Expect(page.Locator("#problem-message")).ToHaveTextAsync("问题已上报。");
            await Expect(page.Locator("#problem-state")).ToHaveTextAsync("待整改");
            await Expect(page.Locator("#photos-before img")).ToHaveCountAsync(1);
            id = int.Parse(Regex.Match(page.Url, @"/work/problems/(\d+)").Groups[1].Value);
            // The inspector may neither fix nor review an open problem: no such forms.
            await Expect(page.Locator("#fix-form, #close-form, #reject-form")).ToHaveCountAsync(0);
            await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot("phone-problem-reported"), FullPage = true });
        }
        var problem = await ProblemAsync(id);
        Assert.Equal(villageId, problem.GetProperty("villageId").GetInt32());
        Assert.Equal(item.Code, problem.GetProperty("itemCode").GetString());
        Assert.Equal("Round", problem.GetProperty("source").GetString());
        var foundOn = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(f.Factory.Clock.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).DateTime);
        Assert.Equal(foundOn.AddDays(7).ToString("yyyy-MM-dd"), problem.GetProperty("deadline").GetString()); // 7 days on the default sheet
        Assert.Equal(new DateTimeOffset(2026, 11, 10, 1, 30, 0, TimeSpan.Zero), problem.GetProperty("photos")[0].GetProperty("capturedAt").GetDateTimeOffset());

        // — The secretary: the problem is on /work's to-do list; fix it with an after-photo. —
        await FixAsync(secretary, id, "已清运，路口已硬化");
        Assert.Equal("AwaitingReview", (await ProblemAsync(id)).GetProperty("state").GetString());

        // — The inspector: waiting for review on /work; reject once with a reason. —
        await using (var s = await f.OpenAsync(BrowserFixture.Inspector, Viewport.Phone))
        {
            var page = s.Page;
            await page.GotoAsync("/work");
            await Expect(page.Locator("#todo-title")).ToHaveTextAsync("待复核问题（最早上报的在前）");
            await page.Locator($"#rectification-todo li[data-id='{id}'] a").ClickAsync();
            await Expect(page.Locator("#photos-after img")).ToHaveCountAsync(1);
            await page.Locator("#reject-reason").FillAsync("路边仍有垃圾");
            await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot("phone-problem-review"), FullPage = true });
            await page.Locator("#reject-submit").ClickAsync();
            await Expect(page.Locator("#problem-message")).ToHaveTextAsync("已退回整改（复核未通过）。");
            await Expect(page.Locator("#problem-review")).ToContainTextAsync("未通过（第1次）");
            Assert.Contains(s.Dialogs, d => d.Contains("确定复核未通过"));
        }
        problem = await ProblemAsync(id);
        Assert.Equal(("Open", 1, "路边仍有垃圾"), (problem.GetProperty("state").GetString(), problem.GetProperty("rejectCount").GetInt32(), problem.GetProperty("reviewNote").GetString()));

        // — The secretary fixes again (a new after-photo is required); the inspector closes. —
        f.Factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await FixAsync(secretary, id, "已全部清理");
        await using (var s = await f.OpenAsync(BrowserFixture.Inspector, Viewport.Phone))
        {
            var page = s.Page;
            await page.GotoAsync($"/work/problems/{id}");
            await page.Locator("#close-note").FillAsync("现场复核合格");
            await page.Locator("#close-submit").ClickAsync();
            await Expect(page.Locator("#problem-message")).ToHaveTextAsync("已复核通过并销号。");
            await Expect(page.Locator("#problem-state")).ToHaveTextAsync("已销号");
            Assert.Contains(s.Dialogs, d => d.Contains("确定复核通过并销号"));
            await Expect(page.Locator("form[method=post]")).ToHaveCountAsync(1); // only the sign-out form is left
            await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot("phone-problem-closed"), FullPage = true });

            // The ledger, filtered to closed problems, lists it.
            await page.GotoAsync("/work/problems");
            await page.Locator("#state").SelectOptionAsync("Closed");
            await page.Locator("#ledger-filter button[type=submit]").ClickAsync();
            await Expect(page.Locator($"#ledger tr[data-id='{id}']")).ToContainTextAsync("已销号");
            await Expect(page.Locator("#ledger tbody tr", new() { HasText = "待整改" })).ToHaveCountAsync(0);
            await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot("phone-problem-ledger"), FullPage = true });
        }
        problem = await ProblemAsync(id);
        Assert.Equal("Closed", problem.GetProperty("state").GetString());
        Assert.Equal(["Before", "After", "After"], problem.GetProperty("photos").EnumerateArray().Select(p => p.GetProperty("kind").GetString()));

        // — A further before-photo on another open problem (inspector, desktop). —
        var api = await f.ApiAsync(BrowserFixture.Inspector);
        var created = await api.PostAsJsonAsync("/odata/Rectifications", new { villageId, itemCode = item.Code, description = "河沟漂浮物" });
        var other = (await created.ExpectAsync(System.Net.HttpStatusCode.Created)).GetProperty("id").GetInt32();
        await using (var s = await f.OpenAsync(BrowserFixture.Inspector, Viewport.Desktop))
        {
            var page = s.Page;
            await page.GotoAsync($"/work/problems/{other}");
            await page.Locator("#before-photo").SetInputFilesAsync(SheetFormTests.Png("河沟.png"));
            await page.Locator("#before-captured").FillAsync("2026-11-10T09:50");
            await page.Locator("#before-submit").ClickAsync();
            await Expect(page.Locator("#problem-message")).ToHaveTextAsync("照片已上传。");
            await Expect(page.Locator("#photos-before img")).ToHaveCountAsync(1);
        }
        Assert.Single((await ProblemAsync(other)).GetProperty("photos").EnumerateArray());
    }

    private async Task FixAsync(string secretary, int id, string note)
    {
        await using var s = await f.OpenAsync(secretary, Viewport.Phone);
        var page = s.Page;
        await page.GotoAsync("/work");
        await Expect(page.Locator("#todo-title")).ToHaveTextAsync("待整改问题（逾期的在前）");
        await page.Locator($"#rectification-todo li[data-id='{id}'] a").ClickAsync();
        // Without a new after-photo the fix is refused in Chinese, nothing changes.
        await page.Locator("#fix-note").FillAsync(note);
        await page.Locator("#fix-submit").ClickAsync();
        await Expect(page.Locator("#problem-error")).ToContainTextAsync("整改后照片");
        await Expect(page.Locator("#problem-state")).ToHaveTextAsync("待整改");
        await Expect(page.Locator("#fix-note")).ToHaveValueAsync(note); // what was typed is kept
        await page.Locator("#fix-photo").SetInputFilesAsync(SheetFormTests.Png("整改后.png"));
        await Expect(page.Locator("#fix-captured")).Not.ToHaveValueAsync(""); // filled from the file's time …
        await page.Locator("#fix-captured").FillAsync("2026-11-10T09:45"); // … which is this machine's, not the test clock's
        await page.Locator("#fix-note").FillAsync(note);
        await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot("phone-problem-fix"), FullPage = true });
        await page.Locator("#fix-submit").ClickAsync();
        await Expect(page.Locator("#problem-message")).ToHaveTextAsync("已上报整改，等待区级复核。");
        await Expect(page.Locator("#problem-state")).ToHaveTextAsync("已整改待复核");
    }

    private async Task<System.Text.Json.JsonElement> ProblemAsync(int id) =>
        await (await f.ApiAsync(BrowserFixture.Admin)).GetJsonAsync($"/odata/Rectifications({id})?$expand=photos");
}
