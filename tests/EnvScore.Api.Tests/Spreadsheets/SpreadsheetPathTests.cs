using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EnvScore.Api.Tests.Evaluations;
using EnvScore.Domain.Rules;
using EnvScore.Spreadsheets.Templates;
using EnvScore.Testing;
using OfficeOpenXml;
using static EnvScore.Api.Tests.Spreadsheets.SpreadsheetImportTests;

namespace EnvScore.Api.Tests.Spreadsheets;

/// <summary>
/// Issue #13's B02 case and issue #16's cases through the API: what the API accepts, the template carries and
/// the import takes back; one list of every problem; a blank 备注 clears the stored note.
/// </summary>
public class SpreadsheetPathTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    private static string Entries(JsonElement sheet) => string.Join(";", sheet.GetProperty("entries").EnumerateArray()
        .Select(e => $"{e.GetProperty("itemCode").GetString()}|{e.GetProperty("notApplicable").GetBoolean()}|{e.GetProperty("count")}|{e.GetProperty("level")}|{e.GetProperty("failedSamples")}|{e.GetProperty("passed")}")
        .Order());

    [Fact]
    public async Task A_bonus_count_the_api_accepts_downloads_in_the_template_and_imports_back_unchanged()
    {
        // Issue #13: B02 (1 point each, capped at 2) = 3 is a valid entry; the template download answered 500.
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(0)); // 水稻乡, villages 1…
        var bonus = Sheets.Rules.Bonus.Items.Single(b => b.Code == "B02");
        Assert.Equal(2m, bonus.Cap);
        // Every bonus item explicit (a blank counting cell reads as 0, so an omitted item comes back as an explicit 0 —
        // the same score; here the saved entries are exactly what the template holds).
        var entries = Sheets.CleanEntries()
            .Concat(Sheets.Rules.Bonus.Items.Select(b => (object)new { itemCode = b.Code, count = b.Code == "B02" ? 3 : 0 })).ToList();
        await (await secretary.PostAsJsonAsync("/odata/Evaluations", Sheets.Write(1, entries: entries))).ExpectAsync(HttpStatusCode.Created);
        var before = await secretary.GetJsonAsync("/odata/Evaluations?$filter=villageId eq 1&$expand=entries");

        var response = await secretary.GetAsync("/api/spreadsheets/template?month=2026-11&townshipId=1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var template = await response.Content.ReadAsByteArrayAsync();
        string villageOneCode;
        using (var package = new ExcelPackage(new MemoryStream(template)))
        {
            var ws = package.Workbook.Worksheets[TemplateConventions.DataSheetName];
            var col = Enumerable.Range(1, ws.Dimension.End.Column).Single(c => ws.Cells[TemplateConventions.CodeRow, c].Text == "B02");
            villageOneCode = ws.Cells[TemplateConventions.FirstDataRow, 1].Text;
            Assert.Equal(3d, ws.Cells[TemplateConventions.FirstDataRow, col].Value);
        }

        // The other villages filled clean; village 1's row as downloaded (clean items, B02 = 3).
        var filled = Fill(template, (_, _, _) => { });
        var report = await (await secretary.PostAsync("/api/spreadsheets/import?month=2026-11&townshipId=1", Upload(filled))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, report.GetProperty("unchanged").GetInt32());
        var after = await secretary.GetJsonAsync("/odata/Evaluations?$filter=villageId eq 1&$expand=entries");
        Assert.Equal(Entries(before.GetProperty("value")[0]), Entries(after.GetProperty("value")[0]));
        Assert.Contains("B02|False|3|", Entries(after.GetProperty("value")[0]));
        Assert.StartsWith("41027100", villageOneCode);
    }

    [Fact]
    public async Task An_extra_pasted_village_and_every_bad_cell_come_in_one_list_and_nothing_is_stored()
    {
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(1)); // 杏花营农场, villages 20–37
        var template = await secretary.GetByteArrayAsync("/api/spreadsheets/template?month=2026-11&townshipId=2");
        var occurrence = Sheets.FirstOf<PerOccurrenceItem>();
        string badCell = "", extraCell = "";
        var broken = Fill(template, (sheet, row, col) =>
        {
            sheet.Cells[row("410271002002"), col(occurrence)].Value = "三";
            badCell = sheet.Cells[row("410271002002"), col(occurrence)].Address;
            var extra = sheet.Dimension.End.Row + 1;
            sheet.Cells[extra, col(TemplateConventions.VillageCodeToken)].Value = "410271001001"; // a village of 水稻乡
            sheet.Cells[extra, col(TemplateConventions.VillageNameToken)].Value = "别乡的村";
            sheet.Cells[extra, col(occurrence)].Value = 1;
            extraCell = sheet.Cells[extra, col(TemplateConventions.VillageCodeToken)].Address;
        });
        var error = await (await secretary.PostAsync("/api/spreadsheets/import?month=2026-11&townshipId=2", Upload(broken))).ExpectAsync(HttpStatusCode.BadRequest);
        var problems = Sheets.Problems(error);
        Assert.Equal(2, problems.Length);
        var bad = problems.Single(p => p.GetProperty("cell").GetString() == badCell);
        Assert.EndsWith("：应为不小于0的整数，实际为\"三\"", bad.GetProperty("message").GetString());
        Assert.StartsWith(badCell + "（", bad.GetProperty("message").GetString());
        var extraRow = problems.Single(p => p.GetProperty("cell").GetString() == extraCell);
        Assert.Contains("该村不属于本乡镇", extraRow.GetProperty("message").GetString());
        var none = await secretary.GetJsonAsync("/odata/Evaluations?$filter=townshipId eq 2&$count=true");
        Assert.Equal(0, none.GetProperty("@odata.count").GetInt32());
    }

    [Fact]
    public async Task A_cleared_prefilled_note_clears_the_stored_note()
    {
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(2)); // township 3
        var url = "/api/spreadsheets/import?month=2026-11&townshipId=3";
        var template = await secretary.GetByteArrayAsync("/api/spreadsheets/template?month=2026-11&townshipId=3");
        string code = "";
        var withNote = Fill(template, (sheet, row, col) =>
        {
            code = sheet.Cells[TemplateConventions.FirstDataRow, col(TemplateConventions.VillageCodeToken)].Text;
            sheet.Cells[row(code), col(TemplateConventions.NoteToken)].Value = "11月20日已整改";
        });
        await (await secretary.PostAsync(url, Upload(withNote))).ExpectAsync(HttpStatusCode.OK);
        var villages = await secretary.GetJsonAsync($"/odata/Villages?$filter=code eq '{code}'");
        var villageId = villages.GetProperty("value")[0].GetProperty("id").GetInt32();
        var stored = await secretary.GetJsonAsync($"/odata/Evaluations?$filter=villageId eq {villageId}");
        Assert.Equal("11月20日已整改", stored.GetProperty("value")[0].GetProperty("note").GetString());

        // The download comes pre-filled with the note; the clerk deletes it and uploads.
        var prefilled = await secretary.GetByteArrayAsync("/api/spreadsheets/template?month=2026-11&townshipId=3");
        var cleared = Fill(prefilled, (sheet, row, col) => sheet.Cells[row(code), col(TemplateConventions.NoteToken)].Value = null);
        var report = await (await secretary.PostAsync(url, Upload(cleared))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, report.GetProperty("updated").GetInt32());
        stored = await secretary.GetJsonAsync($"/odata/Evaluations?$filter=villageId eq {villageId}");
        Assert.Equal(JsonValueKind.Null, stored.GetProperty("value")[0].GetProperty("note").ValueKind);

        // A note longer than a sheet may hold is a located problem, not a database error.
        var tooLong = Fill(prefilled, (sheet, row, col) => sheet.Cells[row(code), col(TemplateConventions.NoteToken)].Value = new string('注', 2001));
        var error = await (await secretary.PostAsync(url, Upload(tooLong))).ExpectAsync(HttpStatusCode.BadRequest);
        var p = Assert.Single(Sheets.Problems(error));
        Assert.Contains("备注不能超过2000字", p.GetProperty("message").GetString());
        Assert.Matches("^[A-Z]+[0-9]+$", p.GetProperty("cell").GetString());
    }
}
