using System.Net;
using System.Text.Json;

namespace EnvScore.Api.Tests.OData;

/// <summary>
/// A refused query option is named in its refusal, with what is expected: 400, the machine-readable code, a Chinese message
/// that names the option ($top, $skip, $count, $select, $orderby, $filter, the unknown $foo) — never only the generic
/// "查询无效或超出限制". The same message through the lean read path of /odata/VillageResults and /odata/TownshipResults
/// (ResultsReadPath) as through the stock path (forced here by a Prefer header, which the lean path never takes).
/// </summary>
public class QueryOptionMessageTests(ODataFixture fixture) : IClassFixture<ODataFixture>
{
    public static TheoryData<string, string, string, string[]> Cases => new()
    {
        // set, query, code, what the message must contain
        { "Villages", "$top=-1", "InvalidQuery", ["$top", "0到100"] },
        { "VillageResults", "$top=-1", "InvalidQuery", ["$top", "0到100"] },
        { "Villages", "$top=99999999999", "InvalidQuery", ["$top", "0到100"] },
        { "VillageResults", "$top=99999999999", "InvalidQuery", ["$top", "0到100"] },
        { "TownshipResults", "$top=abc", "InvalidQuery", ["$top", "0到100"] },
        { "Villages", "$skip=abc", "InvalidQuery", ["$skip", "0到1000000"] },
        { "VillageResults", "$skip=-5", "InvalidQuery", ["$skip", "0到1000000"] },
        { "Villages", "$foo=1", "InvalidQuery", ["$foo", "$filter"] },
        { "VillageResults", "$foo=1", "InvalidQuery", ["$foo", "$filter"] },
        { "VillageResults", "$filter=tier eq 'Nonsense'", "InvalidQuery", ["$filter", "Nonsense", "Demonstration", "Rectify"] },
        { "VillageResults", "$filter=tier eq EnvScore.Tier'Nonsense'", "InvalidQuery", ["$filter", "Nonsense", "Demonstration"] },
        { "VillageResults", "$filter=tier eq Wrong.Tier'Rectify'", "InvalidQuery", ["$filter", "Wrong.Tier", "EnvScore.Tier"] },
        { "Evaluations", "$filter=status eq 'Nonsense'", "InvalidQuery", ["$filter", "Nonsense", "Submitted"] },
        { "Villages", "$filter=name eq 'abc", "InvalidQuery", ["$filter", "引号"] },
        { "VillageResults", "$filter=vetoCodes/any(c: c eq 'abc)", "InvalidQuery", ["$filter", "引号"] },
        { "Villages", "$orderby=nosuch", "InvalidQuery", ["$orderby", "nosuch"] },
        { "VillageResults", "$orderby=nosuch desc", "InvalidQuery", ["$orderby", "nosuch"] },
        { "Villages", "$select=nosuch", "InvalidQuery", ["$select", "nosuch"] },
        { "TownshipResults", "$select=nosuch", "InvalidQuery", ["$select", "nosuch"] },
        { "Villages", "$count=maybe", "InvalidQuery", ["$count", "true", "false"] },
        { "VillageResults", "$count=maybe", "InvalidQuery", ["$count", "true", "false"] },
        { "Villages", "$filter=nosuch eq 1", "InvalidQuery", ["$filter", "nosuch"] },
        { "Villages", "$expand=nosuch", "InvalidQuery", ["$expand", "nosuch"] },
        // The library's English message quoting the user's Chinese (a fresh API probe's finds): still translated.
        { "VillageResults", "$filter=tier eq '示范'", "InvalidQuery", ["$filter", "示范", "Demonstration"] },
        { "Villages", "$search=吕庄 OR NOT (", "InvalidQuery", ["$search", "语法", "第"] },
        { "Villages", "$filter=name eq", "InvalidQuery", ["$filter", "语法", "第"] },
        { "VillageResults", "$filter=(month eq 202610", "InvalidQuery", ["$filter", "语法"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_refused_option_is_named_with_what_is_expected(string set, string query, string code, string[] named)
    {
        var url = $"/odata/{set}?{query}";
        var (actualCode, message) = await RefusalAsync(url, stock: false);
        Assert.Equal(code, actualCode);
        foreach (var word in named) Assert.True(message.Contains(word, StringComparison.Ordinal), $"{url}: \"{message}\" does not name {word}");
        Assert.DoesNotContain("查询无效或超出限制（", message); // not the generic fallback
        Assert.DoesNotContain("Microsoft.", message);
        Assert.DoesNotMatch("(is not a valid|expected at position|Syntax error)", message); // the library's own text never leaves
        // The stock path (a Prefer header keeps a read off the lean path) says the same.
        Assert.Equal((actualCode, message), await RefusalAsync(url, stock: true));
    }

    private async Task<(string Code, string Message)> RefusalAsync(string url, bool stock)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (stock) request.Headers.Add("Prefer", "return=representation");
        var response = await fixture.Admin.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url} (stock: {stock}) → {(int)response.StatusCode}: {body}");
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        var message = error.GetProperty("message").GetString()!;
        Assert.Matches("[\u4e00-\u9fff]", message);
        return (error.GetProperty("code").GetString()!, message);
    }
}
