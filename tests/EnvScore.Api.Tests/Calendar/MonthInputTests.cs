using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EnvScore.Testing;

namespace EnvScore.Api.Tests.Calendar;

/// <summary>
/// Found by a fresh user: <c>POST /odata/Calendars</c> refused <c>"month":"2026-12"</c> while its own error asked for that
/// form. Every API place that takes a month reads the documented "yyyy-MM" and answers anything else with 400
/// <c>InvalidMonth</c> naming the field in Chinese. Expected values are written by hand.
/// </summary>
public sealed class MonthInputTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    /// <summary>The body docs/api.md shows, byte for byte.</summary>
    private const string DocumentedBody = """
        {"month":"2026-12","opensAt":"2026-12-01T00:00:00+08:00","townshipDeadline":"2027-01-08T18:00:00+08:00","districtCheckDeadline":"2027-01-12T18:00:00+08:00","computeAt":"2027-01-12T20:00:00+08:00"}
        """;

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Fact]
    public async Task The_documented_calendar_body_is_stored_and_a_GET_answer_can_be_posted_back()
    {
        var admin = await factory.ClientForAsync("admin");
        var created = await (await admin.PostAsync("/odata/Calendars", Json(DocumentedBody))).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(202612, created.GetProperty("month").GetInt32());
        var effective = await admin.GetJsonAsync("/odata/Calendars/ForMonth(districtId=1,month='2026-12')");
        Assert.True(effective.GetProperty("isOverride").GetBoolean());
        // 2027-01-08 18:00 Beijing = 10:00 UTC.
        Assert.Equal(new DateTimeOffset(2027, 1, 8, 10, 0, 0, TimeSpan.Zero), effective.GetProperty("townshipDeadline").GetDateTimeOffset());

        // What GET answers (month as the yyyymm integer, id, districtId, isOverride, @odata.context) goes back as it is.
        var listed = (await admin.GetJsonAsync("/odata/Calendars?$filter=month eq 202612")).GetProperty("value")[0].GetRawText();
        var moved = listed.Replace("2027-01-12T10:00:00Z", "2027-01-12T09:00:00Z");
        Assert.NotEqual(listed, moved);
        await (await admin.PostAsync("/odata/Calendars", Json(moved))).ExpectAsync(HttpStatusCode.Created);
        var again = await admin.GetJsonAsync("/odata/Calendars?$filter=month eq 202612");
        Assert.Single(again.GetProperty("value").EnumerateArray());
        Assert.Equal(new DateTimeOffset(2027, 1, 12, 9, 0, 0, TimeSpan.Zero), again.GetProperty("value")[0].GetProperty("districtCheckDeadline").GetDateTimeOffset());

        // Left-out instants are named, nothing stored.
        var missing = await (await admin.PostAsync("/odata/Calendars", Json("""{"month":"2027-02"}"""))).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("InvalidField", missing.GetProperty("code").GetString());
        Assert.Contains("乡镇提交截止时间", missing.GetProperty("errors").GetProperty("townshipDeadline")[0].GetString());
        Assert.Empty((await admin.GetJsonAsync("/odata/Calendars?$filter=month eq 202702")).GetProperty("value").EnumerateArray());
        // A member the calendar does not have.
        var unknown = await (await admin.PostAsync("/odata/Calendars", Json(DocumentedBody.Replace("\"month\"", "\"monthh\"")))).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("InvalidJson", unknown.GetProperty("code").GetString());
        Assert.Contains("monthh", unknown.GetProperty("errors").EnumerateObject().Single().Name);
        // A secretary may not.
        await (await (await factory.ClientForAsync(EnvScoreFactory.Secretary(0))).PostAsync("/odata/Calendars", Json(DocumentedBody))).ExpectAsync(HttpStatusCode.Forbidden);
    }

    public static TheoryData<string> BadMonths() => new() { "2026-13", "26-12", "2026.12", "1999-12", "十二月" };

    [Theory, MemberData(nameof(BadMonths))]
    public async Task Every_place_that_takes_a_month_names_the_field_when_it_is_not_one(string bad)
    {
        var admin = await factory.ClientForAsync("admin");
        var townshipId = (await admin.GetJsonAsync("/odata/Townships?$top=1&$orderby=code")).GetProperty("value")[0].GetProperty("id").GetInt32();
        var u = Uri.EscapeDataString(bad);
        var requests = new (string Name, string Field, Func<Task<HttpResponseMessage>> Send)[]
        {
            ("POST Calendars", "month", () => admin.PostAsync("/odata/Calendars", Json(DocumentedBody.Replace("\"2026-12\"", JsonSerializer.Serialize(bad))))),
            ("Calendars/ForMonth", "month", () => admin.GetAsync($"/odata/Calendars/ForMonth(districtId=1,month='{u}')")),
            ("RuleSets/InForce", "month", () => admin.GetAsync($"/odata/RuleSets/InForce(districtId=1,month='{u}')")),
            ("analysis", "month", () => admin.GetAsync($"/api/analysis/1/{u}")),
            ("what-if", "month", () => admin.GetAsync($"/api/what-if/1/{u}")),
            ("publish", "month", () => admin.PostAsync($"/api/publications/{u}/publish", Json("{}"))),
            ("corrections", "month", () => admin.PostAsync($"/api/publications/{u}/corrections", Json("""{"reason":"x"}"""))),
            ("bulletin", "month", () => admin.GetAsync($"/api/bulletins/1/{u}/1")),
            ("bulletin preview", "month", () => admin.GetAsync($"/api/bulletins/1/{u}/preview")),
            ("template", "month", () => admin.GetAsync($"/api/spreadsheets/template?month={u}&townshipId={townshipId}")),
            ("district template", "month", () => admin.GetAsync($"/api/spreadsheets/template?month={u}")),
            ("import", "month", () => admin.PostAsync($"/api/spreadsheets/import?month={u}&townshipId={townshipId}", Xlsx())),
            ("ledger.xlsx", "m", () => admin.GetAsync($"/api/rectifications/ledger.xlsx?m={u}")),
        };
        var failures = new List<string>();
        foreach (var (name, field, send) in requests)
        {
            using var response = await send();
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.BadRequest) { failures.Add($"{name}: {(int)response.StatusCode} {text}"); continue; }
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            var ok = root.TryGetProperty("code", out var code) && code.GetString() == "InvalidMonth"
                && root.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out var messages)
                && messages[0].GetString()!.Contains($"{field}应为\"yyyy-MM\"格式的月份") && messages[0].GetString()!.Contains(bad);
            if (!ok) failures.Add($"{name}: {text}");
        }
        Assert.Empty(failures);
    }

    [Fact]
    public async Task The_documented_form_is_accepted_everywhere()
    {
        var admin = await factory.ClientForAsync("admin");
        var townshipId = (await admin.GetJsonAsync("/odata/Townships?$top=1&$orderby=code")).GetProperty("value")[0].GetProperty("id").GetInt32();
        foreach (var url in new[]
        {
            "/odata/Calendars/ForMonth(districtId=1,month='2026-11')", "/odata/RuleSets/InForce(districtId=1,month='2026-11')",
            "/api/analysis/1/2026-11", $"/api/spreadsheets/template?month=2026-11&townshipId={townshipId}",
            "/api/spreadsheets/template?month=2026-11", "/api/rectifications/ledger.xlsx?m=2026-11",
        })
        {
            using var response = await admin.GetAsync(url);
            Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static MultipartFormDataContent Xlsx()
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent([0x50, 0x4B, 0x03, 0x04]);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        form.Add(file, "file", "x.xlsx");
        return form;
    }
}
