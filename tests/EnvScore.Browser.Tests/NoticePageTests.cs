using System.Text;
using EnvScore.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EnvScore.Browser.Tests;

/// <summary>
/// The notice (通报) pages: the public printable notice of a published month (from the ranking page), its Word download,
/// and the admin's preview with the editor of the notice's words — at phone and desktop size, read back over the API.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class NoticePageTests(BrowserFixture f)
{
    [Theory, InlineData(Viewport.Phone), InlineData(Viewport.Desktop)]
    public async Task Anyone_opens_the_printable_notice_from_the_ranking_and_downloads_the_Word_file(Viewport viewport)
    {
        await using var s = await f.OpenAsync(BrowserFixture.Public, viewport);
        var page = s.Page;
        await page.GotoAsync("/?m=2026-10");
        await page.GetByRole(AriaRole.Link, new() { Name = "通报全文（可打印、Word）" }).ClickAsync();
        await Expect(page.Locator("#notice-title")).ToHaveTextAsync("关于2026年10月份农村人居环境集中整治月评比结果的通报");
        var api = await f.ApiAsync(BrowserFixture.Admin);
        var rows = (await api.GetJsonAsync("/odata/PublishedVillageResults?$filter=month eq 202610&$orderby=districtRank&$top=100"))
            .GetProperty("value").EnumerateArray().ToList();
        await Expect(page.Locator("#notice-ranking tbody tr")).ToHaveCountAsync(rows.Count);
        var first = page.Locator("#notice-ranking tbody tr").First.Locator("td");
        await Expect(first.Nth(2)).ToHaveTextAsync(rows[0].GetProperty("villageName").GetString()!);
        await Expect(first.Nth(4)).ToHaveTextAsync(rows[0].GetProperty("finalScore").GetDecimal().ToString("0.##", System.Globalization.CultureInfo.InvariantCulture));
        await Expect(page.Locator("#notice")).ToContainTextAsync($"全区共评比{rows.Count}个村（社区）");
        // A published notice keeps the words in force when it was published, whatever the admin saved later.
        await Expect(page.Locator("#notice")).Not.ToContainTextAsync("评比结果通报如下（Phone）");
        await Expect(page.Locator("#notice")).Not.ToContainTextAsync("评比结果通报如下（Desktop）");
        await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot($"notice-{viewport.ToString().ToLowerInvariant()}") });

        // Printed: the page's buttons and navigation are gone, the notice stays.
        await page.EmulateMediaAsync(new() { Media = Media.Print });
        await Expect(page.Locator(".notice-actions")).ToBeHiddenAsync();
        await Expect(page.Locator("#notice-title")).ToBeVisibleAsync();
        await page.EmulateMediaAsync(new() { Media = Media.Screen });

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#notice-docx").ClickAsync());
        Assert.EndsWith(".docx", download.SuggestedFilename);
        var bytes = await File.ReadAllBytesAsync((await download.PathAsync())!);
        Assert.Equal("PK", Encoding.ASCII.GetString(bytes, 0, 2));
    }

    [Theory, InlineData(Viewport.Phone), InlineData(Viewport.Desktop)]
    [Presses("Admin/Notice.cshtml", "Template"), Presses("Admin/Notice.cshtml", "GET")]
    public async Task Admin_previews_the_notice_and_edits_its_words(Viewport viewport)
    {
        await using var s = await f.OpenAsync(BrowserFixture.Admin, viewport);
        var page = s.Page;
        await page.GotoAsync("/admin?m=2026-10");
        await page.Locator("#notice-preview-link").ClickAsync();
        await Expect(page.Locator("#notice")).ToContainTextAsync("【审核预览·未发布，不得对外公开】");
        var api = await f.ApiAsync(BrowserFixture.Admin);
        var districtId = (await api.GetJsonAsync("/odata/Districts")).GetProperty("value")[0].GetProperty("id").GetInt32();
        var before = (await api.GetJsonAsync($"/api/notice-templates/{districtId}")).GetProperty("version").GetInt32();

        // A wrong placeholder is answered on the page and nothing is stored.
        await page.Locator("#template summary").ClickAsync();
        await page.Locator("#opening").FillAsync("{月分}评比结果如下。");
        await page.Locator("#save-template").ClickAsync();
        await Expect(page.Locator("#errors")).ToContainTextAsync("\"{月分}\"不是可用的占位符");
        await Expect(page.Locator("#opening")).ToHaveValueAsync("{月分}评比结果如下。");
        Assert.Equal(before, (await api.GetJsonAsync($"/api/notice-templates/{districtId}")).GetProperty("version").GetInt32());

        var size = viewport == Viewport.Phone ? "手机" : "电脑"; // the words stay Chinese: the crawl reads this page after
        var opening = $"现将{{月份}}份评比结果通报如下（{size}）。";
        await page.Locator("#opening").FillAsync(opening);
        await page.Locator("#save-template").ClickAsync();
        await Expect(page.Locator("#message")).ToContainTextAsync($"已保存为第{before + 1}版");
        await Expect(page.Locator("#notice")).ToContainTextAsync($"现将2026年10月份评比结果通报如下（{size}）。");
        var stored = await api.GetJsonAsync($"/api/notice-templates/{districtId}");
        Assert.Equal((before + 1, opening), (stored.GetProperty("version").GetInt32(), stored.GetProperty("opening").GetString()));
        await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot($"admin-notice-{viewport.ToString().ToLowerInvariant()}") });

        // The month picker: September's preview.
        await page.Locator("#m").FillAsync("2026-09");
        await page.Locator("form.picker button[type=submit]").ClickAsync();
        await Expect(page.Locator("#notice-title")).ToHaveTextAsync("关于2026年9月份农村人居环境集中整治月评比结果的通报");
    }

    [Theory, InlineData(Viewport.Phone), InlineData(Viewport.Desktop)]
    [Presses("Admin/Analysis.cshtml", "GET")]
    public async Task Admin_reads_the_analysis_for_the_district_and_a_township(Viewport viewport)
    {
        await using var s = await f.OpenAsync(BrowserFixture.Admin, viewport);
        var page = s.Page;
        await page.GotoAsync("/admin?m=2026-10");
        await page.Locator("#office-links").GetByRole(AriaRole.Link, new() { Name = "月度分析" }).ClickAsync();
        await Expect(page.Locator("h1")).ToContainTextAsync("2026年10月 月度分析（全区）");
        var api = await f.ApiAsync(BrowserFixture.Admin);
        var districtId = (await api.GetJsonAsync("/odata/Districts")).GetProperty("value")[0].GetProperty("id").GetInt32();
        var data = await api.GetJsonAsync($"/api/analysis/{districtId}/2026-10?months=6");
        var top = data.GetProperty("districtProblems").EnumerateArray().Where(p => p.GetProperty("month").GetInt32() == 202610)
            .OrderByDescending(p => p.GetProperty("pointsLost").GetDecimal()).First();
        var firstLabel = page.Locator("#top-items text").First;
        await Expect(firstLabel).ToContainTextAsync(top.GetProperty("itemTitle").GetString()!);
        await Expect(page.Locator("#top-items text").Nth(1)).ToHaveTextAsync($"扣{top.GetProperty("pointsLost").GetDecimal():0.##}分");
        // Readable on a phone: every chart label is drawn at least 11 px high.
        var smallest = await page.EvaluateAsync<double>("() => Math.min(...[...document.querySelectorAll('svg.chart text')].map(t => t.getBoundingClientRect().height))");
        Assert.True(smallest >= 11, $"smallest chart label {smallest:F1} px");

        // One township (the GET form).
        var township = data.GetProperty("townshipProblems").EnumerateArray().First(p => p.GetProperty("month").GetInt32() == 202610);
        await page.Locator("#t").SelectOptionAsync(township.GetProperty("townshipId").GetInt32().ToString());
        await page.Locator("form.picker button[type=submit]").ClickAsync();
        await Expect(page.Locator("h1")).ToContainTextAsync($"（{township.GetProperty("townshipName").GetString()}）");
        await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot($"admin-analysis-{viewport.ToString().ToLowerInvariant()}"), FullPage = true });
    }
}
