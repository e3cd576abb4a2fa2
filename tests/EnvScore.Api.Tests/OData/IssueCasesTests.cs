using System.Net;
using System.Text;
using System.Text.Json;
using EnvScore.Testing;
using Microsoft.OData;
using Microsoft.OData.Edm;
using Microsoft.OData.Edm.Validation;

namespace EnvScore.Api.Tests.OData;

/// <summary>
/// The cases of issue #15, each with its right value, plus an independent OData client (Microsoft.OData.Core's
/// ODataMessageReader, validations on) reading feeds, entries, errors and $metadata as a client we did not write would.
/// </summary>
public class IssueCasesTests(ODataFixture fixture) : IClassFixture<ODataFixture>
{
    [Fact]
    public async Task A_date_time_literal_with_an_offset_means_the_same_instant_as_in_UTC()
    {
        var china = await ODataFixture.AllRowsAsync(fixture.Anonymous, "/odata/PublicationRevisions?$filter=publishedAt gt 2026-10-01T00:00:00%2B08:00");
        var utc = await ODataFixture.AllRowsAsync(fixture.Anonymous, "/odata/PublicationRevisions?$filter=publishedAt gt 2026-09-30T16:00:00Z");
        var all = await ODataFixture.AllRowsAsync(fixture.Anonymous, "/odata/PublicationRevisions");
        var expected = all.Where(r => r.GetProperty("publishedAt").GetDateTimeOffset() > new DateTimeOffset(2026, 9, 30, 16, 0, 0, TimeSpan.Zero)).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Select(r => r.GetRawText()), china.Select(r => r.GetRawText()));
        Assert.Equal(expected.Select(r => r.GetRawText()), utc.Select(r => r.GetRawText()));
    }

    [Theory]
    [InlineData("/odata/PublishedVillageResults?$filter=tier has EnvScore.Tier'Rectify'", "has")]
    [InlineData("/odata/Villages?$filter=matchesPattern(name,'^双')", "matchesPattern")]
    [InlineData("/odata/PublicationRevisions?$filter=time(publishedAt) gt 12:00:00", "time")]
    [InlineData("/odata/PublicationRevisions?$filter=fractionalseconds(publishedAt) gt 0", "fractionalseconds")]
    [InlineData("/odata/PublicationRevisions?$search=双河", "$search")]
    public async Task Unsupported_constructs_are_a_Chinese_400_naming_them_even_anonymously(string url, string named)
    {
        var response = await fixture.Anonymous.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url} → {(int)response.StatusCode}: {body}");
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.Equal("UnsupportedQuery", error.GetProperty("code").GetString());
        Assert.Contains(named, error.GetProperty("message").GetString());
        Assert.Matches("[\u4e00-\u9fff]", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Search_finds_villages_by_part_of_the_name_or_a_code_prefix()
    {
        var villages = await ODataFixture.AllRowsAsync(fixture.Anonymous, "/odata/Villages");
        var byName = await ODataFixture.AllRowsAsync(fixture.Anonymous, "/odata/Villages?$search=李庄");
        Assert.Equal(villages.Where(v => v.GetProperty("name").GetString()!.Contains("李庄")).Select(v => v.GetProperty("id").GetInt32()).Order(),
            byName.Select(v => v.GetProperty("id").GetInt32()).Order());
        Assert.Equal(["大李庄村", "小李庄村", "李庄社区"], byName.Select(v => v.GetProperty("name").GetString()!).Order(StringComparer.Ordinal).ToArray()); // by hand from the demo list

        // A code is searched as a phrase: ODL's $search grammar does not let a word start with a digit.
        var byCode = await ODataFixture.AllRowsAsync(fixture.Anonymous, "/odata/Villages?$search=%22410271002%22");
        Assert.Equal(villages.Count(v => v.GetProperty("code").GetString()!.StartsWith("410271002")), byCode.Count);
        Assert.All(byCode, v => Assert.StartsWith("410271002", v.GetProperty("code").GetString()));

        var both = await ODataFixture.AllRowsAsync(fixture.Anonymous, "/odata/Villages?$search=李庄 AND NOT 小");
        Assert.Equal(["大李庄村", "李庄社区"], both.Select(v => v.GetProperty("name").GetString()!).Order(StringComparer.Ordinal).ToArray());

        var results = await ODataFixture.AllRowsAsync(fixture.Anonymous, "/odata/PublishedVillageResults?$search=杏花营镇");
        Assert.NotEmpty(results);
        Assert.All(results, r => Assert.Equal("杏花营镇", r.GetProperty("townshipName").GetString()));
        var townships = await ODataFixture.AllRowsAsync(fixture.Admin, "/odata/TownshipResults?$search=农场");
        Assert.NotEmpty(townships);
    }

    [Fact]
    public async Task The_rule_set_in_force_expands_its_items()
    {
        var json = await fixture.Anonymous.GetJsonAsync("/odata/RuleSets/InForce(districtId=1,month='2026-11')?$expand=items($orderby=ordinal)");
        var items = json.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(30, items.Count); // the default rule set's 30 items (scoring-rules/six-disorders-six-cleanups.yaml), as issue #15 says
        Assert.Subset(items.Select(i => i.GetProperty("code").GetString()!).ToHashSet(), EnvScore.Api.Tests.Evaluations.Sheets.Rules.Items.Select(i => i.Code).ToHashSet());
        Assert.Equal(Enumerable.Range(1, 30), items.Select(i => i.GetProperty("ordinal").GetInt32()));
    }

    [Fact]
    public void The_served_CSDL_passes_the_EDM_validator_with_no_error()
    {
        Assert.True(fixture.Model.Validate(out var errors), string.Join("\n", errors.Select(e => $"{e.ErrorCode}: {e.ErrorMessage}")));
        Assert.Empty(errors);
        var village = fixture.Model.FindDeclaredType("EnvScore.VillageResult") as IEdmEntityType;
        Assert.All(village!.Key(), k => Assert.False(k.Type.IsNullable));
        var township = fixture.Model.FindDeclaredType("EnvScore.TownshipResult") as IEdmEntityType;
        Assert.All(township!.Key(), k => Assert.False(k.Type.IsNullable));
    }

    [Fact]
    public async Task A_long_query_can_be_posted_to_query_and_an_overlong_URI_is_a_Chinese_414()
    {
        var ids = string.Join(",", Enumerable.Range(1, 3000));
        var filter = $"$filter=id in ({ids}) and contains(name,'李庄')&$orderby=id";
        var tooLong = await fixture.Anonymous.GetAsync("/odata/Villages?" + filter);
        var problem = await tooLong.ExpectAsync(HttpStatusCode.RequestUriTooLong);
        Assert.Contains("$query", problem.GetProperty("title").GetString());
        Assert.Equal("UriTooLong", problem.GetProperty("code").GetString());

        var posted = await fixture.Anonymous.PostAsync("/odata/Villages/$query", new StringContent(filter, Encoding.UTF8, "text/plain"));
        var json = await posted.ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(new[] { "大李庄村", "小李庄村", "李庄社区" }, json.GetProperty("value").EnumerateArray().Select(v => v.GetProperty("name").GetString()!).Order(StringComparer.Ordinal));
    }

    // ---- an independent client: Microsoft.OData.Core reads our answers with its validations on ----

    [Theory]
    [InlineData("Villages", "$filter=contains(name,'社区')&$count=true&$top=5")]
    [InlineData("PublishedVillageResults", "$top=20&$orderby=districtRank")]
    [InlineData("PublicationRevisions", "")]
    [InlineData("RuleSets", "$expand=items")]
    [InlineData("Townships", "$expand=villages($select=id,name)")]
    public async Task ODataMessageReader_reads_feeds(string set, string query)
    {
        var response = await fixture.Anonymous.GetAsync($"/odata/{set}?{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var message = await ClientMessage.ReadAsync(response);
        var entitySet = fixture.Model.EntityContainer.FindEntitySet(set);
        using var reader = new ODataMessageReader((IODataResponseMessage)message, ReaderSettings, fixture.Model);
        var feed = reader.CreateODataResourceSetReader(entitySet, entitySet.EntityType);
        var resources = 0;
        while (feed.Read())
            if (feed.State == ODataReaderState.ResourceEnd && feed.Item is ODataResource) resources++;
        Assert.True(resources > 0);
    }

    [Fact]
    public async Task ODataMessageReader_reads_an_entry_with_its_etag()
    {
        var id = (await fixture.Admin.GetJsonAsync("/odata/Evaluations?$top=1&$select=id")).GetProperty("value")[0].GetProperty("id").GetInt32();
        var response = await fixture.Admin.GetAsync($"/odata/Evaluations({id})");
        using var message = await ClientMessage.ReadAsync(response);
        var set = fixture.Model.EntityContainer.FindEntitySet("Evaluations");
        using var reader = new ODataMessageReader((IODataResponseMessage)message, ReaderSettings, fixture.Model);
        var entry = reader.CreateODataResourceReader(set, set.EntityType);
        ODataResource? top = null;
        while (entry.Read())
            if (entry.State == ODataReaderState.ResourceEnd) top = (ODataResource)entry.Item;
        Assert.Equal(response.Headers.ETag!.ToString(), top!.ETag);
    }

    [Fact]
    public async Task ODataMessageReader_reads_errors_and_metadata()
    {
        var bad = await fixture.Anonymous.GetAsync("/odata/Villages?$filter=matchesPattern(name,'^双')");
        using (var message = await ClientMessage.ReadAsync(bad))
        using (var reader = new ODataMessageReader((IODataResponseMessage)message, ReaderSettings, fixture.Model))
        {
            var error = reader.ReadError();
            Assert.Equal("UnsupportedQuery", error.Code);
            Assert.Contains("matchesPattern", error.Message);
        }
        var metadata = await fixture.Anonymous.GetAsync("/odata/$metadata");
        using (var message = await ClientMessage.ReadAsync(metadata))
        using (var reader = new ODataMessageReader((IODataResponseMessage)message, ReaderSettings))
        {
            var model = reader.ReadMetadataDocument();
            Assert.NotNull(model.EntityContainer.FindEntitySet("VillageResults"));
        }
    }

    private static readonly ODataMessageReaderSettings ReaderSettings = new() { Validations = ValidationKinds.All, EnableMessageStreamDisposal = true };

    /// <summary>An HTTP answer as Microsoft.OData.Core's response message.</summary>
    private sealed class ClientMessage : IODataResponseMessage, IDisposable
    {
        private readonly Dictionary<string, string> _headers;
        private readonly MemoryStream _body;

        private ClientMessage(HttpResponseMessage response, byte[] body)
        {
            StatusCode = (int)response.StatusCode;
            _headers = response.Headers.Concat(response.Content.Headers)
                .ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
            _body = new MemoryStream(body);
        }

        public static async Task<ClientMessage> ReadAsync(HttpResponseMessage response) =>
            new(response, await response.Content.ReadAsByteArrayAsync());

        public IEnumerable<KeyValuePair<string, string>> Headers => _headers;
        public int StatusCode { get; set; }
        public string? GetHeader(string headerName) => _headers.GetValueOrDefault(headerName);
        public void SetHeader(string headerName, string headerValue) => _headers[headerName] = headerValue;
        public Stream GetStream() => _body;
        public void Dispose() => _body.Dispose();
    }
}
