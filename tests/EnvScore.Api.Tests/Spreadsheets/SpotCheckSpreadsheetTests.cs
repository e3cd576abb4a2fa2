using System.Net;
using System.Net.Http.Json;
using EnvScore.Api.Tests.Evaluations;
using EnvScore.Domain.Rules;
using EnvScore.Spreadsheets.Templates;
using EnvScore.Testing;
using OfficeOpenXml;
using static EnvScore.Api.Tests.Spreadsheets.SpreadsheetImportTests;

namespace EnvScore.Api.Tests.Spreadsheets;

/// <summary>
/// Issue #16: the district inspector's spreadsheet path — the spot-check (区级抽查, kind=District) has the same
/// template, import and error list as the self-evaluation, for the villages the inspector checks.
/// </summary>
public class SpotCheckSpreadsheetTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    private const string Checked = "410271002002,410271002005";

    [Fact]
    public async Task An_inspector_downloads_the_checked_villages_fills_them_and_imports_district_checks()
    {
        var inspector = await factory.ClientForAsync("inspector");
        var template = await inspector.GetByteArrayAsync($"/api/spreadsheets/template?month=2026-11&townshipId=2&kind=District&villages={Checked}");
        using (var package = new ExcelPackage(new MemoryStream(template)))
        {
            var ws = package.Workbook.Worksheets[TemplateConventions.DataSheetName];
            Assert.Equal(["410271002002", "410271002005"], [ws.Cells[8, 1].Text, ws.Cells[9, 1].Text]);
            Assert.Equal("", ws.Cells[10, 1].Text);
            Assert.Contains("区级抽查", ws.Cells[1, 1].Text);
        }

        // The same error list as the self-evaluation.
        var occurrence = Sheets.FirstOf<PerOccurrenceItem>();
        var broken = Fill(template, (sheet, row, col) => sheet.Cells[row("410271002005"), col(occurrence)].Value = "三");
        var url = "/api/spreadsheets/import?month=2026-11&townshipId=2&kind=District";
        var error = await (await inspector.PostAsync(url, Upload(broken))).ExpectAsync(HttpStatusCode.BadRequest);
        var p = Assert.Single(Sheets.Problems(error));
        Assert.EndsWith("：应为不小于0的整数，实际为\"三\"", p.GetProperty("message").GetString());
        Assert.Matches("^[A-Z]+9$", p.GetProperty("cell").GetString());

        var ok = await (await inspector.PostAsync(url, Upload(Fill(template, (_, _, _) => { })))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(2, ok.GetProperty("created").GetInt32());
        var checks = await inspector.GetJsonAsync("/odata/Evaluations?$filter=townshipId eq 2&$count=true");
        Assert.Equal(2, checks.GetProperty("@odata.count").GetInt32());
        Assert.All(checks.GetProperty("value").EnumerateArray(), s => Assert.Equal("District", s.GetProperty("kind").GetString()));
    }

    [Fact]
    public async Task Rows_left_blank_in_the_full_township_template_are_villages_not_checked()
    {
        var inspector = await factory.ClientForAsync("inspector");
        var template = await inspector.GetByteArrayAsync("/api/spreadsheets/template?month=2026-11&townshipId=3&kind=District");
        var occurrence = Sheets.FirstOf<PerOccurrenceItem>();
        byte[] filled;
        using (var package = new ExcelPackage(new MemoryStream(template)))
        {
            // Fill only the first village's row, as an inspector who checked one village.
            var ws = package.Workbook.Worksheets[TemplateConventions.DataSheetName];
            var cols = Enumerable.Range(1, ws.Dimension.End.Column).ToDictionary(c => ws.Cells[TemplateConventions.CodeRow, c].Text, c => c);
            foreach (var item in Sheets.Rules.Items)
                ws.Cells[8, cols[item.Code]].Value = item switch
                {
                    LevelsItem l => l.Levels.First(v => v.Deduction == 0).Name,
                    PassFailItem => TemplateConventions.PassWord,
                    _ => (object)0,
                };
            ws.Cells[8, cols[occurrence]].Value = 2;
            filled = package.GetAsByteArray();
        }
        var ok = await (await inspector.PostAsync("/api/spreadsheets/import?month=2026-11&townshipId=3&kind=District", Upload(filled)))
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, ok.GetProperty("created").GetInt32());
    }

    [Fact]
    public async Task Kinds_and_roles_do_not_mix()
    {
        var inspector = await factory.ClientForAsync("inspector");
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(0));
        // A secretary has no spot-check path; an inspector no self-evaluation path.
        Assert.Equal(HttpStatusCode.Forbidden, (await secretary.GetAsync("/api/spreadsheets/template?month=2026-11&townshipId=1&kind=District")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await inspector.GetAsync("/api/spreadsheets/template?month=2026-11&townshipId=1")).StatusCode);
        await (await inspector.GetAsync("/api/spreadsheets/template?month=2026-11&townshipId=1&kind=Nonsense")).ExpectAsync(HttpStatusCode.BadRequest);
        await (await inspector.GetAsync("/api/spreadsheets/template?month=2026-11&townshipId=1&kind=District&villages=410271002001"))
            .ExpectAsync(HttpStatusCode.BadRequest);

        // A self-evaluation template uploaded as a spot-check is refused by its kind.
        var selfTemplate = await secretary.GetByteArrayAsync("/api/spreadsheets/template?month=2026-11&townshipId=1");
        var error = await (await inspector.PostAsync("/api/spreadsheets/import?month=2026-11&townshipId=1&kind=District", Upload(Fill(selfTemplate, (_, _, _) => { }))))
            .ExpectAsync(HttpStatusCode.BadRequest);
        var p = Assert.Single(Sheets.Problems(error));
        Assert.Equal("WrongScope", p.GetProperty("kind").GetString());
        Assert.Contains("乡镇自评表", p.GetProperty("message").GetString());
    }

    [Fact]
    public async Task The_work_page_offers_the_inspector_the_download_and_upload_form_and_imports_without_javascript()
    {
        var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await (await client.PostAsJsonAsync("/api/auth/login?useCookies=true", new { userName = "inspector", password = EnvScoreFactory.Password }))
            .ExpectAsync(HttpStatusCode.OK);
        var page = await client.GetStringAsync("/work?m=2026-11&t=2");
        Assert.Contains("/api/spreadsheets/template?month=2026-11&amp;townshipId=2&amp;kind=District", page);
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(token);

        var template = await client.GetByteArrayAsync($"/api/spreadsheets/template?month=2026-11&townshipId=2&kind=District&villages={Checked}");
        var occurrence = Sheets.FirstOf<PerOccurrenceItem>();
        using var form = Upload(Fill(template, (sheet, row, col) => sheet.Cells[row("410271002002"), col(occurrence)].Value = "三"));
        form.Add(new StringContent(token), "__RequestVerificationToken");
        form.Add(new StringContent("2"), "t");
        var response = await client.PostAsync("/work?handler=Upload&m=2026-11", form);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("贺砦社区", html);
        Assert.Contains("实际为&quot;三&quot;", html);
        Assert.Contains("未导入任何内容", html);
    }
}
