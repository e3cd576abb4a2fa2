using System.Net;
using System.Text.Json;

namespace EnvScore.Api.Tests.OData;

/// <summary>Refusal messages say what the client wrote in the service's terms: the right kind of type, the documented limit.</summary>
public class QueryMessageTests(ODataFixture fixture) : IClassFixture<ODataFixture>
{
    private async Task<(string Code, string Message)> RefusalAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url} → {(int)response.StatusCode}: {body}");
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        var message = error.GetProperty("message").GetString()!;
        Assert.Matches("[\u4e00-\u9fff]", message);
        return (error.GetProperty("code").GetString()!, message);
    }

    [Fact]
    public async Task An_unknown_property_names_the_entity_type_not_an_enum()
    {
        var (code, message) = await RefusalAsync(fixture.Admin, "/odata/Evaluations?$filter=nosuch eq 1");
        Assert.Equal("InvalidQuery", code);
        Assert.Contains("nosuch", message);
        Assert.Contains("实体类型Evaluation", message);
        Assert.DoesNotContain("枚举", message);
    }

    [Fact]
    public async Task Incompatible_operands_mention_enums_only_when_one_is_an_enum()
    {
        var (code, message) = await RefusalAsync(fixture.Anonymous, "/odata/Villages?$filter=id eq '1'");
        Assert.Equal("UnsupportedQuery", code);
        Assert.Contains("整数", message);
        Assert.Contains("字符串", message);
        Assert.DoesNotContain("枚举", message);
    }

    [Theory]
    [InlineData("2147483648")]
    [InlineData("1000001")]
    public async Task Skip_over_the_limit_names_the_documented_limit(string skip)
    {
        var (code, message) = await RefusalAsync(fixture.Anonymous, $"/odata/Villages?$skip={skip}");
        Assert.Equal("InvalidQuery", code);
        Assert.Contains("$skip不能超过1000000", message); // docs/api.md: $skip ≤ 1,000,000
        Assert.DoesNotContain("2147483647", message);
    }

    [Theory]
    [InlineData("/odata/PublicationRevisions?$filter=publishedAt gt mindatetime()", "mindatetime")]
    [InlineData("/odata/PublicationRevisions?$filter=publishedAt lt maxdatetime()", "maxdatetime")]
    public async Task Refused_date_time_functions_are_named(string url, string named)
    {
        var (code, message) = await RefusalAsync(fixture.Anonymous, url);
        Assert.Equal("UnsupportedQuery", code);
        Assert.Contains(named, message);
    }

    [Fact]
    public async Task Divby_is_a_Chinese_400()
    {
        var (_, message) = await RefusalAsync(fixture.Anonymous, "/odata/Villages?$filter=id divby 2 gt 1");
        Assert.DoesNotContain("Microsoft.", message);
    }
}
