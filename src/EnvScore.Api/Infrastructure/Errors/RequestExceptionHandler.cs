using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.OData;
using Npgsql;

namespace EnvScore.Api.Infrastructure.Errors;

/// <summary>
/// Exceptions that mean "the request was bad", not "the server failed", answered as Chinese 4xx problem details:
/// <list type="bullet">
/// <item><see cref="BadHttpRequestException"/> (Kestrel and minimal APIs): its status — 413 over the body limit (named),
///   400 for a body that is not valid JSON or UTF-8.</item>
/// <item>Under <c>/odata</c>, a query that the OData layer or the database cannot evaluate (an ODataException, a LINQ
///   expression EF cannot translate, a PostgreSQL data exception of class 22 such as division by zero or numeric
///   overflow): 400 <c>UnsupportedQuery</c>. The query validator (<c>QueryRules</c>) refuses the known kinds before EF
///   sees them; this is the net under it, so that no query text can make a 500.</item>
/// </list>
/// Anything else stays a 500 (logged, no stack trace in the answer).
/// </summary>
public sealed class RequestExceptionHandler(IProblemDetailsService problems, ILogger<RequestExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (http.Response.HasStarted) return false;
        var (status, code, title) = Classify(http, exception);
        if (status == 0) return false;
        log.LogWarning(exception, "Refused {Method} {Path} with {Status} {Code}", http.Request.Method, http.Request.Path, status, code);
        http.Response.StatusCode = status;
        ErrorCodes.Set(http, code);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = exception.Message },
        });
    }

    private static (int Status, string Code, string Title) Classify(HttpContext http, Exception exception)
    {
        if (exception is BadHttpRequestException bad)
        {
            if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                var limit = http.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
                return (413, ErrorCodes.PayloadTooLarge, limit is { } l
                    ? $"请求体过大：此地址上限为{l}字节（{l / 1024 / 1024}MB） (content too large)"
                    : "请求体过大 (content too large)");
            }
            if (bad.InnerException is System.Text.Json.JsonException or System.Text.DecoderFallbackException or InvalidOperationException)
                return (400, ErrorCodes.InvalidJson, "请求体不是有效的JSON：须为UTF-8编码的JSON对象，字段名见接口文档 (the body is not valid UTF-8 JSON)");
            return (bad.StatusCode, ErrorCodes.ForStatus(bad.StatusCode),
                bad.StatusCode == 400 ? "请求参数缺失或无法读取，请对照接口文档 (a parameter is missing or unreadable)" : ErrorCodes.ChineseTitle(http, bad.StatusCode));
        }
        if (http.Request.Path.StartsWithSegments("/odata") && IsQueryFault(exception))
            return (400, ErrorCodes.UnsupportedQuery,
                "查询无法执行：其中的运算或函数不受支持，或对现有数据无意义（如除数为零、数值溢出）。支持的写法见 docs/api.md (the query cannot be evaluated)");
        return (0, "", "");
    }

    private static bool IsQueryFault(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case ODataException:
                case PostgresException { SqlState: var state } when state.StartsWith("22", StringComparison.Ordinal) || state == "2201B":
                case InvalidOperationException when e.Message.Contains("could not be translated", StringComparison.Ordinal):
                case NotImplementedException or NotSupportedException or OverflowException or FormatException when e.StackTrace?.Contains("Microsoft.AspNetCore.OData.Query", StringComparison.Ordinal) == true:
                    return true;
            }
        }
        return false;
    }
}
