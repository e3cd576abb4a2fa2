using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
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
        await FixAsync(secretary, id, "已清运，路口已硬化", "整改后.png");
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
        await FixAsync(secretary, id, "已全部清理", "再次整改后.png"); // a new photo: the rejected one does not count
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

    private async Task FixAsync(string secretary, int id, string note, string photo)
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
        await page.Locator("#fix-photo").SetInputFilesAsync(SheetFormTests.Png(photo));
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

/// <summary>
/// The loop's last step (issue #17): a problem left overdue deducts in the month's computation under a rule set with
/// 每处逾期未整改问题扣2分 (<c>overdueProblems</c>), on phones. Its own server and database (<see cref="OverdueBrowserCollection"/>):
/// the district's rule set and the clock are changed here, which the shared browser fixture's tests must not see.
/// </summary>
[Collection(OverdueBrowserCollection.Name)]
public sealed class OverdueDeductionBrowserTests(BrowserFixture f)
{
    private const string Yaml = """
        code: OVERDUE
        title: 含逾期未整改扣分的评分表
        version: 1
        effectiveFrom: "2026-01"
        totalPoints: 20
        scale: 100                  # on the 100-point scale of the months seeded before (the page's trend)
        sections:
          - code: A
            title: 六乱治理
            maxPoints: 10
            items:
              - {code: L01, title: 乱堆乱放, kind: perOccurrence, points: 10, deductionEach: 1, unit: 处}
          - code: B
            title: 整改落实
            maxPoints: 10
            items:
              - {code: Z01, title: 整改落实, kind: overdueProblems, points: 10, deductionEach: 2, maxDeduction: 8}
        tiers: {demonstrationMin: 95, upgradeMin: 75}
        combination: {selfWeight: 0.3, districtWeight: 0.7, inflationThreshold: 10}
        """;

    [Fact]
    [Presses("Work/Sheet.cshtml", "Save"), Presses("Admin/Index.cshtml", "Compute"), Presses("Admin/Index.cshtml", "Publish")]
    public async Task An_overdue_problem_deducts_in_the_months_computation_and_the_village_page_says_so()
    {
        var villageId = await f.VillageIdAsync(0, 1); // 花西社区, 水稻乡
        await using (var scope = f.Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<EnvScore.Api.Infrastructure.Data.EnvScoreDbContext>();
            await db.RuleSets.Where(r => r.Status == EnvScore.Api.Features.RuleSets.RuleSetStatus.Active)
                .ExecuteUpdateAsync(x => x.SetProperty(r => r.Source, Yaml).SetProperty(r => r.ContentHash, "overdue-browser"));
        }

        // 10 November (setup over the API): two problems found on a round, due 17 November; one is fixed on the 15th.
        var inspector = await f.Factory.ClientForAsync(BrowserFixture.Inspector);
        var secretaryApi = await f.Factory.ClientForAsync(BrowserFixture.Secretary(0));
        async Task<int> Report(string what) => (await (await inspector.PostAsJsonAsync("/odata/Rectifications",
            new { villageId, itemCode = "L01", description = what })).ExpectAsync(System.Net.HttpStatusCode.Created)).GetProperty("id").GetInt32();
        var overdue = await Report("村口垃圾堆放未清运");
        var fixedInTime = await Report("河沟漂浮物");
        f.Factory.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 15, 2, 0, 0, TimeSpan.Zero));
        secretaryApi = await f.Factory.ClientForAsync(BrowserFixture.Secretary(0));
        var photo = new MultipartFormDataContent { { new ByteArrayContent(TestImages.Png) { Headers = { ContentType = new("image/png") } }, "file", "after.png" } };
        await (await secretaryApi.PostAsync($"/api/rectifications/{fixedInTime}/photos?kind=after", photo)).ExpectAsync(System.Net.HttpStatusCode.OK);
        var read = await secretaryApi.GetAsync($"/odata/Rectifications({fixedInTime})");
        var fix = new HttpRequestMessage(HttpMethod.Post, $"/odata/Rectifications({fixedInTime})/ReportFix") { Content = JsonContent.Create(new { note = "已打捞" }) };
        fix.Headers.TryAddWithoutValidation("If-Match", read.Headers.ETag!.ToString());
        await (await secretaryApi.SendAsync(fix)).ExpectAsync(System.Net.HttpStatusCode.OK);

        // 2 December, 10:00: November has ended with one problem 待整改 past its deadline.
        f.Factory.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 2, 2, 0, 0, TimeSpan.Zero));

        // — The secretary fills November's sheet on the phone: the overdue count is shown, not asked. —
        await using (var s = await f.OpenAsync(BrowserFixture.Secretary(0), Viewport.Phone))
        {
            var page = s.Page;
            await page.GotoAsync($"/work/sheet?villageId={villageId}&m=2026-11&kind=Self");
            await Expect(page.Locator("[data-overdue=Z01]")).ToHaveTextAsync("截至月底到期未整改的问题1处（由整改台账自动计算，月底前整改的不扣分）");
            await Expect(page.Locator("input[name='v.Z01']")).ToHaveCountAsync(0);
            await page.Locator("#f-L01").FillAsync("0");
            await Expect(page.Locator("#running-total")).ToHaveTextAsync("90"); // 10 + (10 − 2) = 18 of 20 → 90
            await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot("phone-sheet-overdue"), FullPage = true });
            await page.Locator("#submit-sheet").ClickAsync();
            await Expect(page.Locator("#message")).ToContainTextAsync("已提交");
        }

        // — The admin computes and publishes November on the phone, then reads the village's page. —
        await using (var s = await f.OpenAsync(BrowserFixture.Admin, Viewport.Phone))
        {
            var page = s.Page;
            await page.GotoAsync("/admin?m=2026-11");
            await page.Locator("#compute").ClickAsync();
            await Expect(page.Locator("#message")).ToContainTextAsync("计算完成");
            await page.Locator("#publish").ClickAsync();
            await Expect(page.Locator("#message")).ToContainTextAsync("已发布");

            await page.GotoAsync($"/village/{villageId}?m=2026-11");
            await Expect(page.Locator("#final-formula")).ToContainTextAsync("最终得分 = 自评 90");
            var row = page.Locator("table tbody tr", new() { HasText = "整改落实" });
            await Expect(row.Locator("td").Nth(2)).ToHaveTextAsync("-2");
            await Expect(row.Locator("td").Nth(3)).ToHaveTextAsync("逾期未整改问题1处，每处扣2分，扣2分（得8/10分）");
            await page.Locator("details summary", new() { HasText = "完整计分说明" }).ClickAsync();
            await Expect(page.Locator("details pre")).ToContainTextAsync("整改落实：逾期未整改问题1处，每处扣2分，扣2分（得8/10分）");
            await Expect(page.Locator("details pre")).ToContainTextAsync("百分制折算：18 × 100 ÷ 20 = 90分");
            await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot("phone-village-overdue"), FullPage = true });
        }
        var result = await (await f.Factory.ClientForAsync(BrowserFixture.Admin))
            .GetJsonAsync($"/odata/VillageResults?$filter=month eq 202611 and villageId eq {villageId}");
        Assert.Equal(90m, result.GetProperty("value")[0].GetProperty("finalScore").GetDecimal());
        Assert.Equal("Open", (await (await f.Factory.ClientForAsync(BrowserFixture.Admin)).GetJsonAsync($"/odata/Rectifications({overdue})")).GetProperty("state").GetString());
    }
}

/// <summary>A browser fixture of its own (server, database, clock) for tests that change the rule set or the clock.</summary>
[CollectionDefinition(Name)]
public sealed class OverdueBrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser-overdue";
}
