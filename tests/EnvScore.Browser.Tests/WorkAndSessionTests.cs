using System.Text.RegularExpressions;
using EnvScore.Api.Features.Demo;
using EnvScore.Domain.Rules;
using EnvScore.Testing;
using static Microsoft.Playwright.Assertions;

namespace EnvScore.Browser.Tests;

/// <summary>The secretary's spreadsheet form on /work, signing in and out, and the refusal page's way out.</summary>
[Collection(BrowserCollection.Name)]
public sealed class WorkAndSessionTests(BrowserFixture f)
{
    /// <summary>Township 2 (杏花营镇): a file with "三" listed by cell, then the fixed file imported (desktop: as drafts; phone: and submitted).</summary>
    [Theory, InlineData(Viewport.Desktop, false), InlineData(Viewport.Phone, true)]
    [Presses("Work/_SpreadsheetForm.cshtml", "Upload")]
    public async Task Secretary_uploads_the_spreadsheet_and_reads_the_answer_on_the_page(Viewport viewport, bool submit)
    {
        var secretary = BrowserFixture.Secretary(2);
        var townshipId = await f.TownshipIdAsync(2);
        var counted = f.Rules.Items.OfType<PerOccurrenceItem>().First();
        var api = await f.ApiAsync(secretary);
        var template = await api.GetByteArrayAsync($"/api/spreadsheets/template?month=2026-11&townshipId={townshipId}");
        var first = DemoDistrict.VillageCode(DemoDistrict.Townships[2], 0);
        await using var s = await f.OpenAsync(secretary, viewport);
        var page = s.Page;
        await page.GotoAsync("/work");
        await page.Locator("#xlsx").SetInputFilesAsync(MonthlyCycleTests.Xlsx(MonthlyCycleTests.Fill(template, f.Rules, first, counted.Code, "三")));
        await page.Locator("#upload-form button[type=submit]").ClickAsync();
        await Expect(page.Locator("#upload-result")).ToContainTextAsync("未导入任何内容");
        await Expect(page.Locator("#upload-result p").First).ToBeInViewportAsync(); // the page opens at the answer, not at its top
        await Expect(page.Locator("#upload-result table.problems")).ToContainTextAsync("实际为\"三\"");

        await page.Locator("#xlsx").SetInputFilesAsync(MonthlyCycleTests.Xlsx(MonthlyCycleTests.Fill(template, f.Rules, first, counted.Code, "4")));
        if (submit) await page.Locator("#submit-after").CheckAsync();
        await page.Locator("#upload-form button[type=submit]").ClickAsync();
        await Expect(page.Locator("#upload-result")).ToContainTextAsync("导入成功");
        await Expect(page.Locator("#status-table")).Not.ToContainTextAsync("未填写");
        await Expect(page.Locator("#status-table")).ToContainTextAsync(submit ? "已提交" : "草稿");
        if (submit) Assert.Contains(s.Dialogs, d => d.Contains("提交"));
        var villageId = await f.VillageIdAsync(2, 0);
        var sheet = (await f.SheetAsync(secretary, villageId, "2026-11", "Self"))!.Value;
        Assert.Equal(submit ? "Submitted" : "Draft", sheet.GetProperty("status").GetString());
        Assert.Equal(4, sheet.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("itemCode").GetString() == counted.Code).GetProperty("count").GetInt32());
        await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot($"work-upload-{viewport}".ToLowerInvariant()) });
    }

    [Theory, InlineData(Viewport.Phone), InlineData(Viewport.Desktop)]
    [Presses("Login.cshtml", ""), Presses("Shared/_Layout.cshtml", "/Logout")]
    public async Task A_user_signs_in_and_out(Viewport viewport)
    {
        await using var s = await f.OpenAsync(BrowserFixture.Public, viewport);
        var page = s.Page;
        await BrowserFixture.LoginAsync(page, BrowserFixture.Inspector);
        await Expect(page).ToHaveURLAsync(new Regex("/work$"));
        await Expect(page.Locator("header .who")).ToBeVisibleAsync();
        await page.Locator("header button", new() { HasText = "退出" }).ClickAsync();
        await Expect(page.Locator("header")).ToContainTextAsync("登录");
        await page.GotoAsync("/work");
        await Expect(page).ToHaveURLAsync(new Regex("/login"));
    }

    [Theory, InlineData(Viewport.Phone), InlineData(Viewport.Desktop)]
    [Presses("Denied.cshtml", "/Logout")]
    public async Task A_refused_secretary_reads_a_chinese_page_and_can_switch_accounts(Viewport viewport)
    {
        await using var s = await f.OpenAsync(BrowserFixture.Public, viewport);
        var page = s.Page;
        await BrowserFixture.LoginAsync(page, BrowserFixture.Secretary(1));
        var response = await page.GotoAsync("/admin");
        Assert.Equal(403, response!.Status);
        await Expect(page.Locator("#denied")).ToContainTextAsync("无权访问");
        await page.Locator("main button", new() { HasText = "换一个账户登录" }).ClickAsync();
        await Expect(page.Locator("header")).ToContainTextAsync("登录");
        Assert.DoesNotContain("secretary", await page.Locator("header").InnerTextAsync());
    }
}
