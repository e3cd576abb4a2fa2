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
            if (BindingField(http, exception) is { } field)
                return (400, ErrorCodes.InvalidJson, $"{field.Message}；未保存任何内容 (a field of the body has the wrong JSON type)");
            if (MissingParameter(bad.Message) is { } missing)
                return (400, ErrorCodes.InvalidRequest, missing);
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
