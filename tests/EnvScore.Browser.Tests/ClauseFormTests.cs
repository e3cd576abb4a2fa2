using System.Net.Http.Json;
using System.Text.Json;
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
/// The village sheet form with a county sheet written in clauses (issue #14), pressed in Chromium at phone and desktop
/// size: a field per clause (a 有…扣N分 checkbox, a count, a rate's numerator and denominator, a 建成…得分 count, a level),
/// a count typed in words answered next to its item with nothing stored, the running score as the hand arithmetic
/// says, the draft saved and read back over the API, then submitted. Its own service and database (the district's
/// sheet is replaced by this one).
/// </summary>
public sealed class ClauseFormTests(KestrelFactory factory) : IClassFixture<KestrelFactory>
{
    private const string Yaml = """
        code: CLAUSEW
        title: 含细则的评分表（网页）
        version: 1
        effectiveFrom: "2026-01"
        totalPoints: 40
        sections:
          - code: A
            title: 环境卫生
            maxPoints: 30
            sections:
              - code: A1
                title: 垃圾治理
                maxPoints: 18
                items:
                  - code: R01
                    title: 垃圾治理
                    points: 18
                    clauses:
                      - {code: a, kind: deductIf, text: 无垃圾池, deduction: 6}
                      - {code: c, kind: perOccurrence, text: 积存垃圾, unit: 处, deductionEach: 1}
              - code: A2
                title: 厕所革命
                maxPoints: 12
                items:
                  - code: T01
                    title: 卫生厕所
                    points: 6
                    clauses:
                      - {code: r, kind: rate, text: 普及率, threshold: 85, deductionPerPoint: 0.2, input: fraction, numeratorLabel: 卫生厕所户数, denominatorLabel: 总户数}
                  - code: T02
                    title: 公厕建设
                    points: 6
                    scoring: add
                    clauses:
                      - {code: u, kind: addPerUnit, text: 生态公厕, unit: 座, first: 4, each: 1}
                      - {code: g, kind: addIf, text: 公厕专人管护, addition: 1}
          - code: B
            title: 长效管护
            maxPoints: 10
            items:
              - code: M01
                title: 管护制度
                points: 10
                clauses:
                  - code: l
                    kind: levels
                    text: 制度落实
                    levels: [{code: A, name: 已落实, deduction: 0}, {code: B, name: 部分落实, deduction: 2}, {code: C, name: 未落实, deduction: 4}]
        tiers: {demonstrationMin: 36, upgradeMin: 24}
        combination: {selfWeight: 0.3, districtWeight: 0.7, inflationThreshold: 10}
        """;

    private static readonly SemaphoreSlim Once = new(1, 1);
    private static bool _ready;

    private async Task<string> StartAsync()
    {
        var baseUrl = factory.Start();
        await Once.WaitAsync();
        try
        {
            if (_ready) return baseUrl;
            await using var scope = factory.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<EnvScoreDbContext>();
            await db.RuleSets.Where(r => r.Status == RuleSetStatus.Active)
                .ExecuteUpdateAsync(x => x.SetProperty(r => r.Source, Yaml).SetProperty(r => r.ContentHash, "clause-form"));
            _ready = true;
            return baseUrl;
        }
        finally { Once.Release(); }
    }

    [Theory, InlineData(Viewport.Phone, 3), InlineData(Viewport.Desktop, 4)]
    [Presses("Work/Sheet.cshtml", "Save")]
    public async Task A_secretary_fills_a_clause_sheet_on_the_form_and_it_is_stored_scored_and_submitted(Viewport viewport, int villageId)
    {
        var baseUrl = await StartAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var options = viewport == Viewport.Phone
            ? new BrowserNewContextOptions { BaseURL = baseUrl, ViewportSize = new() { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true, DeviceScaleFactor = 2, Locale = "zh-CN" }
            : new BrowserNewContextOptions { BaseURL = baseUrl, ViewportSize = new() { Width = 1366, Height = 768 }, Locale = "zh-CN" };
        await using var context = await browser.NewContextAsync(options);
        var page = await context.NewPageAsync();
        page.Dialog += async (_, d) => await d.AcceptAsync();
        var secretary = EnvScoreFactory.Secretary(0);
        await BrowserFixture.LoginAsync(page, secretary);
        await page.GotoAsync($"/work/sheet?villageId={villageId}&m=2026-11&kind=Self");

        // Every clause has its field, labelled with the clause and its rule.
        await Expect(page.Locator("label[for='c-R01-c']")).ToContainTextAsync("积存垃圾（每处扣1分）");
        await Expect(page.Locator("label[for='c-T01-r-n']")).ToHaveTextAsync("卫生厕所户数");
        await page.Locator("#c-R01-a").CheckAsync();
        await page.Locator("#c-R01-c").FillAsync("五处");
        await page.Locator("#c-T01-r-n").FillAsync("160");
        await page.Locator("#c-T01-r-d").FillAsync("200");
        await page.Locator("#c-T02-u").FillAsync("3");
        await page.Locator("#c-M01-l").SelectOptionAsync("B");
        await page.Locator("#save-draft").ClickAsync();
        await Expect(page.Locator("#item-R01 .problem")).ToContainTextAsync("五处");
        await Expect(page.Locator("#c-R01-c")).ToHaveValueAsync("五处");      // kept as typed
        await Expect(page.Locator("#c-T01-r-n")).ToHaveValueAsync("160");
        Assert.Null(await SheetAsync(secretary, villageId));

        // By hand: R01 18 − 6 − 5×1 = 7; T01 160/200 = 80 %, 5 points under 85 × 0.2 = 1 → 5;
        // T02 (得分制) 4 + 1 + 1 = 6 (3座, no keeper); M01 10 − 2 (部分落实) = 8. 7 + 5 + 6 + 8 = 26 of 40.
        await page.Locator("#c-R01-c").FillAsync("5");
        await Expect(page.Locator("#running-total")).ToHaveTextAsync("26");
        await page.Locator("#save-draft").ClickAsync();
        await Expect(page.Locator("#message")).ToHaveTextAsync("已保存草稿。");
        await Expect(page.Locator("#c-R01-c")).ToHaveValueAsync("5");
        await Expect(page.Locator("#c-R01-a")).ToBeCheckedAsync();
        await Expect(page.Locator("#running-total")).ToHaveTextAsync("26");
        await page.ScreenshotAsync(new() { Path = BrowserFixture.Shot($"clause-form-{viewport}".ToLowerInvariant()), FullPage = true });

        var stored = (await SheetAsync(secretary, villageId))!.Value;
        var entries = stored.GetProperty("entries").EnumerateArray().ToDictionary(e => e.GetProperty("itemCode").GetString()!);
        string Clauses(string item) => string.Join(";", entries[item].GetProperty("clauses").EnumerateArray()
            .Select(c => $"{c.GetProperty("code").GetString()}:{string.Join("/", new[] { "count", "yes", "level", "numerator", "denominator" }.Select(p => c.GetProperty(p).GetRawText()))}")
            .Order());
        Assert.Equal("a:null/true/null/null/null;c:5/null/null/null/null", Clauses("R01"));
        Assert.Equal("r:null/null/null/160/200", Clauses("T01"));
        Assert.Equal("u:3/null/null/null/null", Clauses("T02"));
        Assert.Equal("l:null/null/\"B\"/null/null", Clauses("M01"));

        await page.Locator("#submit-sheet").ClickAsync();
        await Expect(page.Locator("#message")).ToContainTextAsync("已提交");
        await Expect(page.Locator("#c-R01-c")).ToBeDisabledAsync();
        Assert.Equal("Submitted", (await SheetAsync(secretary, villageId))!.Value.GetProperty("status").GetString());
    }

    private async Task<JsonElement?> SheetAsync(string user, int villageId)
    {
        using var api = await factory.ClientForAsync(user);
        var list = await api.GetFromJsonAsync<JsonElement>($"/odata/Evaluations?$filter=villageId eq {villageId} and month eq 202611&$expand=entries");
        var value = list.GetProperty("value");
        return value.GetArrayLength() == 0 ? null : value[0];
    }
}
