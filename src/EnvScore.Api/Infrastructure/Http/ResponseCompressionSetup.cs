using System.IO.Compression;
using Microsoft.AspNetCore.ResponseCompression;

namespace EnvScore.Api.Infrastructure.Http;

/// <summary>
/// Pages, styles, scripts and JSON go out Brotli- or gzip-compressed when the client asks (<c>Accept-Encoding</c>), at the
/// fastest level: a township office's line (issue #20: 1.6 Mb/s, 150 ms) carries the home page's 33 KB of HTML in a
/// fraction of the bytes and fewer TCP round trips. Spreadsheets, notices and photos are already compressed (zip, JPEG,
/// PNG) and are not in the MIME list. <c>EnableForHttps</c> stays off (ASP.NET Core's default): the service speaks HTTP
/// behind its TLS proxy, and antiforgery tokens are new per response, so a page does not repeat a secret next to
/// reflected input (the BREACH precondition).
/// </summary>
public static class ResponseCompressionSetup
{
    public static IHostApplicationBuilder AddEnvScoreCompression(this IHostApplicationBuilder builder)
    {
        builder.Services.AddResponseCompression(o =>
        {
            o.Providers.Add<BrotliCompressionProvider>();
            o.Providers.Add<GzipCompressionProvider>();
            o.MimeTypes = ResponseCompressionDefaults.MimeTypes.Concat(["image/svg+xml", "application/problem+json"]);
        });
        builder.Services.Configure<BrotliCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        builder.Services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        return builder;
    }
}
