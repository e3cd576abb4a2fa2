using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EnvScore.Domain.Rules;
using EnvScore.Testing;

namespace EnvScore.Api.Tests.Evaluations;

/// <summary>
/// Write bodies are read strictly (issues #15, #21), as a client probing the service found them not to be: a PATCH member
/// that is unknown or read-only is refused and nothing is stored; a PATCH that changes nothing stores nothing; a number
/// sent as a string is refused; an OData write body that is not declared JSON is refused (415); every refusal carries a
/// machine-readable code.
/// </summary>
public class WriteBodyStrictnessTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    private static readonly string Secretary = EnvScoreFactory.Secretary(0); // 水稻乡: villages 1–19

    private static async Task<int> AuditRowsAsync(HttpClient admin, int id) =>
        (await admin.GetJsonAsync($"/odata/AuditLog?$filter=evaluationId eq {id}")).GetProperty("value").GetArrayLength();

    /// <summary>The village's Self sheet for 2026-11: created by the first case of a theory, reused (unchanged) by the next ones.</summary>
    private static async Task<(int Id, string ETag)> SheetForAsync(HttpClient client, int villageId)
    {
        var found = (await client.GetJsonAsync($"/odata/Evaluations?$filter=villageId eq {villageId} and kind eq 'Self'&$select=id")).GetProperty("value");
        if (found.GetArrayLength() == 0) return await Sheets.CreateAsync(client, villageId);
        var id = found[0].GetProperty("id").GetInt32();
        return (id, await Sheets.ETagAsync(client, id));
    }

    private static string Code(JsonElement problem) => problem.TryGetProperty("code", out var c) ? c.GetString() ?? "" : "";

    private static HttpRequestMessage Raw(HttpMethod method, string url, string body, string? contentType, string? etag = null)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = null;
        if (contentType is not null) content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        var request = new HttpRequestMessage(method, url) { Content = content };
        if (etag is not null) request.Headers.TryAddWithoutValidation("If-Match", etag);
        return request;
    }

    [Theory]
    [InlineData("""{"villageId":2}""", "villageId", "InvalidField", "不能修改")]
    [InlineData("""{"status":"Submitted"}""", "status", "InvalidField", "不能修改")]
    [InlineData("""{"kind":"District"}""", "kind", "InvalidField", "不能修改")]
    [InlineData("""{"month":"2026-12"}""", "month", "InvalidField", "不能修改")]
    [InlineData("""{"townshipId":2}""", "townshipId", "InvalidField", "不能修改")]
    [InlineData("""{"createdBy":"admin"}""", "createdBy", "InvalidField", "不能修改")]
    [InlineData("""{"note":"有效","nosuch":1}""", "nosuch", "InvalidJson", "不存在")]
    public async Task Patch_refuses_an_unknown_or_read_only_member_by_name_and_stores_nothing(string body, string field, string code, string says)
    {
        var secretary = await factory.ClientForAsync(Secretary);
        var admin = await factory.ClientForAsync("admin");
        var (id, etag) = await SheetForAsync(secretary, 3);
        var audited = await AuditRowsAsync(admin, id);

        var response = await secretary.SendAsync(Raw(HttpMethod.Patch, $"/odata/Evaluations({id})", body, "application/json", etag));
        var problem = await response.ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal(code, Code(problem));
        var message = Assert.Single(problem.GetProperty("errors").GetProperty(field).EnumerateArray()).GetString()!;
        Assert.Contains($"字段{field}{says}", message);
        Assert.Contains("note、vetoes、entries", message); // the writable members are named

        Assert.Equal(etag, await Sheets.ETagAsync(secretary, id));
        Assert.Equal(audited, await AuditRowsAsync(admin, id));
        var sheet = await secretary.GetJsonAsync($"/odata/Evaluations({id})");
        Assert.Equal(3, sheet.GetProperty("villageId").GetInt32());
        Assert.Equal("Draft", sheet.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, sheet.GetProperty("note").ValueKind);
    }

    [Fact]
    public async Task A_write_that_changes_nothing_keeps_the_etag_and_writes_no_audit_row()
    {
        var secretary = await factory.ClientForAsync(Secretary);
        var admin = await factory.ClientForAsync("admin");
        var (id, etag) = await Sheets.CreateAsync(secretary, villageId: 4);
        var occurrence = Sheets.FirstOf<PerOccurrenceItem>();
        var changed = await Sheets.SendAsync(secretary, HttpMethod.Patch, $"/odata/Evaluations({id})", etag, new { note = "柴草", entries = new[] { new { itemCode = occurrence, count = 2 } } });
        await changed.ExpectAsync(HttpStatusCode.OK);
        etag = changed.Headers.ETag!.ToString();
        var audited = await AuditRowsAsync(admin, id);

        foreach (var same in new object[] { new { note = "柴草" }, new { note = " 柴草 " }, new { entries = new[] { new { itemCode = occurrence, count = 2 } } }, new { } })
        {
            var again = await Sheets.SendAsync(secretary, HttpMethod.Patch, $"/odata/Evaluations({id})", etag, same);
            await again.ExpectAsync(HttpStatusCode.OK);
            Assert.Equal(etag, again.Headers.ETag!.ToString());
        }
        var entries = Sheets.CleanEntries().Select(e => e.GetType().GetProperty("itemCode")!.GetValue(e) as string == occurrence ? new { itemCode = occurrence, count = 2 } : e);
        var put = await Sheets.SendAsync(secretary, HttpMethod.Put, $"/odata/Evaluations({id})", etag, Sheets.Write(4, entries: entries, note: "柴草"));
        await put.ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(etag, put.Headers.ETag!.ToString());
        Assert.Equal(etag, await Sheets.ETagAsync(secretary, id));
        Assert.Equal(audited, await AuditRowsAsync(admin, id));

        // …and a real change still is one.
        var note = await Sheets.SendAsync(secretary, HttpMethod.Patch, $"/odata/Evaluations({id})", etag, new { note = "柴草已清" });
        await note.ExpectAsync(HttpStatusCode.OK);
        Assert.NotEqual(etag, note.Headers.ETag!.ToString());
        Assert.Equal(audited + 1, await AuditRowsAsync(admin, id));
    }

    [Fact]
    public async Task Post_and_put_refuse_a_member_the_sheet_does_not_have()
    {
        var secretary = await factory.ClientForAsync(Secretary);
        var (id, etag) = await Sheets.CreateAsync(secretary, villageId: 5);
        var put = await secretary.SendAsync(Raw(HttpMethod.Put, $"/odata/Evaluations({id})", """{"note":"x","entriez":[]}""", "application/json", etag));
        var problem = await put.ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("InvalidJson", Code(problem));
        Assert.Contains("字段entriez不存在", problem.GetProperty("errors").GetProperty("entriez")[0].GetString());
        var post = await secretary.SendAsync(Raw(HttpMethod.Post, "/odata/Evaluations", """{"villageId":7,"month":"2026-11","kind":"Self","vilage":7}""", "application/json"));
        Assert.Equal("InvalidJson", Code(await post.ExpectAsync(HttpStatusCode.BadRequest)));
        Assert.Equal(etag, await Sheets.ETagAsync(secretary, id));
    }

    [Theory]
    [InlineData("""{"entries":[{"itemCode":"$OCC","count":"3"}]}""", "entries[0].count")]
    [InlineData("""{"entries":[{"itemCode":"$OCC","count":3,"failedSamples":"1"}]}""", "entries[0].failedSamples")]
    public async Task A_number_sent_as_a_string_is_refused_by_field(string body, string field)
    {
        var secretary = await factory.ClientForAsync(Secretary);
        var (id, etag) = await SheetForAsync(secretary, 8);
        body = body.Replace("$OCC", Sheets.FirstOf<PerOccurrenceItem>());
        var response = await secretary.SendAsync(Raw(HttpMethod.Patch, $"/odata/Evaluations({id})", body, "application/json", etag));
        var problem = await response.ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("InvalidJson", Code(problem));
        Assert.Contains("应为整数", problem.GetProperty("errors").GetProperty(field)[0].GetString());
        Assert.Equal(etag, await Sheets.ETagAsync(secretary, id));

        var post = await secretary.SendAsync(Raw(HttpMethod.Post, "/odata/Evaluations",
            """{"villageId":"9","month":"2026-11","kind":"Self"}""", "application/json"));
        var refused = await post.ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("应为整数", refused.GetProperty("errors").GetProperty("villageId")[0].GetString());
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("text/plain;charset=UTF-8")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData(null)]
    public async Task An_odata_write_body_that_is_not_declared_json_is_refused_415(string? contentType)
    {
        var secretary = await factory.ClientForAsync(Secretary);
        var (id, etag) = await SheetForAsync(secretary, 10);
        foreach (var method in new[] { HttpMethod.Patch, HttpMethod.Put })
        {
            var response = await secretary.SendAsync(Raw(method, $"/odata/Evaluations({id})", """{"note":"跨站"}""", contentType, etag));
            var problem = await response.ExpectAsync(HttpStatusCode.UnsupportedMediaType);
            Assert.Equal("UnsupportedMediaType", Code(problem));
            Assert.Contains("application/json", problem.GetProperty("title").GetString());
            Assert.Contains("写入", problem.GetProperty("title").GetString());
        }
        var post = await secretary.SendAsync(Raw(HttpMethod.Post, "/odata/Evaluations", """{"villageId":16,"month":"2026-11","kind":"Self"}""", contentType));
        Assert.Equal("UnsupportedMediaType", Code(await post.ExpectAsync(HttpStatusCode.UnsupportedMediaType)));
        Assert.Equal(etag, await Sheets.ETagAsync(secretary, id));
        Assert.Equal(JsonValueKind.Null, (await secretary.GetJsonAsync($"/odata/Evaluations({id})")).GetProperty("note").ValueKind);
    }

    [Fact]
    public async Task Json_with_parameters_is_accepted_and_query_by_post_still_takes_text_plain()
    {
        var secretary = await factory.ClientForAsync(Secretary);
        var (id, etag) = await Sheets.CreateAsync(secretary, villageId: 17);
        var patched = await secretary.SendAsync(Raw(HttpMethod.Patch, $"/odata/Evaluations({id})", """{"note":"可以"}""",
            "application/json;odata.metadata=minimal;charset=utf-8", etag));
        await patched.ExpectAsync(HttpStatusCode.OK);

        var query = await secretary.SendAsync(Raw(HttpMethod.Post, "/odata/Evaluations/$query", $"$filter=id eq {id}&$select=id", "text/plain"));
        var found = await query.ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(id, Assert.Single(found.GetProperty("value").EnumerateArray()).GetProperty("id").GetInt32());

        // An action without a body needs no content type.
        var submitted = await Sheets.SendAsync(secretary, HttpMethod.Post, $"/odata/Evaluations({id})/Submit", patched.Headers.ETag!.ToString());
        Assert.NotEqual(HttpStatusCode.UnsupportedMediaType, submitted.StatusCode);
    }

    [Fact]
    public async Task Every_refusal_of_a_sheet_write_carries_a_code()
    {
        var secretary = await factory.ClientForAsync(Secretary);
        var admin = await factory.ClientForAsync("admin");
        var (id, etag) = await Sheets.CreateAsync(secretary, villageId: 18);
        var cases = new (string Name, HttpRequestMessage Request, string Code)[]
        {
            ("entries null", Raw(HttpMethod.Patch, $"/odata/Evaluations({id})", """{"entries":null}""", "application/json", etag), "InvalidField"),
            ("note too long", Raw(HttpMethod.Patch, $"/odata/Evaluations({id})", JsonSerializer.Serialize(new { note = new string('字', 2001) }), "application/json", etag), "InvalidField"),
            ("unknown village", Raw(HttpMethod.Post, "/odata/Evaluations", """{"villageId":999999,"month":"2026-11","kind":"Self"}""", "application/json"), "InvalidField"),
            ("month 99999999", Raw(HttpMethod.Post, "/odata/Evaluations", """{"villageId":19,"month":99999999,"kind":"Self"}""", "application/json"), "InvalidField"),
            ("bad kind", Raw(HttpMethod.Post, "/odata/Evaluations", """{"villageId":19,"month":"2026-11","kind":"Weekly"}""", "application/json"), "InvalidField"),
            ("not json", Raw(HttpMethod.Patch, $"/odata/Evaluations({id})", "{", "application/json", etag), "InvalidJson"),
            ("not found", Raw(HttpMethod.Patch, "/odata/Evaluations(987654)", """{"note":"x"}""", "application/json", etag), "NotFound"),
            ("stale etag", Raw(HttpMethod.Patch, $"/odata/Evaluations({id})", """{"note":"x"}""", "application/json", "\"1\""), "PreconditionFailed"),
        };
        foreach (var (name, request, code) in cases)
        {
            var response = await secretary.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode is >= 400 and < 500, $"{name}: {(int)response.StatusCode} {body}");
            var problem = JsonDocument.Parse(body).RootElement;
            Assert.True(code == Code(problem), $"{name}: expected code {code}: {body}");
            Assert.True(ErrorHasChinese(problem), $"{name}: {body}");
        }

        // Return with no reason (admin, on a submitted sheet)
        var complete = await Sheets.SendAsync(secretary, HttpMethod.Put, $"/odata/Evaluations({id})", etag, Sheets.Write(18));
        var submitted = await Sheets.SendAsync(secretary, HttpMethod.Post, $"/odata/Evaluations({id})/Submit", complete.Headers.ETag!.ToString());
        await submitted.ExpectAsync(HttpStatusCode.OK);
        foreach (var reason in new[] { "{}", """{"reason":""}""", """{"reason":"   "}""" })
        {
            var returned = await admin.SendAsync(Raw(HttpMethod.Post, $"/odata/Evaluations({id})/Return", reason, "application/json", submitted.Headers.ETag!.ToString()));
            var problem = await returned.ExpectAsync(HttpStatusCode.BadRequest);
            Assert.Equal("InvalidField", Code(problem));
            Assert.Contains("退回必须填写原因", problem.GetProperty("errors").GetProperty("reason")[0].GetString());
        }
    }

    [Fact]
    public async Task Api_json_bodies_read_numbers_strictly_and_refuse_other_content_types()
    {
        var admin = await factory.ClientForAsync("admin");
        var correction = await admin.SendAsync(Raw(HttpMethod.Put, "/api/publications/sheets/1",
            """{"reason":"更正","entries":[{"itemCode":"L03","count":"3"}]}""", "application/json", "\"1\""));
        var problem = await correction.ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("InvalidJson", Code(problem));
        Assert.Contains("entries[0].count", problem.ToString());
        Assert.Contains("应为整数", problem.ToString());

        foreach (var contentType in new[] { "text/plain", null })
        {
            var publish = await admin.SendAsync(Raw(HttpMethod.Post, "/api/publications/2026-11/publish", """{"title":"跨站"}""", contentType));
            var refused = await publish.ExpectAsync(HttpStatusCode.UnsupportedMediaType);
            Assert.Equal("UnsupportedMediaType", Code(refused));
            Assert.True(ErrorHasChinese(refused), refused.ToString());
        }
    }

    private static bool ErrorHasChinese(JsonElement problem) => problem.ToString().Any(c => c is >= '\u4e00' and <= '\u9fff');

    [Fact]
    public async Task Two_photos_in_one_upload_are_refused_and_nothing_is_stored()
    {
        var secretary = await factory.ClientForAsync(Secretary);
        var (id, _) = await Sheets.CreateAsync(secretary, villageId: 11);
        using var two = new MultipartFormDataContent
        {
            { new ByteArrayContent(TestImages.Png), "file", "a.png" },
            { new ByteArrayContent(TestImages.Jpeg), "file", "b.jpg" },
        };
        var problem = await (await secretary.PostAsync($"/api/evaluations/{id}/evidence", two)).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("TooManyFiles", Code(problem));
        Assert.Contains("一次只能上传一张照片", problem.GetProperty("title").GetString());
        var sheet = await secretary.GetJsonAsync($"/odata/Evaluations({id})?$expand=evidence");
        Assert.Empty(sheet.GetProperty("evidence").EnumerateArray());

        // One photo, sent twice (a retry), is stored once.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var one = new MultipartFormDataContent { { new ByteArrayContent(TestImages.Png), "file", "a.png" } };
            await (await secretary.PostAsync($"/api/evaluations/{id}/evidence", one)).ExpectAsync(attempt == 0 ? HttpStatusCode.Created : HttpStatusCode.OK);
        }
        sheet = await secretary.GetJsonAsync($"/odata/Evaluations({id})?$expand=evidence");
        Assert.Equal("a.png", Assert.Single(sheet.GetProperty("evidence").EnumerateArray()).GetProperty("fileName").GetString());
    }

    [Fact]
    public async Task An_uploaded_file_name_is_stored_as_a_clean_display_name()
    {
        var secretary = await factory.ClientForAsync(Secretary);
        var (id, _) = await Sheets.CreateAsync(secretary, villageId: 12);
        var sent = new (string Name, byte[] Bytes, string Stored)[]
        {
            ("../../<script>alert(1)</script>.html", TestImages.Png, "script.html"),
            ("C:\\Users\\李\\桌面\\现场 1.jpg", TestImages.Jpeg, "现场 1.jpg"),
        };
        foreach (var (name, bytes, stored) in sent)
        {
            using var upload = new MultipartFormDataContent();
            var part = new ByteArrayContent(bytes);
            part.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"file\"", FileNameStar = name };
            upload.Add(part);
            var created = await (await secretary.PostAsync($"/api/evaluations/{id}/evidence", upload)).ExpectAsync(HttpStatusCode.Created);
            Assert.Equal(stored, created.GetProperty("fileName").GetString());
        }
    }

    [Theory]
    [InlineData("../../<script>alert(1)</script>.html", "image/png", "script.html")]
    [InlineData("a\\b\\c.png", "image/png", "c.png")]
    [InlineData("现场\u0000\u0007照片.jpg", "image/jpeg", "现场照片.jpg")]
    [InlineData("  what?*|\".jpg  ", "image/jpeg", "what.jpg")]
    [InlineData("<>:\"/\\|?*", "image/jpeg", "照片.jpg")]
    [InlineData("../", "image/png", "照片.png")]
    [InlineData("", "image/png", "照片.png")]
    [InlineData(null, "image/jpeg", "照片.jpg")]
    [InlineData("..", "image/jpeg", "照片.jpg")]
    [InlineData(".htaccess", "image/jpeg", "htaccess")]
    [InlineData("bad/", "image/jpeg", "bad")]
    public void DisplayName_cleans_what_a_client_sends(string? uploaded, string contentType, string expected) =>
        Assert.Equal(expected, EnvScore.Api.Features.Evaluations.EvidenceService.DisplayName(uploaded, contentType));

    [Fact]
    public void DisplayName_is_bounded_and_keeps_the_extension()
    {
        var name = EnvScore.Api.Features.Evaluations.EvidenceService.DisplayName(new string('长', 300) + ".jpeg", "image/jpeg");
        Assert.Equal(100, name.Length);
        Assert.Equal(new string('长', 95) + ".jpeg", name);
    }
}
