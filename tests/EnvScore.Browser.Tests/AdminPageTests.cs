using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.RegularExpressions;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Rules;
using EnvScore.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EnvScore.Browser.Tests;

/// <summary>The district office's forms: calendar, compute, publish, correction and a corrected sheet, return, rule sets.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AdminPageTests(BrowserFixture f)
{
    [Theory, InlineData(Viewport.Phone, "2027-01"), InlineData(Viewport.Desktop, "2026-12")]
    [Presses("Admin/Index.cshtml", "Calendar")]
    public async Task Admin_sets_a_months_calendar(Viewport viewport, string month)
    {
        await using var s = await f.OpenAsync(BrowserFixture.Admin, viewport);
        var page = s.Page;
        await page.GotoAsync($"/admin?m={month}");
        await page.Locator("#tdl").FillAsync($"{month}-28T17:30");
        await page.Locator("#cal-title ~ form button[type=submit]").ClickAsync();
        await Expect(page.Locator("#message")).ToContainTextAsync("已保存");
        await Expect(page.Locator("#tdl")).ToHaveValueAsync($"{month}-28T17:30");
        await Expect(page.Locator("#cal-title")).ToContainTextAsync("已单独设置");
        var api = await f.ApiAsync(BrowserFixture.Admin);
        var calendars = await api.GetJsonAsync($"/odata/Calendars?$filter=month eq {month.Replace("-", "")}");
        var stored = Assert.Single(calendars.GetProperty("value").EnumerateArray());
        // 17:30 in Beijing is 09:30 UTC.
        Assert.Equal(new DateTimeOffset(int.Parse(month[..4]), int.Parse(month[5..]), 28, 9, 30, 0, TimeSpan.Zero), stored.GetProperty("townshipDeadline").GetDateTimeOffset());
    }

    /// <summary>A past month (July): compute, publish, open a correction, correct one sheet on its page, recompute, publish revision 2.</summary>
    [Fact]
    [Presses("Admin/Index.cshtml", "Compute"), Presses("Admin/Index.cshtml", "Publish"), Presses("Admin/Index.cshtml", "Correction"), Presses("Work/Sheet.cshtml", "Correct")]
    public async Task Admin_computes_publishes_and_corrects_a_month_on_the_desktop()
    {
        const string month = "2026-07";
        var villageId = await f.VillageIdAsync(2, 0);
        var counted = f.Rules.Items.OfType<PerOccurrenceItem>().First();
        await SeedLockedSheetAsync(villageId, new EvaluationMonth(2026, 7), counted.Code, 1);

        await using var s = await f.OpenAsync(BrowserFixture.Admin, Viewport.Desktop);
        var page = s.Page;
        await page.GotoAsync($"/admin?m={month}");
        await page.Locator("#compute").ClickAsync();
        await Expect(page.Locator("#message")).ToContainTextAsync("计算完成");
        await Expect(page.Locator("#review tbody tr")).ToHaveCountAsync(55);
        await page.Locator("#publish").ClickAsync();
        await Expect(page.Locator("#message")).ToContainTextAsync("已发布");
        await Expect(page.Locator("#revisions")).ToContainTextAsync("第1版");
        var api = await f.ApiAsync(BrowserFixture.Admin);
        var pub = Assert.Single((await api.GetJsonAsync("/odata/Publications?$filter=month eq 202607")).GetProperty("value").EnumerateArray());
        Assert.Equal(1, pub.GetProperty("latestRevision").GetInt32());

        // Without the required reason the browser says so first; nothing is asked and nothing is sent.
        var asked = s.Dialogs.Count;
        await page.Locator("#open-correction").ClickAsync();
        Assert.False(await page.Locator("#creason").EvaluateAsync<bool>("e => e.validity.valid"));
        Assert.Equal(asked, s.Dialogs.Count);
        await page.Locator("#creason").FillAsync("杨桥社区乱堆乱放核实为误记");
        await page.Locator("#open-correction").ClickAsync();
        await Expect(page.Locator("#message")).ToContainTextAsync("已开启更正");

        await page.GotoAsync($"/admin/sheets?m={month}");
        await page.Locator($"a[href*='villageId={villageId}&']", new() { HasText = "更正" }).ClickAsync();
        await page.Locator($"#f-{counted.Code}").FillAsync("0");
        await page.Locator("#reason").FillAsync("现场复核无乱堆乱放");
        await page.Locator("#correct-sheet").ClickAsync();
        await Expect(page.Locator("#message")).ToContainTextAsync("已更正");
        await Expect(page.Locator($"#f-{counted.Code}")).ToHaveValueAsync("0");
        var corrected = (await f.SheetAsync(BrowserFixture.Admin, villageId, month, "Self"))!.Value;
        Assert.Equal(0, corrected.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("itemCode").GetString() == counted.Code).GetProperty("count").GetInt32());
        // The audit row of the correction says why, and no "备注：空→空" (the form's empty note is no change).
        await page.GotoAsync($"/admin/audit?m={month}");
        var row = page.Locator("#audit tr", new() { HasText = "现场复核无乱堆乱放" });
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("更正原因");
        await Expect(row).Not.ToContainTextAsync("空→空");

        await page.GotoAsync($"/admin?m={month}");
        await page.Locator("#compute").ClickAsync();
        await Expect(page.Locator("#message")).ToContainTextAsync("计算完成");
        await page.Locator("#publish").ClickAsync();
        await Expect(page.Locator("#message")).ToContainTextAsync("第2版");
        await Expect(page.Locator("#revisions")).ToContainTextAsync("第2版");
        await page.GotoAsync($"/?m={month}");
        await Expect(page.Locator("main")).ToContainTextAsync("本月通报已更正");
    }

    [Theory, InlineData(Viewport.Phone, 5), InlineData(Viewport.Desktop, 6)]
    [Presses("Admin/Sheets.cshtml", "Return")]
    public async Task Admin_returns_a_submitted_sheet_with_a_reason(Viewport viewport, int villageIndex)
    {
        var villageId = await f.VillageIdAsync(0, villageIndex);
        var secretary = await f.ApiAsync(BrowserFixture.Secretary(0));
        var response = await secretary.PostAsJsonAsync("/odata/Evaluations", new
        {
            villageId, month = "2026-11", kind = "Self",
            entries = KestrelFactory.FullMarks(f.Rules).Select(e => new { e.ItemCode, e.Level, e.Passed }),
        });
        var created = await response.ExpectAsync(System.Net.HttpStatusCode.Created);
        var id = created.GetProperty("id").GetInt32();
        var submit = new HttpRequestMessage(HttpMethod.Post, $"/odata/Evaluations({id})/Submit");
        submit.Headers.TryAddWithoutValidation("If-Match", response.Headers.ETag!.ToString());   // the sheet's tag, as served
        await (await secretary.SendAsync(submit)).ExpectAsync(System.Net.HttpStatusCode.OK);

        await using var s = await f.OpenAsync(BrowserFixture.Admin, viewport);
        var page = s.Page;
        await page.GotoAsync("/admin/sheets?m=2026-11");
        await page.Locator($"#reason-{id}").FillAsync("照片与实际不符，请重新核实");
        await page.Locator($"#return-{id}").ClickAsync();
        await Expect(page.Locator("[role=status]")).ToContainTextAsync("已退回");
        Assert.Contains(s.Dialogs, d => d.Contains("确定退回"));
        var sheet = (await f.SheetAsync(BrowserFixture.Admin, villageId, "2026-11", "Self"))!.Value;
        Assert.Equal("Returned", sheet.GetProperty("status").GetString());
        Assert.Equal("照片与实际不符，请重新核实", sheet.GetProperty("returnReason").GetString());
        await Expect(page.Locator("main")).ToContainTextAsync("照片与实际不符，请重新核实");
    }

    [Theory, InlineData(Viewport.Phone, 3, "2027-04"), InlineData(Viewport.Desktop, 2, "2027-03")]
    [Presses("Admin/RuleSets.cshtml", "Upload"), Presses("Admin/RuleSets.cshtml", "Activate"), Presses("Admin/RuleSets.cshtml", "Withdraw")]
    public async Task Admin_uploads_a_rule_set_and_activates_it(Viewport viewport, int version, string from)
    {
        var yaml = await File.ReadAllTextAsync(Path.Combine(BrowserFixture.Root, "scoring-rules", "six-disorders-six-cleanups.yaml"));
        yaml = Regex.Replace(yaml, "(?m)^version: 1$", $"version: {version}");
        await using var s = await f.OpenAsync(BrowserFixture.Admin, viewport);
        var page = s.Page;
        await page.GotoAsync("/admin/rulesets");
        await page.Locator("#file").SetInputFilesAsync(new FilePayload { Name = $"细则v{version}.yaml", MimeType = "application/yaml", Buffer = System.Text.Encoding.UTF8.GetBytes(yaml) });
        await page.Locator("form[enctype] button[type=submit]").ClickAsync();
        await Expect(page.Locator("[role=status]")).ToContainTextAsync($"第{version}版");
        var row = page.Locator("tbody tr", new() { HasText = $"第{version}版" });
        await Expect(row).ToContainTextAsync("草稿");
        await row.Locator("input[type=month]").FillAsync(from);
        await row.Locator("button[type=submit]").ClickAsync();
        await Expect(page.Locator("[role=status]")).ToContainTextAsync("已启用");
        await Expect(page.Locator("tbody tr", new() { HasText = $"第{version}版" })).ToContainTextAsync("已启用");
        var api = await f.ApiAsync(BrowserFixture.Admin);
        var stored = Assert.Single((await api.GetJsonAsync($"/odata/RuleSets?$filter=version eq {version}")).GetProperty("value").EnumerateArray());
        Assert.Equal("Active", stored.GetProperty("status").GetString());
        Assert.Equal(int.Parse(from.Replace("-", "")), stored.GetProperty("effectiveFromMonth").GetInt32());

        // Not yet in force and no sheet uses it: 撤销启用 (asked first) puts it back to a draft; then activated again.
        var activeRow = page.Locator("tbody tr", new() { HasText = $"第{version}版" });
        await activeRow.GetByRole(AriaRole.Button, new() { Name = "撤销启用" }).ClickAsync();
        await Expect(page.Locator("[role=status]")).ToContainTextAsync("已撤销启用");
        Assert.Contains(s.Dialogs, d => d.Contains("确定撤销"));
        await Expect(page.Locator("tbody tr", new() { HasText = $"第{version}版" })).ToContainTextAsync("草稿");
        var withdrawn = Assert.Single((await api.GetJsonAsync($"/odata/RuleSets?$filter=version eq {version}")).GetProperty("value").EnumerateArray());
        Assert.Equal("Draft", withdrawn.GetProperty("status").GetString());
        await page.Locator("tbody tr", new() { HasText = $"第{version}版" }).Locator("input[type=month]").FillAsync(from);
        await page.Locator("tbody tr", new() { HasText = $"第{version}版" }).GetByRole(AriaRole.Button, new() { Name = "启用" }).ClickAsync();
        await Expect(page.Locator("[role=status]")).ToContainTextAsync("已启用");
    }

    private async Task SeedLockedSheetAsync(int villageId, EvaluationMonth month, string itemCode, int count)
    {
        await using var scope = f.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<EnvScoreDbContext>();
        var village = await db.Villages.AsNoTracking().Include(v => v.Township).SingleAsync(v => v.Id == villageId);
        var record = await db.RuleSets.AsNoTracking().Where(r => r.Status == EnvScore.Api.Features.RuleSets.RuleSetStatus.Active).OrderBy(r => r.Id).FirstAsync();
        var at = new DateTimeOffset(month.Year, month.Month, 25, 2, 0, 0, TimeSpan.Zero);
        var entries = KestrelFactory.FullMarks(f.Rules);
        entries.Add(new EvaluationEntry { ItemCode = itemCode, Count = count });
        db.Evaluations.Add(new Evaluation
        {
            VillageId = villageId, TownshipId = village.TownshipId, DistrictId = village.Township!.DistrictId, Month = month.Key, Kind = EvaluationKind.Self,
            RuleSetId = record.Id, CreatedAt = at, CreatedBy = "seed", UpdatedAt = at, UpdatedBy = "seed", Entries = entries,
        }.WithHistory(EvaluationStatus.Locked, at, "seed", at));
        await db.SaveChangesAsync();
    }
}
