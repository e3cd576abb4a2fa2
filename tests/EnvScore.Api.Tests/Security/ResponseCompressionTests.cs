using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using EnvScore.Testing;

namespace EnvScore.Api.Tests.Security;

/// <summary>
/// Pages and JSON are compressed for a client that asks (a browser on a township office's line, issue #20) and sent
/// as they are to one that does not (curl without --compressed, the tests' own clients).
/// </summary>
public sealed class ResponseCompressionTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    [Theory]
    [InlineData("br", "/login")]
    [InlineData("gzip", "/login")]
    [InlineData("br", "/odata/Villages")]
    public async Task A_client_that_asks_gets_the_same_text_compressed(string encoding, string url)
    {
        var plain = factory.CreateClient();
        var expected = await plain.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, expected.StatusCode);
        Assert.Empty(expected.Content.Headers.ContentEncoding);
        var text = await expected.Content.ReadAsStringAsync();

        var asking = factory.CreateClient();
        asking.DefaultRequestHeaders.AcceptEncoding.Add(new StringWithQualityHeaderValue(encoding));
        var response = await asking.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([encoding], response.Content.Headers.ContentEncoding);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        using Stream decoded = encoding == "br"
            ? new BrotliStream(new MemoryStream(bytes), CompressionMode.Decompress)
            : new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        var decodedText = await new StreamReader(decoded).ReadToEndAsync();
        Assert.True(bytes.Length < System.Text.Encoding.UTF8.GetByteCount(decodedText), "compressed is smaller");
        if (url == "/login")
        {
            // The page carries a fresh antiforgery token per response: compare around it.
            static string WithoutTokens(string html) => System.Text.RegularExpressions.Regex.Replace(html, "value=\"CfDJ8[^\"]*\"", "value=\"…\"");
            Assert.Equal(WithoutTokens(text), WithoutTokens(decodedText));
        }
        else Assert.Equal(text, decodedText);
    }
}
