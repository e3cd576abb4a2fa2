using System.Net;
using System.Net.Http.Json;
using EnvScore.Api.Tests.Evaluations;
using EnvScore.Domain.Rules;
using EnvScore.Testing;
using static EnvScore.Api.Tests.Spreadsheets.SpreadsheetImportTests;

namespace EnvScore.Api.Tests.Spreadsheets;

/// <summary>
/// Found by a new user: once one village was submitted on the web form, the township could no longer upload its
/// spreadsheet — the template comes pre-filled with the submitted row, and the upload refused it ("已提交，不能再导入")
/// whether left as is, blanked or deleted. A submitted row that still says what is stored is left alone (counted
/// unchanged); a row that differs is refused by name; nothing is stored from a refused file.
/// </summary>
public class SubmittedRowsTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    [Fact]
    public async Task A_submitted_village_left_as_downloaded_does_not_block_the_townships_upload()
    {
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(0));
        // Village 1 answered and submitted over the API, without its bonus items (the web form leaves blanks out).
        var created = await secretary.PostAsJsonAsync("/odata/Evaluations", Sheets.Write(1));
        var sheet = await created.ExpectAsync(HttpStatusCode.Created);
        await (await Sheets.SendAsync(secretary, HttpMethod.Post, $"/odata/Evaluations({sheet.GetProperty("id").GetInt32()})/Submit",
            created.Headers.ETag!.ToString())).ExpectAsync(HttpStatusCode.OK);

        var template = await secretary.GetByteArrayAsync("/api/spreadsheets/template?month=2026-11&townshipId=1");
        var villages = (await secretary.GetJsonAsync("/odata/Villages?$filter=townshipId eq 1&$count=true")).GetProperty("@odata.count").GetInt32();
        var firstCode = (await secretary.GetJsonAsync("/odata/Villages(1)")).GetProperty("code").GetString()!;

        // A row that differs from the submitted sheet: refused by its row, nothing stored.
        var counted = Sheets.Rules.Items.OfType<PerOccurrenceItem>().First();
        var changed = Fill(template, (ws, row, column) => ws.Cells[row(firstCode), column(counted.Code)].Value = 2);
        var refused = await (await secretary.PostAsync("/api/spreadsheets/import?month=2026-11&townshipId=1", Upload(changed))).ExpectAsync(HttpStatusCode.BadRequest);
        var message = Assert.Single(refused.GetProperty("problems").EnumerateArray()).GetProperty("message").GetString();
        Assert.Contains("表中内容与已提交的不同", message);
        Assert.Equal(1, (await secretary.GetJsonAsync("/odata/Evaluations?$count=true&$top=0")).GetProperty("@odata.count").GetInt32());

        // The same row as downloaded (bonus cells blank = 0): the others are created, the submitted one is unchanged.
        var filled = Fill(template, (_, _, _) => { });
        var report = await (await secretary.PostAsync("/api/spreadsheets/import?month=2026-11&townshipId=1", Upload(filled))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal((villages - 1, 0, 1), (report.GetProperty("created").GetInt32(), report.GetProperty("updated").GetInt32(), report.GetProperty("unchanged").GetInt32()));
        var first = (await secretary.GetJsonAsync("/odata/Evaluations?$filter=villageId eq 1")).GetProperty("value")[0];
        Assert.Equal("Submitted", first.GetProperty("status").GetString());
    }
}
