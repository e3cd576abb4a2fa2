using System.Net;
using EnvScore.Api.Tests.OData;
using EnvScore.Testing;

namespace EnvScore.Api.Tests.Publication;

/// <summary>
/// What a reader gets for a month, revision or district in a public page's address (/, /township/{id}, /village/{id}):
/// the demo district on 2026-11-10 has 2026-08 and 2026-09 published and 2026-10 computed but not published (DemoMonths).
/// A malformed value is a Chinese 400 page, a month (or revision, or district) with nothing published a Chinese 404 page,
/// both linking the published months — never the latest month shown in its place. Without <c>m</c> the latest published
/// month, as before. Also <c>?format=</c> on bulletin downloads in any letter case.
/// </summary>
public class PublicMonthAddressTests(ODataFixture fixture) : IClassFixture<ODataFixture>
{
    private async Task<(HttpStatusCode Status, string Html)> PageAsync(string url)
    {
        var response = await fixture.Anonymous.GetAsync(url);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, html);
    }

    private async Task<(int Township, int Village, int District)> IdsAsync()
    {
        var village = (await fixture.Admin.GetJsonAsync("/odata/Villages?$top=1&$orderby=code")).GetProperty("value")[0];
        var district = (await fixture.Admin.GetJsonAsync("/odata/Districts")).GetProperty("value")[0].GetProperty("id").GetInt32();
        return (village.GetProperty("townshipId").GetInt32(), village.GetProperty("id").GetInt32(), district);
    }

    private static void AssertRefusal(string html, string path, params string[] says)
    {
        Assert.Contains("id=\"month-refused\"", html);
        foreach (var text in says) Assert.Contains(text, html);
        // Links to both published months, and not the unpublished one.
        Assert.Contains($"href=\"{path}?m=2026-09\"", html);
        Assert.Contains($"href=\"{path}?m=2026-08\"", html);
        Assert.DoesNotContain("m=2026-10\"", html);
        Assert.DoesNotContain("id=\"ranking\"", html); // no ranking of another month in its place
    }

    [Fact]
    public async Task The_ranking_page_refuses_a_month_that_is_malformed_or_not_published()
    {
        var (status, html) = await PageAsync("/");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("<title>2026年9月排名", html);

        (status, html) = await PageAsync("/?m=abc");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertRefusal(html, "/", "月份无效", "“abc”", "例如 m=2026-09");

        (status, html) = await PageAsync("/?m=2026-10");
        Assert.Equal(HttpStatusCode.NotFound, status);
        AssertRefusal(html, "/", "2026年10月没有已发布的通报");

        (status, html) = await PageAsync("/?m=2026-13");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertRefusal(html, "/", "“2026-13”");

        (status, html) = await PageAsync("/?m=%3Cscript%3Ealert(1)%3C/script%3E");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.DoesNotContain("<script>alert(1)", html);

        foreach (var asked in new[] { "2026-08", "2026-8", "202608", "2026年8月" })
        {
            (status, html) = await PageAsync($"/?m={Uri.EscapeDataString(asked)}");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains("<title>2026年8月排名", html);
            Assert.Contains("id=\"ranking\"", html);
        }
        (status, html) = await PageAsync("/?m=");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("<title>2026年9月排名", html);
    }

    [Fact]
    public async Task The_ranking_page_refuses_a_revision_or_district_that_is_malformed_or_not_published()
    {
        var (_, _, district) = await IdsAsync();
        var (status, html) = await PageAsync("/?m=2026-09&r=abc");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("版本号无效", html);
        Assert.Contains($"href=\"/?d={district}&amp;m=2026-09&amp;r=1\"", html);

        (status, html) = await PageAsync("/?m=2026-09&r=7");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("2026年9月的通报没有第7版", html);
        Assert.Contains($"href=\"/?d={district}&amp;m=2026-09&amp;r=1\"", html);
        Assert.DoesNotContain("id=\"ranking\"", html);

        (status, html) = await PageAsync("/?m=2026-09&r=1");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("id=\"ranking\"", html);

        (status, html) = await PageAsync("/?d=abc");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("区编号无效", html);
        Assert.Contains($"href=\"/?d={district}&amp;m=2026-09\"", html);

        (status, html) = await PageAsync($"/?d={district + 1000}");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains($"编号为{district + 1000}的区没有已发布的通报", html);
    }

    [Fact]
    public async Task Township_and_village_pages_refuse_a_month_that_is_malformed_or_not_published()
    {
        var (township, village, _) = await IdsAsync();
        foreach (var path in new[] { $"/township/{township}", $"/village/{village}" })
        {
            var (status, html) = await PageAsync($"{path}?m=abc");
            Assert.Equal(HttpStatusCode.BadRequest, status);
            AssertRefusal(html, path, "月份无效", "“abc”");

            (status, html) = await PageAsync($"{path}?m=2026-10");
            Assert.Equal(HttpStatusCode.NotFound, status);
            AssertRefusal(html, path, "2026年10月没有已发布的通报");
            Assert.Contains("href=\"/\"", html); // back to the ranking: the latest, not an invalid month

            (status, html) = await PageAsync($"{path}?m=2026-08");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains("<strong>2026年8月</strong>", html);

            (status, html) = await PageAsync(path);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains("<strong>2026年9月</strong>", html);
        }
    }

    [Theory]
    [InlineData("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")]
    [InlineData("DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")]
    [InlineData("Docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")]
    [InlineData("%20docx%20", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")]
    [InlineData("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]
    [InlineData("", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]
    public async Task The_bulletin_format_is_read_in_any_letter_case(string format, string contentType)
    {
        var (_, _, district) = await IdsAsync();
        var published = await fixture.Anonymous.GetAsync($"/api/bulletins/{district}/2026-09/1?format={format}");
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        Assert.Equal(contentType, published.Content.Headers.ContentType?.MediaType);
        var bytes = await published.Content.ReadAsByteArrayAsync();
        Assert.Equal("PK"u8.ToArray(), bytes[..2]); // a zip package, as both formats are

        var preview = await fixture.Admin.GetAsync($"/api/bulletins/{district}/2026-10/preview?format={format}");
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        Assert.Equal(contentType, preview.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_unknown_bulletin_format_is_a_400_naming_it()
    {
        var (_, _, district) = await IdsAsync();
        var problem = await (await fixture.Anonymous.GetAsync($"/api/bulletins/{district}/2026-09/1?format=PDF")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("\"PDF\"", problem.GetProperty("title").GetString());
        Assert.Contains("docx", problem.GetProperty("title").GetString());
        Assert.Equal("InvalidRequest", problem.GetProperty("code").GetString());
    }
}
