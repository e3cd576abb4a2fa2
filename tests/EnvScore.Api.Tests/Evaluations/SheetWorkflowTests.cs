using System.Net;
using System.Net.Http.Json;
using EnvScore.Domain.Rules;
using EnvScore.Testing;

namespace EnvScore.Api.Tests.Evaluations;

public class SheetWorkflowTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    private static readonly string Secretary = EnvScoreFactory.Secretary(0); // 水稻乡: villages 1–19

    [Fact]
    public async Task A_sheet_goes_draft_submitted_returned_submitted_and_the_trail_records_every_step()
    {
        var secretary = await factory.ClientForAsync(Secretary);
        var admin = await factory.ClientForAsync("admin");
        var (id, etag) = await Sheets.CreateAsync(secretary, villageId: 1);

        var occurrence = Sheets.FirstOf<PerOccurrenceItem>();
        var patch = new { note = "发现柴草堆放", entries = new[] { new { itemCode = occurrence, count = 2 } } };
        await (await Sheets.SendAsync(secretary, HttpMethod.Patch, $"/odata/Evaluations({id})", null, patch)).ExpectAsync((HttpStatusCode)428);
        var patched = await Sheets.SendAsync(secretary, HttpMethod.Patch, $"/odata/Evaluations({id})", etag, patch);
        await patched.ExpectAsync(HttpStatusCode.OK);
        await (await Sheets.SendAsync(secretary, HttpMethod.Patch, $"/odata/Evaluations({id})", etag, patch)).ExpectAsync(HttpStatusCode.PreconditionFailed);
        etag = patched.Headers.ETag!.ToString();

        var submitted = await Sheets.SendAsync(secretary, HttpMethod.Post, $"/odata/Evaluations({id})/Submit", etag);
        Assert.Equal("Submitted", (await submitted.ExpectAsync(HttpStatusCode.OK)).GetProperty("status").GetString());
        etag = submitted.Headers.ETag!.ToString();
        var readOnly = await (await Sheets.SendAsync(secretary, HttpMethod.Patch, $"/odata/Evaluations({id})", etag, patch)).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("已提交", readOnly.GetProperty("title").GetString());

        await (await Sheets.SendAsync(admin, HttpMethod.Post, $"/odata/Evaluations({id})/Return", etag, new { reason = "" })).ExpectAsync(HttpStatusCode.BadRequest);
        var returned = await Sheets.SendAsync(admin, HttpMethod.Post, $"/odata/Evaluations({id})/Return", etag, new { reason = "照片不清晰，请补充" });
        var returnedJson = await returned.ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Returned", returnedJson.GetProperty("status").GetString());
        Assert.Equal("照片不清晰，请补充", returnedJson.GetProperty("returnReason").GetString());
        etag = returned.Headers.ETag!.ToString();

        var fixedUp = await Sheets.SendAsync(secretary, HttpMethod.Patch, $"/odata/Evaluations({id})", etag, new { entries = new[] { new { itemCode = occurrence, count = 1 } } });
        await fixedUp.ExpectAsync(HttpStatusCode.OK);
        await (await Sheets.SendAsync(secretary, HttpMethod.Post, $"/odata/Evaluations({id})/Submit", fixedUp.Headers.ETag!.ToString())).ExpectAsync(HttpStatusCode.OK);

        var sheet = await secretary.GetJsonAsync($"/odata/Evaluations({id})?$expand=entries($filter=itemCode eq '{occurrence}')");
        Assert.Equal(1, sheet.GetProperty("entries")[0].GetProperty("count").GetInt32());

        foreach (var reader in new[] { admin, secretary })
        {
            var trail = await reader.GetJsonAsync($"/odata/AuditLog?$filter=evaluationId eq {id}&$orderby=id");
            var actions = trail.GetProperty("value").EnumerateArray().Select(a => a.GetProperty("action").GetString()).ToArray();
            Assert.Equal(new[] { "Evaluation.Create", "Evaluation.Update", "Evaluation.Submit", "Evaluation.Return", "Evaluation.Update", "Evaluation.Submit" }, actions);
            var update = trail.GetProperty("value")[1];
            Assert.Equal(Secretary, update.GetProperty("userName").GetString());
            Assert.Contains("\"count\": 0", update.GetProperty("before").GetString()!.Replace("\"count\":0", "\"count\": 0"));
            Assert.Contains("发现柴草堆放", update.GetProperty("after").GetString());
        }
    }

    [Fact]
    public async Task Invalid_entries_are_rejected_with_every_problem_and_nothing_is_stored()
    {
        var secretary = await factory.ClientForAsync(Secretary);
        var sampled = Sheets.Rules.Items.OfType<SampledItem>().First();
        var entries = Sheets.CleanEntries();
        entries.Add(new { itemCode = "NOPE", count = 1 });
        entries[entries.FindIndex(e => e.ToString()!.Contains(Sheets.FirstOf<PerOccurrenceItem>()))] = new { itemCode = Sheets.FirstOf<PerOccurrenceItem>(), count = -1 };
        entries[entries.FindIndex(e => e.ToString()!.Contains(Sheets.FirstOf<LevelsItem>()))] = new { itemCode = Sheets.FirstOf<LevelsItem>(), level = "ZZ" };
        entries[entries.FindIndex(e => e.ToString()!.Contains(sampled.Code))] = new { itemCode = sampled.Code, failedSamples = sampled.Samples + 1 };

        var error = await (await secretary.PostAsJsonAsync("/odata/Evaluations", Sheets.Write(2, entries: entries))).ExpectAsync(HttpStatusCode.BadRequest);
        var problems = Sheets.Problems(error);
        Assert.Contains(problems, p => p.GetProperty("itemCode").GetString() == "NOPE");
        Assert.Contains(problems, p => p.GetProperty("itemCode").GetString() == Sheets.FirstOf<PerOccurrenceItem>() && p.GetProperty("field").GetString() == "count");
        Assert.Contains(problems, p => p.GetProperty("itemCode").GetString() == Sheets.FirstOf<LevelsItem>() && p.GetProperty("field").GetString() == "level");
        Assert.Contains(problems, p => p.GetProperty("itemCode").GetString() == sampled.Code && p.GetProperty("field").GetString() == "failedSamples");
        Assert.All(problems, p => Assert.False(string.IsNullOrEmpty(p.GetProperty("message").GetString())));

        var stored = await secretary.GetJsonAsync("/odata/Evaluations?$filter=villageId eq 2&$count=true");
        Assert.Equal(0, stored.GetProperty("@odata.count").GetInt32());
    }

    [Fact]
    public async Task A_partial_draft_is_kept_but_cannot_be_submitted()
    {
        var secretary = await factory.ClientForAsync(Secretary);
        var levels = Sheets.FirstOf<LevelsItem>();
        var partial = Sheets.CleanEntries().Where(e => !e.ToString()!.Contains(levels)).ToList();
        var response = await secretary.PostAsJsonAsync("/odata/Evaluations", Sheets.Write(3, entries: partial));
        var created = await response.ExpectAsync(HttpStatusCode.Created);
        var error = await (await Sheets.SendAsync(secretary, HttpMethod.Post, $"/odata/Evaluations({created.GetProperty("id").GetInt32()})/Submit",
            response.Headers.ETag!.ToString())).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains(Sheets.Problems(error), p => p.GetProperty("kind").GetString() == "MissingRequired" && p.GetProperty("itemCode").GetString() == levels);
    }

    [Fact]
    public async Task Put_replaces_the_whole_sheet_and_cannot_move_it_to_another_village()
    {
        var secretary = await factory.ClientForAsync(Secretary);
        var (id, etag) = await Sheets.CreateAsync(secretary, villageId: 7);
        var occurrence = Sheets.FirstOf<PerOccurrenceItem>();
        var entries = Sheets.CleanEntries();
        entries[entries.FindIndex(e => e.ToString()!.Contains(occurrence))] = new { itemCode = occurrence, count = 4 };

        var moved = await (await Sheets.SendAsync(secretary, HttpMethod.Put, $"/odata/Evaluations({id})", etag, Sheets.Write(8, entries: entries)))
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(moved.GetProperty("errors").TryGetProperty("villageId", out _));

        var replaced = await Sheets.SendAsync(secretary, HttpMethod.Put, $"/odata/Evaluations({id})", etag, Sheets.Write(7, entries: entries, note: "整表替换"));
        await replaced.ExpectAsync(HttpStatusCode.OK);
        var sheet = await secretary.GetJsonAsync($"/odata/Evaluations({id})?$expand=entries");
        Assert.Equal("整表替换", sheet.GetProperty("note").GetString());
        Assert.Equal(Sheets.Rules.Items.Count(), sheet.GetProperty("entries").GetArrayLength());
        Assert.Equal(4, sheet.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("itemCode").GetString() == occurrence).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task A_second_sheet_for_the_same_village_month_and_kind_is_a_conflict()
    {
        var secretary = await factory.ClientForAsync(Secretary);
        await Sheets.CreateAsync(secretary, villageId: 4);
        var error = await (await secretary.PostAsJsonAsync("/odata/Evaluations", Sheets.Write(4))).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("已存在", error.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Parallel_writers_on_one_sheet_one_wins_the_other_gets_412_and_nothing_is_lost()
    {
        var a = await factory.ClientForAsync(Secretary);
        var b = await factory.ClientForAsync("admin");
        var (id, etag) = await Sheets.CreateAsync(a, villageId: 5);
        var item = Sheets.FirstOf<PerOccurrenceItem>();

        var responses = await Task.WhenAll(
            Sheets.SendAsync(a, HttpMethod.Patch, $"/odata/Evaluations({id})", etag, new { note = "A", entries = new[] { new { itemCode = item, count = 1 } } }),
            Sheets.SendAsync(b, HttpMethod.Patch, $"/odata/Evaluations({id})", etag, new { note = "B", entries = new[] { new { itemCode = item, count = 2 } } }));
        var statuses = responses.Select(r => r.StatusCode).OrderBy(s => s).ToArray();
        Assert.Equal(new[] { HttpStatusCode.OK, HttpStatusCode.PreconditionFailed }, statuses);

        var winner = responses.Single(r => r.StatusCode == HttpStatusCode.OK);
        var winnerNote = (await winner.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("note").GetString();
        var sheet = await a.GetJsonAsync($"/odata/Evaluations({id})?$expand=entries");
        Assert.Equal(winnerNote, sheet.GetProperty("note").GetString());
        Assert.Equal(Sheets.Rules.Items.Count(), sheet.GetProperty("entries").GetArrayLength());
        var count = sheet.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("itemCode").GetString() == item).GetProperty("count").GetInt32();
        Assert.Equal(winnerNote == "A" ? 1 : 2, count);
    }

    [Fact]
    public async Task Evidence_photos_are_checked_by_content_and_readable_only_by_those_who_may_read_the_sheet()
    {
        var secretary = await factory.ClientForAsync(Secretary);
        var (id, _) = await Sheets.CreateAsync(secretary, villageId: 6);
        var png = TestImages.Png; // a real PNG: uploads are verified whole

        using var upload = new MultipartFormDataContent { { new ByteArrayContent(png), "file", "现场.png" } };
        var created = await (await secretary.PostAsync($"/api/evaluations/{id}/evidence?itemCode={Sheets.FirstOf<PerOccurrenceItem>()}", upload)).ExpectAsync(HttpStatusCode.Created);
        var evidenceId = created.GetProperty("id").GetInt32();
        Assert.Equal("image/png", created.GetProperty("contentType").GetString());
        Assert.Equal(png, await secretary.GetByteArrayAsync($"/api/evidence/{evidenceId}"));
        Assert.Equal(png, await (await factory.ClientForAsync("inspector")).GetByteArrayAsync($"/api/evidence/{evidenceId}"));
        Assert.Equal(HttpStatusCode.NotFound, (await (await factory.ClientForAsync(EnvScoreFactory.Secretary(1))).GetAsync($"/api/evidence/{evidenceId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient().GetAsync($"/api/evidence/{evidenceId}")).StatusCode);

        using var fake = new MultipartFormDataContent { { new ByteArrayContent("not a photo"u8.ToArray()), "file", "photo.jpg" } };
        await (await secretary.PostAsync($"/api/evaluations/{id}/evidence", fake)).ExpectAsync(HttpStatusCode.UnsupportedMediaType);
        using var huge = new MultipartFormDataContent { { new ByteArrayContent(new byte[6 * 1024 * 1024]), "file", "big.jpg" } };
        await (await secretary.PostAsync($"/api/evaluations/{id}/evidence", huge)).ExpectAsync(HttpStatusCode.RequestEntityTooLarge);

        var sheet = await secretary.GetJsonAsync($"/odata/Evaluations({id})?$expand=evidence");
        Assert.Equal("现场.png", Assert.Single(sheet.GetProperty("evidence").EnumerateArray()).GetProperty("fileName").GetString());
    }
}
