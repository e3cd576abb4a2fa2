using System.Net;
using System.Text;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Tests.Evaluations;
using EnvScore.Testing;

namespace EnvScore.Api.Tests.Security;

/// <summary>
/// Photos are verified whole, not by magic bytes, and served under a generated name with nosniff (issue #21).
/// </summary>
public class UploadTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    private static MultipartFormDataContent Form(byte[] bytes, string name) => new() { { new ByteArrayContent(bytes), "file", name } };

    [Fact]
    public async Task A_jpeg_header_followed_by_an_html_page_is_refused()
    {
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(0));
        var (id, _) = await Sheets.CreateAsync(secretary, villageId: 12);
        var polyglots = new[]
        {
            ("report.html", (byte[])[0xFF, 0xD8, 0xFF, 0xE0, .. "<html><script>alert(document.cookie)</script></html>"u8.ToArray()]),
            ("page.png", (byte[])[.. TestImages.Png[..8], .. "<html><body>not a png</body></html>"u8.ToArray()]),
            ("cut.jpg", TestImages.Jpeg[..(TestImages.Jpeg.Length / 2)]), // a truncated photo
            ("flipped.png", Flip(TestImages.Png, TestImages.Png.Length - 20)), // a corrupted chunk (CRC)
        };
        foreach (var (name, bytes) in polyglots)
        {
            var problem = await (await secretary.PostAsync($"/api/evaluations/{id}/evidence", Form(bytes, name))).ExpectAsync(HttpStatusCode.UnsupportedMediaType);
            Assert.Contains(name, problem.GetProperty("title").GetString());
            Assert.Contains("图片", problem.GetProperty("title").GetString());
        }
        var sheet = await secretary.GetJsonAsync($"/odata/Evaluations({id})?$expand=evidence");
        Assert.Empty(sheet.GetProperty("evidence").EnumerateArray());
    }

    [Fact]
    public async Task A_real_photo_is_stored_and_served_under_a_generated_name_with_nosniff()
    {
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(0));
        var (id, _) = await Sheets.CreateAsync(secretary, villageId: 13);
        // A phone that appends data after the image (a motion clip): only the image is kept.
        byte[] withTail = [.. TestImages.Jpeg, .. "ftypmp42 trailing clip"u8.ToArray()];
        var created = await (await secretary.PostAsync($"/api/evaluations/{id}/evidence", Form(withTail, "report.html"))).ExpectAsync(HttpStatusCode.Created);
        var evidenceId = created.GetProperty("id").GetInt32();
        var served = await secretary.GetAsync($"/api/evidence/{evidenceId}");
        Assert.Equal("image/jpeg", served.Content.Headers.ContentType!.MediaType);
        Assert.Equal($"evidence-{evidenceId}.jpg", served.Content.Headers.ContentDisposition!.FileName?.Trim('"'));
        Assert.Equal("nosniff", served.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(TestImages.Jpeg, await served.Content.ReadAsByteArrayAsync());

        var png = await (await secretary.PostAsync($"/api/evaluations/{id}/evidence", Form(TestImages.Png, "x.png"))).ExpectAsync(HttpStatusCode.Created);
        var pngServed = await secretary.GetAsync($"/api/evidence/{png.GetProperty("id").GetInt32()}");
        Assert.EndsWith(".png", pngServed.Content.Headers.ContentDisposition!.FileName?.Trim('"'));
    }

    [Fact]
    public async Task A_retried_upload_stores_the_photo_once()
    {
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(0));
        var (id, _) = await Sheets.CreateAsync(secretary, villageId: 14);
        var first = await (await secretary.PostAsync($"/api/evaluations/{id}/evidence", Form(TestImages.Jpeg, "村口.jpg"))).ExpectAsync(HttpStatusCode.Created);
        // The phone lost the answer and sends the same photo again: 200 with the stored photo, nothing stored twice, no second audit row.
        var retry = await (await secretary.PostAsync($"/api/evaluations/{id}/evidence", Form(TestImages.Jpeg, "村口.jpg"))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(first.GetProperty("id").GetInt32(), retry.GetProperty("id").GetInt32());
        var sheet = await secretary.GetJsonAsync($"/odata/Evaluations({id})?$expand=evidence");
        Assert.Single(sheet.GetProperty("evidence").EnumerateArray());
        var audit = await secretary.GetJsonAsync($"/odata/AuditLog?$filter=evaluationId eq {id} and action eq 'Evidence.Add'");
        Assert.Single(audit.GetProperty("value").EnumerateArray());
        // Another picture (other bytes) is another photo.
        await (await secretary.PostAsync($"/api/evaluations/{id}/evidence", Form(TestImages.PngTitled("河沟"), "河沟.png"))).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(2, (await secretary.GetJsonAsync($"/odata/Evaluations({id})?$expand=evidence")).GetProperty("evidence").GetArrayLength());
    }

    [Fact]
    public void The_verifier_accepts_the_real_images_and_nothing_else()
    {
        Assert.Equal("image/jpeg", ImageCheck.Verify(TestImages.Jpeg)?.ContentType);
        Assert.Equal("image/png", ImageCheck.Verify(TestImages.Png)?.ContentType);
        Assert.Null(ImageCheck.Verify(Encoding.UTF8.GetBytes("GIF89a")));
        Assert.Null(ImageCheck.Verify([.. TestImages.Png, 0x00])); // bytes after IEND
        Assert.Equal("image/png", ImageCheck.Verify(TestImages.PngTitled("村口"))?.ContentType); // an ancillary text chunk
    }

    private static byte[] Flip(byte[] bytes, int at)
    {
        var copy = (byte[])bytes.Clone();
        copy[at] ^= 0x55;
        return copy;
    }
}
