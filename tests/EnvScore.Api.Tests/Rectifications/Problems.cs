using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using EnvScore.Api.Tests.Evaluations;
using EnvScore.Testing;

namespace EnvScore.Api.Tests.Rectifications;

/// <summary>Talks to /odata/Rectifications and the photo endpoint the way a client would.</summary>
public static class Problems
{
    /// <summary>双河铺社区 in 水稻乡 (township 1, whose secretary is <c>EnvScoreFactory.Secretary(0)</c>).</summary>
    public const int Village = 1;
    public static readonly string Item = Sheets.Rules.Items.First().Code;

    public static async Task<(int Id, string ETag, JsonElement Json)> CreateAsync(HttpClient inspector, int village = Village, string? item = null)
    {
        var response = await inspector.PostAsJsonAsync("/odata/Rectifications",
            new { villageId = village, itemCode = item ?? Item, description = "村口垃圾堆放", location = "村委会东侧" });
        var json = await response.ExpectAsync(HttpStatusCode.Created);
        return (json.GetProperty("id").GetInt32(), response.Headers.ETag!.ToString(), json);
    }

    public static Task<HttpResponseMessage> PhotoAsync(HttpClient client, int id, string kind, byte[] bytes, string name = "photo.jpg", string? capturedAt = null)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(name.EndsWith(".png") ? "image/png" : "image/jpeg");
        form.Add(file, "file", name);
        if (capturedAt is not null) form.Add(new StringContent(capturedAt), "capturedAt");
        return client.PostAsync($"/api/rectifications/{id}/photos?kind={kind}", form);
    }

    public static Task<HttpResponseMessage> ActAsync(HttpClient client, int id, string action, string? etag, object? body = null) =>
        Sheets.SendAsync(client, HttpMethod.Post, $"/odata/Rectifications({id})/{action}", etag, body ?? new { });

    public static async Task<string> ETagAsync(HttpClient client, int id)
    {
        var response = await client.GetAsync($"/odata/Rectifications({id})");
        await response.ExpectAsync(HttpStatusCode.OK);
        return response.Headers.ETag!.ToString();
    }

    public static async Task<JsonElement> GetAsync(HttpClient client, int id) =>
        await client.GetJsonAsync($"/odata/Rectifications({id})?$expand=photos");

    public static string Code(JsonElement problem) => problem.GetProperty("code").GetString()!;
}
