using System.Text.RegularExpressions;
using EnvScore.Domain.Rules;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EnvScore.Browser.Tests;

/// <summary>
/// The village sheet form as its writers press it (issue #12: it could not be saved at all): a secretary's draft, wrong
/// counts answered next to their field, the stored value shown again and read over the API, submission; an inspector's
/// district check; photos added and removed. Every test at phone and desktop size.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SheetFormTests(BrowserFixture f)
{
    private const string Month = "2026-11";

    [Theory, InlineData(Viewport.Phone, 1), InlineData(Viewport.Desktop, 2)]
    [Presses("Work/Sheet.cshtml", "Save")]
    public async Task Secretary_saves_a_draft_sees_wrong_counts_answered_and_submits(Viewport viewport, int villageIndex)
    {
        var villageId = await f.VillageIdAsync(0, villageIndex);
        var counted = f.Rules.Items.OfType<PerOccurrenceItem>().First();
        var sampled = f.Rules.Items.OfType<SampledItem>().First();
        await using var s = await f.OpenAsync(BrowserFixture.Secretary(0), viewport);
        var page = s.Page;
        await page.GotoAsync($"/work?m={Month}");
        await page.Locator($"#status-table a[href*='villageId={villageId}&']").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/work/sheet\\?villageId={villageId}&m={Month}&kind=Self$"));

        // A count typed in words and a negative one: nothing stored, each answered next to its field, the typing kept.
        await f.FillSheetAsync(page, new Dictionary<string, string> { [counted.Code] = "三处", [sampled.Code] = "-1" });
        await page.Locator("#note").FillAsync("村东头柴草堆已清理");
        await page.Locator("#save-draft").ClickAsync();
        await Expect(page.Locator($"#item-{counted.Code} .problem")).ToContainTextAsync("三处");
        await Expect(page.Locator($"#f-{counted.Code}")).ToHaveValueAsync("三处");
        await Expect(page.Locator($"#f-{sampled.Code}")).ToHaveValueAsync("-1");
        await Expect(page.Locator("#note")).ToHaveValueAsync("村东头柴草堆已清理");
        Assert.Null(await f.SheetAsync(BrowserFixture.Secretary(0), villageId, Month, "Self"));
        await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot($"sheet-error-{viewport}".ToLowerInvariant()), FullPage = false });

        await page.Locator($"#f-{counted.Code}").FillAsync("2");
        await page.Locator($"#f-{sampled.Code}").FillAsync("-1");
        await page.Locator("#save-draft").ClickAsync();
        await Expect(page.Locator($"#item-{sampled.Code} .problem")).ToBeVisibleAsync();
        Assert.Null(await f.SheetAsync(BrowserFixture.Secretary(0), villageId, Month, "Self"));

        await page.Locator($"#f-{sampled.Code}").FillAsync("1");
        // The running score, from the server's engine: 100 − 2 places × 2 (L01) − 1 road section × 1 (L08) = 95.
        Assert.Equal(("L01", 2m, "L08", 1m), (counted.Code, counted.DeductionEach, sampled.Code, sampled.DeductionEach));
        await Expect(page.Locator("#running-total")).ToHaveTextAsync("95");
        await Expect(page.Locator("#running-missing")).ToHaveTextAsync("已全部填写");
        await page.Locator("#save-draft").ClickAsync();
        await Expect(page.Locator("#message")).ToHaveTextAsync("已保存草稿。");
        await Expect(page).ToHaveURLAsync(new Regex($"villageId={villageId}&m={Month}&kind=Self"));
        await Expect(page.Locator($"#f-{counted.Code}")).ToHaveValueAsync("2");
        await Expect(page.Locator($"#f-{sampled.Code}")).ToHaveValueAsync("1");
        await Expect(page.Locator("#running-total")).ToHaveTextAsync("95"); // as the server renders it after the save
        var draft = (await f.SheetAsync(BrowserFixture.Secretary(0), villageId, Month, "Self"))!.Value;
        Assert.Equal("Draft", draft.GetProperty("status").GetString());
        Assert.Equal("村东头柴草堆已清理", draft.GetProperty("note").GetString());
        var entries = draft.GetProperty("entries").EnumerateArray().ToDictionary(e => e.GetProperty("itemCode").GetString()!);
        Assert.Equal(2, entries[counted.Code].GetProperty("count").GetInt32());
        Assert.Equal(1, entries[sampled.Code].GetProperty("failedSamples").GetInt32());

        await page.Locator("#submit-sheet").ClickAsync();
        await Expect(page.Locator("#message")).ToContainTextAsync("已提交");
        Assert.Contains(s.Dialogs, d => d.Contains("确定提交"));
        await Expect(page.Locator($"#f-{counted.Code}")).ToBeDisabledAsync();
        await Expect(page.Locator($"#f-{counted.Code}")).ToHaveValueAsync("2");
        var submitted = (await f.SheetAsync(BrowserFixture.Secretary(0), villageId, Month, "Self"))!.Value;
        Assert.Equal("Submitted", submitted.GetProperty("status").GetString());
        await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot($"sheet-submitted-{viewport}".ToLowerInvariant()), FullPage = false });
    }

    [Theory, InlineData(Viewport.Phone, 7), InlineData(Viewport.Desktop, 8)]
    [Presses("Work/Sheet.cshtml", "Save")]
    public async Task Inspector_enters_a_district_check(Viewport viewport, int villageIndex)
    {
        var villageId = await f.VillageIdAsync(0, villageIndex);
        var counted = f.Rules.Items.OfType<PerOccurrenceItem>().Skip(1).First();
        await using var s = await f.OpenAsync(BrowserFixture.Inspector, viewport);
        var page = s.Page;
        await page.GotoAsync("/work");
        await page.Locator("#t").SelectOptionAsync(new SelectOptionValue { Label = "水稻乡" });
        await page.Locator("form.picker button[type=submit]").ClickAsync();
        await page.Locator($"#status-table a[href*='villageId={villageId}&']").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("kind=District$"));
        await f.FillSheetAsync(page, new Dictionary<string, string> { [counted.Code] = "3" });
        await page.Locator("#save-draft").ClickAsync();
        await Expect(page.Locator("#message")).ToHaveTextAsync("已保存草稿。");
        await Expect(page.Locator($"#f-{counted.Code}")).ToHaveValueAsync("3");
        var sheet = (await f.SheetAsync(BrowserFixture.Inspector, villageId, Month, "District"))!.Value;
        Assert.Equal(3, sheet.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("itemCode").GetString() == counted.Code).GetProperty("count").GetInt32());
        await page.Locator("#submit-sheet").ClickAsync();
        await Expect(page.Locator("#message")).ToContainTextAsync("已提交");
        Assert.Equal("Submitted", (await f.SheetAsync(BrowserFixture.Inspector, villageId, Month, "District"))!.Value.GetProperty("status").GetString());
    }

    [Theory, InlineData(Viewport.Phone, 3), InlineData(Viewport.Desktop, 4)]
    [Presses("Work/Sheet.cshtml", "Evidence"), Presses("Work/Sheet.cshtml", "RemoveEvidence")]
    public async Task Secretary_adds_photos_before_saving_and_removes_one(Viewport viewport, int villageIndex)
    {
        var villageId = await f.VillageIdAsync(0, villageIndex);
        var item = f.Rules.Items.First();
        await using var s = await f.OpenAsync(BrowserFixture.Secretary(0), viewport);
        var page = s.Page;
        await page.GotoAsync($"/work/sheet?villageId={villageId}&m={Month}&kind=Self");
        // No sheet yet: the first photo creates the draft.
        await page.Locator("#photo").SetInputFilesAsync([Png("村口.png"), Png("河沟.png")]);
        await page.Locator("#photo-item").SelectOptionAsync(item.Code);
        await page.Locator("#evidence-form button[type=submit]").ClickAsync();
        await Expect(page.Locator("#evidence-message")).ToContainTextAsync("已上传2张照片");
        await Expect(page.Locator("#evidence-list")).ToContainTextAsync("村口.png");
        var sheet = (await f.SheetAsync(BrowserFixture.Secretary(0), villageId, Month, "Self"))!.Value;
        Assert.Equal("Draft", sheet.GetProperty("status").GetString());
        var stored = sheet.GetProperty("evidence").EnumerateArray().ToList();
        Assert.Equal(2, stored.Count);
        Assert.All(stored, e => Assert.Equal(item.Code, e.GetProperty("itemCode").GetString()));
        var api = await f.ApiAsync(BrowserFixture.Secretary(0));
        var bytes = await api.GetByteArrayAsync($"/api/evidence/{stored[0].GetProperty("id").GetInt32()}");
        Assert.Contains(new[] { "村口.png", "河沟.png" }, n => EnvScore.Testing.TestImages.PngTitled(n).AsSpan().SequenceEqual(bytes)); // the bytes sent

        await page.Locator("#evidence-list button", new() { HasText = "删除" }).First.ClickAsync();
        await Expect(page.Locator("#evidence-message")).ToContainTextAsync("已删除照片");
        await Expect(page.Locator("#evidence-list tr")).ToHaveCountAsync(2); // header + one photo
        Assert.Single((await f.SheetAsync(BrowserFixture.Secretary(0), villageId, Month, "Self"))!.Value.GetProperty("evidence").EnumerateArray());
    }

    /// <summary>A 1×1 PNG.</summary>
    internal static readonly byte[] PngBytes = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    /// <summary>A photo named <paramref name="name"/>: the same picture, a different file per name (the service keeps one copy of the same bytes per item).</summary>
    internal static FilePayload Png(string name) => new() { Name = name, MimeType = "image/png", Buffer = EnvScore.Testing.TestImages.PngTitled(name) };
}
