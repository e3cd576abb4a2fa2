using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EnvScore.Browser.Tests;

/// <summary>
/// What the seventh fresh-user probe (2026-11-30) met on the district office's pages, each as a kind, in Chromium at
/// phone (390×844) and desktop size: pages that fit the phone's width (no sideways scrolling of the whole page), charts
/// whose labels and values are inside the chart and readable. Expected values are written by hand.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AdminFitTests(BrowserFixture f)
{
    /// <summary>The page's own width: how far the document scrolls sideways beyond the viewport (0 when it fits).</summary>
    public static Task<int> OverflowAsync(IPage page) =>
        page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");

    [Theory, InlineData(Viewport.Phone), InlineData(Viewport.Desktop)]
    public async Task Analysis_charts_fit_the_screen_with_every_label_and_value_inside(Viewport viewport)
    {
        await using var s = await f.OpenAsync(BrowserFixture.Admin, viewport);
        var page = s.Page;
        await page.GotoAsync("/admin/analysis?m=2026-10");
        await Expect(page.Locator("#top-items rect").First).ToBeVisibleAsync();
        Assert.Equal(0, await OverflowAsync(page));
        foreach (var chart in new[] { "#top-items", "#gap-chart" })
        {
            // The chart lies inside its card, at most 560 px wide; every text of it lies inside the chart, ≥ 11 px high.
            var fit = await page.EvaluateAsync<string[]>(@"sel => {
                const svg = document.querySelector(sel), box = svg.getBoundingClientRect(), card = svg.closest('.card').getBoundingClientRect();
                const out = [];
                if (box.right > card.right + 0.5 || box.left < card.left - 0.5) out.push(`chart ${box.left}..${box.right} outside card ${card.left}..${card.right}`);
                if (box.width > 560.5) out.push(`chart ${box.width} px wide`);
                for (const t of svg.querySelectorAll('text')) {
                    const r = t.getBoundingClientRect();
                    if (r.right > box.right + 0.5 || r.left < box.left - 0.5) out.push(`'${t.textContent}' ${r.left}..${r.right} outside ${box.left}..${box.right}`);
                    if (r.height < 11) out.push(`'${t.textContent}' ${r.height} px high`);
                }
                return out; }", chart);
            Assert.True(fit.Length == 0, chart + ": " + string.Join("\n", fit));
        }
        if (viewport == Viewport.Phone)
            await page.Locator("#top-items").ScreenshotAsync(new() { Path = BrowserFixture.Shot("probe7-analysis-top-items-phone") });
    }

    private async Task<string> ActiveSourceAsync()
    {
        await using var scope = f.Factory.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<EnvScoreDbContext>().RuleSets.AsNoTracking()
            .Where(r => r.Status == RuleSetStatus.Active).OrderByDescending(r => r.EffectiveFromMonth).FirstAsync()).Source;
    }

    private static string WithVersion(string source, int version) =>
        Regex.Replace(source.Replace("\r", ""), @"^version: .*$", $"version: {version}", RegexOptions.Multiline);

    private async Task<int> DraftAsync(string yaml)
    {
        var api = await f.ApiAsync(BrowserFixture.Admin);
        var body = new StringContent(yaml, System.Text.Encoding.UTF8, "application/yaml");
        return (await (await api.PostAsync("/api/rule-sets", body)).ExpectAsync(HttpStatusCode.Created)).GetProperty("id").GetInt32();
    }

    private async Task DeleteDraftAsync(int id) =>
        await (await (await f.ApiAsync(BrowserFixture.Admin)).DeleteAsync($"/odata/RuleSets({id})")).ExpectAsync(HttpStatusCode.NoContent);

    /// <summary>
    /// 规则试算 as the admin uses it: the picker names version and state first; the result's columns say what they hold;
    /// 只看变化的村 (a GET checkbox) lists only villages that change — none for a copy of the rules in force; after the
    /// browser's Back button the form shows the rule set of the result on screen.
    /// </summary>
    [Theory, InlineData(Viewport.Phone, 81), InlineData(Viewport.Desktop, 82)]
    [Presses("Admin/WhatIf.cshtml", "GET")]
    public async Task What_if_form_follows_the_address_and_filters_changed_villages(Viewport viewport, int version)
    {
        var source = await ActiveSourceAsync();
        var same = await DraftAsync(WithVersion(source, version));
        try
        {
            await using var s = await f.OpenAsync(BrowserFixture.Admin, viewport);
            var page = s.Page;
            await page.GotoAsync("/admin/whatif");
            await Expect(page.Locator("#whatif-error")).ToHaveCountAsync(0); // the bare page is a plain form
            // Version and state first: a phone's narrow picker still tells the versions apart.
            await Expect(page.Locator($"#id option[value='{same}']")).ToHaveTextAsync(new Regex($"^第{version}版（草稿）· "));
            var activeOption = page.Locator("#id option", new() { HasTextRegex = new Regex("^第[0-9]+版（已启用）") }).First;
            var activeId = await activeOption.GetAttributeAsync("value");
            var activeText = (await activeOption.TextContentAsync())!;

            await page.Locator("#id").SelectOptionAsync(same.ToString());
            await page.Locator("#m").FillAsync("2026-10");
            await page.Locator("#whatif-run").ClickAsync();
            await Expect(page.Locator("#whatif-summary-title")).ToContainTextAsync($"第{version}版”试算");
            await Expect(page.Locator("#whatif-summary")).ToContainTextAsync("类别变化0个村（上升0个，下降0个），名次变化0个村");
            var all = await page.Locator("#whatif-villages tbody tr").CountAsync();
            Assert.True(all > 0);
            await Expect(page.Locator("#whatif-villages thead")).ToContainTextAsync("类别变化");
            await Expect(page.Locator("#whatif-villages thead")).ToContainTextAsync("得分（现在→试算）");
            Assert.Equal(0, await OverflowAsync(page));

            // 只看变化的村: the same rules change nothing.
            await page.Locator("#changed").CheckAsync();
            await page.Locator("#whatif-run").ClickAsync();
            await page.WaitForURLAsync(u => u.Contains("changed=true"));
            await Expect(page.Locator("#whatif-villages tbody tr")).ToHaveCountAsync(0);
            await Expect(page.Locator("#whatif-shown")).ToHaveTextAsync($"下表只列得分、名次或类别有变化的0个村（共{all}个村）。");

            // Another rule set, then Back: the form shows the draft again, as the heading does.
            await page.Locator("#id").SelectOptionAsync(activeId!);
            await page.Locator("#changed").UncheckAsync();
            await page.Locator("#whatif-run").ClickAsync();
            await page.WaitForURLAsync(u => u.Contains($"id={activeId}&"));
            await Expect(page.Locator("#id")).ToHaveValueAsync(activeId!);
            await page.GoBackAsync();
            await page.WaitForURLAsync(u => u.Contains($"id={same}&"));
            await Expect(page.Locator("#whatif-summary-title")).ToContainTextAsync($"第{version}版”试算");
            await Expect(page.Locator("#id")).ToHaveValueAsync(same.ToString());
            await Expect(page.Locator("#changed")).ToBeCheckedAsync();
            Assert.NotEqual(activeText, await page.Locator("#id option:checked").TextContentAsync());
        }
        finally { await DeleteDraftAsync(same); }
    }

    /// <summary>Addresses the page cannot use say what to do (hand-written sentences); a well-formed month out of range names the range.</summary>
    [Theory, InlineData(Viewport.Phone), InlineData(Viewport.Desktop)]
    public async Task What_if_says_what_to_do_with_an_address_it_cannot_use(Viewport viewport)
    {
        await using var s = await f.OpenAsync(BrowserFixture.Admin, viewport);
        var page = s.Page;
        var cases = new (string Query, string Says)[]
        {
            ("?id=abc", "评分细则编号\"abc\"无效：请在下面选择一版评分细则，再按“试算”。"),
            ("?m=2026-10", "请选择要试算的评分细则，再按“试算”。"),
            ("?id=999999&m=2026-10", "本区没有编号为999999的评分细则。请在下面选择一版本区的评分细则。"),
            ("?id=1&m=1900-01", "月份\"1900-01\"无法试算：应为2000年1月至2999年12月之间的月份（如2026-10）。"),
            ("?id=1&m=abc", "月份\"abc\"无法试算：应为2000年1月至2999年12月之间的月份（如2026-10）。"),
        };
        foreach (var (query, says) in cases)
        {
            var response = await page.GotoAsync("/admin/whatif" + query);
            Assert.Equal(200, response!.Status);
            await Expect(page.Locator("#whatif-error")).ToContainTextAsync(says);
            Assert.True(ProbeFixTests.LatinWords(await page.Locator("main").InnerTextAsync()).All(w => w == "abc"), query); // what the user typed aside
        }
    }

    /// <summary>
    /// A rule set that fits none of the month's sheets (every item renamed): one summary line per cause, the problems
    /// grouped by the sheets they concern, each group's sheets once and folded — not one block per item repeating them.
    /// </summary>
    [Theory, InlineData(Viewport.Phone, 83), InlineData(Viewport.Desktop, 84)]
    public async Task An_unfitting_rule_set_is_summarised_and_its_sheets_listed_once(Viewport viewport, int version)
    {
        var renamed = Regex.Replace(WithVersion(await ActiveSourceAsync(), version), @"^(      - code: )([A-Z])([0-9]{2})$", "${1}${2}9${3}", RegexOptions.Multiline);
        var draft = await DraftAsync(renamed);
        try
        {
            await using var s = await f.OpenAsync(BrowserFixture.Admin, viewport);
            var page = s.Page;
            await page.GotoAsync($"/admin/whatif?id={draft}&m=2026-10");
            var unfit = page.Locator("#whatif-unfit");
            await Expect(unfit.Locator("p").First).ToContainTextAsync("张评分表与该细则不符，无法试算");
            await Expect(page.Locator("#whatif-summary-lines li").First).ToContainTextAsync("该细则缺少评分表所填的");
            await Expect(page.Locator("#whatif-summary-lines li").First).ToContainTextAsync("L01（乱搭乱建）");
            var problems = await page.Locator("#whatif-problems li[data-code]").CountAsync();
            var groups = await page.Locator("#whatif-problems .unfit-group").CountAsync();
            Assert.True(problems > 10 && groups * 5 <= problems, $"{problems} problems in {groups} groups");
            // Each group's sheets once, folded; unfolding shows them.
            var sheets = page.Locator(".unfit-sheets").First;
            await Expect(sheets.Locator(".sheet-list")).Not.ToBeVisibleAsync();
            await sheets.Locator("summary").ClickAsync();
            await Expect(sheets.Locator(".sheet-list")).ToBeVisibleAsync();
            await Expect(sheets.Locator(".sheet-list")).ToContainTextAsync("（自评）");
            Assert.Equal(0, await OverflowAsync(page));
            if (viewport == Viewport.Phone)
            {
                await page.ReloadAsync();
                var height = (await unfit.BoundingBoxAsync())!.Height;
                Assert.True(height < 1200, $"the explanation is {height:0} px high on a phone");
                await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot("probe7-whatif-unfit-phone"), FullPage = true });
            }
        }
        finally { await DeleteDraftAsync(draft); }
    }

    private static readonly SemaphoreSlim LedgerGate = new(1, 1);
    private static int? _ledgerTownship;

    /// <summary>53 problems of item Q01 in one township (t=2), made once over the API as the inspector does on a round.</summary>
    private async Task<int> LedgerProblemsAsync()
    {
        await LedgerGate.WaitAsync();
        try
        {
            if (_ledgerTownship is { } done) return done;
            var inspector = await f.ApiAsync(BrowserFixture.Inspector);
            for (var i = 0; i < 53; i++)
            {
                var villageId = await f.VillageIdAsync(2, i % 10);
                await (await inspector.PostAsJsonAsync("/odata/Rectifications", new
                {
                    villageId, itemCode = "Q01", description = $"巡查发现路边垃圾堆放第{i + 1}处，需清理", location = "村道旁",
                })).ExpectAsync(HttpStatusCode.Created);
            }
            return (_ledgerTownship = await f.TownshipIdAsync(2)).Value;
        }
        finally { LedgerGate.Release(); }
    }

    /// <summary>
    /// 整改台账 on a phone and a desktop: 50 problems a page with 上一页/下一页 that keep the filters; the sort; 查看 is a
    /// 44×44 tap target and 返回整改台账 comes back to the same filtered page; filter values the page cannot use are named.
    /// </summary>
    [Theory, InlineData(Viewport.Phone), InlineData(Viewport.Desktop)]
    [Presses("Work/Problems/Index.cshtml", "GET")]
    public async Task Ledger_pages_sorts_keeps_filters_and_names_invalid_ones(Viewport viewport)
    {
        var township = await LedgerProblemsAsync();
        await using var s = await f.OpenAsync(BrowserFixture.Admin, viewport);
        var page = s.Page;
        await page.GotoAsync("/work/problems");
        await page.Locator("#t").SelectOptionAsync(township.ToString());
        await page.Locator("#item").SelectOptionAsync("Q01");
        await page.Locator("#ledger-filter button[type=submit]").ClickAsync();
        await page.WaitForURLAsync(u => u.Contains("item=Q01"));
        var total = int.Parse(Regex.Match((await page.Locator("#ledger-title").InnerTextAsync()), @"（(\d+)）").Groups[1].Value);
        Assert.True(total >= 53, $"{total} problems");
        await Expect(page.Locator("#ledger tbody tr")).ToHaveCountAsync(50);
        await Expect(page.Locator("#ledger-range")).ToContainTextAsync("第1–50条，最新发现在前");
        await Expect(page.Locator("#prev")).ToHaveCountAsync(0);
        // 查看 is a tap target of at least 44×44 px.
        var open = (await page.Locator("#ledger td.c-open a").First.BoundingBoxAsync())!;
        Assert.True(open.Width >= 44 && open.Height >= 44, $"查看 is {open.Width:0}×{open.Height:0} px");
        Assert.Equal(0, await OverflowAsync(page));

        // 下一页 keeps the filters.
        await page.Locator("#next").ClickAsync();
        await page.WaitForURLAsync(u => u.Contains("p=2"));
        Assert.Contains($"t={township}", page.Url);
        Assert.Contains("item=Q01", page.Url);
        await Expect(page.Locator("#ledger tbody tr")).ToHaveCountAsync(Math.Min(50, total - 50));
        await Expect(page.Locator("#ledger tbody tr").First.Locator("td").First).ToHaveTextAsync("51");
        var listUrl = page.Url;

        // 查看, then 返回整改台账: the same page of the same filtered list.
        await page.Locator("#ledger td.c-open a").First.ClickAsync();
        await page.WaitForURLAsync(new Regex(@"/work/problems/\d+"));
        await page.Locator("#back-to-ledger").ClickAsync();
        await page.WaitForURLAsync(u => u == listUrl);
        await Expect(page.Locator("#item")).ToHaveValueAsync("Q01");
        await Expect(page.Locator("#t")).ToHaveValueAsync(township.ToString());
        await Expect(page.Locator("#ledger tbody tr").First.Locator("td").First).ToHaveTextAsync("51");

        // 逾期最久在前: the overdue ones first, each deadline no later than the next's.
        await page.Locator("#sort").SelectOptionAsync("overdue");
        await page.Locator("#ledger-filter button[type=submit]").ClickAsync();
        await page.WaitForURLAsync(u => u.Contains("sort=overdue") && !u.Contains("p=2"));
        await Expect(page.Locator("#ledger-range")).ToContainTextAsync("逾期最久在前");
        var rows = await page.Locator("#ledger tbody tr").EvaluateAllAsync<string[]>(
            "rs => rs.map(r => (r.querySelector('.flag.overdue') ? '1' : '0') + '|' + r.querySelector('[data-label=整改时限]').textContent.trim())");
        var overdueFlags = rows.Select(r => r[0]).ToList();
        Assert.True(overdueFlags.SkipWhile(c => c == '1').All(c => c == '0'), "overdue problems first");
        var dates = rows.Where(r => r[0] == '1').Select(r => r[2..]).ToList();
        Assert.Equal(dates.Order(StringComparer.Ordinal), dates);

        // Filter values the page cannot use are named, with what is expected.
        await page.GotoAsync("/work/problems?m=abc");
        await Expect(page.Locator("#filter-errors")).ToContainTextAsync("筛选条件“月份”的值\"abc\"无效：应为2000年1月至2999年12月之间的月份（如2026-10）。此条件未使用。");
        await page.GotoAsync("/work/problems?state=Foo&t=99&item=ZZZ");
        var errors = page.Locator("#filter-errors li");
        await Expect(errors).ToHaveCountAsync(3);
        await Expect(errors.Nth(0)).ToContainTextAsync("筛选条件“乡镇”的值\"99\"无效：请在“乡镇”中选择本区的一个乡镇。");
        await Expect(errors.Nth(1)).ToContainTextAsync("筛选条件“状态”的值\"Foo\"无效：应为待整改、已整改待复核、已销号之一。");
        await Expect(errors.Nth(2)).ToContainTextAsync("筛选条件“评分项”的值\"ZZZ\"无效");
        if (viewport == Viewport.Phone) await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot("probe7-ledger-bad-filters-phone") });
    }

    /// <summary>
    /// 评分细则: each active version says the months it is in force (起 … 至 the month before a later version starts) and
    /// which one is 当前执行; the activation question tells what 撤销启用 allows and until when; the intro names no file path.
    /// </summary>
    [Theory, InlineData(Viewport.Phone, 85, "2029-01", "2028年12月"), InlineData(Viewport.Desktop, 86, "2029-02", "2029年1月")]
    public async Task Rule_sets_show_the_months_each_version_is_in_force(Viewport viewport, int version, string from, string lastBefore)
    {
        var draft = await DraftAsync(WithVersion(await ActiveSourceAsync(), version));
        await using var s = await f.OpenAsync(BrowserFixture.Admin, viewport);
        var page = s.Page;
        try
        {
            await page.GotoAsync("/admin/rulesets");
            await Expect(page.Locator("#rulesets-intro")).Not.ToContainTextAsync("scoring-rules");
            await Expect(page.Locator("#rulesets-intro")).ToContainTextAsync("撤销启用");
            // Exactly one version is in force now: the active one with the latest start not after this month.
            var current = EnvScore.Domain.Calendar.ChinaTime.MonthOf(f.Factory.Clock.GetUtcNow());
            var api = await f.ApiAsync(BrowserFixture.Admin);
            var actives = (await api.GetJsonAsync("/odata/RuleSets?$filter=status eq 'Active'&$orderby=effectiveFromMonth")).GetProperty("value").EnumerateArray()
                .Select(r => (Version: r.GetProperty("version").GetInt32(), From: r.GetProperty("effectiveFromMonth").GetInt32())).ToList();
            var inForce = actives.Last(a => a.From <= current.Key);
            await Expect(page.Locator("[data-period=当前执行]")).ToHaveCountAsync(1);
            await Expect(page.Locator("tbody tr", new() { Has = page.Locator("[data-period=当前执行]") })).ToContainTextAsync($"第{inForce.Version}版");

            var row = page.Locator("tbody tr", new() { HasText = $"第{version}版" });
            await row.Locator("input[type=month]").FillAsync(from);
            await row.GetByRole(AriaRole.Button, new() { Name = "启用" }).ClickAsync();
            await Expect(page.Locator("[role=status]")).ToContainTextAsync("已启用");
            Assert.Contains(s.Dialogs, d => d.Contains("撤销启用") && d.Contains("起始月份开始后就不能撤销"));
            Assert.DoesNotContain(s.Dialogs, d => d.StartsWith("启用后该版本不能修改"));
            var mine = page.Locator("tbody tr", new() { HasText = $"第{version}版" });
            await Expect(mine).ToContainTextAsync("尚未开始");
            await Expect(mine.Locator(".months")).ToHaveTextAsync($"{from[..4]}年{int.Parse(from[5..])}月起");
            // The version that was last before mine now ends the month before mine starts.
            var before = actives.Last(a => a.From < int.Parse(from.Replace("-", "")));
            await Expect(page.Locator("tbody tr", new() { HasText = $"第{before.Version}版" }).Locator(".months")).ToContainTextAsync($"，至{lastBefore}");
            Assert.Equal(0, await OverflowAsync(page));
            if (viewport == Viewport.Phone) await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot("probe7-rulesets-phone"), FullPage = true });
            await mine.GetByRole(AriaRole.Button, new() { Name = "撤销启用" }).ClickAsync();
            await Expect(page.Locator("[role=status]")).ToContainTextAsync("已撤销启用");
        }
        finally { await DeleteDraftAsync(draft); }
    }

    /// <summary>评分表与退回 on a phone: every sheet's 查看/更正 and 退回 lie on the screen, no sideways scrolling.</summary>
    [Theory, InlineData(Viewport.Phone), InlineData(Viewport.Desktop)]
    public async Task Sheet_actions_are_in_reach(Viewport viewport)
    {
        await using var s = await f.OpenAsync(BrowserFixture.Admin, viewport);
        var page = s.Page;
        var width = viewport == Viewport.Phone ? 390 : 1366;
        var current = EnvScore.Domain.Calendar.ChinaTime.MonthOf(f.Factory.Clock.GetUtcNow());
        foreach (var month in new[] { "2026-10", current.ToString() })
        {
            await page.GotoAsync($"/admin/sheets?m={month}");
            Assert.Equal(0, await OverflowAsync(page));
            var actions = await page.Locator("#sheets td.c-actions a, #sheets td.c-actions button").EvaluateAllAsync<double[]>(
                "els => els.map(e => e.getBoundingClientRect().right)");
            Assert.True(actions.Length > 0, $"no actions on {month}");
            Assert.All(actions, right => Assert.True(right <= width, $"an action ends at {right} px on {month}"));
            var first = (await page.Locator("#sheets td.c-actions a").First.BoundingBoxAsync())!;
            Assert.True(first.Height >= 44 || viewport == Viewport.Desktop, $"查看 is {first.Height} px high");
            if (viewport == Viewport.Phone && month == current.ToString()) await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot("probe7-admin-sheets-phone") });
        }
    }
}
