using System.Net;
using System.Text.Json;
using EnvScore.Testing;

namespace EnvScore.Api.Tests.Organisation;

public class OrganisationQueryTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    private readonly HttpClient _anonymous = factory.CreateClient();


    [Fact]
    public async Task Filter_on_chinese_name_is_answered()
    {
        var json = await _anonymous.GetJsonAsync("/odata/Villages?$filter=" + Uri.EscapeDataString("contains(name,'贺砦')"));
        var village = Assert.Single(json.GetProperty("value").EnumerateArray());
        Assert.Equal("贺砦社区", village.GetProperty("name").GetString());
        Assert.Equal("410271002002", village.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Filter_through_navigation_path_to_township()
    {
        var json = await _anonymous.GetJsonAsync("/odata/Villages?$count=true&$filter=" + Uri.EscapeDataString("township/name eq '水稻乡'"));
        Assert.Equal(19, json.GetProperty("@odata.count").GetInt32());
    }

    [Fact]
    public async Task Count_reports_all_rows_while_server_paging_returns_a_next_link()
    {
        // 55 villages, page size 100: one page. $top within the limit with $skip pages by hand;
        // server-driven paging kicks in when a result exceeds the page size (Townships $expand keeps it small).
        var json = await _anonymous.GetJsonAsync("/odata/Villages?$count=true&$orderby=code&$top=10&$skip=50");
        Assert.Equal(55, json.GetProperty("@odata.count").GetInt32());
        Assert.Equal(5, json.GetProperty("value").GetArrayLength());
        Assert.Equal("410271003014", json.GetProperty("value")[0].GetProperty("code").GetString());
    }

    [Fact]
    public async Task Expand_select_and_key_lookup()
    {
        var json = await _anonymous.GetJsonAsync("/odata/Districts?$expand=townships($select=name,kind;$orderby=code)&$select=name,code");
        var district = Assert.Single(json.GetProperty("value").EnumerateArray());
        Assert.Equal("示范区", district.GetProperty("name").GetString());
        var townships = district.GetProperty("townships").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToArray();
        Assert.Equal(new[] { "水稻乡", "杏花营农场", "杏花营镇" }, townships);

        var township = await _anonymous.GetJsonAsync("/odata/Townships(2)?$expand=villages($count=true;$top=3)");
        Assert.Equal("Farm", township.GetProperty("kind").GetString());
        Assert.Equal(3, township.GetProperty("villages").GetArrayLength());
    }

    [Fact]
    public async Task Unknown_key_is_404_and_metadata_describes_the_sets()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _anonymous.GetAsync("/odata/Villages(99999)")).StatusCode);
        var metadata = await _anonymous.GetStringAsync("/odata/$metadata");
        Assert.Contains("EntitySet Name=\"Villages\"", metadata);
        Assert.Contains("EntitySet Name=\"Townships\"", metadata);
        Assert.Contains("EntitySet Name=\"Districts\"", metadata);
    }

    [Theory]
    [InlineData("/odata/Villages?$top=101", "$top不能超过100")]
    [InlineData("/odata/Districts?$expand=townships($expand=villages($expand=township))", "$expand最多2层")]
    [InlineData("/odata/Townships?$filter=villages/any(v: v/township/villages/any(w: w/township/villages/any(x: x/isActive)))", "any/all最多嵌套2层")]
    [InlineData("/odata/Villages?$orderby=code,name,id,isActive,townshipId,township/name", "$orderby最多5项")]
    public async Task Every_limit_is_rejected_with_400_naming_the_limit(string url, string limit)
    {
        var response = await _anonymous.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("message").GetString()!;
        Assert.StartsWith("查询超出限制：", message);
        Assert.Contains(limit, message); // the limit by its query option, in Chinese, with the number
        Assert.DoesNotContain("The limit of", body); // the library's own words stay out
        Assert.DoesNotContain("stacktrace", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", body);
    }

    [Fact]
    public async Task A_filter_with_too_many_nodes_is_rejected()
    {
        var filter = string.Join(" or ", Enumerable.Range(0, 60).Select(i => $"id eq {i}"));
        var response = await _anonymous.GetAsync("/odata/Villages?$filter=" + Uri.EscapeDataString(filter));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("表达式最多100个节点", body);
    }

    [Fact]
    public async Task Health_reports_the_database()
    {
        var json = await _anonymous.GetJsonAsync("/healthz");
        Assert.Equal("Healthy", json.GetProperty("status").GetString());
        Assert.Equal("Healthy", json.GetProperty("checks").GetProperty("database").GetString());
    }
}
