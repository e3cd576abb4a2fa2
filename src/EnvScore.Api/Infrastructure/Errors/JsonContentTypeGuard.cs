using Microsoft.Net.Http.Headers;

namespace EnvScore.Api.Infrastructure.Errors;

/// <summary>
/// An OData write (POST, PUT, PATCH under <c>/odata/</c>) with a body must declare a JSON content type
/// (<c>application/json</c>, with any parameters such as <c>charset=utf-8</c> or <c>odata.metadata=minimal</c>; also
/// <c>application/*+json</c>). Anything else — <c>text/plain</c>, a form, no content type — is answered 415
/// <c>UnsupportedMediaType</c> in Chinese before any endpoint reads it: a body a browser would send cross-site without a
/// preflight (a CORS "simple request") never reaches a write (issue #21). Exception: <c>POST /odata/{set}/$query</c>,
/// whose body is query options as <c>text/plain</c> (OData 4.01 §11.2.1). A POST without a body (an action such as
/// <c>Submit</c>) needs no content type.
/// </summary>
public static class JsonContentTypeGuard
{
    public static Task Middleware(HttpContext http, Func<Task> next)
    {
        var request = http.Request;
        if (!(HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method))
            || !request.Path.StartsWithSegments("/odata", StringComparison.OrdinalIgnoreCase)
            || request.Path.Value!.EndsWith("/$query", StringComparison.OrdinalIgnoreCase)
            || !HasBody(request)
            || IsJson(request.ContentType))
            return next();
        ErrorCodes.Set(http, ErrorCodes.UnsupportedMediaType);
        var given = string.IsNullOrWhiteSpace(request.ContentType) ? "请求未声明Content-Type" : $"不支持的内容类型\"{request.ContentType}\"";
        return Results.Problem(
            title: $"{given}：写入请求的请求体须为JSON，请加请求头 Content-Type: application/json (a write body must be application/json)",
            statusCode: StatusCodes.Status415UnsupportedMediaType,
            extensions: new Dictionary<string, object?> { ["code"] = ErrorCodes.UnsupportedMediaType }).ExecuteAsync(http);
    }

    /// <summary>True for application/json and application/*+json, with any parameters.</summary>
    public static bool IsJson(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media)) return false;
        var type = media.MediaType.Value ?? "";
        return type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
               || type.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A body is on its way: a positive Content-Length, or a chunked one (no length).</summary>
    private static bool HasBody(HttpRequest request) =>
        request.ContentLength is > 0 || request.ContentLength is null && request.Headers.TransferEncoding.Count > 0;
}
