using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace EnvScore.Api.Infrastructure.Errors;

/// <summary>
/// The one answer to a request body over the server's limit (Kestrel's <c>MaxRequestBodySize</c>, 30 MB by default; an endpoint
/// may set its own): 413 <c>PayloadTooLarge</c>, "请求体过大：此地址上限为31457280字节（30MB）"
/// (docs/api.md, "Other HTTP refusals"). Kestrel reports the overrun as a <see cref="BadHttpRequestException"/> with status
/// 413 from the read that crossed the limit. Minimal APIs and middleware let it propagate to
/// <see cref="RequestExceptionHandler"/>; MVC input formatters that catch every exception (the OData reader of
/// POST/PATCH/PUT under <c>/odata</c>) put it in ModelState instead, where <see cref="Filter"/> finds it before the action
/// would report an unreadable body (400 <c>InvalidJson</c>).
/// </summary>
public static class BodyTooLarge
{
    /// <summary>True when <paramref name="exception"/> or one of its inner exceptions is Kestrel's body-size refusal.</summary>
    public static bool Is(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }) return true;
        return false;
    }

    /// <summary>True when a model-binding error of the request is the body-size refusal.</summary>
    public static bool In(ModelStateDictionary modelState) =>
        !modelState.IsValid && modelState.Values.Any(v => v.Errors.Any(e => Is(e.Exception)));

    /// <summary>The Chinese title naming the limit in force for this request (bytes, and KB or MB).</summary>
    /// <remarks>
    /// The limit is read from the request's <see cref="IHttpMaxRequestBodySizeFeature"/>, else from Kestrel's message on
    /// <paramref name="exception"/> ("… The max request body size is 2097152 bytes."): after the exception handler has
    /// reset the request, the feature no longer says.
    /// </remarks>
    public static string Title(HttpContext http, Exception? exception = null)
    {
        var limit = http.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? FromMessage(exception);
        return limit is { } l
            ? $"请求体过大：此地址上限为{l}字节（{(l >= 1024 * 1024 ? $"{l / 1024 / 1024}MB" : $"{l / 1024}KB")}） (content too large)"
            : "请求体过大 (content too large)";
    }

    private static long? FromMessage(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            var m = System.Text.RegularExpressions.Regex.Match(e.Message, @"max request body size is (\d+) bytes");
            if (m.Success && long.TryParse(m.Groups[1].Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var bytes))
                return bytes;
        }
        return null;
    }

    /// <summary>The 413 problem for a controller (MVC).</summary>
    public static IActionResult Result(ControllerBase controller)
    {
        ErrorCodes.Set(controller.HttpContext, ErrorCodes.PayloadTooLarge);
        return controller.Problem(title: Title(controller.HttpContext), statusCode: StatusCodes.Status413PayloadTooLarge);
    }

    /// <summary>
    /// Every MVC action (registered globally by <see cref="ErrorsServiceCollectionExtensions.AddEnvScoreErrors"/>): when model
    /// binding failed because the body was over the limit, answers the 413 before the action runs.
    /// </summary>
    public sealed class Filter : IActionFilter, IOrderedFilter
    {
        public int Order => int.MinValue;

        public void OnActionExecuting(ActionExecutingContext context)
        {
            if (!In(context.ModelState)) return;
            ErrorCodes.Set(context.HttpContext, ErrorCodes.PayloadTooLarge);
            context.Result = new ObjectResult(new ProblemDetails
            {
                Status = StatusCodes.Status413PayloadTooLarge, Title = Title(context.HttpContext),
                Extensions = { ["code"] = ErrorCodes.PayloadTooLarge },
            }) { StatusCode = StatusCodes.Status413PayloadTooLarge, ContentTypes = { "application/problem+json" } };
        }

        public void OnActionExecuted(ActionExecutedContext context) { }
    }
}
