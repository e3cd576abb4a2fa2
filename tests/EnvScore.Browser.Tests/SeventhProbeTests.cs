using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EnvScore.Domain.Rules;
using EnvScore.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EnvScore.Browser.Tests;

/// <summary>
/// A fresh user's finds (probe 7) on the pages a secretary uses every day, pressed as they pressed them, at phone
/// (390×844) and desktop size: the fix form refuses the before-photo and a rejected photo as after-photos, and the
/// problem's history shows each report with its own photo; submitting an incomplete sheet saves the draft and says, in
/// one message, what blocks the submission (in sheet order) without asking "确定提交吗？" first; a stale second tab is
/// told who saved last; the to-do list has tap-sized rows and links to the whole list; the sheet form's units and
/// legends sit where they belong on a phone.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SeventhProbeTests(BrowserFixture f)
{
    private const string Month = "2026-11";

    [Theory, InlineData(Viewport.Phone, 14), InlineData(Viewport.Desktop, 15)]
    [Presses("Work/Problems/Detail.cshtml", "Fix")]
    public async Task Each_report_from_the_fix_form_shows_its_own_photo_and_reused_photos_are_refused(Viewport viewport, int villageIndex)
    {
        var secretary = BrowserFixture.Secretary(2);
        var villageId = await f.VillageIdAsync(2, villageIndex);
        var inspector = await f.ApiAsync(BrowserFixture.Inspector);
        var id = (await (await inspector.PostAsJsonAsync("/odata/Rectifications", new { villageId, itemCode = "L01", description = "村口垃圾堆放" }))
            .ExpectAsync(HttpStatusCode.Created)).GetProperty("id").GetInt32();
        var before = TestImages.PngTitled($"村口-{viewport}");
        var form = new MultipartFormDataContent { { new ByteArrayContent(before) { Headers = { ContentType = new("image/png") } }, "file", "村口.png" } };
        await (await inspector.PostAsync($"/api/rectifications/{id}/photos?kind=before", form)).ExpectAsync(HttpStatusCode.OK);
        var first = SheetFormTests.Png($"第一次整改-{viewport}.png");
        var second = SheetFormTests.Png($"第二次整改-{viewport}.png");

        await using (var s = await f.OpenAsync(secretary, viewport))
        {
            var page = s.Page;
            await page.GotoAsync($"/work/problems/{id}");
            // The inspector's photo sent back as the after-photo (renamed on the phone): refused, nothing stored, the note kept.
            await page.Locator("#fix-photo").SetInputFilesAsync(new FilePayload { Name = "整改后.png", MimeType = "image/png", Buffer = before });
            await page.Locator("#fix-captured").FillAsync("2026-11-10T09:45"); // the file\'s time is this machine\'s, not the test clock\'s
            await page.Locator("#fix-note").FillAsync("已清运");
            await page.Locator("#fix-submit").ClickAsync();
            await Expect(page.Locator("#problem-error")).ToContainTextAsync("“整改后.png”与整改前（发现问题时）拍的照片完全相同");
            await Expect(page.Locator("#problem-state")).ToHaveTextAsync("待整改");
            await Expect(page.Locator("#fix-note")).ToHaveValueAsync("已清运");
            // A real after-photo and the report in one press of the page's one form.
            await page.Locator("#fix-photo").SetInputFilesAsync(first);
            await page.Locator("#fix-captured").FillAsync("2026-11-10T09:45"); // the file\'s time is this machine\'s, not the test clock\'s
            await page.Locator("#fix-submit").ClickAsync();
            await Expect(page.Locator("#problem-message")).ToHaveTextAsync("已上报整改，等待区级复核。");
            var step = page.Locator("#problem-history > li").First;
            await Expect(step).ToContainTextAsync("第1次整改上报");
            await Expect(step.Locator("img")).ToHaveAttributeAsync("alt", $"第1次整改后照片：第一次整改-{viewport}.png");
            await Expect(step).Not.ToContainTextAsync("本次未附新照片");
        }

        f.Factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await StepAsync(inspector, id, "Reject", new { reason = "路边仍有垃圾" });

        await using (var s = await f.OpenAsync(secretary, viewport))
        {
            var page = s.Page;
            await page.GotoAsync($"/work/problems/{id}");
            await Expect(page.Locator("#fix-photo-hint")).ToContainTextAsync("不能与整改前照片或复核未通过的照片相同");
            // The rejected photo again is not the new photo the rejection asks for.
            await page.Locator("#fix-photo").SetInputFilesAsync(first);
            await page.Locator("#fix-captured").FillAsync("2026-11-10T09:45"); // the file\'s time is this machine\'s, not the test clock\'s
            await page.Locator("#fix-note").FillAsync("已全部清理");
            await page.Locator("#fix-submit").ClickAsync();
            await Expect(page.Locator("#problem-error")).ToContainTextAsync("已在第1次整改上报时用过，该次复核未通过，须上传整改后新拍的照片");
            await Expect(page.Locator("#problem-state")).ToHaveTextAsync("待整改");
            await page.Locator("#fix-photo").SetInputFilesAsync(second);
            await page.Locator("#fix-captured").FillAsync("2026-11-10T09:45"); // the file\'s time is this machine\'s, not the test clock\'s
            await page.Locator("#fix-submit").ClickAsync();
            await Expect(page.Locator("#problem-message")).ToHaveTextAsync("已上报整改，等待区级复核。");

            var steps = page.Locator("#problem-history > li");
            await Expect(steps).ToHaveCountAsync(3);
            await Expect(steps.Nth(0)).ToContainTextAsync("第1次整改上报");
            await Expect(steps.Nth(0)).ToContainTextAsync("整改情况：已清运");
            await Expect(steps.Nth(0).Locator("img")).ToHaveCountAsync(1);
            await Expect(steps.Nth(0).Locator("img")).ToHaveAttributeAsync("alt", $"第1次整改后照片：第一次整改-{viewport}.png");
            await Expect(steps.Nth(1)).ToContainTextAsync("第1次复核：未通过，退回整改");
            await Expect(steps.Nth(2)).ToContainTextAsync("第2次整改上报");
            await Expect(steps.Nth(2)).ToContainTextAsync("整改情况：已全部清理");
            await Expect(steps.Nth(2).Locator("img")).ToHaveCountAsync(1);
            await Expect(steps.Nth(2).Locator("img")).ToHaveAttributeAsync("alt", $"第2次整改后照片：第二次整改-{viewport}.png");
            Assert.True(await steps.Nth(2).Locator("img").EvaluateAsync<bool>("i => i.complete && i.naturalWidth > 0"));
            await Expect(page.Locator("#photos-after figcaption").First).ToContainTextAsync("第1次整改上报（复核未通过）");
            if (viewport == Viewport.Phone) Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= 390);
            await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot($"probe7-fix-history-{viewport}".ToLowerInvariant()), FullPage = true });
        }

        // Read back: the photos and their rounds as stored; then the inspector closes (nothing left waiting for review).
        var photos = (await (await f.ApiAsync(BrowserFixture.Admin)).GetJsonAsync($"/odata/Rectifications({id})?$expand=photos"))
            .GetProperty("photos").EnumerateArray()
            .Select(p => (p.GetProperty("kind").GetString(), p.GetProperty("fileName").GetString(),
                p.GetProperty("fixRound").ValueKind == JsonValueKind.Null ? (int?)null : p.GetProperty("fixRound").GetInt32())).ToList();
        Assert.Equal([("Before", "村口.png", null), ("After", $"第一次整改-{viewport}.png", 1), ("After", $"第二次整改-{viewport}.png", 2)], photos);
        await StepAsync(inspector, id, "Close", new { note = "现场复核合格" });
    }

    /// <summary>
    /// 提交 on a sheet with unanswered items: no "确定提交吗？" (the page knows it cannot be submitted), the draft is saved,
    /// one headline says so and what is missing, item by item in sheet order; the score bar keeps its score. A second tab
    /// of the same user then saving is told that the user saved elsewhere, not 他人. Phone: the secretary's self-evaluation
    /// (then completed and submitted, with the question); desktop: the inspector's spot-check of the same village.
    /// </summary>
    [Theory, InlineData(Viewport.Phone), InlineData(Viewport.Desktop)]
    [Presses("Work/Sheet.cshtml", "Save")]
    public async Task Submitting_an_incomplete_sheet_saves_the_draft_and_lists_what_is_missing(Viewport viewport)
    {
        var phone = viewport == Viewport.Phone;
        var user = phone ? BrowserFixture.Secretary(0) : BrowserFixture.Inspector;
        var kind = phone ? "Self" : "District";
        var villageId = await f.VillageIdAsync(0, 0);
        // Three items that must be answered (a level or pass/fail: a blank count is 0); the rest left as found.
        var answered = f.Rules.Items.Where(i => i is LevelsItem or PassFailItem).Take(3).ToList();
        await using var s = await f.OpenAsync(user, viewport);
        var page = s.Page;
        await page.GotoAsync($"/work/sheet?villageId={villageId}&m={Month}&kind={kind}");
        var initial = await page.Locator("#running-missing").InnerTextAsync();
        foreach (var item in answered)
        {
            var field = page.Locator($"#f-{item.Code}");
            if (item is LevelsItem l) await field.SelectOptionAsync(l.Levels.OrderBy(x => x.Deduction).First().Code);
            else if (item is PassFailItem) await field.SelectOptionAsync("true");
            else await field.FillAsync("0");
        }
        // The running score has answered for all three (the page said how many were missing before).
        var before = int.Parse(System.Text.RegularExpressions.Regex.Match(initial, @"还有(\d+)项未填").Groups[1].Value);
        await Expect(page.Locator("#running-missing")).ToContainTextAsync($"还有{before - answered.Count}项未填");
        var total = await page.Locator("#running-total").InnerTextAsync();
        var missingNote = await page.Locator("#running-missing").InnerTextAsync(); // "还有N项未填（暂按不扣分计）"
        var missing = int.Parse(System.Text.RegularExpressions.Regex.Match(missingNote, @"还有(\d+)项未填").Groups[1].Value);
        Assert.True(missing > 1);

        await page.Locator("#submit-sheet").ClickAsync();
        await Expect(page.Locator("#errors-title")).ToHaveTextAsync($"已保存为草稿，但未能提交：还有{missing}项未填写，填完后再点“提交”：");
        Assert.Empty(s.Dialogs); // no question about an irreversible step that cannot happen
        var lines = page.Locator("#errors li");
        await Expect(lines).ToHaveCountAsync(missing);
        await Expect(page.Locator("#errors")).Not.ToContainTextAsync("未保存");
        var codes = (await lines.Locator("a").AllInnerTextsAsync()).ToList();
        var sheetOrder = f.Rules.Items.Select(i => i.Code).ToList();
        Assert.Equal(codes.OrderBy(sheetOrder.IndexOf).ToList(), codes); // top to bottom like the form
        Assert.DoesNotContain(codes, c => answered.Any(a => a.Code == c));
        // The bar keeps the saved draft's score and count.
        await Expect(page.Locator("#running-total")).ToHaveTextAsync(total);
        await Expect(page.Locator("#running-missing")).ToHaveTextAsync(missingNote);
        Assert.Empty(ProbeFixTests.LatinWords(await page.Locator("main").InnerTextAsync()));
        await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot($"probe7-submit-incomplete-{viewport}".ToLowerInvariant()) });
        var stored = (await f.SheetAsync(user, villageId, Month, kind))!.Value;
        Assert.Equal("Draft", stored.GetProperty("status").GetString());
        var storedCodes = stored.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("itemCode").GetString()).ToList();
        Assert.All(answered, a => Assert.Contains(a.Code, storedCodes));

        // The same user's second tab saves; this (older) page saving afterwards is told it was the user, elsewhere.
        var other = await s.Context.NewPageAsync();
        await other.GotoAsync($"/work/sheet?villageId={villageId}&m={Month}&kind={kind}");
        await other.Locator("#note").FillAsync("另一个页面填写的备注");
        await other.Locator("#save-draft").ClickAsync();
        await Expect(other.Locator("#message")).ToContainTextAsync("已保存草稿");
        await page.Locator("#save-draft").ClickAsync();
        await Expect(page.Locator("#errors")).ToContainTextAsync("由您本人在其他页面或设备上保存过，本页是此前打开的旧内容。请刷新页面，在最新内容上重新填写");
        await Expect(page.Locator("#errors")).Not.ToContainTextAsync("他人");
        Assert.Equal("另一个页面填写的备注", (await f.SheetAsync(user, villageId, Month, kind))!.Value.GetProperty("note").GetString());
        if (!phone) return;

        // Completed, 提交 asks first (the preview says complete), then the sheet is submitted.
        await page.GotoAsync($"/work/sheet?villageId={villageId}&m={Month}&kind={kind}");
        await f.FillSheetAsync(page);
        await Expect(page.Locator("#running-missing")).ToHaveTextAsync("已全部填写");
        await page.Locator("#submit-sheet").ClickAsync();
        await Expect(page.Locator("#message")).ToContainTextAsync("已提交");
        Assert.Contains(s.Dialogs, d => d.Contains("确定提交吗"));
        Assert.Equal("Submitted", (await f.SheetAsync(user, villageId, Month, kind))!.Value.GetProperty("status").GetString());
    }

    /// <summary>/work's to-do list: every row a 44 px tap target on a phone; more problems than it lists → their count and a link to all.</summary>
    [Theory, InlineData(Viewport.Phone), InlineData(Viewport.Desktop)]
    public async Task The_to_do_list_has_tap_sized_rows_and_links_to_the_whole_list(Viewport viewport)
    {
        var secretary = BrowserFixture.Secretary(2);
        var inspector = await f.ApiAsync(BrowserFixture.Inspector);
        var api = await f.ApiAsync(secretary);
        // At least 23 open problems in 杏花营镇 (more than the 20 the list shows).
        var open = (await api.GetJsonAsync("/odata/Rectifications?$filter=state eq 'Open'&$count=true")).GetProperty("@odata.count").GetInt32();
        for (var i = open; i < 23; i++)
            await (await inspector.PostAsJsonAsync("/odata/Rectifications", new { villageId = await f.VillageIdAsync(2, 16 + i % 2), itemCode = "L01", description = $"巡查发现{i + 1}" }))
                .ExpectAsync(HttpStatusCode.Created);
        open = (await api.GetJsonAsync("/odata/Rectifications?$filter=state eq 'Open'&$count=true")).GetProperty("@odata.count").GetInt32();

        await using var s = await f.OpenAsync(secretary, viewport);
        var page = s.Page;
        await page.GotoAsync($"/work?m={Month}");
        var links = page.Locator("#rectification-todo li > a");
        await Expect(links).ToHaveCountAsync(20);
        await Expect(page.Locator("#todo-count")).ToHaveTextAsync($"共{open}个，下面列出前20个。");
        foreach (var box in await Task.WhenAll((await links.AllAsync()).Select(l => l.BoundingBoxAsync())))
            Assert.True(box!.Height >= 44, $"a to-do link is {box.Height} px tall");
        var all = page.Locator("#todo-all");
        await Expect(all).ToHaveTextAsync($"查看全部{open}个 →");
        Assert.True((await all.BoundingBoxAsync())!.Height >= 44);
        await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot($"probe7-todo-{viewport}".ToLowerInvariant()), FullPage = true });
        await all.ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/work/problems\?state=Open$"));
        await Expect(page.Locator("#ledger tbody tr")).ToHaveCountAsync(open);
    }

    /// <summary>The sheet form on a phone: section titles inside their box, a count's unit beside its field, 次 beside a bonus count.</summary>
    [Fact]
    public async Task The_sheet_form_on_a_phone_keeps_units_beside_fields_and_titles_inside_boxes()
    {
        var villageId = await f.VillageIdAsync(0, 0);
        await using var s = await f.OpenAsync(BrowserFixture.Inspector, Viewport.Phone);
        var page = s.Page;
        await page.GotoAsync($"/work/sheet?villageId={villageId}&m={Month}&kind=District");
        foreach (var set in await page.Locator("fieldset.sheet-section").AllAsync())
        {
            var box = (await set.BoundingBoxAsync())!;
            var legend = (await set.Locator("legend").BoundingBoxAsync())!;
            Assert.True(legend.Y >= box.Y && legend.Y + legend.Height <= box.Y + box.Height, "a legend sits on its box's border");
        }
        var sampled = f.Rules.Items.OfType<SampledItem>().First();
        var field = (await page.Locator($"#f-{sampled.Code}").BoundingBoxAsync())!;
        var unit = (await page.Locator($"#item-{sampled.Code} .with-unit .unit").BoundingBoxAsync())!;
        Assert.True(unit.X >= field.X + field.Width, "the unit is beside its field");
        Assert.True(unit.Y < field.Y + field.Height && unit.Y + unit.Height > field.Y, "the unit is on the field's line");
        if (f.Rules.Bonus.Items.Count > 0)
            await Expect(page.Locator($"#item-{f.Rules.Bonus.Items[0].Code} .unit")).ToHaveTextAsync("次（空白视为0）");
        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= 390);
        await page.Locator("#sec-veto").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot("probe7-sheet-phone-veto") });
        await page.Locator($"#item-{sampled.Code}").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot("probe7-sheet-phone-units") });
    }

    private static async Task StepAsync(HttpClient client, int id, string action, object body)
    {
        var read = await client.GetAsync($"/odata/Rectifications({id})");
        var request = new HttpRequestMessage(HttpMethod.Post, $"/odata/Rectifications({id})/{action}") { Content = JsonContent.Create(body) };
        request.Headers.TryAddWithoutValidation("If-Match", read.Headers.ETag!.ToString());
        await (await client.SendAsync(request)).ExpectAsync(HttpStatusCode.OK);
    }
}
