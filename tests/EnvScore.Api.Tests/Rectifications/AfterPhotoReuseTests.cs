using System.Net;
using EnvScore.Testing;
using Npgsql;

namespace EnvScore.Api.Tests.Rectifications;

/// <summary>
/// An after-photo must show the fix (docs/rectification.md): the township cannot send the inspector's own problem photo
/// back as its after-photo, and after 复核未通过 the photo of the rejected fix does not count as the new one. The check is by
/// content (SHA-256 of the bytes), whatever the file is called. A retry of the current round's photo stays harmless.
/// Each after-photo carries the fix round it belongs to (read back over OData as <c>fixRound</c>).
/// </summary>
public class AfterPhotoReuseTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    [Fact]
    public async Task The_before_photo_and_a_rejected_photo_are_refused_as_after_photos()
    {
        var inspector = await factory.ClientForAsync("inspector");
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(0));
        var (id, _, _) = await Problems.CreateAsync(inspector, village: 2);
        var before = TestImages.PngTitled("村口垃圾");
        var first = TestImages.PngTitled("第一次整改");
        var second = TestImages.PngTitled("第二次整改");
        await (await Problems.PhotoAsync(inspector, id, "before", before, "村口.png")).ExpectAsync(HttpStatusCode.OK);

        // The before-photo under another name is still the before-photo: 409, Chinese title, machine code, nothing stored.
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        var same = await (await Problems.PhotoAsync(secretary, id, "after", before, "整改后.png")).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("AfterPhotoSameAsBefore", Problems.Code(same));
        Assert.Contains("“整改后.png”与整改前", same.GetProperty("title").GetString());
        Assert.Equal(1, await PhotoCountAsync(id));
        // … also when it comes with a good photo in the same upload: all or nothing.
        var mixed = new MultipartFormDataContent();
        foreach (var (bytes, name) in new[] { (first, "a.png"), (before, "b.png") })
            mixed.Add(new ByteArrayContent(bytes) { Headers = { ContentType = new("image/png") } }, "file", name);
        Assert.Equal("AfterPhotoSameAsBefore", Problems.Code(await (await secretary.PostAsync($"/api/rectifications/{id}/photos?kind=after", mixed))
            .ExpectAsync(HttpStatusCode.Conflict)));
        Assert.Equal(1, await PhotoCountAsync(id));

        // Round 1: a real after-photo (a retry of it stores nothing), reported, rejected.
        await (await Problems.PhotoAsync(secretary, id, "after", first, "第一次.png")).ExpectAsync(HttpStatusCode.OK);
        await (await Problems.PhotoAsync(secretary, id, "after", first, "第一次.png")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(2, await PhotoCountAsync(id));
        await (await Problems.ActAsync(secretary, id, "ReportFix", await Problems.ETagAsync(secretary, id), new { note = "已清运" })).ExpectAsync(HttpStatusCode.OK);
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await (await Problems.ActAsync(inspector, id, "Reject", await Problems.ETagAsync(inspector, id), new { reason = "路边仍有垃圾" })).ExpectAsync(HttpStatusCode.OK);

        // The rejected photo again (renamed) is not the new photo the rejection asks for; the fix is still refused.
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        var again = await (await Problems.PhotoAsync(secretary, id, "after", first, "新照片.png")).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("AfterPhotoAlreadyRejected", Problems.Code(again));
        Assert.Contains("第1次整改上报时用过", again.GetProperty("title").GetString());
        Assert.Equal("AfterPhotoRequired", Problems.Code(await (await Problems.ActAsync(secretary, id, "ReportFix", await Problems.ETagAsync(secretary, id)))
            .ExpectAsync(HttpStatusCode.Conflict)));
        Assert.Equal("AfterPhotoSameAsBefore", Problems.Code(await (await Problems.PhotoAsync(secretary, id, "after", before, "c.png")).ExpectAsync(HttpStatusCode.Conflict)));
        Assert.Equal(2, await PhotoCountAsync(id));

        // Round 2: a new photo; its round is stored with it (not guessed from upload and review times).
        await (await Problems.PhotoAsync(secretary, id, "after", second, "第二次.png")).ExpectAsync(HttpStatusCode.OK);
        await (await Problems.ActAsync(secretary, id, "ReportFix", await Problems.ETagAsync(secretary, id), new { note = "已全部清理" })).ExpectAsync(HttpStatusCode.OK);
        var photos = (await Problems.GetAsync(inspector, id)).GetProperty("photos").EnumerateArray()
            .Select(p => (Kind: p.GetProperty("kind").GetString(), Name: p.GetProperty("fileName").GetString(),
                Round: p.GetProperty("fixRound").ValueKind == System.Text.Json.JsonValueKind.Null ? (int?)null : p.GetProperty("fixRound").GetInt32()))
            .ToList();
        Assert.Equal([("Before", "村口.png", null), ("After", "第一次.png", 1), ("After", "第二次.png", 2)], photos);
    }

    private async Task<long> PhotoCountAsync(int id)
    {
        await using var conn = new NpgsqlConnection(factory.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM rectification_photos WHERE rectification_id = @id", conn);
        cmd.Parameters.AddWithValue("id", id);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
