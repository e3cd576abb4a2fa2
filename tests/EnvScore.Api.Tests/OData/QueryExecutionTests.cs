using System.Net;
using System.Text.Json;
using EnvScore.Testing;
using Microsoft.OData.Edm;
using Xunit.Abstractions;

namespace EnvScore.Api.Tests.OData;

/// <summary>
/// Queries the data cannot answer (PostgreSQL data exceptions: an Int32 overflow, a negative substring length) are a
/// complete Chinese 400 <c>UnsupportedQuery</c> in every form a client sends them — plain, with <c>$apply</c>, with
/// <c>$count=true&amp;$top=0</c>, as <c>/$count</c> — for every entity set of the served <c>$metadata</c> that is readable
/// anonymously or by the district admin: never a 5xx, never a 200 whose body is cut off (issue #15).
/// </summary>
public class QueryExecutionTests(ODataFixture fixture, ITestOutputHelper output) : IClassFixture<ODataFixture>
{
    /// <summary>The $filter alone, with $apply after it (refused: it applies to $apply's result), with a count and no rows, as /$count, and inside $apply.</summary>
    private static readonly string[] Forms = ["", "&$apply=aggregate($count as n)", "&$count=true&$top=0", "/$count", "apply"];

    [Fact]
    public async Task Overflow_and_bad_substring_answer_a_complete_400_in_every_form_for_every_readable_set()
    {
        var failures = new List<string>();
        var sent = 0;
        foreach (var set in fixture.Model.EntityContainer.EntitySets().OrderBy(s => s.Name))
        {
            var client = await ReadableByAsync(set.Name);
            if (client is null) { output.WriteLine($"{set.Name}: readable by neither anonymous nor admin"); continue; }
            var rows = await ODataFixture.AllRowsAsync(client, $"/odata/{set.Name}");
            var filters = Filters(set.EntityType, rows).ToList();
            if (filters.Count == 0) { output.WriteLine($"{set.Name}: no row with an Int32 ≥ 1 or a non-empty string to provoke a fault"); continue; }
            foreach (var filter in filters)
                foreach (var form in Forms)
                {
                    var url = form switch
                    {
                        "/$count" => $"/odata/{set.Name}/$count?$filter={filter}",
                        "apply" => $"/odata/{set.Name}?$apply=filter({filter})/aggregate($count as n)",
                        _ => $"/odata/{set.Name}?$filter={filter}{form}",
                    };
                    sent++;
                    if (await ProblemAsync(client, url) is { } problem) failures.Add($"GET {url}: {problem}");
                }
        }
        output.WriteLine($"{sent} requests, {failures.Count} failures");
        Assert.True(sent >= 40, $"only {sent} requests were generated");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>The requests exactly, anonymously.</summary>
    [Theory]
    [InlineData("/odata/Villages?$filter=id add 2147483647 gt 0&$apply=aggregate($count as n)")]
    [InlineData("/odata/Villages?$filter=substring(name,1,-5) eq 'x'&$apply=aggregate($count as n)")]
    [InlineData("/odata/Villages?$filter=id add 2147483647 gt 0&$count=true&$top=0")]
    [InlineData("/odata/Villages?$filter=id mul 2147483647 gt 0&$count=true&$top=0")]
    [InlineData("/odata/Villages?$filter=id sub -2147483648 gt 0&$count=true&$top=0")]
    [InlineData("/odata/Villages?$filter=substring(name,1,-5) eq 'x'&$count=true&$top=0")]
    [InlineData("/odata/Villages?$filter=id add 2147483647 gt 0")]
    [InlineData("/odata/Villages?$apply=filter(id add 2147483647 gt 0)/aggregate($count as n)")]
    [InlineData("/odata/Villages?$apply=filter(substring(name,1,-5) eq 'x')/groupby((townshipId),aggregate($count as n))")]
    [InlineData("/odata/Villages/$count?$filter=substring(name,1,-5) eq 'x'")]
    public async Task The_reported_requests_are_a_complete_Chinese_400(string url)
    {
        Assert.Null(await ProblemAsync(fixture.Anonymous, url));
    }

    [Fact]
    public async Task A_valid_count_and_apply_still_answer_200_with_the_right_numbers()
    {
        var all = await ODataFixture.AllRowsAsync(fixture.Anonymous, "/odata/Villages");
        var expected = all.Count(v => v.GetProperty("id").GetInt32() > 3);
        var counted = await fixture.Anonymous.GetJsonAsync("/odata/Villages?$filter=id gt 3&$count=true&$top=0");
        Assert.Equal(expected, counted.GetProperty("@odata.count").GetInt32());
        Assert.Empty(counted.GetProperty("value").EnumerateArray());
        var aggregated = await fixture.Anonymous.GetJsonAsync("/odata/Villages?$apply=filter(id gt 3)/aggregate($count as n)");
        Assert.Equal(expected, aggregated.GetProperty("value")[0].GetProperty("n").GetInt32());
        Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture),
            await fixture.Anonymous.GetStringAsync("/odata/Villages/$count?$filter=id gt 3"));
    }

    /// <summary>$filter applies to the result of $apply (OData Data Aggregation §3.1), which has no id: a 400 that says where to write it.</summary>
    [Fact]
    public async Task A_filter_beside_apply_that_names_an_entity_property_says_to_filter_inside_apply()
    {
        var url = "/odata/Villages?$filter=id gt 3&$apply=aggregate($count as n)";
        Assert.Null(await ProblemAsync(fixture.Anonymous, url));
        var message = JsonDocument.Parse(await (await fixture.Anonymous.GetAsync(url)).Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("message").GetString();
        Assert.Contains("$apply=filter(", message);
    }

    /// <summary>null when the answer is a complete 400 OData error with code UnsupportedQuery and a Chinese message; else what is wrong.</summary>
    private static async Task<string?> ProblemAsync(HttpClient client, string url)
    {
        HttpResponseMessage response;
        string body;
        try
        {
            response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
            body = await response.Content.ReadAsStringAsync(); // the whole body: a response aborted after its headers throws here
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return $"the body was cut off ({e.GetType().Name}: {e.Message})";
        }
        if (response.StatusCode != HttpStatusCode.BadRequest) return $"{(int)response.StatusCode}: {Trim(body)}";
        try
        {
            using var doc = JsonDocument.Parse(body);
            var error = doc.RootElement.GetProperty("error");
            var code = error.GetProperty("code").GetString();
            var message = error.GetProperty("message").GetString() ?? "";
            if (code != "UnsupportedQuery") return $"code {code}: {Trim(body)}";
            if (!message.Any(ch => ch is >= '\u4e00' and <= '\u9fff')) return $"not Chinese: {Trim(body)}";
            if (message.Contains("Npgsql", StringComparison.Ordinal) || message.Contains("22003", StringComparison.Ordinal) || message.Contains("System.", StringComparison.Ordinal))
                return $"library text leaks: {Trim(body)}";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return $"not a complete OData error ({e.GetType().Name}): {Trim(body)}";
        }
        return null;
    }

    private async Task<HttpClient?> ReadableByAsync(string set)
    {
        foreach (var client in new[] { fixture.Anonymous, fixture.Admin })
            if ((await client.GetAsync($"/odata/{set}?$top=1")).StatusCode == HttpStatusCode.OK) return client;
        return null;
    }

    /// <summary>An overflowing Int32 sum on a property some row holds ≥ 1 (the key first), a negative substring length on a string some row holds.</summary>
    private static IEnumerable<string> Filters(IEdmEntityType type, List<JsonElement> rows)
    {
        var properties = type.Key().Concat(type.StructuralProperties().Except(type.Key())).ToList();
        var number = properties.FirstOrDefault(p => p.Type.IsInt32() && rows.Any(r => r.TryGetProperty(p.Name, out var v) && v.ValueKind == JsonValueKind.Number && v.GetInt32() >= 1));
        if (number is not null) yield return $"{number.Name} add 2147483647 gt 0";
        var twoOrMore = properties.FirstOrDefault(p => p.Type.IsInt32() && rows.Any(r => r.TryGetProperty(p.Name, out var v) && v.ValueKind == JsonValueKind.Number && v.GetInt32() >= 2));
        if (twoOrMore is not null) yield return $"{twoOrMore.Name} mul 2147483647 gt 0"; // 1 × 2147483647 still fits
        var text = properties.FirstOrDefault(p => p.Type.IsString() && p.Name != "version" && rows.Any(r => r.TryGetProperty(p.Name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString()!.Length > 0));
        if (text is not null) yield return $"substring({text.Name},1,-5) eq 'x'";
    }

    private static string Trim(string body) => body.Length > 300 ? body[..300] + "…" : body;
}
