using Microsoft.AspNetCore.Mvc;

namespace EnvScore.Api.Infrastructure.Errors;

/// <summary>
/// The machine-readable <c>code</c> every EnvScore error carries (ProblemDetails extension <c>code</c>; OData errors'
/// <c>error.code</c>), and the Chinese title of a refusal the framework made (status only, no EnvScore message).
/// A code set on the request (<see cref="Set"/>) wins over the one derived from the status.
/// </summary>
public static class ErrorCodes
{
    public const string InvalidRequest = "InvalidRequest";
    public const string InvalidJson = "InvalidJson";
    /// <summary>A field's value is not allowed (a validation failure, a read-only field): 400 with <c>errors: {field: [message]}</c>.</summary>
    public const string InvalidField = "InvalidField";
    /// <summary>A month that is not "yyyy-MM" (route, query, function parameter or body member): 400 naming the field (<see cref="MonthInput"/>).</summary>
    public const string InvalidMonth = "InvalidMonth";
    public const string InvalidQuery = "InvalidQuery";
    public const string UnsupportedQuery = "UnsupportedQuery";
    public const string Unauthenticated = "Unauthenticated";
    public const string Forbidden = "Forbidden";
    public const string NotFound = "NotFound";
    public const string MethodNotAllowed = "MethodNotAllowed";
    public const string NotAcceptable = "NotAcceptable";
    public const string Conflict = "Conflict";
    public const string PreconditionFailed = "PreconditionFailed";
    public const string MalformedPrecondition = "MalformedPrecondition";
    public const string PayloadTooLarge = "PayloadTooLarge";
    public const string UriTooLong = "UriTooLong";
    public const string UnsupportedMediaType = "UnsupportedMediaType";
    public const string PreconditionRequired = "PreconditionRequired";
    public const string TooManyRequests = "TooManyRequests";
    public const string HeadersTooLarge = "HeadersTooLarge";
    public const string InternalError = "InternalError";

    private const string ItemKey = "EnvScore.ErrorCode";

    /// <summary>Names the cause of the error this request will answer with.</summary>
    public static void Set(HttpContext http, string code) => http.Items[ItemKey] = code;

    public static string For(HttpContext http, int status) =>
        http.Items.TryGetValue(ItemKey, out var code) && code is string s ? s : ForStatus(status);

    public static string ForStatus(int status) => status switch
    {
        400 => InvalidRequest,
        401 => Unauthenticated,
        403 => Forbidden,
        404 => NotFound,
        405 => MethodNotAllowed,
        406 => NotAcceptable,
        409 => Conflict,
        412 => PreconditionFailed,
        413 => PayloadTooLarge,
        414 => UriTooLong,
        415 => UnsupportedMediaType,
        428 => PreconditionRequired,
        429 => TooManyRequests,
        431 => HeadersTooLarge,
        >= 500 => InternalError,
        _ => $"Http{status}",
    };

    /// <summary>The Chinese title for a status the framework answered without an EnvScore message.</summary>
    public static string ChineseTitle(HttpContext http, int status) => status switch
    {
        400 => "请求无效，无法处理 (bad request)",
        401 => "未登录或登录已过期，请先登录：POST /api/auth/login 取得令牌后放在 Authorization: Bearer 请求头中 (authentication required)",
        403 => "无权执行此操作：您的角色或所属乡镇不允许 (forbidden)",
        404 => $"未找到：{http.Request.Path} 不存在，或您无权查看 (not found)",
        405 => $"此地址不支持 {http.Request.Method} 方法 (method not allowed)",
        406 => "无法按 Accept 请求头给出的格式回答；本服务提供 JSON (not acceptable)",
        409 => "与当前状态冲突 (conflict)",
        412 => "前提条件不成立：数据已被他人修改，请重新读取 (precondition failed)",
        413 => BodyTooLarge.Title(http),
        414 => "请求地址过长 (URI too long)",
        415 => $"不支持的内容类型\"{http.Request.ContentType}\" (unsupported media type)",
        428 => "须带 If-Match 请求头 (precondition required)",
        429 => "请求过于频繁，请稍后再试 (too many requests)",
        431 => "请求头过大 (request header fields too large)",
        503 => "服务暂时不可用，请稍后重试 (service unavailable)",
        >= 500 => "服务器内部错误，请稍后重试或联系管理员 (internal server error)",
        _ => $"请求未能完成（HTTP {status}）",
    };

    /// <summary>True when the text has at least one CJK character (an EnvScore message rather than a framework default).</summary>
    public static bool IsChinese(string? text) => text is not null && text.Any(c => c is >= '\u4e00' and <= '\u9fff');
}
