using System.Net;
using System.Net.Http.Json;
using EnvScore.Testing;

namespace EnvScore.Api.Tests.Evaluations;

/// <summary>Own class: it moves the clock. Month 2026-11 opens 11-01 and closes 12-05 18:00 Asia/Shanghai (10:00 UTC).</summary>
public class SheetDeadlineTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    [Fact]
    public async Task Writes_before_opening_and_after_the_deadline_get_a_clear_409()
    {
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(0));
        var early = await (await secretary.PostAsJsonAsync("/odata/Evaluations", Sheets.Write(1, month: "2026-12"))).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("尚未开放", early.GetProperty("title").GetString());

        var (id, etag) = await Sheets.CreateAsync(secretary, villageId: 1);
        factory.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 5, 9, 59, 0, TimeSpan.Zero)); // 17:59 in Shanghai: still open
        secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(0)); // tokens last 8 hours: sign in again
        var response = await Sheets.SendAsync(secretary, HttpMethod.Patch, $"/odata/Evaluations({id})", etag, new { note = "赶在截止前" });
        await response.ExpectAsync(HttpStatusCode.OK);

        factory.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero)); // 18:00 in Shanghai: closed
        secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(0));
        var late = await (await Sheets.SendAsync(secretary, HttpMethod.Patch, $"/odata/Evaluations({id})", response.Headers.ETag!.ToString(), new { note = "晚了" }))
            .ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("截止", late.GetProperty("title").GetString());
        await (await secretary.PostAsJsonAsync("/odata/Evaluations", Sheets.Write(2))).ExpectAsync(HttpStatusCode.Conflict);

        // District checks run to the 10th, 18:00.
        var inspector = await factory.ClientForAsync("inspector");
        await Sheets.CreateAsync(inspector, villageId: 2, kind: "District");
    }

    [Fact]
    public async Task An_admin_can_move_the_deadline_of_a_month_and_it_applies()
    {
        var admin = await factory.ClientForAsync("admin");
        var calendar = new
        {
            month = 202701,
            opensAt = "2027-01-01T00:00:00+08:00",
            townshipDeadline = "2027-02-08T18:00:00+08:00",
            districtCheckDeadline = "2027-02-12T18:00:00+08:00",
            computeAt = "2027-02-12T20:00:00+08:00",
        };
        await (await admin.PostAsJsonAsync("/odata/Calendars", calendar)).ExpectAsync(HttpStatusCode.Created);
        var effective = await admin.GetJsonAsync("/odata/Calendars/ForMonth(districtId=1,month='2027-01')");
        Assert.True(effective.GetProperty("isOverride").GetBoolean());
        Assert.Equal(DateTimeOffset.Parse("2027-02-08T10:00:00Z"), effective.GetProperty("townshipDeadline").GetDateTimeOffset());

        var bad = calendar with { };
        var error = await (await admin.PostAsJsonAsync("/odata/Calendars", new { month = 202702, opensAt = "2027-02-01T00:00:00+08:00", townshipDeadline = "2027-01-30T18:00:00+08:00", districtCheckDeadline = "2027-03-10T18:00:00+08:00", computeAt = "2027-03-10T20:00:00+08:00" }))
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(error.GetProperty("errors").TryGetProperty("townshipDeadline", out _));
        Assert.Equal(HttpStatusCode.Forbidden, (await (await factory.ClientForAsync(EnvScoreFactory.Secretary(0))).PostAsJsonAsync("/odata/Calendars", calendar)).StatusCode);

        var defaults = await admin.GetJsonAsync("/odata/Calendars/ForMonth(districtId=1,month='2026-11')");
        Assert.False(defaults.GetProperty("isOverride").GetBoolean());
        Assert.Equal(DateTimeOffset.Parse("2026-12-05T10:00:00Z"), defaults.GetProperty("townshipDeadline").GetDateTimeOffset());
    }
}
