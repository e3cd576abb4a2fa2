using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Npgsql;

namespace EnvScore.Api.Infrastructure.Errors;

/// <summary>
/// Exceptions that mean "the request was bad", not "the server failed", answered as Chinese 4xx problem details:
/// <list type="bullet">
/// <item><see cref="BadHttpRequestException"/> (Kestrel and minimal APIs): its status — 413 over the body limit (named),
///   400 for a body that is not valid JSON or UTF-8.</item>
/// <item>Under <c>/odata</c>, a query that the OData layer or the database cannot evaluate (<see cref="OData.QueryFaults"/>:
///   an ODataException, a LINQ expression EF cannot translate, a PostgreSQL data exception of class 22 such as division by
///   zero or numeric overflow): 400 <c>UnsupportedQuery</c>. The query validator (<c>QueryRules</c>) refuses the known
///   kinds before EF sees them, and <c>EnvScoreQueryAttribute</c> runs and counts every query before the response
///   starts, answering its faults itself; this is the net under both, so that no query text can make a 500.</item>
/// <item>The database unreachable or refusing work for now (<see cref="DatabaseFaults"/>: PostgreSQL stopped, restarting,
///   failing over, out of connections): 503 with <c>Retry-After</c> and code <c>DatabaseUnavailable</c> (or
///   <c>DatabaseBusy</c>) — problem details for the API, a Chinese page for the web pages. Nothing half-written remains:
///   every write is one transaction, which PostgreSQL rolls back when its connection is lost.</item>
/// </list>
/// Anything else stays a 500 (logged, no stack trace in the answer).
/// </summary>
public sealed class RequestExceptionHandler(IProblemDetailsService problems, ILogger<RequestExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (http.Response.HasStarted) return false;
        if (DatabaseFaults.Classify(exception) is { } dbCode) return await DatabaseUnavailableAsync(http, exception, dbCode);
        var (status, code, title) = Classify(http, exception);
        if (status == 0) return false;
        log.LogWarning(exception, "Refused {Method} {Path} with {Status} {Code}", http.Request.Method, http.Request.Path, status, code);
        http.Response.StatusCode = status;
        ErrorCodes.Set(http, code);
        var context = new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            // No library text reaches the client: the title says it in Chinese (the log keeps the exception).
            ProblemDetails = { Status = status, Title = title },
        };
        if (BindingField(http, exception) is { } field) context.ProblemDetails.Extensions["errors"] = new Dictionary<string, string[]> { [field.Field] = [field.Message] };
        return await problems.TryWriteAsync(context);
    }

    /// <summary>True for the API's addresses (problem details); everything else is a web page (a Chinese HTML page).</summary>
    public static bool IsApi(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/odata") || request.Path.StartsWithSegments("/healthz");

    public const string UnavailableTitle = "数据库暂时不可用，请稍后重试 (the database is unavailable for now: retry later)";
    public const string BusyTitle = "数据库繁忙，请求未完成，请重试 (the database could not complete the request now: retry)";

    private async ValueTask<bool> DatabaseUnavailableAsync(HttpContext http, Exception exception, string code)
    {
        var busy = code == DatabaseFaults.BusyCode;
        var retryAfter = busy ? 1 : DatabaseFaults.RetryAfterSeconds;
        log.LogWarning("Database unavailable for {Method} {Path}: {Code} {Error}", http.Request.Method, http.Request.Path, code, exception.GetBaseException().Message);
        // Idle pooled connections to a server that went away are dead too: drop them, so that the first request after the
        // server is back opens a fresh connection instead of failing once more on a stale one.
        if (!busy) NpgsqlConnection.ClearAllPools();
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        http.Response.Headers.CacheControl = "no-store";
        ErrorCodes.Set(http, code);
        if (!IsApi(http.Request))
        {
            http.Response.ContentType = "text/html; charset=utf-8";
            await http.Response.WriteAsync(UnavailablePage(retryAfter, busy), http.RequestAborted);
            return true;
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails =
            {
                Status = 503, Title = busy ? BusyTitle : UnavailableTitle,
                Detail = $"请在{retryAfter}秒后重试；如刚才提交了内容，请先重新读取，确认是否已保存 (retry after {retryAfter} s; after a write, read back first)",
                Extensions = { ["retryAfterSeconds"] = retryAfter },
            },
        });
    }

    /// <summary>The web pages' answer when the database is down: Chinese, self-contained (the layout may need the database).</summary>
    public static string UnavailablePage(int retryAfter, bool busy) => PlainPage(
        busy ? "系统繁忙，请重试" : "系统暂时不可用",
        (busy ? "数据库繁忙，本次操作未完成。" : "数据库暂时无法连接（可能正在维护或切换），本次操作未完成。") + $"请约{retryAfter}秒后刷新页面重试。",
        "如果刚才在保存或提交内容，请刷新后先查看是否已保存，再决定是否重新提交。");

    /// <summary>
    /// A self-contained Chinese page (no layout, no database, no script) for answers made outside the pages: the database
    /// down, the request line full, an address no route matches. Paragraphs are text of ours, not user input.
    /// </summary>
    public static string PlainPage(string heading, params string[] paragraphs) => $$"""
        <!DOCTYPE html>
        <html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{heading}} - 农村人居环境月评比</title>
        <style>body{font-family:sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.6}h1{font-size:1.4rem}</style></head>
        <body><main><h1>{{heading}}</h1>
        {{string.Concat(paragraphs.Select(p => $"<p>{p}</p>"))}}
        <p><a href="/">返回首页</a></p></main></body></html>
        """;

    private static (int Status, string Code, string Title) Classify(HttpContext http, Exception exception)
    {
        if (exception is BadHttpRequestException bad)
        {
            if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
                return (413, ErrorCodes.PayloadTooLarge, BodyTooLarge.Title(http, bad));
            if (BindingField(http, exception) is { } field)
                return (400, ErrorCodes.InvalidJson, $"{field.Message}；未保存任何内容 (a field of the body has the wrong JSON type)");
            if (bad.InnerException is System.Text.Json.JsonException or System.Text.DecoderFallbackException)
                return (400, ErrorCodes.InvalidJson, "请求体不是有效的JSON：须为UTF-8编码的JSON对象，字段名见接口文档 (the body is not valid UTF-8 JSON)");
            if (MissingParameter(bad.Message) is { } missing)
                return (400, ErrorCodes.InvalidRequest, missing);
            if (bad.InnerException is InvalidOperationException)
                return (400, ErrorCodes.InvalidJson, "请求体不是有效的JSON：须为UTF-8编码的JSON对象，字段名见接口文档 (the body is not valid UTF-8 JSON)");
            return (bad.StatusCode, ErrorCodes.ForStatus(bad.StatusCode),
                bad.StatusCode == 400 ? "请求参数缺失或无法读取，请对照接口文档 (a parameter is missing or unreadable)" : ErrorCodes.ChineseTitle(http, bad.StatusCode));
        }
        if (http.Request.Path.StartsWithSegments("/odata") && OData.QueryFaults.Describe(exception) is { } queryFault)
            return (400, ErrorCodes.UnsupportedQuery, queryFault);
        return (0, "", "");
    }

    /// <summary>A minimal API's JSON body with a wrong-typed field: the field and what it should be (<see cref="JsonFieldErrors"/>).</summary>
    private static (string Field, string Message)? BindingField(HttpContext http, Exception exception) =>
        exception is BadHttpRequestException { InnerException: System.Text.Json.JsonException json }
            ? JsonFieldErrors.Describe(json, (http.GetEndpoint() ?? http.Features.Get<IExceptionHandlerFeature>()?.Endpoint)?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.RequestType)
            : null;

    /// <summary>"failed to bind parameter "IFormFile file"" and the like, named in Chinese.</summary>
    private static string? MissingParameter(string message)
    {
        var m = System.Text.RegularExpressions.Regex.Match(message, "parameter \"(?<type>[^\"]+?) (?<name>\\w+)\"");
        if (!m.Success) return null;
        var (type, name) = (m.Groups["type"].Value, m.Groups["name"].Value);
        if (type.Contains("IFormFile", StringComparison.Ordinal))
            return $"缺少上传的文件：请以multipart/form-data提交，文件字段名为{name} (the file \"{name}\" is missing)";
        if (message.Contains("without body", StringComparison.Ordinal) || message.Contains("Required parameter", StringComparison.Ordinal))
            return $"缺少参数{name}，请对照接口文档补上 (the parameter \"{name}\" is missing)";
        return $"参数{name}的值无法读取：{JsonFieldErrors.ExpectedOfType(ClrName(type))} (the parameter \"{name}\" could not be read)";
    }

    private static string ClrName(string type) => type.TrimEnd('?') switch
    {
        "int" => "System.Int32", "long" => "System.Int64", "bool" => "System.Boolean", "string" => "System.String",
        "decimal" => "System.Decimal", "double" => "System.Double", "DateOnly" => "System.DateOnly", var t => t,
    };
}
