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
}
