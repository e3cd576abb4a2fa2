using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Api.Features.Evaluations;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using EnvScore.Domain.Rules;
using EnvScore.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;

namespace EnvScore.Api.Tests.Evaluations;

/// <summary>
/// Evidence photos through the sheet page's plain multipart form (no JavaScript): signed in by cookie, antiforgery
/// token from the page, post, redirect back (PRG) with the message. Same EvidenceService as the API.
/// </summary>
public partial class EvidencePageTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    private static readonly string Secretary = EnvScoreFactory.Secretary(0); // 水稻乡: villages 1–19
    private static readonly byte[] Jpeg = TestImages.Jpeg; // real images: uploads are verified whole
    private static readonly byte[] Png = TestImages.Png;

    [Fact]
    public async Task A_secretary_uploads_a_jpeg_through_the_plain_form_and_it_is_stored_and_listed()
    {
        var (api, sheetId) = await SheetAsync(villageId: 7);
        var page = await CookieClientAsync(Secretary);
        var html = await page.GetStringAsync(SheetUrl(7));
        // 上传照片 is a button of the sheet form that posts it as multipart to the page itself: it works without
        // JavaScript and carries what is typed (ProbeFixTests in the browser). Here, a post with the photo only.
        Assert.Matches("<button(?=[^>]*id=\"upload-photo\")(?=[^>]*formenctype=\"multipart/form-data\")"
                       + "(?=[^>]*formaction=\"/work/sheet\\?[^\"]*handler=Evidence)(?=[^>]*formaction=\"[^\"]*villageId=7)", html);
        var item = Sheets.FirstOf<PerOccurrenceItem>();

        var response = await PostEvidenceAsync(page, 7, Token(html), item, ("现场.jpg", Jpeg));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(SheetUrl(7) + "#evidence-title", response.Headers.Location!.ToString());

        var after = await page.GetStringAsync(response.Headers.Location);
        Assert.Contains("已上传1张照片：现场.jpg", after);
        var stored = Assert.Single((await api.GetJsonAsync($"/odata/Evaluations({sheetId})?$expand=evidence")).GetProperty("evidence").EnumerateArray());
        var evidenceId = stored.GetProperty("id").GetInt32();
        Assert.Equal(item, stored.GetProperty("itemCode").GetString());
        Assert.Equal("image/jpeg", stored.GetProperty("contentType").GetString());
        Assert.Matches($"<a href=\"/api/evidence/{evidenceId}\">现场.jpg</a></td>\\s*<td>{item} ", after);
        Assert.Contains("<td>水稻乡党委书记</td>", after); // the uploader by name, not account
        Assert.Equal(Jpeg, await page.GetByteArrayAsync($"/api/evidence/{evidenceId}")); // the listed link works with the cookie

        var audit = await api.GetJsonAsync($"/odata/AuditLog?$filter=evaluationId eq {sheetId} and action eq 'Evidence.Add'");
        Assert.Single(audit.GetProperty("value").EnumerateArray());

        // Several photos in one post, for the whole sheet.
        response = await PostEvidenceAsync(page, 7, Token(after), null, ("一.png", Png), ("二.jpg", Jpeg));
        Assert.Contains("已上传2张照片：一.png、二.jpg", await page.GetStringAsync(response.Headers.Location));
        Assert.Equal(3, (await api.GetJsonAsync($"/odata/Evaluations({sheetId})?$expand=evidence")).GetProperty("evidence").GetArrayLength());
    }

    [Fact]
    public async Task A_non_image_or_too_large_file_is_named_in_the_message_and_nothing_of_the_post_is_stored()
    {
        var (api, sheetId) = await SheetAsync(villageId: 8);
        var page = await CookieClientAsync(Secretary);
        var token = Token(await page.GetStringAsync(SheetUrl(8)));
        var big = new byte[6 * 1024 * 1024 + 200 * 1024];
        Jpeg.CopyTo(big, 0);

        var response = await PostEvidenceAsync(page, 8, token, null, ("好的.jpg", Jpeg), ("说明.jpg", "不是照片"u8.ToArray()), ("大图.jpg", big));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var html = await page.GetStringAsync(response.Headers.Location);
        Assert.Contains("照片未上传（本次选择的照片均未保存）", html);
        Assert.Contains("&quot;说明.jpg&quot;不是JPEG或PNG图片", html);
        Assert.Contains("照片过大：&quot;大图.jpg&quot;为6.2MB，上限5MB", html);
        Assert.DoesNotContain("已上传", html);
        Assert.Equal(0, (await api.GetJsonAsync($"/odata/Evaluations({sheetId})?$expand=evidence")).GetProperty("evidence").GetArrayLength());

        // No file chosen: the browser sends an empty, unnamed part.
        using var empty = Form(token, null);
        var nothing = new ByteArrayContent([]);
        nothing.Headers.TryAddWithoutValidation("Content-Disposition", "form-data; name=\"file\"; filename=\"\"");
        empty.Add(nothing);
        response = await page.PostAsync(SheetUrl(8, "Evidence"), empty);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // the page again, saying so in Chinese
        Assert.Contains("请先选择要上传的照片", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, (await api.GetJsonAsync($"/odata/Evaluations({sheetId})?$expand=evidence")).GetProperty("evidence").GetArrayLength());
    }

    [Fact]
    public async Task Another_townships_secretary_and_an_anonymous_visitor_are_refused_and_nothing_is_stored()
    {
        var (api, sheetId) = await SheetAsync(villageId: 9);

        var other = await CookieClientAsync(EnvScoreFactory.Secretary(1));
        var otherToken = Token(await other.GetStringAsync("/work?m=2026-11")); // a valid token for that user
        var refused = await PostEvidenceAsync(other, 9, otherToken, null, ("别人的.jpg", Jpeg));
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.StartsWith("/denied", refused.Headers.Location!.PathAndQuery);
        var denied = await other.GetAsync(refused.Headers.Location);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Contains("无权访问", await denied.Content.ReadAsStringAsync());

        var anonymous = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var challenged = await PostEvidenceAsync(anonymous, 9, "no-token", null, ("匿名.jpg", Jpeg));
        Assert.Equal(HttpStatusCode.Redirect, challenged.StatusCode);
        Assert.StartsWith("/login", challenged.Headers.Location!.PathAndQuery);

        Assert.Equal(0, (await api.GetJsonAsync($"/odata/Evaluations({sheetId})?$expand=evidence")).GetProperty("evidence").GetArrayLength());
    }

    [Fact]
    public async Task A_locked_sheet_refuses_photos_on_the_page_with_the_apis_rule_and_message()
    {
        var (api, sheetId) = await SheetAsync(villageId: 10);
        var page = await CookieClientAsync(Secretary);
        var token = Token(await page.GetStringAsync(SheetUrl(10)));
        await using (var conn = new NpgsqlConnection(factory.ConnectionString))
        {
            await conn.OpenAsync();
            await using var lockSheet = new NpgsqlCommand("UPDATE evaluations SET status = 'Locked' WHERE id = @id", conn);
            lockSheet.Parameters.AddWithValue("id", sheetId);
            Assert.Equal(1, await lockSheet.ExecuteNonQueryAsync());
        }

        var viaApi = await (await api.PostAsync($"/api/evaluations/{sheetId}/evidence", Form(null, null, ("锁定.jpg", Jpeg)))).ExpectAsync(HttpStatusCode.Conflict);
        var apiTitle = viaApi.GetProperty("title").GetString()!;
        Assert.Contains("已锁定", apiTitle);

        var response = await PostEvidenceAsync(page, 10, token, null, ("锁定.jpg", Jpeg));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var html = await page.GetStringAsync(response.Headers.Location);
        Assert.Contains(apiTitle.Split(" (")[0], html); // the same words as the API's 409 (pages drop the English gloss)
        Assert.DoesNotContain("id=\"evidence-form\"", html); // a read-only sheet offers no upload form
        Assert.Equal(0, (await api.GetJsonAsync($"/odata/Evaluations({sheetId})?$expand=evidence")).GetProperty("evidence").GetArrayLength());
    }

    [Fact]
    public async Task A_photo_is_removed_on_the_page_or_by_the_api_under_the_upload_rules_and_audited()
    {
        var (api, sheetId) = await SheetAsync(villageId: 11);
        var page = await CookieClientAsync(Secretary);
        var html = await page.GetStringAsync(SheetUrl(11));
        var uploaded = await PostEvidenceAsync(page, 11, Token(html), null, ("错拍.jpg", Jpeg), ("对的.png", Png));
        Assert.Equal(HttpStatusCode.Redirect, uploaded.StatusCode);
        async Task<Dictionary<string, int>> PhotosAsync() =>
            (await api.GetJsonAsync($"/odata/Evaluations({sheetId})?$expand=evidence")).GetProperty("evidence").EnumerateArray()
            .ToDictionary(e => e.GetProperty("fileName").GetString()!, e => e.GetProperty("id").GetInt32());
        var photos = await PhotosAsync();

        // Without JavaScript: a small form per listed photo.
        html = await page.GetStringAsync(uploaded.Headers.Location);
        Assert.Contains($"name=\"evidenceId\" value=\"{photos["错拍.jpg"]}\"", html);
        using (var form = new FormUrlEncodedContent(new Dictionary<string, string>
               { ["evidenceId"] = photos["错拍.jpg"].ToString(), ["__RequestVerificationToken"] = Token(html) }))
        {
            var removed = await page.PostAsync(SheetUrl(11, "RemoveEvidence"), form);
            Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
            Assert.Contains("已删除照片：错拍.jpg", await page.GetStringAsync(removed.Headers.Location));
        }
        Assert.Equal(["对的.png"], (await PhotosAsync()).Keys);

        // By the API: another township's secretary cannot see it (404); the owner can (204); once submitted, 409.
        var other = await factory.ClientForAsync(EnvScoreFactory.Secretary(1));
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/api/evidence/{photos["对的.png"]}")).StatusCode);
        await using (var conn = new NpgsqlConnection(factory.ConnectionString))
        {
            await conn.OpenAsync();
            await using var submit = new NpgsqlCommand("UPDATE evaluations SET status = 'Submitted', submitted_at = now() WHERE id = @id", conn);
            submit.Parameters.AddWithValue("id", sheetId);
            await submit.ExecuteNonQueryAsync();
        }
        var conflict = await (await api.DeleteAsync($"/api/evidence/{photos["对的.png"]}")).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("不能再删除照片", conflict.GetProperty("title").GetString());
        Assert.Equal(["对的.png"], (await PhotosAsync()).Keys);
        await using (var conn = new NpgsqlConnection(factory.ConnectionString))
        {
            await conn.OpenAsync();
            await using var reopen = new NpgsqlCommand("UPDATE evaluations SET status = 'Draft', submitted_at = NULL WHERE id = @id", conn);
            reopen.Parameters.AddWithValue("id", sheetId);
            await reopen.ExecuteNonQueryAsync();
        }
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/evidence/{photos["对的.png"]}")).StatusCode);
        Assert.Empty(await PhotosAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await page.GetAsync($"/api/evidence/{photos["对的.png"]}")).StatusCode);

        var audit = await api.GetJsonAsync($"/odata/AuditLog?$filter=evaluationId eq {sheetId} and action eq 'Evidence.Remove'");
        Assert.Equal(2, audit.GetProperty("value").GetArrayLength());
    }

    [Fact]
    public async Task After_the_township_deadline_photos_can_be_neither_added_nor_removed()
    {
        // October's township deadline (5 Nov, 18:00) has passed on the test clock (10 Nov): a draft left from October,
        // with one photo, written straight into the database (the API would refuse to create it now).
        var api = await factory.ClientForAsync(Secretary);
        int sheetId, photoId;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<EnvScoreDbContext>();
            var village = await db.Villages.Include(v => v.Township).SingleAsync(v => v.Id == 12);
            var ruleSet = await db.RuleSets.SingleAsync(r => r.DistrictId == village.Township!.DistrictId && r.Status == RuleSetStatus.Active);
            var now = factory.Clock.GetUtcNow();
            var sheet = new Evaluation
            {
                VillageId = village.Id, TownshipId = village.TownshipId, DistrictId = village.Township!.DistrictId, Month = 202610,
                Kind = EvaluationKind.Self, RuleSetId = ruleSet.Id,
                CreatedAt = now, CreatedBy = Secretary, UpdatedAt = now, UpdatedBy = Secretary,
                Evidence = [new EvidenceFile
                {
                    FileName = "十月.jpg", ContentType = "image/jpeg", Size = Jpeg.Length, Sha256 = "00", UploadedAt = now, UploadedBy = Secretary,
                    Content = new EvidenceContent { Bytes = Jpeg },
                }],
            };
            db.Evaluations.Add(sheet);
            await db.SaveChangesAsync();
            (sheetId, photoId) = (sheet.Id, sheet.Evidence[0].Id);
        }

        var late = await (await api.PostAsync($"/api/evaluations/{sheetId}/evidence", Form(null, null, ("迟到.jpg", Jpeg)))).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("已超过2026年10月", late.GetProperty("title").GetString());
        var keep = await (await api.DeleteAsync($"/api/evidence/{photoId}")).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("已超过2026年10月", keep.GetProperty("title").GetString());
        Assert.Equal(1, (await api.GetJsonAsync($"/odata/Evaluations({sheetId})?$expand=evidence")).GetProperty("evidence").GetArrayLength());
    }

    private static string SheetUrl(int villageId, string? handler = null) =>
        $"/work/sheet?{(handler is null ? "" : $"handler={handler}&")}villageId={villageId}&m=2026-11&kind=Self";

    private async Task<(HttpClient Api, int SheetId)> SheetAsync(int villageId)
    {
        var api = await factory.ClientForAsync(Secretary);
        var (id, _) = await Sheets.CreateAsync(api, villageId);
        return (api, id);
    }

    private async Task<HttpClient> CookieClientAsync(string userName)
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await (await client.PostAsJsonAsync("/api/auth/login?useCookies=true", new { userName, password = EnvScoreFactory.Password }))
            .ExpectAsync(HttpStatusCode.OK);
        return client;
    }

    private static string Token(string html)
    {
        var token = TokenPattern().Match(html).Groups[1].Value;
        Assert.NotEmpty(token);
        return token;
    }

    private static MultipartFormDataContent Form(string? token, string? itemCode, params (string Name, byte[] Bytes)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, bytes) in files) form.Add(new ByteArrayContent(bytes), "file", name);
        if (itemCode is not null) form.Add(new StringContent(itemCode), "itemCode");
        if (token is not null) form.Add(new StringContent(token), "__RequestVerificationToken");
        return form;
    }

    private static async Task<HttpResponseMessage> PostEvidenceAsync(HttpClient client, int villageId, string token, string? itemCode,
        params (string Name, byte[] Bytes)[] files)
    {
        using var form = Form(token, itemCode, files);
        return await client.PostAsync(SheetUrl(villageId, "Evidence"), form);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
