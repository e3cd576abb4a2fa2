using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Domain.Rules;
using EnvScore.Testing;

namespace EnvScore.Api.Tests.Evaluations;

/// <summary>Builds sheets for the default rule set and talks to /odata/Evaluations.</summary>
public static class Sheets
{
    public static readonly RuleSet Rules = RuleSetLoader.Parse(DefaultRuleSet.Yaml).RuleSet!;

    /// <summary>A complete, clean sheet: nothing found anywhere.</summary>
    public static List<object> CleanEntries() => Rules.Items.Select(item => (object)(item switch
    {
        PerOccurrenceItem => new { itemCode = item.Code, count = 0 },
        LevelsItem l => new { itemCode = item.Code, level = l.Levels.First(v => v.Deduction == 0).Code },
        SampledItem => new { itemCode = item.Code, failedSamples = 0 },
        _ => (object)new { itemCode = item.Code, passed = true },
    })).ToList();

    public static string FirstOf<T>() where T : ScoringItem => Rules.Items.OfType<T>().First().Code;

    public static object Write(int villageId, string kind = "Self", string month = "2026-11", IEnumerable<object>? entries = null, string? note = null) =>
        new { villageId, month, kind, note, entries = entries ?? CleanEntries() };

    public static async Task<(int Id, string ETag)> CreateAsync(HttpClient client, int villageId, string kind = "Self")
    {
        var response = await client.PostAsJsonAsync("/odata/Evaluations", Write(villageId, kind));
        var json = await response.ExpectAsync(HttpStatusCode.Created);
        return (json.GetProperty("id").GetInt32(), response.Headers.ETag!.ToString());
    }

    public static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string url, string? etag, object? body = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        if (etag is not null) request.Headers.TryAddWithoutValidation("If-Match", etag);
        return client.SendAsync(request);
    }

    public static async Task<string> ETagAsync(HttpClient client, int id)
    {
        var response = await client.GetAsync($"/odata/Evaluations({id})");
        await response.ExpectAsync(HttpStatusCode.OK);
        return response.Headers.ETag!.ToString();
    }

    public static JsonElement[] Problems(JsonElement error) => error.GetProperty("problems").EnumerateArray().ToArray();
}
