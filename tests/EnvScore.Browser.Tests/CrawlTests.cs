using System.Text;
using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EnvScore.Browser.Tests;

/// <summary>
/// Each role (anonymous, secretary, inspector, admin) at both sizes follows every link it is shown and presses every GET
/// form: no 4xx/5xx anywhere, downloads included; axe-core (color-contrast included: it is a wcag2aa rule) finds no
/// serious or critical violation on any kind of page; no empty data-confirm and no Latin word on any page visited;
/// no page has more than 100 KB of HTML (issue #20); no page is wider than the screen (probe 7).
/// Intended refusals are Chinese pages, never JSON.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CrawlTests(BrowserFixture f)
{
    /// <summary>Pages of one shape (same path with numbers replaced, same query names) are visited this often.</summary>
    private const int PerShape = 1;
    private const int MaxPages = 45;
    /// <summary>Most bytes of HTML a page may have (issue #20: a township office's 3G line).</summary>
    public const int PageBudgetBytes = 100 * 1024;
    /// <summary>Shapes already crawled (and checked by axe) at a size by an earlier role: later roles skip them (the run stays short).</summary>
    private static readonly Dictionary<Viewport, HashSet<string>> Crawled = new() { [Viewport.Phone] = [], [Viewport.Desktop] = [] };

    public static TheoryData<string, Viewport> Roles() => new()
    {
        { BrowserFixture.Public, Viewport.Phone }, { BrowserFixture.Public, Viewport.Desktop },
        { "secretary-410271001000", Viewport.Phone }, { "secretary-410271001000", Viewport.Desktop },
        { BrowserFixture.Inspector, Viewport.Phone }, { BrowserFixture.Inspector, Viewport.Desktop },
        { BrowserFixture.Admin, Viewport.Phone }, { BrowserFixture.Admin, Viewport.Desktop },
    };

    [Theory, MemberData(nameof(Roles))]
    [Presses("Shared/_MonthPicker.cshtml", "GET"), Presses("Work/Index.cshtml", "GET"), Presses("Admin/Index.cshtml", "GET"),
     Presses("Admin/Sheets.cshtml", "GET"), Presses("Admin/Audit.cshtml", "GET")]
    public async Task Every_link_and_get_form_answers_and_every_page_passes_axe(string user, Viewport viewport)
    {
        await using var s = await f.OpenAsync(user, viewport);
        var page = s.Page;
        var start = user switch { "" => "/", BrowserFixture.Admin => "/admin", _ => "/work" };
        var queue = new Queue<string>([start]);
        var seen = new HashSet<string> { start };
        var shapes = new Dictionary<string, int>();
        var pressedForms = new HashSet<string>();
        var problems = new List<string>();
        var visited = 0;
        while (queue.Count > 0 && visited < MaxPages)
        {
            var url = queue.Dequeue();
            var shape = Shape(url);
            if (shapes.GetValueOrDefault(shape) >= PerShape) continue;
            if (url != start && !Crawled[viewport].Add(shape)) continue;
            shapes[shape] = shapes.GetValueOrDefault(shape) + 1;
            if (url.StartsWith("/api/"))
            {
                var download = await s.Context.APIRequest.GetAsync(url);
                if (download.Status >= 400) problems.Add($"{url} → {download.Status}");
                continue;
            }
            visited++;
            var response = await page.GotoAsync(url);
            if (response is null || response.Status >= 400) { problems.Add($"{url} → {response?.Status}"); continue; }
            // A township office's line (3G): every page's HTML within 100 KB (issue #20; the load times over an emulated
            // 3G line are measured by `./envscore bench pages`, docs/performance.md, not asserted here).
            var html = await response.BodyAsync();
            if (html.Length > PageBudgetBytes) problems.Add($"{url} is {html.Length:N0} bytes of HTML (budget {PageBudgetBytes:N0})");
            await CheckAxeAsync(page, url, problems);
            // The page fits the screen's width: nothing makes the whole page scroll sideways (a wide table scrolls inside
            // its own .table-wrap, with the hint, and does not count).
            if (await AdminFitTests.OverflowAsync(page) is var over and > 0) problems.Add($"{url}: the page is {over} px wider than the screen");
            // No confirmation that asks nothing; no English on a page (units, formats and file extensions aside).
            foreach (var confirm in await page.Locator("[data-confirm]").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.confirm)"))
                if (string.IsNullOrWhiteSpace(confirm)) problems.Add($"{url}: an empty data-confirm");
            foreach (var word in ProbeFixTests.LatinWords(await page.Locator("main").InnerTextAsync())) problems.Add($"{url}: Latin word \"{word}\"");

            foreach (var href in await page.Locator("a[href]").EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('href'))"))
            {
                if (Local(href) is { } next && seen.Add(next)) queue.Enqueue(next);
            }
            // Every GET form of this kind of page, pressed once with what it shows.
            var forms = page.Locator("main form[method=get], main form:not([method])");
            for (var i = 0; i < await forms.CountAsync(); i++)
            {
                var key = $"{shape}#{i}";
                if (!pressedForms.Add(key)) continue;
                await page.GotoAsync(url);
                var button = page.Locator("main form[method=get], main form:not([method])").Nth(i).Locator("button[type=submit], button:not([type])").First;
                var answer = await page.RunAndWaitForResponseAsync(() => button.ClickAsync(), r => r.Request.IsNavigationRequest);
                if (answer.Status >= 400) problems.Add($"GET form {i} on {url} → {answer.Status} ({answer.Url})");
                else if (Local(new Uri(answer.Url).PathAndQuery) is { } next && seen.Add(next)) queue.Enqueue(next);
            }
        }
        Assert.True(visited >= 1, $"crawl visited only {visited} pages");
        Assert.True(problems.Count == 0, $"{(user == "" ? "anonymous" : user)} at {viewport}:\n" + string.Join("\n", problems));
    }

    /// <summary>Refusals a user can meet: each a Chinese HTML page with the way back, never JSON.</summary>
    [Theory, InlineData(Viewport.Phone), InlineData(Viewport.Desktop)]
    public async Task Intended_refusals_are_chinese_pages(Viewport viewport)
    {
        var otherTownshipVillage = await f.VillageIdAsync(1, 0);
        var own = await f.VillageIdAsync(0, 10);
        var cases = new (string User, string Url, int Status, string Text)[]
        {
            ("secretary-410271001000", "/admin", 403, "无权访问"),
            ("secretary-410271001000", "/admin/audit", 403, "无权访问"),
            ("secretary-410271001000", $"/work/sheet?villageId={otherTownshipVillage}&m=2026-11&kind=Self", 403, "无权访问"),
            ("secretary-410271001000", $"/work/sheet?villageId={own}&m=2026-11&kind=District", 403, "无权访问"),
            ("secretary-410271001000", "/work/sheet?villageId=999999&m=2026-11&kind=Self", 404, "找不到"),
            (BrowserFixture.Inspector, "/admin/rulesets", 403, "无权访问"),
            (BrowserFixture.Public, "/village/999999", 404, "找不到"),
            (BrowserFixture.Public, "/work", 200, "登录"),
        };
        foreach (var (user, url, status, text) in cases)
        {
            await using var s = await f.OpenAsync(user, viewport);
            var response = await s.Page.GotoAsync(url);
            Assert.True(response!.Status == status, $"{url} as {user}: {response.Status}");
            Assert.StartsWith("text/html", response.Headers["content-type"]);
            await Expect(s.Page.Locator("main")).ToContainTextAsync(text);
            await Expect(s.Page.Locator("a[href='/']").First).ToBeVisibleAsync(); // the way back
        }

        // A form whose token no longer matches (e.g. opened before signing in again): a Chinese page, nothing saved.
        await using (var s = await f.OpenAsync("secretary-410271001000", viewport))
        {
            await s.Page.GotoAsync($"/work/sheet?villageId={own}&m=2026-11&kind=Self");
            await s.Page.Locator("#sheet-form input[name=__RequestVerificationToken]").EvaluateAsync("e => e.value = 'stale'");
            var answer = await s.Page.RunAndWaitForResponseAsync(() => s.Page.Locator("#save-draft").ClickAsync(), r => r.Request.IsNavigationRequest);
            Assert.Equal(400, answer.Status);
            await Expect(s.Page.Locator("#status-page")).ToContainTextAsync("表单已过期");
            Assert.Null(await f.SheetAsync("secretary-410271001000", own, "2026-11", "Self"));
        }
    }

    private static async Task CheckAxeAsync(IPage page, string url, List<string> problems)
    {
        var result = await page.RunAxe(new Deque.AxeCore.Commons.AxeRunOptions
        {
            RunOnly = new Deque.AxeCore.Commons.RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        });
        foreach (var v in result.Violations.Where(v => v.Impact is "serious" or "critical"))
            problems.Add($"axe {v.Impact} {v.Id} on {url}: {v.Help} — {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))}");
    }

    /// <summary>A same-site address worth visiting, as path and query; null for other sites, fragments and sign-out.</summary>
    private static string? Local(string? href)
    {
        if (string.IsNullOrEmpty(href) || href.StartsWith('#') || href.StartsWith("mailto:") || href.StartsWith("http")) return null;
        var path = href.Split('#')[0];
        if (path.Length == 0 || path.StartsWith("/logout") || path.StartsWith("/login")) return null;
        return path;
    }

    private static string Shape(string url)
    {
        var parts = url.Split('?', 2);
        var path = Regex.Replace(parts[0], "[0-9]+", "N");
        var keys = parts.Length > 1 ? string.Join("&", parts[1].Split('&').Select(p => p.Split('=')[0]).Order()) : "";
        return path + "?" + keys;
    }
}
