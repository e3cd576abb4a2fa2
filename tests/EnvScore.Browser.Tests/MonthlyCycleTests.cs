using EnvScore.Api.Features.Demo;
using EnvScore.Domain.Rules;
using EnvScore.Spreadsheets.Templates;
using EnvScore.Testing;
using Microsoft.Playwright;
using OfficeOpenXml;
using static Microsoft.Playwright.Assertions;

namespace EnvScore.Browser.Tests;

/// <summary>
/// The month through the browser: a secretary uploads a spreadsheet with an error, reads the cell-level
/// message, uploads the fixed file and submits; the admin computes and publishes; an anonymous visitor
/// reads the ranking, the red/black list and a village's trend chart. Screenshots go to artifacts/screenshots.
/// </summary>
public sealed class MonthlyCycleTests(KestrelFactory factory) : IClassFixture<KestrelFactory>
{
    private static readonly string Root = FindRoot();
    private static readonly string Shots = Path.Combine(Root, "artifacts", "screenshots");

    [Fact]
    public async Task Secretary_submits_by_spreadsheet_admin_publishes_and_the_public_reads_the_ranking()
    {
        var baseUrl = factory.Start();
        await factory.SeedHistoryAsync();
        Directory.CreateDirectory(Shots);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var desktop = new BrowserNewContextOptions { BaseURL = baseUrl, ViewportSize = new() { Width = 1366, Height = 768 }, Locale = "zh-CN" };

        // — The township secretary —
        var township = DemoDistrict.Townships[0];
        var rules = await factory.RulesAsync();
        var occurrence = rules.Items.OfType<PerOccurrenceItem>().First();
        var api = await factory.ClientForAsync(EnvScoreFactory.Secretary(0));
        var townshipId = 1;
        var template = await api.GetByteArrayAsync($"/api/spreadsheets/template?month=2026-11&townshipId={townshipId}");
        var firstVillage = DemoDistrict.VillageCode(township, 0);

        await using (var context = await browser.NewContextAsync(desktop))
        {
            var page = await context.NewPageAsync();
            page.Dialog += async (_, d) => await d.AcceptAsync(); // the confirmations before submit and publish
            await LoginAsync(page, EnvScoreFactory.Secretary(0));
            await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/work$"));
            await Expect(page.Locator("#template-link")).ToBeVisibleAsync();

            await page.Locator("#xlsx").SetInputFilesAsync(Xlsx(Fill(template, rules, firstVillage, occurrence.Code, "三")));
            await page.Locator("#upload-form button[type=submit]").ClickAsync();
            var result = page.Locator("#upload-result");
            await Expect(result).ToContainTextAsync("未导入任何内容");
            await Expect(result.Locator("table.problems")).ToContainTextAsync("实际为\"三\"");
            await Expect(result.Locator("table.problems td").First).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[A-Z]+[0-9]+$")); // the cell, e.g. D8
            await page.ScreenshotAsync(new() { Path = Path.Combine(Shots, "secretary-upload-error.png"), FullPage = false });

            await page.Locator("#xlsx").SetInputFilesAsync(Xlsx(Fill(template, rules, firstVillage, occurrence.Code, "3")));
            await page.Locator("#submit-after").CheckAsync();
            await page.Locator("#upload-form button[type=submit]").ClickAsync();
            await Expect(result).ToContainTextAsync("导入成功");
            await Expect(page.Locator("#status-table")).ToContainTextAsync("已提交", new() { Timeout = 10_000 }); // the page reloads
            await Expect(page.Locator("#status-table")).Not.ToContainTextAsync("未填写");
            await page.ScreenshotAsync(new() { Path = Path.Combine(Shots, "secretary-submitted.png"), FullPage = true });
        }

        // — The district admin, after the township deadline (5 December 18:00; a month is not published before it) —
        factory.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 6, 2, 0, 0, TimeSpan.Zero));
        await using (var context = await browser.NewContextAsync(desktop))
        {
            var page = await context.NewPageAsync();
            page.Dialog += async (_, d) => await d.AcceptAsync(); // the confirmations before submit and publish
            await LoginAsync(page, "admin");
            await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/admin$"));
            await page.Locator("#compute").ClickAsync();
            await Expect(page.Locator("#message")).ToContainTextAsync("计算完成");
            await Expect(page.Locator("#review")).ToBeVisibleAsync();
            await page.Locator("#foreword").FillAsync("现将2026年11月农村人居环境集中整治月评比结果通报如下。");
            await page.Locator("#publish").ClickAsync();
            await Expect(page.Locator("#message")).ToContainTextAsync("已发布");
            await Expect(page.Locator("#revisions")).ToContainTextAsync("第1版");
            await page.ScreenshotAsync(new() { Path = Path.Combine(Shots, "admin-published.png") });
        }

        // — Anyone —
        await using (var context = await browser.NewContextAsync(desktop))
        {
            var page = await context.NewPageAsync();
            page.Dialog += async (_, d) => await d.AcceptAsync(); // the confirmations before submit and publish
            await page.GotoAsync("/");
            await Expect(page.Locator("h1")).ToContainTextAsync("2026年11月");
            await Expect(page.Locator("#ranking tbody tr")).ToHaveCountAsync(55);
            await Expect(page.Locator(".red-list li").First).ToBeVisibleAsync();
            await Expect(page.Locator(".black-list li").First).ToBeVisibleAsync();
            await Expect(page.Locator("#ranking .tier-demo").First).ToBeVisibleAsync();
            var shot = Path.Combine(Shots, "public-ranking.png");
            await page.ScreenshotAsync(new() { Path = shot });
            if (Environment.GetEnvironmentVariable("ENVSCORE_UPDATE_SCREENSHOTS") == "1")
            {
                Directory.CreateDirectory(Path.Combine(Root, "docs", "img"));
                File.Copy(shot, Path.Combine(Root, "docs", "img", "public-ranking.png"), overwrite: true);
            }

            await page.Locator("#ranking tbody tr").First.Locator("td:nth-child(3) a").ClickAsync();
            var chart = page.Locator("#trend-chart");
            await Expect(chart).ToBeVisibleAsync();
            await Expect(chart).ToContainTextAsync("11月");
            await Expect(chart.Locator("circle")).ToHaveCountAsync(4); // Aug–Nov published
            await page.ScreenshotAsync(new() { Path = Path.Combine(Shots, "public-village.png"), FullPage = true });
        }

        await using (var phone = await browser.NewContextAsync(new() { BaseURL = baseUrl, ViewportSize = new() { Width = 390, Height = 844 }, IsMobile = true, Locale = "zh-CN" }))
        {
            var page = await phone.NewPageAsync();
            await page.GotoAsync("/");
            await Expect(page.Locator("#ranking")).ToBeVisibleAsync();
            await page.ScreenshotAsync(new() { Path = Path.Combine(Shots, "public-ranking-phone.png") });
        }
    }

    private static async Task LoginAsync(IPage page, string user)
    {
        await page.GotoAsync("/login");
        await page.Locator("#user").FillAsync(user);
        await page.Locator("#password").FillAsync(EnvScoreFactory.Password);
        await page.Locator("#password").PressAsync("Enter"); // keyboard only
    }

    internal static FilePayload Xlsx(byte[] bytes) =>
        new() { Name = "自评表.xlsx", MimeType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Buffer = bytes };

    /// <summary>Every row filled clean (varied counts so the ranking has spread), one cell set to <paramref name="text"/>.</summary>
    internal static byte[] Fill(byte[] template, RuleSet rules, string villageCode, string itemCode, string text)
    {
        using var package = new ExcelPackage(new MemoryStream(template));
        var sheet = package.Workbook.Worksheets[TemplateConventions.DataSheetName];
        var columns = Enumerable.Range(1, sheet.Dimension.End.Column)
            .Where(c => sheet.Cells[TemplateConventions.CodeRow, c].Text.Length > 0)
            .ToDictionary(c => sheet.Cells[TemplateConventions.CodeRow, c].Text, c => c);
        var rows = Enumerable.Range(TemplateConventions.FirstDataRow, sheet.Dimension.End.Row - TemplateConventions.FirstDataRow + 1)
            .Where(r => sheet.Cells[r, columns[TemplateConventions.VillageCodeToken]].Text.Length > 0).ToList();
        foreach (var (row, index) in rows.Select((r, i) => (r, i)))
        {
            foreach (var item in rules.Items)
                sheet.Cells[row, columns[item.Code]].Value = item switch
                {
                    LevelsItem l => l.Levels.First(v => v.Deduction == 0).Name,
                    PassFailItem => TemplateConventions.PassWord,
                    _ => (object)0,
                };
            sheet.Cells[row, columns[itemCode]].Value = index % 5;
            if (sheet.Cells[row, columns[TemplateConventions.VillageCodeToken]].Text == villageCode) sheet.Cells[row, columns[itemCode]].Value = text;
        }
        using var output = new MemoryStream();
        package.SaveAs(output);
        return output.ToArray();
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EnvScore.sln"))) dir = dir.Parent;
        return dir?.FullName ?? AppContext.BaseDirectory;
    }
}
