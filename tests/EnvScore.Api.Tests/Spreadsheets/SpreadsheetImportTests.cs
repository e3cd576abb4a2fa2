using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using EnvScore.Api.Tests.Evaluations;
using EnvScore.Domain.Rules;
using EnvScore.Spreadsheets.Templates;
using EnvScore.Testing;
using OfficeOpenXml;

namespace EnvScore.Api.Tests.Spreadsheets;

/// <summary>Download → fill (as a secretary would, in the data sheet) → upload, through the API.</summary>
public class SpreadsheetImportTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    private const string Url = "/api/spreadsheets/{0}?month=2026-11&townshipId=2"; // 杏花营农场: villages 20–37

    private static string At(string action, string extra = "") => string.Format(Url, action) + extra;

    /// <summary>Fills every row clean, then applies the changes (village code → item code → cell text).</summary>
    /// <summary>Fills a downloaded template: (with <paramref name="rulesItems"/>) every default-sheet item clean, then <paramref name="edit"/>(sheet, row of village code, column of token).</summary>
    internal static byte[] Fill(byte[] template, Action<ExcelWorksheet, Func<string, int>, Func<string, int>> edit, bool rulesItems = true)
    {
        using var package = new ExcelPackage(new MemoryStream(template));
        var sheet = package.Workbook.Worksheets[TemplateConventions.DataSheetName];
        var columns = Enumerable.Range(1, sheet.Dimension.End.Column)
            .Where(c => sheet.Cells[TemplateConventions.CodeRow, c].Text.Length > 0)
            .ToDictionary(c => sheet.Cells[TemplateConventions.CodeRow, c].Text, c => c);
        var rows = Enumerable.Range(TemplateConventions.FirstDataRow, sheet.Dimension.End.Row - TemplateConventions.FirstDataRow + 1)
            .Where(r => sheet.Cells[r, columns[TemplateConventions.VillageCodeToken]].Text.Length > 0)
            .ToDictionary(r => sheet.Cells[r, columns[TemplateConventions.VillageCodeToken]].Text, r => r);
        foreach (var row in rulesItems ? rows.Values.ToList() : [])
            foreach (var item in Sheets.Rules.Items)
                sheet.Cells[row, columns[item.Code]].Value = item switch
                {
                    LevelsItem l => l.Levels.First(v => v.Deduction == 0).Name,
                    PassFailItem => TemplateConventions.PassWord,
                    _ => (object)0,
                };
        edit(sheet, code => rows[code], code => columns[code]);
        using var output = new MemoryStream();
        package.SaveAs(output);
        return output.ToArray();
    }

    internal static MultipartFormDataContent Upload(byte[] bytes)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        return new MultipartFormDataContent { { file, "file", "自评表.xlsx" } };
    }

    [Fact]
    public async Task An_upload_with_errors_lists_every_cell_and_stores_nothing_then_the_fixed_file_imports_and_reimports_idempotently()
    {
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(1));
        var template = await secretary.GetByteArrayAsync(At("template"));
        var occurrence = Sheets.FirstOf<PerOccurrenceItem>();
        var title = Sheets.Rules.Items.First(i => i.Code == occurrence).Title;

        var broken = Fill(template, (sheet, row, col) =>
        {
            sheet.Cells[row("410271002002"), col(occurrence)].Value = "三";   // 贺砦社区
            sheet.Cells[row("410271002003"), col(occurrence)].Value = -2;     // 枣林社区
        });
        var error = await (await secretary.PostAsync(At("import"), Upload(broken))).ExpectAsync(HttpStatusCode.BadRequest);
        var problems = error.GetProperty("problems").EnumerateArray().ToArray();
        Assert.Equal(2, problems.Length);
        var three = problems.Single(p => p.GetProperty("villageName").GetString() == "贺砦社区");
        Assert.Matches("^[A-Z]+9$", three.GetProperty("cell").GetString());
        Assert.Contains($"贺砦社区 {title}", three.GetProperty("message").GetString());
        Assert.Contains("\"三\"", three.GetProperty("message").GetString());
        var none = await secretary.GetJsonAsync("/odata/Evaluations?$filter=townshipId eq 2&$count=true");
        Assert.Equal(0, none.GetProperty("@odata.count").GetInt32());

        var fixedFile = Fill(template, (sheet, row, col) => sheet.Cells[row("410271002002"), col(occurrence)].Value = "３"); // full-width
        var ok = await (await secretary.PostAsync(At("import"), Upload(fixedFile))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(18, ok.GetProperty("created").GetInt32());
        var again = await (await secretary.PostAsync(At("import"), Upload(fixedFile))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(18, again.GetProperty("unchanged").GetInt32());

        var stored = await secretary.GetJsonAsync($"/odata/Evaluations?$filter=villageId eq 21&$expand=entries($filter=itemCode eq '{occurrence}')");
        Assert.Equal(3, stored.GetProperty("value")[0].GetProperty("entries")[0].GetProperty("count").GetInt32());

        // The template now comes back pre-filled: download → upload round-trips unchanged.
        var prefilled = await secretary.GetByteArrayAsync(At("template"));
        var roundTrip = await (await secretary.PostAsync(At("import"), Upload(prefilled))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(18, roundTrip.GetProperty("unchanged").GetInt32());

        // Submit through the spreadsheet; the same file again leaves the submitted sheets alone (unchanged), a file that
        // changes a submitted sheet is refused (SubmittedRowsTests has the web-form case).
        var submitted = await (await secretary.PostAsync(At("import", "&submit=true"), Upload(fixedFile))).ExpectAsync(HttpStatusCode.OK);
        Assert.True(submitted.GetProperty("submitted").GetBoolean());
        var same = await (await secretary.PostAsync(At("import"), Upload(fixedFile))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(18, same.GetProperty("unchanged").GetInt32());
        var changed = Fill(template, (ws, _, column) => ws.Cells[TemplateConventions.FirstDataRow, column(occurrence)].Value = 4);
        var refused = await (await secretary.PostAsync(At("import"), Upload(changed))).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("已提交", refused.GetProperty("problems")[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task Another_townships_file_or_secretary_and_a_non_spreadsheet_are_refused()
    {
        var own = await factory.ClientForAsync(EnvScoreFactory.Secretary(0));
        Assert.Equal(HttpStatusCode.Forbidden, (await own.GetAsync(At("template"))).StatusCode);
        var ownTemplate = await own.GetByteArrayAsync("/api/spreadsheets/template?month=2026-11&townshipId=1");

        var admin = await factory.ClientForAsync("admin");
        var wrongScope = await (await admin.PostAsync(At("import"), Upload(ownTemplate))).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains(wrongScope.GetProperty("problems").EnumerateArray(), p => p.GetProperty("kind").GetString() == "WrongScope");

        var text = await (await admin.PostAsync(At("import"), Upload("village,count\n1,2"u8.ToArray()))).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("NotXlsx", text.GetProperty("problems")[0].GetProperty("kind").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient().GetAsync(At("template"))).StatusCode);
    }

    [Fact]
    public async Task Without_javascript_the_page_itself_imports_and_lists_the_same_cell_messages()
    {
        var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await (await client.PostAsJsonAsync("/api/auth/login?useCookies=true", new { userName = EnvScoreFactory.Secretary(2), password = EnvScoreFactory.Password }))
            .ExpectAsync(HttpStatusCode.OK);
        var page = await client.GetStringAsync("/work?m=2026-11");
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(token);

        var template = await client.GetByteArrayAsync("/api/spreadsheets/template?month=2026-11&townshipId=3");
        var occurrence = Sheets.FirstOf<PerOccurrenceItem>();
        var broken = Fill(template, (sheet, row, col) => sheet.Cells[row("410271003001"), col(occurrence)].Value = "三");
        using var form = Upload(broken);
        form.Add(new StringContent(token), "__RequestVerificationToken");
        var response = await client.PostAsync("/work?handler=Upload&m=2026-11", form);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("杨桥社区", html);
        Assert.Contains("实际为&quot;三&quot;", html);
        Assert.Contains("未导入任何内容", html);
    }

    [Fact]
    public async Task An_admin_downloads_the_whole_district_as_one_template_and_others_may_not()
    {
        var admin = await factory.ClientForAsync("admin");
        var bytes = await admin.GetByteArrayAsync("/api/spreadsheets/template?month=2026-11");
        using var package = new ExcelPackage(new MemoryStream(bytes));
        var sheet = package.Workbook.Worksheets[TemplateConventions.DataSheetName];
        var codeColumn = Enumerable.Range(1, sheet.Dimension.End.Column)
            .First(c => sheet.Cells[TemplateConventions.CodeRow, c].Text == TemplateConventions.VillageCodeToken);
        var codes = Enumerable.Range(TemplateConventions.FirstDataRow, sheet.Dimension.End.Row - TemplateConventions.FirstDataRow + 1)
            .Select(r => sheet.Cells[r, codeColumn].Text).Where(t => t.Length > 0).ToList();
        Assert.Equal(55, codes.Count);
        Assert.Contains(Enumerable.Range(1, sheet.Dimension.End.Column), c => sheet.Cells[TemplateConventions.CodeRow, c].Text == TemplateConventions.TownshipToken);

        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(0));
        Assert.Equal(HttpStatusCode.Forbidden, (await secretary.GetAsync("/api/spreadsheets/template?month=2026-11")).StatusCode);
    }
}
