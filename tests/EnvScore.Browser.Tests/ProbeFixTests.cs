using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EnvScore.Browser.Tests;

/// <summary>
/// What a fresh user met in Chromium (probe of 2026-11-29), each as a kind: typed entries kept when a photo is uploaded
/// first, every problem of a save shown at once, buttons visible and tappable, no empty confirmation, the ranking and the
/// trend chart readable on a phone, Chinese only on pages, no action offered that the service will refuse.
/// Every test at phone and desktop size; expected values are written by hand.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ProbeFixTests(BrowserFixture f)
{
    private const string Month = "2026-11";
    private static readonly string Secretary = BrowserFixture.Secretary(0);

    private static Dictionary<string, JsonElement> Entries(JsonElement sheet) =>
        sheet.GetProperty("entries").EnumerateArray().ToDictionary(e => e.GetProperty("itemCode").GetString()!);

    [Theory, InlineData(Viewport.Phone, 11, true), InlineData(Viewport.Desktop, 12, true), InlineData(Viewport.Phone, 13, false)]
    [Presses("Work/Sheet.cshtml", "Evidence")]
    public async Task Uploading_a_photo_saves_what_was_typed_with_it(Viewport viewport, int villageIndex, bool javaScript)
    {
        var villageId = await f.VillageIdAsync(0, villageIndex);
        await using var s = await f.OpenAsync(Secretary, viewport, javaScript);
        var page = s.Page;
        await page.GotoAsync($"/work/sheet?villageId={villageId}&m={Month}&kind=Self");
        Assert.Null(await f.SheetAsync(Secretary, villageId, Month, "Self"));

        // A village with no sheet: type first, then choose a photo and press 上传照片.
        await page.Locator("#f-L01").FillAsync("2");
        await page.Locator("#f-L02").FillAsync("1");
        await page.Locator("#f-Q08").SelectOptionAsync(new SelectOptionValue { Label = "日产日清（扣0分）" });
        await page.Locator("#note").FillAsync("村口柴堆已清");
        await page.Locator("#photo").SetInputFilesAsync([SheetFormTests.Png("现场.png")]);
        await page.Locator("#upload-photo").ClickAsync();
        await Expect(page.Locator("#evidence-message")).ToContainTextAsync("已保存草稿。已上传1张照片：现场.png");
        await Expect(page.Locator("#f-L01")).ToHaveValueAsync("2");
        await Expect(page.Locator("#f-L02")).ToHaveValueAsync("1");
        await Expect(page.Locator("#f-Q08")).ToHaveValueAsync("A");
        await Expect(page.Locator("#note")).ToHaveValueAsync("村口柴堆已清");
        var sheet = (await f.SheetAsync(Secretary, villageId, Month, "Self"))!.Value;
        Assert.Equal("Draft", sheet.GetProperty("status").GetString());
        Assert.Equal("村口柴堆已清", sheet.GetProperty("note").GetString());
        var entries = Entries(sheet);
        Assert.Equal(2, entries["L01"].GetProperty("count").GetInt32());
        Assert.Equal(1, entries["L02"].GetProperty("count").GetInt32());
        Assert.Equal("A", entries["Q08"].GetProperty("level").GetString());
        Assert.Single(sheet.GetProperty("evidence").EnumerateArray());
        await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot($"probe-photo-first-{viewport}-{javaScript}".ToLowerInvariant()), FullPage = true });

        // The existing draft: a change and a wrong count typed, then a photo. Nothing stored; the typing kept; the problem at its field.
        await page.Locator("#f-L01").FillAsync("3");
        await page.Locator("#f-L04").FillAsync("-1");
        await page.Locator("#photo").SetInputFilesAsync([SheetFormTests.Png("第二张.png")]);
        await page.Locator("#upload-photo").ClickAsync();
        await Expect(page.Locator("#evidence-errors")).ToContainTextAsync("照片未上传，评分表也未保存");
        await Expect(page.Locator("#item-L04 .problem")).Not.ToBeEmptyAsync();
        await Expect(page.Locator("#f-L01")).ToHaveValueAsync("3");
        await Expect(page.Locator("#f-L04")).ToHaveValueAsync("-1");
        sheet = (await f.SheetAsync(Secretary, villageId, Month, "Self"))!.Value;
        Assert.Equal(2, Entries(sheet)["L01"].GetProperty("count").GetInt32());
        Assert.False(Entries(sheet).ContainsKey("L04"));
        Assert.Single(sheet.GetProperty("evidence").EnumerateArray());
        await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot($"probe-photo-invalid-{viewport}-{javaScript}".ToLowerInvariant()), FullPage = false });

        // Corrected and uploaded again: the change and the photo are both stored.
        await page.Locator("#f-L04").FillAsync("1");
        await page.Locator("#photo").SetInputFilesAsync([SheetFormTests.Png("第二张.png")]);
        await page.Locator("#upload-photo").ClickAsync();
        await Expect(page.Locator("#evidence-message")).ToContainTextAsync("已上传1张照片：第二张.png");
        await Expect(page.Locator("#f-L01")).ToHaveValueAsync("3");
        await Expect(page.Locator("#f-L04")).ToHaveValueAsync("1");
        sheet = (await f.SheetAsync(Secretary, villageId, Month, "Self"))!.Value;
        Assert.Equal(3, Entries(sheet)["L01"].GetProperty("count").GetInt32());
        Assert.Equal(1, Entries(sheet)["L04"].GetProperty("count").GetInt32());
        Assert.Equal(2, sheet.GetProperty("evidence").GetArrayLength());

        // 上传照片 with no photo chosen: said in Chinese, what was typed kept and not stored.
        await page.Locator("#f-L02").FillAsync("4");
        await page.Locator("#upload-photo").ClickAsync();
        await Expect(page.Locator("#evidence-errors")).ToContainTextAsync("请先选择要上传的照片");
        await Expect(page.Locator("#f-L02")).ToHaveValueAsync("4");
        Assert.Equal(1, Entries((await f.SheetAsync(Secretary, villageId, Month, "Self"))!.Value)["L02"].GetProperty("count").GetInt32());
        Assert.Empty(LatinWords(await page.Locator("main").InnerTextAsync()));

        // A file that is not a whole image: refused in Chinese only (the API's English gloss stays off the page).
        await page.Locator("#photo").SetInputFilesAsync([new FilePayload { Name = "坏图.png", MimeType = "image/png", Buffer = [.. SheetFormTests.PngBytes.Take(40)] }]);
        await page.Locator("#upload-photo").ClickAsync();
        await Expect(page.Locator("#evidence-errors")).ToContainTextAsync("坏图.png");
        Assert.Empty(LatinWords(await page.Locator("main").InnerTextAsync()));
        Assert.Equal(2, (await f.SheetAsync(Secretary, villageId, Month, "Self"))!.Value.GetProperty("evidence").GetArrayLength());
    }

    [Theory, InlineData(Viewport.Phone, 15), InlineData(Viewport.Desktop, 16)]
    [Presses("Work/Sheet.cshtml", "Save")]
    public async Task One_save_shows_every_problem_at_once(Viewport viewport, int villageIndex)
    {
        var villageId = await f.VillageIdAsync(0, villageIndex);
        await using var s = await f.OpenAsync(Secretary, viewport);
        var page = s.Page;
        await page.GotoAsync($"/work/sheet?villageId={villageId}&m={Month}&kind=Self");
        await f.FillSheetAsync(page, new Dictionary<string, string> { ["L01"] = "三处", ["L04"] = "-1", ["Q01"] = "2.5", ["C04"] = "9" });
        await Expect(page.Locator("#running-missing")).ToHaveTextAsync("有4处需修改");
        await page.Locator("#save-draft").ClickAsync();
        // Two words that are not whole numbers, a negative count, 9 of 5 sampled households: all four in one answer.
        foreach (var code in new[] { "L01", "L04", "Q01", "C04" })
            await Expect(page.Locator($"#err-{code}")).Not.ToBeEmptyAsync();
        await Expect(page.Locator("#errors-title")).ToHaveTextAsync("未保存任何内容：评分表有4处错误，请逐条修改："); // one headline
        await Expect(page.Locator("#errors li")).ToHaveCountAsync(4); // the four problems, in sheet order
        var order = f.Rules.Items.Select(i => i.Code).ToList();
        Assert.Equal(new[] { "L01", "L04", "Q01", "C04" }.OrderBy(order.IndexOf), await page.Locator("#errors li a").AllInnerTextsAsync());
        await Expect(page.Locator("#running-missing")).ToHaveTextAsync("有4处需修改"); // the bar agrees with the list
        await Expect(page.Locator("#f-L01")).ToHaveValueAsync("三处");
        await Expect(page.Locator("#f-C04")).ToHaveValueAsync("9");
        Assert.Null(await f.SheetAsync(Secretary, villageId, Month, "Self"));
        Assert.Empty(LatinWords(await page.Locator("main").InnerTextAsync()));
        await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot($"probe-all-errors-{viewport}".ToLowerInvariant()), FullPage = false });
    }

    /// <summary>A phone's IME types full-width digits and a measure word; a prefilled 0 stays when 不适用 is ticked: all read as the spreadsheet reads them.</summary>
    [Theory, InlineData(Viewport.Phone, 9), InlineData(Viewport.Desktop, 14)]
    [Presses("Work/Sheet.cshtml", "Save")]
    public async Task The_form_reads_numbers_as_the_spreadsheet_does(Viewport viewport, int villageIndex)
    {
        var villageId = await f.VillageIdAsync(0, villageIndex);
        await using var s = await f.OpenAsync(Secretary, viewport);
        var page = s.Page;
        await page.GotoAsync($"/work/sheet?villageId={villageId}&m={Month}&kind=Self");
        await f.FillSheetAsync(page, new Dictionary<string, string> { ["L01"] = "３", ["L04"] = " 2处 ", ["Q05"] = "0" });
        await page.Locator("#na-Q05").CheckAsync(); // the 0 is still in the field
        await page.Locator("#save-draft").ClickAsync();
        await Expect(page.Locator("#message")).ToHaveTextAsync("已保存草稿。");
        var sheet = (await f.SheetAsync(Secretary, villageId, Month, "Self"))!.Value;
        var entries = sheet.GetProperty("entries").EnumerateArray().ToDictionary(e => e.GetProperty("itemCode").GetString()!);
        Assert.Equal(3, entries["L01"].GetProperty("count").GetInt32());
        Assert.Equal(2, entries["L04"].GetProperty("count").GetInt32());
        Assert.True(entries["Q05"].GetProperty("notApplicable").GetBoolean());
        Assert.True(!entries["Q05"].TryGetProperty("count", out var q05) || q05.ValueKind == System.Text.Json.JsonValueKind.Null);
    }

    [Theory, InlineData(Viewport.Phone, 17), InlineData(Viewport.Desktop, 18)]
    [Presses("Work/Sheet.cshtml", "RemoveEvidence")]
    public async Task The_photo_delete_button_is_visible_tappable_and_asks_first(Viewport viewport, int villageIndex)
    {
        var villageId = await f.VillageIdAsync(0, villageIndex);
        await using var s = await f.OpenAsync(Secretary, viewport);
        var page = s.Page;
        await page.GotoAsync($"/work/sheet?villageId={villageId}&m={Month}&kind=Self");
        await page.Locator("#photo").SetInputFilesAsync([SheetFormTests.Png("删前.png")]);
        await page.Locator("#upload-photo").ClickAsync();
        await Expect(page.Locator("#evidence-list")).ToContainTextAsync("删前.png");
        var delete = page.Locator("#evidence-list button", new() { HasText = "删除" });
        var box = (await delete.BoundingBoxAsync())!;
        Assert.True(box.Height >= 44 && box.Width >= 44, $"删除 is {box.Width}×{box.Height}");
        Assert.True(await ContrastAsync(delete) >= 4.5, "删除 is not readable");
        await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot($"probe-photo-delete-{viewport}".ToLowerInvariant()), FullPage = true });
        await delete.ClickAsync();
        await Expect(page.Locator("#evidence-message")).ToContainTextAsync("已删除照片：删前.png");
        Assert.Contains(s.Dialogs, d => d.Contains("删前.png") && d.Contains("确定删除"));
        Assert.Equal(0, (await f.SheetAsync(Secretary, villageId, Month, "Self"))!.Value.GetProperty("evidence").GetArrayLength());
    }

    /// <summary>
    /// Every page each role reaches: each visible button readable (contrast ≥ 4.5 against what is behind it) and a
    /// ≥ 44 px target on the phone, no empty confirmation, no Latin word outside codes and units.
    /// </summary>
    [Theory, InlineData(Viewport.Phone), InlineData(Viewport.Desktop)]
    public async Task Every_button_is_readable_and_tappable_every_confirmation_says_something_and_pages_are_chinese(Viewport viewport)
    {
        var own = await f.VillageIdAsync(0, 17);
        var pages = new (string User, string Url)[]
        {
            (BrowserFixture.Public, "/"), (BrowserFixture.Public, "/?m=2026-09"), (BrowserFixture.Public, "/login"),
            (BrowserFixture.Public, $"/village/{own}?m=2026-10"),
            (Secretary, "/work"), (Secretary, $"/work/sheet?villageId={own}&m={Month}&kind=Self"),
            (Secretary, $"/work/sheet?villageId={own}&m=2026-10&kind=Self"),
            (BrowserFixture.Inspector, "/work"),
            (BrowserFixture.Admin, "/admin"), (BrowserFixture.Admin, "/admin?m=2026-05"), (BrowserFixture.Admin, "/admin?m=2026-10"),
            (BrowserFixture.Admin, "/admin?m=2026-12"), (BrowserFixture.Admin, "/admin/sheets?m=2026-10"), (BrowserFixture.Admin, "/admin/rulesets"),
        };
        var problems = new List<string>();
        foreach (var (user, url) in pages)
        {
            await using var s = await f.OpenAsync(user, viewport);
            var page = s.Page;
            await page.GotoAsync(url);
            foreach (var confirm in await page.Locator("[data-confirm]").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.confirm)"))
                if (string.IsNullOrWhiteSpace(confirm)) problems.Add($"{url}: an empty data-confirm");
            var buttons = page.Locator("button:visible, a.button:visible, input[type=submit]:visible");
            for (var i = 0; i < await buttons.CountAsync(); i++)
            {
                var b = buttons.Nth(i);
                var text = (await b.InnerTextAsync()).Trim();
                var box = await b.BoundingBoxAsync();
                if (box is null) continue;
                if (box.Height < 44 || (viewport == Viewport.Phone && box.Width < 44)) problems.Add($"{url}: \"{text}\" is {box.Width:0}×{box.Height:0} px");
                if (await ContrastAsync(b) is var c and < 4.5) problems.Add($"{url}: \"{text}\" contrast {c:0.0}");
            }
            foreach (var word in LatinWords(await page.Locator("main").InnerTextAsync())) problems.Add($"{url}: Latin word \"{word}\"");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory, InlineData(Viewport.Phone), InlineData(Viewport.Desktop)]
    [Presses("Admin/Index.cshtml", "Compute")]
    public async Task Computing_after_the_deadline_asks_nothing_and_computes(Viewport viewport)
    {
        await using var s = await f.OpenAsync(BrowserFixture.Admin, viewport);
        var page = s.Page;
        await page.GotoAsync("/admin?m=2026-05"); // long past its deadline, never published (2026-07 belongs to AdminPageTests)
        await Expect(page.Locator("#compute-warning")).ToHaveCountAsync(0);
        await page.Locator("#compute").ClickAsync();
        await Expect(page.Locator("#message")).ToContainTextAsync("计算完成");
        Assert.Empty(s.Dialogs);
    }

    [Theory, InlineData(Viewport.Phone), InlineData(Viewport.Desktop)]
    public async Task The_public_ranking_and_the_trend_chart_are_readable_on_the_device(Viewport viewport)
    {
        await using var s = await f.OpenAsync(BrowserFixture.Public, viewport);
        var page = s.Page;
        await page.GotoAsync("/?m=2026-10");
        var width = viewport == Viewport.Phone ? 390 : 1366;
        // Each key column of the first rows lies inside the screen, as laid out (no sideways scrolling needed).
        var cells = await page.Locator("#ranking tbody tr").First.Locator("td").EvaluateAllAsync<double[]>(
            "els => els.filter(e => e.getBoundingClientRect().width > 0).map(e => e.getBoundingClientRect().right)");
        Assert.NotEmpty(cells);
        Assert.All(cells, right => Assert.True(right <= width, $"a ranking cell ends at {right} px of {width}"));
        await page.Locator("#ranking tbody tr").First.ScrollIntoViewIfNeededAsync();
        await Expect(page.Locator("#ranking tbody tr").First.Locator(".tier")).ToBeInViewportAsync(new() { Ratio = 1 });
        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= width);
        await page.Locator("#ranking").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot($"probe-ranking-{viewport}".ToLowerInvariant()) });

        var village = await page.Locator("#ranking tbody a[href^='/village/']").First.GetAttributeAsync("href");
        await page.GotoAsync(village!);
        // The size each label is drawn at: its font size in the SVG times the SVG's scale on screen.
        var sizes = await page.Locator("#trend-chart text").EvaluateAllAsync<double[]>(
            "els => els.map(t => { const svg = t.ownerSVGElement; const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width; return parseFloat(getComputedStyle(t).fontSize) * scale; })");
        Assert.NotEmpty(sizes);
        Assert.True(sizes.Min() >= 11, $"chart text drawn at {sizes.Min():0.0} px");
        await page.Locator("#trend-chart").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot($"probe-chart-{viewport}".ToLowerInvariant()) });
    }

    [Theory, InlineData(Viewport.Phone, 6), InlineData(Viewport.Desktop, 7)]
    public async Task Pages_offer_only_what_the_service_allows_and_say_when_a_month_is_out_of_range(Viewport viewport, int villageIndex)
    {
        // A sheet submitted in June and never locked: long after June's deadline, 退回 would be refused.
        var villageId = await f.VillageIdAsync(2, villageIndex);
        await SeedSubmittedSheetAsync(villageId, new EnvScore.Domain.Calendar.EvaluationMonth(2026, 6));
        await using var s = await f.OpenAsync(BrowserFixture.Admin, viewport);
        var page = s.Page;
        await page.GotoAsync("/admin/sheets?m=2026-06");
        await Expect(page.Locator("main table tbody tr").First).ToBeVisibleAsync();
        await Expect(page.Locator("main button", new() { HasText = "退回" })).ToHaveCountAsync(0);
        await Expect(page.Locator(".return-closed").First).ToContainTextAsync("不能退回");

        foreach (var m in new[] { "1900-01", "9999-12" })
        {
            await page.GotoAsync($"/admin?m={m}");
            await Expect(page.Locator("#month-refused")).ToContainTextAsync($"月份\"{m}\"无法显示");
        }
    }

    private async Task SeedSubmittedSheetAsync(int villageId, EnvScore.Domain.Calendar.EvaluationMonth month)
    {
        await using var scope = f.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<EnvScore.Api.Infrastructure.Data.EnvScoreDbContext>();
        var village = await db.Villages.AsNoTracking().Include(v => v.Township).SingleAsync(v => v.Id == villageId);
        var record = await db.RuleSets.AsNoTracking().Where(r => r.Status == EnvScore.Api.Features.RuleSets.RuleSetStatus.Active).OrderBy(r => r.Id).FirstAsync();
        var at = new DateTimeOffset(month.Year, month.Month, 25, 2, 0, 0, TimeSpan.Zero);
        db.Evaluations.Add(new EnvScore.Api.Features.Evaluations.Evaluation
        {
            VillageId = villageId, TownshipId = village.TownshipId, DistrictId = village.Township!.DistrictId, Month = month.Key,
            Kind = EnvScore.Api.Features.Evaluations.EvaluationKind.Self, RuleSetId = record.Id,
            CreatedAt = at, CreatedBy = "seed", UpdatedAt = at,
            UpdatedBy = "seed", Entries = KestrelFactory.FullMarks(f.Rules),
        }.WithHistory(EnvScore.Api.Features.Evaluations.EvaluationStatus.Submitted, at, "seed"));
        await db.SaveChangesAsync();
    }

    /// <summary>
    /// Words of Latin letters on a page that are not codes: words with a lower-case letter ("file", "valid", "image"),
    /// wherever they stand (also next to Chinese text), apart from parts of a path or file name (scoring-rules/README,
    /// 现场.png) and the names Excel and Word (the programs the files open in). All-capital words are codes, units and formats (SDSC, KB, JPEG, YAML).
    /// </summary>
    internal static List<string> LatinWords(string text) =>
        Regex.Matches(text, @"(?<![A-Za-z0-9_./\-])[A-Za-z]{2,}(?![A-Za-z0-9_./\-])").Select(m => m.Value)
            .Where(w => w.Any(char.IsAsciiLetterLower) && w is not ("Excel" or "Word")).ToList();

    /// <summary>The WCAG contrast of an element's text against the first opaque background behind it.</summary>
    private static Task<double> ContrastAsync(ILocator element) => element.EvaluateAsync<double>("""
        e => {
          const rgb = s => (s.match(/[\d.]+/g) || []).map(Number);
          const lum = ([r, g, b]) => { const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
          let bg = null;
          for (let n = e; n; n = n.parentElement) { const c = rgb(getComputedStyle(n).backgroundColor); if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) { bg = c; break; } }
          bg = bg || [255, 255, 255];
          const fg = rgb(getComputedStyle(e).color);
          const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
          return (a + 0.05) / (b + 0.05);
        }
        """);
}
