using Microsoft.AspNetCore.Http.Features;

namespace EnvScore.Api.Infrastructure.Security;

/// <summary>
/// The refusals of the security bounds (issue #21): RFC 7807 problem details with a Chinese title (English in
/// brackets) and a machine-readable <c>code</c> extension, e.g. <c>{"status":413,"code":"body-too-large",…}</c>.
/// </summary>
public static class SecurityProblems
{
    public const string BodyTooLarge = "body-too-large";
    public const string UnsupportedMediaType = "unsupported-media-type";
    public const string UnreadableBody = "InvalidJson";   // the same code as every other unreadable JSON body (ErrorCodes)
    public const string YamlLimit = "yaml-limit-exceeded";
    public const string TooManyRequests = "too-many-requests";
    public const string TooManyLoginFailures = "too-many-login-failures";
    public const string AccountLocked = "account-locked";
    public const string WrongCredentials = "wrong-credentials";
    public const string CrossSiteWrite = "cross-site-write";

    public static IResult Problem(int status, string code, string title, int? retryAfterSeconds = null, IDictionary<string, object?>? extensions = null)
    {
        var ext = new Dictionary<string, object?>(extensions ?? new Dictionary<string, object?>()) { ["code"] = code };
        if (retryAfterSeconds is { } s) ext["retryAfterSeconds"] = s;
        var result = Results.Problem(title: title, statusCode: status, extensions: ext);
        return retryAfterSeconds is { } seconds ? new WithRetryAfter(result, seconds) : result;
    }

    private sealed class WithRetryAfter(IResult inner, int seconds) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }

    /// <summary>
    /// Reads at most <paramref name="maxBytes"/> of the body (whatever Content-Length claims, chunked too);
    /// null when the body is longer. Also lowers the server's own body limit for this request where it can.
    /// </summary>
    public static async Task<byte[]?> ReadBoundedAsync(HttpRequest request, int maxBytes, CancellationToken ct = default)
    {
        if (request.ContentLength > maxBytes) return null;
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = maxBytes + 1L;
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > maxBytes) return null;
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
        return buffer.ToArray();
    }
}
