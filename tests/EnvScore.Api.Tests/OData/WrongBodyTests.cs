using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EnvScore.Api.Tests.Evaluations;
using EnvScore.Domain.Rules;
using EnvScore.Testing;
using Microsoft.OData.Edm;

namespace EnvScore.Api.Tests.OData;

/// <summary>
/// What a fresh user sent to the running service (issue list "API problems"), sent byte for byte: wrong JSON types,
/// out-of-range numbers, control characters in free text, English from the OData library, $format=xml, an item twice
/// in one PATCH. Every one must be a 4xx naming the field (or the construct) in Chinese — never a 500, never library text.
/// Expected fields and messages are written by hand here.
/// </summary>
public class WrongBodyTests(ODataFixture fixture) : IClassFixture<ODataFixture>
{
    private static readonly string L01 = Sheets.FirstOf<PerOccurrenceItem>();
    private static readonly string PassFail = Sheets.FirstOf<PassFailItem>();

    private static Task<HttpResponseMessage> SendRaw(HttpClient client, HttpMethod method, string url, string json, string? etag = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (etag is not null) request.Headers.TryAddWithoutValidation("If-Match", etag);
        return client.SendAsync(request);
    }

    /// <summary>400 with code InvalidJson, errors[field] naming what is expected, in Chinese, without library text.</summary>
    private static async Task<string> ExpectFieldAsync(HttpResponseMessage response, string field, string expected, string sent)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{sent} → {(int)response.StatusCode}: {body}");
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal("InvalidJson", json.GetProperty("code").GetString());
        var messages = default(JsonElement);
        Assert.True(json.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out messages),
            $"{sent}: errors should name {field}: {body}");
        var message = messages[0].GetString()!;
        Assert.Contains(expected, message);
        Assert.Matches("[\u4e00-\u9fff]", message);
        Assert.DoesNotContain("System.", body);
        Assert.DoesNotContain("Path:", body);
        return message;
    }

    public static TheoryData<string, string, string> PatchBodies() => new()
    {
        { """{"note":123}""", "note", "应为字符串" },
        { """{"vetoes":"V01"}""", "vetoes", "应为数组" },
        { """{"entries":{"itemCode":"L01"}}""", "entries", "应为数组" },
        { """{"entries":[null]}""", "entries[0]", "应为JSON对象" },
        { """{"entries":[{"itemCode":null,"count":1}]}""", "entries[0].itemCode", "不能为null" },
        { """{"entries":[{"itemCode":"C01","passed":"yes"}]}""", "entries[0].passed", "应为true或false" },
        { """{"entries":[{"itemCode":"C01","passed":1}]}""", "entries[0].passed", "应为true或false" },
        { """{"entries":[{"itemCode":"L01","count":"abc"}]}""", "entries[0].count", "应为整数" },
        { """{"entries":[{"itemCode":"L01","count":99999999999}]}""", "entries[0].count", "2147483647" },
        { """{"entries":[{"itemCode":"L01","count":1.5}]}""", "entries[0].count", "应为整数" },
        { """{"vetoes":[null]}""", "vetoes[0]", "不能为null" },
        { """{"entries":[{"itemCode":"L01","zeroConditions":[null]}]}""", "entries[0].zeroConditions[0]", "不能为null" },
        { """{"entries":[{"itemCode":"L01","clauses":[null]}]}""", "entries[0].clauses[0]", "不能为null" },
    };

    [Theory]
    [MemberData(nameof(PatchBodies))]
    public async Task A_wrong_typed_PATCH_of_a_sheet_is_a_400_naming_the_field_and_changes_nothing(string body, string field, string expected)
    {
        var (id, etag) = await SheetAsync(11);
        await ExpectFieldAsync(await SendRaw(fixture.Secretary, HttpMethod.Patch, $"/odata/Evaluations({id})", body, etag), field, expected, body);
        Assert.Equal(etag, await Sheets.ETagAsync(fixture.Secretary, id));
    }

    [Fact]
    public async Task A_null_entry_in_POST_or_PUT_is_a_400_naming_it()
    {
        var post = $$"""{"villageId":12,"month":"2026-11","kind":"Self","entries":[null]}""";
        await ExpectFieldAsync(await SendRaw(fixture.Secretary, HttpMethod.Post, "/odata/Evaluations", post), "entries[0]", "应为JSON对象", post);
        var (id, etag) = await SheetAsync(12);
        const string put = """{"entries":[null]}""";
        await ExpectFieldAsync(await SendRaw(fixture.Secretary, HttpMethod.Put, $"/odata/Evaluations({id})", put, etag), "entries[0]", "应为JSON对象", put);
    }

    [Theory]
    [InlineData("""{"villageId":"abc","month":"2026-11","kind":"Self"}""", "villageId", "应为整数")]
    [InlineData("""{"villageId":13,"month":"2026-11","kind":"Self","entries":[{"itemCode":"L01","count":99999999999}]}""", "entries[0].count", "2147483647")]
    [InlineData("""{"villageId":13,"month":"2026-11","kind":"Self","entries":[{"itemCode":"L01","count":1.5}]}""", "entries[0].count", "应为整数")]
    [InlineData("""{"villageId":13,"month":true,"kind":"Self"}""", "month", "month")]
    public async Task A_wrong_typed_POST_names_the_field_and_the_expected_type(string body, string field, string expected) =>
        await ExpectFieldAsync(await SendRaw(fixture.Secretary, HttpMethod.Post, "/odata/Evaluations", body), field, expected, body);

    [Fact]
    public async Task Month_is_accepted_as_yyyymm_too_so_that_a_sheet_read_can_be_put_back()
    {
        var body = $$"""{"villageId":14,"month":202611,"kind":"Self","entries":[{"itemCode":"{{L01}}","count":2}]}""";
        var created = await SendRaw(fixture.Secretary, HttpMethod.Post, "/odata/Evaluations", body);
        var sheet = await created.ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(202611, sheet.GetProperty("month").GetInt32());
        var id = sheet.GetProperty("id").GetInt32();

        // GET → PUT the same body back: 200, the entry kept.
        var read = await fixture.Secretary.GetAsync($"/odata/Evaluations({id})?$expand=entries");
        var readBody = await read.Content.ReadAsStringAsync();
        Assert.Contains("\"month\":202611", readBody);
        var put = await SendRaw(fixture.Secretary, HttpMethod.Put, $"/odata/Evaluations({id})", readBody, read.Headers.ETag!.ToString());
        var replaced = await put.ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(202611, replaced.GetProperty("month").GetInt32());
        var entries = (await fixture.Secretary.GetJsonAsync($"/odata/Evaluations({id})?$expand=entries")).GetProperty("entries");
        Assert.Equal(2, entries.EnumerateArray().Single(e => e.GetProperty("itemCode").GetString() == L01).GetProperty("count").GetInt32());

        // Not a month: named.
        const string bad = """{"villageId":15,"month":202613,"kind":"Self"}""";
        var refused = await (await SendRaw(fixture.Secretary, HttpMethod.Post, "/odata/Evaluations", bad)).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("202611", refused.GetProperty("errors").GetProperty("month")[0].GetString());
    }

    [Theory]
    [InlineData("""{"note":"发现\u0000柴草"}""", "note", "备注")]
    [InlineData("""{"entries":[{"itemCode":"L01","count":0,"note":"x\u0000"}]}""", "entries[0].note", "备注")]
    [InlineData("""{"note":"a\u001bb"}""", "note", "备注")]
    public async Task A_control_character_in_free_text_is_a_400_naming_the_field_before_the_database(string body, string field, string label)
    {
        var (id, etag) = await SheetAsync(16);
        var message = await ExpectFieldAsync(await SendRaw(fixture.Secretary, HttpMethod.Patch, $"/odata/Evaluations({id})", body, etag), field, "不能包含控制字符", body);
        Assert.StartsWith(label, message);
        Assert.Equal(etag, await Sheets.ETagAsync(fixture.Secretary, id));
    }

    [Fact]
    public async Task A_control_character_in_a_name_or_a_return_reason_is_named_too()
    {
        const string village = """{"name":"李庄\u0000村"}""";
        var message = await ExpectFieldAsync(await SendRaw(fixture.Admin, HttpMethod.Patch, "/odata/Villages(1)", village), "name", "不能包含控制字符", village);
        Assert.StartsWith("名称", message);
        const string reason = """{"reason":"照片\u0000不清"}""";
        var (id, etag) = await SheetAsync(17);
        await ExpectFieldAsync(await SendRaw(fixture.Admin, HttpMethod.Post, $"/odata/Evaluations({id})/Return", reason, etag), "reason", "不能包含控制字符", reason);
        // Tab, line feed and carriage return are text.
        var (id2, etag2) = await SheetAsync(18);
        await (await SendRaw(fixture.Secretary, HttpMethod.Patch, $"/odata/Evaluations({id2})", """{"note":"第一行\r\n\t第二行"}""", etag2)).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_item_twice_in_one_PATCH_is_a_DuplicateItem_problem()
    {
        var (id, etag) = await SheetAsync(19);
        var body = $$"""{"entries":[{"itemCode":"L02","count":1},{"itemCode":"L02","count":2}]}""";
        var error = await (await SendRaw(fixture.Secretary, HttpMethod.Patch, $"/odata/Evaluations({id})", body, etag)).ExpectAsync(HttpStatusCode.BadRequest);
        var problem = Assert.Single(Sheets.Problems(error));
        Assert.Equal("DuplicateItem", problem.GetProperty("kind").GetString());
        Assert.Equal("L02", problem.GetProperty("itemCode").GetString());
        Assert.Equal(etag, await Sheets.ETagAsync(fixture.Secretary, id));
    }

    [Fact]
    public async Task A_JSON_body_to_the_form_preview_is_a_400_not_a_500()
    {
        var response = await SendRaw(fixture.Secretary, HttpMethod.Post, "/api/sheet-preview", "{}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal("InvalidJson", json.GetProperty("code").GetString());
        Assert.Contains("表单", json.GetProperty("title").GetString());
        Assert.True(json.GetProperty("errors").TryGetProperty("villageId", out _));
    }

    [Theory]
    [InlineData("/odata/Villages?$top=1000", "InvalidQuery", "100")]
    [InlineData("/odata/Villages?$skiptoken=abc", "UnsupportedQuery", "$skiptoken")]
    [InlineData("/odata/Villages?$filter=length(name) mul 9999999999 gt 0", null, "查询")]
    [InlineData("/odata/PublishedVillageResults?$filter=tier gt 'Rectify'", "UnsupportedQuery", "gt")]
    [InlineData("/odata/Villages?$filter=length(name) mul 99999999999999999999999999999 gt 0", null, "查询")]
    [InlineData("/odata/Villages?$filter=nosuch eq 1", "InvalidQuery", "nosuch")]
    public async Task OData_refusals_are_Chinese_without_library_text(string url, string? code, string named)
    {
        var response = await fixture.Anonymous.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        // length(name) mul 9999999999 is evaluated in 64 bits here (200, every village); the user's service refused it
        // with library text. Either is fine as long as a refusal is Chinese without the library's words.
        if (code is null && response.StatusCode == HttpStatusCode.OK) return;
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url} → {(int)response.StatusCode}: {body}");
        var root = JsonDocument.Parse(body).RootElement;
        var (actualCode, message) = root.TryGetProperty("error", out var error)
            ? (error.GetProperty("code").GetString(), error.GetProperty("message").GetString()!)
            : (root.GetProperty("code").GetString(), root.GetProperty("title").GetString()! + (root.TryGetProperty("detail", out var d) ? d.ToString() : ""));
        if (code is not null) Assert.Equal(code, actualCode);
        Assert.Contains(named, message);
        Assert.Matches("^[^a-zA-Z(]*[\u4e00-\u9fff]", message); // Chinese first
        foreach (var english in new[] { "The limit of", "is not allowed", "target of an invocation", "binary operator", "Exception", "innererror" })
            Assert.DoesNotContain(english, body);
    }

    [Fact]
    public async Task A_spreadsheet_import_without_a_file_names_the_file_in_Chinese()
    {
        var response = await fixture.Admin.PostAsync("/api/spreadsheets/import?month=2026-11&townshipId=1", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Contains("文件", json.GetProperty("title").GetString());
        Assert.DoesNotContain("Unexpected request", body);
        Assert.DoesNotContain("IFormFile", body);
    }

    [Theory]
    [InlineData("/odata/Villages?$format=xml")]
    [InlineData("/odata/Villages(1)?$format=application/xml")]
    public async Task Format_xml_is_refused_in_Chinese_naming_JSON(string url)
    {
        var response = await fixture.Anonymous.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.NotAcceptable, $"{url} → {(int)response.StatusCode}: {body}");
        Assert.Contains("JSON", body);
        Assert.Matches("[\u4e00-\u9fff]", body);
        await (await fixture.Anonymous.GetAsync("/odata/Villages?$top=1&$format=json")).ExpectAsync(HttpStatusCode.OK);
    }

    /// <summary>A value of the wrong JSON type for each EDM kind (written by hand, not derived from the code under test).</summary>
    private static string? WrongValue(IEdmTypeReference type) =>
        type.IsCollection() ? "\"not-an-array\""
        : type.IsEnum() ? "7"
        : type.IsStructured() ? "1"
        : type.IsPrimitive() ? type.PrimitiveKind() switch
        {
            EdmPrimitiveTypeKind.String => "123",
            EdmPrimitiveTypeKind.Boolean => "\"yes\"",
            EdmPrimitiveTypeKind.Int32 or EdmPrimitiveTypeKind.Int16 or EdmPrimitiveTypeKind.Byte => "\"abc\"",
            EdmPrimitiveTypeKind.Int64 => "true",
            EdmPrimitiveTypeKind.Decimal or EdmPrimitiveTypeKind.Double => "true",
            EdmPrimitiveTypeKind.DateTimeOffset or EdmPrimitiveTypeKind.Date or EdmPrimitiveTypeKind.TimeOfDay => "true",
            _ => null,
        }
        : null;

    public static TheoryData<string, string> OrganisationWrites() => new()
    {
        { "POST", "Villages" }, { "PATCH", "Villages(1)" }, { "POST", "Townships" }, { "PATCH", "Townships(1)" },
        { "PATCH", "Districts(1)" }, { "POST", "Calendars" },
    };

    /// <summary>Every structural property of the addressed entity type (from $metadata), sent with a wrong-typed value.</summary>
    [Theory]
    [MemberData(nameof(OrganisationWrites))]
    public async Task Every_property_of_an_OData_write_with_a_wrong_type_is_a_400_naming_it(string method, string target)
    {
        var set = fixture.Model.EntityContainer.FindEntitySet(target.Split('(')[0])!;
        var failures = new List<string>();
        foreach (var property in set.EntityType.StructuralProperties())
        {
            if (WrongValue(property.Type) is not { } wrong) continue;
            var body = $"{{\"{property.Name}\":{wrong}}}";
            var response = await SendRaw(fixture.Admin, new HttpMethod(method), $"/odata/{target}", body);
            var text = await response.Content.ReadAsStringAsync();
            // A string that is not a month is InvalidMonth (MonthInput), a wrong JSON type InvalidJson.
            var code = target == "Calendars" && property.Name == "month" ? "InvalidMonth" : "InvalidJson";
            if (response.StatusCode != HttpStatusCode.BadRequest || !text.Contains($"\"{property.Name}\"") || !text.Contains(code) || text.Contains("System."))
                failures.Add($"{method} {target} {body} → {(int)response.StatusCode}: {text}");
        }
        Assert.Empty(failures);
    }

    /// <summary>The sheet writes' members (SheetWrite/SheetPatch/EntryWrite), each with a wrong-typed value.</summary>
    [Fact]
    public async Task Every_member_of_a_sheet_write_with_a_wrong_type_is_a_400_naming_it()
    {
        var (id, etag) = await SheetAsync(10);
        var cases = new (string Body, string Field)[]
        {
            ("""{"villageId":"x"}""", "villageId"), ("""{"month":{}}""", "month"), ("""{"kind":5}""", "kind"), ("""{"note":[]}""", "note"),
            ("""{"vetoes":{}}""", "vetoes"), ("""{"vetoes":[1]}""", "vetoes[0]"), ("""{"entries":"x"}""", "entries"),
            ("""{"entries":[5]}""", "entries[0]"), ("""{"entries":[{"itemCode":5}]}""", "entries[0].itemCode"),
            ("""{"entries":[{"itemCode":"L01","notApplicable":"no"}]}""", "entries[0].notApplicable"),
            ("""{"entries":[{"itemCode":"L01","level":1}]}""", "entries[0].level"),
            ("""{"entries":[{"itemCode":"L01","failedSamples":"2"}]}""", null!),
            ("""{"entries":[{"itemCode":"L01","failedSamples":true}]}""", "entries[0].failedSamples"),
            ("""{"entries":[{"itemCode":"L01","zeroConditions":"a"}]}""", "entries[0].zeroConditions"),
            ("""{"entries":[{"itemCode":"L01","note":false}]}""", "entries[0].note"),
            ("""{"entries":[{"itemCode":"L01","clauses":{}}]}""", "entries[0].clauses"),
            ("""{"entries":[{"itemCode":"L01","clauses":[{"code":"a","yes":"y"}]}]}""", "entries[0].clauses[0].yes"),
            ("""{"entries":[{"itemCode":"L01","clauses":[{"code":"a","percent":"p"}]}]}""", "entries[0].clauses[0].percent"),
        };
        var failures = new List<string>();
        foreach (var (body, field) in cases)
        {
            if (field is null) continue; // "2" for a number is read as 2 (JSON web defaults), not a type error
            foreach (var (method, url, tag) in new[] { ("PATCH", $"/odata/Evaluations({id})", etag), ("PUT", $"/odata/Evaluations({id})", etag), ("POST", "/odata/Evaluations", null) })
            {
                if (method == "PATCH" && field is "villageId" or "month" or "kind") continue; // not members of a PATCH
                var response = await SendRaw(fixture.Secretary, new HttpMethod(method), url, body, tag);
                var text = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.BadRequest || !text.Contains($"\"{field}\"") || !text.Contains("InvalidJson"))
                    failures.Add($"{method} {body} → {(int)response.StatusCode}: {text}");
            }
        }
        Assert.Empty(failures);
        Assert.Equal(etag, await Sheets.ETagAsync(fixture.Secretary, id));
    }

    [Theory]
    [InlineData("""{"userName":123,"password":"x"}""", "userName")]
    [InlineData("""{"userName":"admin","password":false}""", "password")]
    public async Task A_wrong_typed_login_names_the_field(string body, string field)
    {
        var response = await SendRaw(fixture.Anonymous, HttpMethod.Post, "/api/auth/login", body);
        await ExpectFieldAsync(response, field, "应为字符串", body);
    }

    [Theory]
    [InlineData("/api/publications/2026-10/publish", """{"title":123}""", "title", "应为字符串")]
    [InlineData("/api/publications/2026-10/publish", """{"date":5}""", "date", "应为日期")]
    [InlineData("/api/publications/2026-10/publish", """{"foreword":"前言\u0000"}""", "foreword", "不能包含控制字符")]
    [InlineData("/api/publications/2026-10/corrections", """{"reason":true}""", "reason", "应为字符串")]
    public async Task A_wrong_typed_publication_request_names_the_field(string url, string body, string field, string expected) =>
        await ExpectFieldAsync(await SendRaw(fixture.Admin, HttpMethod.Post, url, body), field, expected, body);

    private async Task<(int Id, string ETag)> SheetAsync(int villageId)
    {
        // One sheet per village and month: reuse it when another test of the class made it.
        var found = await fixture.Secretary.GetJsonAsync($"/odata/Evaluations?$filter=villageId eq {villageId} and month eq 202611 and kind eq EnvScore.EvaluationKind'Self'");
        if (found.GetProperty("value").GetArrayLength() > 0)
        {
            var id = found.GetProperty("value")[0].GetProperty("id").GetInt32();
            return (id, await Sheets.ETagAsync(fixture.Secretary, id));
        }
        var response = await fixture.Secretary.PostAsJsonAsync("/odata/Evaluations", Sheets.Write(villageId, entries: []));
        var json = await response.ExpectAsync(HttpStatusCode.Created);
        return (json.GetProperty("id").GetInt32(), response.Headers.ETag!.ToString());
    }
}
