using System.Text.RegularExpressions;
using EnvScore.Api.Features.Demo;
using EnvScore.Domain.Rules;
using EnvScore.Testing;
using static Microsoft.Playwright.Assertions;

namespace EnvScore.Browser.Tests;

/// <summary>
/// A whole month on a phone (390×844), in the browser only: the secretary of 杏花营农场 fills in and submits every one of
/// its 18 villages with the web form; an inspector enters a spot-check; the admin computes, publishes, opens a correction,
/// corrects one sheet, recomputes and publishes revision 2; the public page shows the corrected scores.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PhoneMonthTests(BrowserFixture f)
{
    private const string Month = "2026-11";

    [Fact]
    [Presses("Work/Sheet.cshtml", "Save"), Presses("Admin/Index.cshtml", "Compute"), Presses("Admin/Index.cshtml", "Publish"),
     Presses("Admin/Index.cshtml", "Correction"), Presses("Work/Sheet.cshtml", "Correct")]
    public async Task A_month_done_on_the_phone_only()
    {
        var township = DemoDistrict.Townships[1];
        var secretary = BrowserFixture.Secretary(1);
        var l01 = f.Rules.Items.OfType<PerOccurrenceItem>().Single(i => i.Code == "L01"); // 5 points, minus 2 a place
        Assert.Equal((5m, 2m), (l01.Points, l01.DeductionEach));
        var ids = new List<int>();
        for (var i = 0; i < township.Villages.Length; i++) ids.Add(await f.VillageIdAsync(1, i));

        // — The secretary: every village by the web form, submitted. Village 0 has two illegal structures (96 points). —
        await using (var s = await f.OpenAsync(secretary, Viewport.Phone))
        {
            var page = s.Page;
            for (var i = 0; i < ids.Count; i++)
            {
                await page.GotoAsync($"/work?m={Month}");
                await page.Locator($"#status-table a[href*='villageId={ids[i]}&']").ClickAsync();
                await f.FillSheetAsync(page, i == 0 ? new Dictionary<string, string> { ["L01"] = "2" } : null);
                if (i == 0) await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot("phone-sheet-filled") });
                await page.Locator("#submit-sheet").ClickAsync();
                await Expect(page.Locator("#message")).ToContainTextAsync("已提交");
            }
            await page.GotoAsync($"/work?m={Month}");
            await Expect(page.Locator("#status-table")).Not.ToContainTextAsync("未填写");
            await Expect(page.Locator("#status-table tbody tr", new() { HasText = "已提交" })).ToHaveCountAsync(18);
            await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot("phone-work-all-submitted"), FullPage = true });
        }
        foreach (var id in ids)
            Assert.Equal("Submitted", (await f.SheetAsync(secretary, id, Month, "Self"))!.Value.GetProperty("status").GetString());

        // — The inspector: a spot-check of village 0 with three illegal structures (5 points lost: 95). —
        await using (var s = await f.OpenAsync(BrowserFixture.Inspector, Viewport.Phone))
        {
            var page = s.Page;
            await page.GotoAsync($"/work?m={Month}");
            await page.Locator("#t").SelectOptionAsync(new Microsoft.Playwright.SelectOptionValue { Label = township.Name });
            await page.Locator("form.picker button[type=submit]").ClickAsync();
            await page.Locator($"#status-table a[href*='villageId={ids[0]}&']").ClickAsync();
            await Expect(page.Locator("[data-self=L01]")).ToHaveTextAsync("乡镇自评：2处"); // the township's answer beside the field
            await f.FillSheetAsync(page, new Dictionary<string, string> { ["L01"] = "3" });
            await Expect(page.Locator("#running-total")).ToHaveTextAsync("95"); // 5 points at most for L01
            await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot("phone-inspector-sheet") });
            await page.Locator("#submit-sheet").ClickAsync();
            await Expect(page.Locator("#message")).ToContainTextAsync("已提交");
        }
        Assert.Equal("Submitted", (await f.SheetAsync(BrowserFixture.Inspector, ids[0], Month, "District"))!.Value.GetProperty("status").GetString());

        // — The admin: compute, publish, correct village 1 (one illegal structure found later: 98), recompute, publish revision 2. —
        await using (var s = await f.OpenAsync(BrowserFixture.Admin, Viewport.Phone))
        {
            var page = s.Page;
            await page.GotoAsync($"/admin?m={Month}");
            await page.Locator("#compute").ClickAsync();
            await Expect(page.Locator("#message")).ToContainTextAsync("计算完成");
            // The township deadline (5 December) has not passed: the page says so, and the confirmation asks for an early publication.
            await Expect(page.Locator("#publish-warning")).ToContainTextAsync("尚未截止");
            await page.Locator("#publish").ClickAsync();
            await Expect(page.Locator("#message")).ToContainTextAsync("已发布");
            Assert.Contains(s.Dialogs, d => d.Contains("确定提前发布"));
            await page.Locator("#creason").FillAsync("贺砦社区抽查发现漏报");
            await page.Locator("#open-correction").ClickAsync();
            await Expect(page.Locator("#message")).ToContainTextAsync("已开启更正");

            await page.GotoAsync($"/admin/sheets?m={Month}");
            await page.Locator($"a[href*='villageId={ids[1]}&'][href*='kind=Self']").ClickAsync();
            await page.Locator("#f-L01").FillAsync("1");
            await page.Locator("#reason").FillAsync("区里复核发现一处违章搭建");
            await page.Locator("#correct-sheet").ClickAsync();
            await Expect(page.Locator("#message")).ToContainTextAsync("已更正");
            await Expect(page.Locator("#f-L01")).ToHaveValueAsync("1");

            await page.GotoAsync($"/admin?m={Month}");
            await page.Locator("#compute").ClickAsync();
            await Expect(page.Locator("#message")).ToContainTextAsync("计算完成");
            await page.Locator("#publish").ClickAsync();
            await Expect(page.Locator("#message")).ToContainTextAsync("第2版");
            await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot("phone-admin-published"), FullPage = false });
        }

        // — Anyone, on a phone: revision 2 with its reason; village 0 blended 96 × 30% + 95 × 70% = 95.3; village 1 corrected to 98. —
        await using (var s = await f.OpenAsync(BrowserFixture.Public, Viewport.Phone))
        {
            var page = s.Page;
            await page.GotoAsync($"/?m={Month}");
            await Expect(page.Locator("main")).ToContainTextAsync("本月通报已更正");
            await Expect(page.Locator("#ranking tbody tr", new() { HasText = township.Villages[0] }).Locator("td").Nth(4)).ToHaveTextAsync("95.3");
            await Expect(page.Locator("#ranking tbody tr", new() { HasText = township.Villages[1] }).Locator("td").Nth(4)).ToHaveTextAsync("98");
            await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot("phone-public-ranking") });
            await page.GotoAsync($"/village/{ids[0]}?m={Month}");
            await Expect(page.Locator("#final-formula")).ToHaveTextAsync("最终得分 = 自评 96 × 30% + 区级抽查 95 × 70% = 95.3");
            await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot("phone-public-village"), FullPage = true });
        }
        var api = await f.ApiAsync(BrowserFixture.Admin);
        var published = await api.GetJsonAsync($"/odata/PublishedVillageResults?$filter=month eq 202611 and villageId eq {ids[0]}&$orderby=revisionId desc&$top=1");
        Assert.Equal(95.3m, published.GetProperty("value")[0].GetProperty("finalScore").GetDecimal());
    }
}
