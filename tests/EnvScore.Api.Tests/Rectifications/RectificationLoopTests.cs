using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EnvScore.Api.Tests.Security;
using EnvScore.Testing;
using Npgsql;

namespace EnvScore.Api.Tests.Rectifications;

/// <summary>
/// The loop over the API as clients do it: an inspector reports a problem with a photo, the secretary fixes it with an
/// after-photo, the inspector rejects once, then closes; every transition audited, stale ETags refused, nothing editable
/// once closed. The clock starts at 2026-11-10 10:00 Asia/Shanghai (the factory's), so a 7-day problem is due 2026-11-17.
/// </summary>
public class RectificationLoopTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    [Fact]
    public async Task Report_fix_reject_fix_close()
    {
        var inspector = await factory.ClientForAsync("inspector");
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(0));
        var (id, etag, created) = await Problems.CreateAsync(inspector);
        Assert.Equal("Open", created.GetProperty("state").GetString());
        Assert.Equal("Round", created.GetProperty("source").GetString());
        Assert.Equal("2026-11-17", created.GetProperty("deadline").GetString()); // 11-10 + 7 days
        Assert.Equal(202611, created.GetProperty("month").GetInt32());

        // The before-photo keeps the capture time the phone sent (Asia/Shanghai wall clock → 01:30 UTC).
        var photo = await Problems.PhotoAsync(inspector, id, "before", TestImages.Jpeg, capturedAt: "2026-11-10T09:30");
        await photo.ExpectAsync(HttpStatusCode.OK);
        // The phone's retry after a lost answer (the same bytes): answered as stored, nothing stored again, no audit row.
        var auditRows = await AuditRowsAsync(id);
        var retried = await (await Problems.PhotoAsync(inspector, id, "before", TestImages.Jpeg, capturedAt: "2026-11-10T09:30")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, retried.GetProperty("photos").GetArrayLength());
        Assert.Equal(photo.Headers.ETag!.ToString(), (await Problems.PhotoAsync(inspector, id, "before", TestImages.Jpeg)).Headers.ETag!.ToString());
        Assert.Equal(auditRows, await AuditRowsAsync(id));

        // No fix without an after-photo; the secretary cannot add before-photos; the inspector cannot fix.
        etag = await Problems.ETagAsync(secretary, id);
        var early = await (await Problems.ActAsync(secretary, id, "ReportFix", etag)).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("AfterPhotoRequired", Problems.Code(early));
        await (await Problems.PhotoAsync(secretary, id, "before", TestImages.Jpeg)).ExpectAsync(HttpStatusCode.Forbidden);
        await (await Problems.ActAsync(inspector, id, "ReportFix", etag)).ExpectAsync(HttpStatusCode.Forbidden);

        factory.Clock.Advance(TimeSpan.FromMinutes(5));
        await (await Problems.PhotoAsync(secretary, id, "after", TestImages.Png, "after.png")).ExpectAsync(HttpStatusCode.OK);
        // The ETag read before the photo is stale now.
        var stale = await (await Problems.ActAsync(secretary, id, "ReportFix", etag, new { note = "已清理" })).ExpectAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal("PreconditionFailed", Problems.Code(stale));
        await (await Problems.ActAsync(secretary, id, "ReportFix", null, new { note = "已清理" })).ExpectAsync(HttpStatusCode.PreconditionRequired);
        var fixedResponse = await Problems.ActAsync(secretary, id, "ReportFix", await Problems.ETagAsync(secretary, id), new { note = "已清理" });
        var fix = await fixedResponse.ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("AwaitingReview", fix.GetProperty("state").GetString());
        Assert.Equal("已清理", fix.GetProperty("fixNote").GetString());

        // Reject needs a reason; then back to 待整改, and the old after-photo no longer counts.
        factory.Clock.Advance(TimeSpan.FromMinutes(5));
        etag = fixedResponse.Headers.ETag!.ToString();
        var noReason = await (await Problems.ActAsync(inspector, id, "Reject", etag, new { reason = " " })).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(noReason.GetProperty("errors").TryGetProperty("reason", out _));
        var rejected = await (await Problems.ActAsync(inspector, id, "Reject", etag, new { reason = "仍有垃圾未清运" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Open", rejected.GetProperty("state").GetString());
        Assert.Equal(1, rejected.GetProperty("rejectCount").GetInt32());
        var again = await (await Problems.ActAsync(secretary, id, "ReportFix", await Problems.ETagAsync(secretary, id))).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("AfterPhotoRequired", Problems.Code(again));

        factory.Clock.Advance(TimeSpan.FromMinutes(5));
        await (await Problems.PhotoAsync(secretary, id, "after", TestImages.PngTitled("第二次整改后"), "after2.png")).ExpectAsync(HttpStatusCode.OK);
        await (await Problems.ActAsync(secretary, id, "ReportFix", await Problems.ETagAsync(secretary, id), new { note = "已全部清运" })).ExpectAsync(HttpStatusCode.OK);
        var closed = await (await Problems.ActAsync(inspector, id, "Close", await Problems.ETagAsync(inspector, id), new { note = "现场复核合格" }))
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Closed", closed.GetProperty("state").GetString());
        Assert.Equal("inspector", closed.GetProperty("closedBy").GetString());

        // Closed: nobody changes it.
        etag = await Problems.ETagAsync(inspector, id);
        foreach (var (client, action) in new[] { (inspector, "Close"), (inspector, "Reject"), (secretary, "ReportFix") })
            Assert.Equal("RectificationClosed", Problems.Code(await (await Problems.ActAsync(client, id, action, etag, new { reason = "x" })).ExpectAsync(HttpStatusCode.Conflict)));
        Assert.Equal("RectificationClosed", Problems.Code(await (await Problems.PhotoAsync(secretary, id, "after", TestImages.Jpeg)).ExpectAsync(HttpStatusCode.Conflict)));

        var final = await Problems.GetAsync(inspector, id);
        var photos = final.GetProperty("photos").EnumerateArray().ToArray();
        Assert.Equal(["Before", "After", "After"], photos.Select(p => p.GetProperty("kind").GetString()));
        Assert.Equal(new DateTimeOffset(2026, 11, 10, 1, 30, 0, TimeSpan.Zero), photos[0].GetProperty("capturedAt").GetDateTimeOffset());
        // The photo is served to those who may read the problem, as an image.
        var bytes = await (await inspector.GetAsync($"/api/rectification-photos/{photos[1].GetProperty("id").GetInt32()}")).Content.ReadAsByteArrayAsync();
        Assert.Equal(TestImages.Png, bytes);
        await (await factory.CreateClient().GetAsync($"/api/rectification-photos/{photos[1].GetProperty("id").GetInt32()}")).ExpectAsync(HttpStatusCode.Unauthorized);
        await (await (await factory.ClientForAsync(EnvScoreFactory.Secretary(1))).GetAsync($"/api/rectification-photos/{photos[1].GetProperty("id").GetInt32()}"))
            .ExpectAsync(HttpStatusCode.NotFound);

        // Every change is in the audit trail, in order, with before/after.
        Assert.Equal(
            ["Rectification.Create", "Rectification.BeforePhoto", "Rectification.AfterPhoto", "Rectification.ReportFix", "Rectification.Reject",
             "Rectification.AfterPhoto", "Rectification.ReportFix", "Rectification.Close"],
            await AuditActionsAsync(id));
    }

    private async Task<long> AuditRowsAsync(int problemId)
    {
        await using var conn = new NpgsqlConnection(factory.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM audit_log WHERE action LIKE 'Rectification.%' AND (after->>'rectificationId')::int = @id", conn);
        cmd.Parameters.AddWithValue("id", problemId);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Bad_input_is_named_and_stores_nothing()
    {
        var inspector = await factory.ClientForAsync("inspector");
        var before = await CountAsync("SELECT count(*) FROM rectifications");

        var unknown = await (await inspector.PostAsJsonAsync("/odata/Rectifications", new { villageId = 1, itemCode = "ZZ9", description = "x" }))
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("ZZ9", unknown.GetProperty("errors").GetProperty("itemCode")[0].GetString());
        var empty = await (await inspector.PostAsJsonAsync("/odata/Rectifications", new { villageId = 99999, itemCode = "", description = "" }))
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(empty.GetProperty("errors").TryGetProperty("villageId", out _));
        Assert.True(empty.GetProperty("errors").TryGetProperty("description", out _));
        Assert.True(empty.GetProperty("errors").TryGetProperty("itemCode", out _));
        var json = await (await inspector.PostAsync("/odata/Rectifications", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json")))
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("InvalidJson", Problems.Code(json));
        Assert.Equal(before, await CountAsync("SELECT count(*) FROM rectifications"));

        var (id, _, _) = await Problems.CreateAsync(inspector, village: 3);
        var html = System.Text.Encoding.UTF8.GetBytes("<html><script>alert(1)</script></html>");
        var notImage = await (await Problems.PhotoAsync(inspector, id, "before", html, "photo.jpg")).ExpectAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Equal("NotAnImage", Problems.Code(notImage));
        Assert.Contains("photo.jpg", notImage.GetProperty("title").GetString());
        var badTime = await (await Problems.PhotoAsync(inspector, id, "before", TestImages.Png, "a.png", capturedAt: "昨天")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(badTime.GetProperty("errors").TryGetProperty("capturedAt", out _));
        var badKind = await (await Problems.PhotoAsync(inspector, id, "during", TestImages.Png, "a.png")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("before", badKind.GetProperty("title").GetString());
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM rectification_photos WHERE rectification_id = {id}"));
        await (await inspector.PostAsync("/api/rectifications/424242/photos?kind=before", Multipart())).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Capture_time_from_EXIF_wins_over_the_client_field()
    {
        var inspector = await factory.ClientForAsync("inspector");
        var (id, _, _) = await Problems.CreateAsync(inspector, village: 4);
        var jpeg = WithExifDate(TestImages.Jpeg, "2026:11:09 16:45:10");
        await (await Problems.PhotoAsync(inspector, id, "before", jpeg, capturedAt: "2026-11-10T09:30")).ExpectAsync(HttpStatusCode.OK);
        var photo = (await Problems.GetAsync(inspector, id)).GetProperty("photos")[0];
        Assert.Equal(new DateTimeOffset(2026, 11, 9, 8, 45, 10, TimeSpan.Zero), photo.GetProperty("capturedAt").GetDateTimeOffset());
    }

    /// <summary>
    /// A JPEG with an APP1 Exif segment after SOI, as phones write it (big-endian TIFF): IFD0 with one entry pointing to the
    /// Exif IFD, which holds DateTimeOriginal (0x9003, ASCII, 20 bytes).
    /// </summary>
    public static byte[] WithExifDate(byte[] jpeg, string exifDate)
    {
        var tiff = new List<byte>();
        void U16(int v) { tiff.Add((byte)(v >> 8)); tiff.Add((byte)v); }
        void U32(int v) { U16(v >> 16); U16(v & 0xFFFF); }
        tiff.AddRange("MM"u8.ToArray()); U16(42); U32(8);
        U16(1); U16(0x8769); U16(4); U32(1); U32(26); U32(0);          // IFD0 at 8: Exif IFD pointer → 26
        U16(1); U16(0x9003); U16(2); U32(20); U32(44); U32(0);          // Exif IFD at 26: DateTimeOriginal at 44
        tiff.AddRange(System.Text.Encoding.ASCII.GetBytes(exifDate)); tiff.Add(0);
        var payload = "Exif\0\0"u8.ToArray().Concat(tiff).ToArray();
        var length = payload.Length + 2;
        return [0xFF, 0xD8, 0xFF, 0xE1, (byte)(length >> 8), (byte)length, .. payload, .. jpeg[2..]];
    }

    private static MultipartFormDataContent Multipart()
    {
        var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(TestImages.Jpeg), "file", "a.jpg");
        return form;
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(factory.ConnectionString);
        await conn.OpenAsync();
        return (long)(await new NpgsqlCommand(sql, conn).ExecuteScalarAsync())!;
    }

    private async Task<List<string>> AuditActionsAsync(int id)
    {
        await using var conn = new NpgsqlConnection(factory.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT action FROM audit_log WHERE action LIKE 'Rectification.%' AND (after->>'rectificationId')::int = @id ORDER BY id", conn);
        cmd.Parameters.AddWithValue("id", id);
        var actions = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) actions.Add(reader.GetString(0));
        return actions;
    }
}

/// <summary>Overdue is computed from the injected clock and Asia/Shanghai calendar days (own factory: the clock only goes forward).</summary>
public class RectificationOverdueTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    [Fact]
    public async Task Overdue_from_the_day_after_the_deadline_in_Shanghai()
    {
        var inspector = await factory.ClientForAsync("inspector");
        var (id, _, _) = await Problems.CreateAsync(inspector, village: 2);
        // 2026-11-17 23:59 in Shanghai = 15:59 UTC: still due today.
        factory.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 17, 15, 59, 0, TimeSpan.Zero));
        inspector = await factory.ClientForAsync("inspector"); // a fresh token at the new time
        Assert.DoesNotContain(id, await OverdueIdsAsync(inspector));
        // 2026-11-18 00:00 in Shanghai = 16:00 UTC on the 17th: overdue.
        factory.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 17, 16, 0, 0, TimeSpan.Zero));
        Assert.Contains(id, await OverdueIdsAsync(inspector));
        Assert.Contains(id, await OverdueIdsAsync(await factory.ClientForAsync(EnvScoreFactory.Secretary(0))));
        Assert.DoesNotContain(id, await OverdueIdsAsync(await factory.ClientForAsync(EnvScoreFactory.Secretary(1))));
    }

    private static async Task<int[]> OverdueIdsAsync(HttpClient client) =>
        (await client.GetJsonAsync("/odata/Rectifications/Overdue()")).GetProperty("value").EnumerateArray().Select(r => r.GetProperty("id").GetInt32()).ToArray();
}
