using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using EnvScore.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EnvScore.Browser.Tests;

/// <summary>
/// What a second fresh-user probe (2026-11-30) met, each as a kind, in Chromium at phone (390×844) and desktop size:
/// 立即计算 offered only when the service would compute the month; the what-if page names an item whose kind changed;
/// wide lists usable on a phone without sideways scrolling; a problem's whole history; the access-denied page says who
/// you are signed in as. Expected texts are written by hand.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SecondProbeTests(BrowserFixture f)
{
    private static string Zh(EvaluationMonth m) => $"{m.Year}年{m.Month}月";

    [Theory, InlineData(Viewport.Phone), InlineData(Viewport.Desktop)]
    [Presses("Admin/Index.cshtml", "GET")]
    public async Task Compute_is_offered_only_for_a_month_the_service_computes(Viewport viewport)
    {
        // The fixture's clock (another test may have moved it): the current month and the next, which has not started.
        var current = ChinaTime.MonthOf(f.Factory.Clock.GetUtcNow());
        var next = current.Next();
        await using var s = await f.OpenAsync(BrowserFixture.Admin, viewport);
        var page = s.Page;
        await page.GotoAsync($"/admin?m={current}");
        await page.Locator("#m").FillAsync(next.ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "切换" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync($"{Zh(next)} 计算与发布");
        await Expect(page.Locator("#compute")).ToHaveCountAsync(0);
        var refused = $"{Zh(next)}尚未开始，不能计算（当前为{Zh(current)}）";
        await Expect(page.Locator("#compute-refused")).ToContainTextAsync(refused);
        Assert.Empty(ProbeFixTests.LatinWords(await page.Locator("main").InnerTextAsync()));
        await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot($"probe2-compute-next-month-{viewport}".ToLowerInvariant()), FullPage = true });
        // The API refuses the same month with the same sentence.
        var api = await f.ApiAsync(BrowserFixture.Admin);
        var answer = await (await api.PostAsJsonAsync("/odata/ComputationRuns/Compute", new { month = next.ToString() })).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.StartsWith(refused, answer.GetProperty("title").GetString());

        // The current month (started, before its deadline a preview) is offered, with the warning.
        await page.Locator("#m").FillAsync(current.ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "切换" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync($"{Zh(current)} 计算与发布");
        if (await page.Locator("#compute-refused").CountAsync() > 0) Assert.Fail("the current month is refused: " + await page.Locator("#compute-refused").InnerTextAsync());
        var published = await api.GetJsonAsync($"/odata/Publications?$filter=month eq {current.Key}");
        if (published.GetProperty("value").GetArrayLength() == 0) await Expect(page.Locator("#compute")).ToBeVisibleAsync();
    }

    /// <summary>The active sheet with L01 turned into a levels item, as a new version (a draft of the district).</summary>
    private static string KindChangedDraft(string activeSource, int version)
    {
        var yaml = Regex.Replace(activeSource.Replace("\r", ""), @"^version: .*$", $"version: {version}", RegexOptions.Multiline);
        var start = yaml.IndexOf("      - code: L01\n", StringComparison.Ordinal);
        Assert.True(start > 0, "the active sheet has L01");
        var end = yaml.IndexOf("      - code: ", start + 10, StringComparison.Ordinal);
        const string levels = """
                  - code: L01
                    title: 乱搭乱建
                    kind: levels
                    points: 5
                    levels:
                      - code: A
                        name: 无违章搭建
                        deduction: 0
                      - code: B
                        name: 有违章搭建
                        deduction: 5

            """;
        return yaml[..start] + levels.Replace("\r", "") + yaml[end..];
    }

    private async Task<int> DraftAsync(int version)
    {
        string source;
        await using (var scope = f.Factory.Services.CreateAsyncScope())
            source = (await scope.ServiceProvider.GetRequiredService<EnvScoreDbContext>().RuleSets.AsNoTracking()
                .Where(r => r.Status == RuleSetStatus.Active).OrderByDescending(r => r.EffectiveFromMonth).FirstAsync()).Source;
        var api = await f.ApiAsync(BrowserFixture.Admin);
        var body = new StringContent(KindChangedDraft(source, version), System.Text.Encoding.UTF8, "application/yaml");
        return (await (await api.PostAsync("/api/rule-sets", body)).ExpectAsync(HttpStatusCode.Created)).GetProperty("id").GetInt32();
    }

    private async Task DeleteDraftAsync(int id) =>
        await (await (await f.ApiAsync(BrowserFixture.Admin)).DeleteAsync($"/odata/RuleSets({id})")).ExpectAsync(HttpStatusCode.NoContent);

    [Theory, InlineData(Viewport.Phone, 71), InlineData(Viewport.Desktop, 72)]
    [Presses("Admin/WhatIf.cshtml", "GET")]
    public async Task The_what_if_page_names_an_item_whose_kind_changed_and_shows_a_fitting_one(Viewport viewport, int version)
    {
        var draft = await DraftAsync(version);
        try
        {
            await using var s = await f.OpenAsync(BrowserFixture.Admin, viewport);
            var page = s.Page;
            await page.GotoAsync("/admin/rulesets");
            await page.Locator($"a.whatif-link[href='/admin/whatif?id={draft}']").ClickAsync();
            await Expect(page.Locator("h1")).ToHaveTextAsync("规则试算");
            await page.Locator("#m").FillAsync("2026-10");
            await page.Locator("#whatif-run").ClickAsync();
            var unfit = page.Locator("#whatif-unfit");
            await Expect(unfit.Locator("p")).ToContainTextAsync("张评分表与该细则不符，无法试算，原因如下");
            var item = page.Locator("#whatif-problems li[data-code=ItemKindChanged][data-item=L01]");
            await Expect(item.Locator("strong")).ToHaveTextAsync("评分项L01（乱搭乱建）");
            await Expect(item).ToContainTextAsync("的类型已由“每处扣分”改为“分档扣分”：评分表按原类型填的是处数，试算的细则要求一个等级（A=无违章搭建、B=有违章搭建）");
            await Expect(item).ToContainTextAsync("新细则要求：一个等级（A=无违章搭建、B=有违章搭建）");
            Assert.Empty(ProbeFixTests.LatinWords(await page.Locator("main").InnerTextAsync()));
            await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot($"probe2-whatif-kind-changed-{viewport}".ToLowerInvariant()), FullPage = true });

            // The API says the same, with codes.
            var api = await f.ApiAsync(BrowserFixture.Admin);
            var answer = await (await api.GetAsync($"/api/what-if/{draft}/2026-10")).ExpectAsync(HttpStatusCode.UnprocessableEntity);
            Assert.Equal("SheetsDoNotFit", answer.GetProperty("code").GetString());
            var problem = answer.GetProperty("problems")[0];
            Assert.Equal(("ItemKindChanged", "L01", "乱搭乱建", "level"), (problem.GetProperty("code").GetString(), problem.GetProperty("itemCode").GetString(),
                problem.GetProperty("itemName").GetString(), problem.GetProperty("field").GetString()));
            var villages = (await api.GetJsonAsync("/odata/PublishedVillageResults?$filter=month eq 202610&$count=true&$top=1")).GetProperty("@odata.count").GetInt32();
            Assert.Equal(villages, problem.GetProperty("sheets").GetArrayLength()); // every October sheet has an L01 count

            // The rule set in force fits: the page shows every village now and under it.
            var active = await page.Locator("#id option", new() { HasText = "已启用" }).First.GetAttributeAsync("value");
            await page.Locator("#id").SelectOptionAsync(active!);
            await page.Locator("#whatif-run").ClickAsync();
            await Expect(page.Locator("#whatif-summary")).ToContainTextAsync("类别变化0个村");
            await Expect(page.Locator("#whatif-villages tbody tr")).ToHaveCountAsync(villages);
            await Expect(page.Locator("#whatif-unfit")).ToHaveCountAsync(0);
            await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot($"probe2-whatif-result-{viewport}".ToLowerInvariant()), FullPage = true });
            if (viewport == Viewport.Phone) Assert.True(await PageWidthAsync(page) <= 390, "the what-if result scrolls sideways on a phone: " + await WideAsync(page));
        }
        finally { await DeleteDraftAsync(draft); }
    }

    private static Task<int> PageWidthAsync(IPage page) => page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");

    /// <summary>The elements reaching past the right edge of the viewport (for a failure message).</summary>
    private static async Task<string> WideAsync(IPage page) => string.Join(" | ", await page.EvaluateAsync<string[]>("""
        () => [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > 390.5)
          .slice(0, 8).map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))
        """));

    /// <summary>Every .table-wrap that is wider than its box says so (the hint is shown), on the current page.</summary>
    private static async Task AssertNoSilentScrollAsync(IPage page)
    {
        var silent = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('.table-wrap')]
              .filter(w => w.scrollWidth > w.clientWidth + 2 && getComputedStyle(w, '::before').content.indexOf('左右滑动') < 0)
              .map(w => (w.querySelector('table') || w).id || w.outerHTML.slice(0, 80))
            """);
        Assert.Empty(silent);
    }

    [Theory, InlineData(Viewport.Phone, 73), InlineData(Viewport.Desktop, 74)]
    public async Task The_ledger_and_the_rule_set_list_fit_a_phone(Viewport viewport, int version)
    {
        var villageId = await f.VillageIdAsync(1, viewport == Viewport.Phone ? 14 : 15);
        var inspector = await f.ApiAsync(BrowserFixture.Inspector);
        var id = (await (await inspector.PostAsJsonAsync("/odata/Rectifications", new
        {
            villageId, itemCode = "L01", description = "村口东侧新搭彩钢瓦棚两处，占用道路约二十平方米，影响通行和村容村貌", location = "村委会东侧路口",
        })).ExpectAsync(HttpStatusCode.Created)).GetProperty("id").GetInt32();
        var draft = await DraftAsync(version);
        try
        {
            await using var s = await f.OpenAsync(BrowserFixture.Admin, viewport);
            var page = s.Page;
            var width = viewport == Viewport.Phone ? 390 : 1366;
            await page.GotoAsync("/work/problems");
            var row = page.Locator($"#ledger tr[data-id='{id}']");
            await Expect(row).ToContainTextAsync("村口东侧新搭彩钢瓦棚两处");
            Assert.True(await PageWidthAsync(page) <= width, "the ledger page scrolls sideways");
            var box = (await row.BoundingBoxAsync())!;
            Assert.True(box.X >= 0 && box.X + box.Width <= width + 0.5, $"a ledger row is {box.X}+{box.Width} wide");
            var open = row.GetByRole(AriaRole.Link, new() { Name = $"查看问题{id}" });
            var link = (await open.BoundingBoxAsync())!;
            Assert.True(link.X + link.Width <= width, "查看 is off screen");
            await AssertNoSilentScrollAsync(page);
            await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot($"probe2-ledger-{viewport}".ToLowerInvariant()), FullPage = true });
            await open.ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex($"/work/problems/{id}(\\?back=[^&]*)?$"));

            await page.GotoAsync("/admin/rulesets");
            var activate = page.Locator($"form:has(input[name=id][value='{draft}']) button", new() { HasText = "启用" });
            await Expect(activate).ToBeVisibleAsync();
            var button = (await activate.BoundingBoxAsync())!;
            Assert.True(button.X >= 0 && button.X + button.Width <= width, $"启用 is at {button.X}+{button.Width}, off a {width} px screen");
            Assert.True(button.Height >= 44 || viewport == Viewport.Desktop, "启用 is too small to tap");
            Assert.True(await PageWidthAsync(page) <= width, "the rule-set page scrolls sideways");
            await AssertNoSilentScrollAsync(page);
            await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot($"probe2-rulesets-{viewport}".ToLowerInvariant()), FullPage = true });
            if (viewport == Viewport.Desktop) await Expect(page.Locator("#rulesets thead")).ToBeVisibleAsync(); // a table on the desktop
        }
        finally { await DeleteDraftAsync(draft); }
    }

    [Theory, InlineData(Viewport.Phone, 16), InlineData(Viewport.Desktop, 17)]
    public async Task A_closed_problem_shows_every_fix_and_every_review_in_order(Viewport viewport, int villageIndex)
    {
        var villageId = await f.VillageIdAsync(1, villageIndex);
        var inspector = await f.ApiAsync(BrowserFixture.Inspector);
        var secretary = await f.ApiAsync(BrowserFixture.Secretary(1));
        var id = (await (await inspector.PostAsJsonAsync("/odata/Rectifications", new { villageId, itemCode = "L01", description = "村口新搭彩钢瓦棚" }))
            .ExpectAsync(HttpStatusCode.Created)).GetProperty("id").GetInt32();
        async Task Photo(string name)
        {
            var form = new MultipartFormDataContent { { new ByteArrayContent(TestImages.PngTitled(name)) { Headers = { ContentType = new("image/png") } }, "file", name } };
            await (await secretary.PostAsync($"/api/rectifications/{id}/photos?kind=after", form)).ExpectAsync(HttpStatusCode.OK);
        }
        async Task Step(HttpClient client, string action, object body)
        {
            var read = await client.GetAsync($"/odata/Rectifications({id})");
            var request = new HttpRequestMessage(HttpMethod.Post, $"/odata/Rectifications({id})/{action}") { Content = JsonContent.Create(body) };
            request.Headers.TryAddWithoutValidation("If-Match", read.Headers.ETag!.ToString());
            await (await client.SendAsync(request)).ExpectAsync(HttpStatusCode.OK);
        }
        // A minute between steps, as on a real day (a new after-photo must come after the rejection).
        await Photo("第一次整改.png");
        await Step(secretary, "ReportFix", new { note = "已拆除" });
        f.Factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await Step(inspector, "Reject", new { reason = "棚架仍未拆净" });
        f.Factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await Photo("第二次整改.png");
        await Step(secretary, "ReportFix", new { note = "已全部拆除并清运" });
        f.Factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await Step(inspector, "Close", new { note = "现场复核合格" });

        await using var s = await f.OpenAsync(BrowserFixture.Secretary(1), viewport);
        var page = s.Page;
        await page.GotoAsync($"/work/problems/{id}");
        await Expect(page.Locator("#problem-state")).ToHaveTextAsync("已销号");
        var steps = page.Locator("#problem-history > li");
        await Expect(steps).ToHaveCountAsync(4);
        await Expect(steps.Nth(0)).ToContainTextAsync("第1次整改上报");
        await Expect(steps.Nth(0)).ToContainTextAsync("整改情况：已拆除");
        await Expect(steps.Nth(0).Locator("img")).ToHaveAttributeAsync("alt", "第1次整改后照片：第一次整改.png");
        await Expect(steps.Nth(1)).ToContainTextAsync("第1次复核：未通过，退回整改");
        await Expect(steps.Nth(1)).ToContainTextAsync("未通过原因：棚架仍未拆净");
        await Expect(steps.Nth(2)).ToContainTextAsync("第2次整改上报");
        await Expect(steps.Nth(2)).ToContainTextAsync("整改情况：已全部拆除并清运");
        await Expect(steps.Nth(2).Locator("img")).ToHaveAttributeAsync("alt", "第2次整改后照片：第二次整改.png");
        await Expect(steps.Nth(3)).ToContainTextAsync("第2次复核：通过，已销号");
        await Expect(steps.Nth(3)).ToContainTextAsync("复核意见：现场复核合格");
        Assert.Equal(new[] { "fix", "rejected", "fix", "closed" }, await steps.EvaluateAllAsync<string[]>("ls => ls.map(l => l.dataset.kind)"));
        // Each fix's photo is the one it brought, and it loads.
        Assert.True(await steps.Nth(2).Locator("img").EvaluateAsync<bool>("i => i.complete && i.naturalWidth > 0"));
        Assert.Empty(ProbeFixTests.LatinWords(await page.Locator("main").InnerTextAsync()));
        if (viewport == Viewport.Phone) Assert.True(await PageWidthAsync(page) <= 390);
        await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot($"probe2-problem-history-{viewport}".ToLowerInvariant()), FullPage = true });
    }

    [Theory, InlineData(Viewport.Phone), InlineData(Viewport.Desktop)]
    public async Task The_denied_page_says_who_is_signed_in_and_offers_another_account(Viewport viewport)
    {
        await using var s = await f.OpenAsync(BrowserFixture.Inspector, viewport);
        var page = s.Page;
        await page.GotoAsync("/admin");
        var who = await page.Locator("header .who").InnerTextAsync();
        await Expect(page.Locator("#denied-account")).ToHaveTextAsync(who);
        await Expect(page.Locator("#denied")).ToContainTextAsync($"（登录名{BrowserFixture.Inspector}，区级督查员），该账户无权访问该页面或执行该操作");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "换一个账户登录" })).ToBeVisibleAsync();
        Assert.Empty(ProbeFixTests.LatinWords(await page.Locator("main").InnerTextAsync().ContinueWith(t => t.Result.Replace(BrowserFixture.Inspector, ""))));
    }
}
