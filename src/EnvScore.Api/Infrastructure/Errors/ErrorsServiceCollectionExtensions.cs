using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace EnvScore.Api.Infrastructure.Errors;

public static class ErrorsServiceCollectionExtensions
{
    /// <summary>
    /// The longest request target (path and query) EnvScore reads, in bytes. Longer ones get a Chinese 414 that names
    /// the alternative (<c>POST /odata/{set}/$query</c>). Kestrel itself accepts up to <see cref="KestrelRequestLineBytes"/>
    /// so that the answer is ours, not its bare 414.
    /// </summary>
    public const int MaxRequestTargetBytes = 8 * 1024;
    public const int KestrelRequestLineBytes = 256 * 1024;

    /// <summary>Every error leaves as ProblemDetails with a Chinese title and a <c>code</c>; stack traces never leave the process.</summary>
    public static IHostApplicationBuilder AddEnvScoreErrors(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            var problem = ctx.ProblemDetails;
            var status = problem.Status ?? ctx.HttpContext.Response.StatusCode;
            problem.Extensions["traceId"] = ctx.HttpContext.TraceIdentifier;
            if (status >= 500 && !(status == 503 && ErrorCodes.IsChinese(problem.Title))) // a 503 we explain (database unavailable) keeps its title
                problem.Title = ErrorCodes.ChineseTitle(ctx.HttpContext, status);
            else if (!ErrorCodes.IsChinese(problem.Title))
            {
                // A refusal the framework made: say it in Chinese, keep the English as the detail.
                if (problem.Title is { Length: > 0 } english && problem.Detail is null) problem.Detail = english;
                problem.Title = ErrorCodes.ChineseTitle(ctx.HttpContext, status);
            }
            if (!problem.Extensions.TryGetValue("code", out var code) || code is not string { Length: > 0 })
                problem.Extensions["code"] = ProblemCodeFilter.Code(ctx.HttpContext, problem, status);
        });
        // Problems built by hand in controllers get their code too.
        builder.Services.Configure<Microsoft.AspNetCore.Mvc.MvcOptions>(o => o.Filters.Add<ProblemCodeFilter>());
        // A body over the size limit that an input formatter swallowed into ModelState (the OData reader): 413, not 400.
        builder.Services.Configure<Microsoft.AspNetCore.Mvc.MvcOptions>(o => o.Filters.Add(new BodyTooLarge.Filter()));
        // Write bodies read numbers as JSON numbers only: "count":"3" is a field problem, not 3 (the Web defaults
        // would read numbers from strings). Minimal APIs' and MVC's System.Text.Json bodies.
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict);
        builder.Services.Configure<Microsoft.AspNetCore.Mvc.JsonOptions>(o => o.JsonSerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict);
        builder.Services.AddExceptionHandler<RequestExceptionHandler>();
        // Minimal APIs: a body that cannot be read (invalid JSON or UTF-8) throws, so that the handler above names the cause.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.Configure<KestrelServerOptions>(o => o.Limits.MaxRequestLineSize = KestrelRequestLineBytes);
        return builder;
    }

    public static WebApplication UseEnvScoreErrors(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(StatusCodePage);
        app.Use(RefuseLongTargets);
        app.Use(JsonContentTypeGuard.Middleware); // OData writes must say they are JSON (no cross-site "simple request" bodies)
        app.Use(ControlCharacterGuard.Middleware); // free text of every JSON write, before any endpoint
        return app;
    }

    /// <summary>
    /// A status without a body (a route that does not match, e.g. <c>/village/abc</c>; 405): problem details for the API
    /// (<c>/api</c>, <c>/odata</c>, <c>/healthz</c>), a Chinese page for everything else — a phone must never show JSON.
    /// </summary>
    private static async Task StatusCodePage(Microsoft.AspNetCore.Diagnostics.StatusCodeContext context)
    {
        var http = context.HttpContext;
        var status = http.Response.StatusCode;
        if (RequestExceptionHandler.IsApi(http.Request))
        {
            if (!await http.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new ProblemDetailsContext
                { HttpContext = http, ProblemDetails = { Status = status } }))
                await http.Response.WriteAsync($"Status {status}");
            return;
        }
        var (title, text) = status switch
        {
            404 => ("找不到该页面", "要查看的内容不存在，可能链接有误或已被删除。"),
            405 => ("无法这样访问该页面", "该地址不支持这种访问方式，请从页面上的链接或按钮进入。"),
            _ => ("请求未能完成", "请返回上一页重试。"),
        };
        http.Response.ContentType = "text/html; charset=utf-8";
        await http.Response.WriteAsync(RequestExceptionHandler.PlainPage(title, text));
    }

    private static Task RefuseLongTargets(HttpContext http, Func<Task> next)
    {
        var request = http.Request;
        var length = request.Path.Value?.Length + request.QueryString.Value?.Length ?? 0;
        if (length <= MaxRequestTargetBytes / 3) return next(); // fast path: even all-CJK text stays under the limit
        var bytes = System.Text.Encoding.UTF8.GetByteCount(request.Path.Value ?? "") + System.Text.Encoding.UTF8.GetByteCount(request.QueryString.Value ?? "");
        if (bytes <= MaxRequestTargetBytes) return next();
        ErrorCodes.Set(http, ErrorCodes.UriTooLong);
        return Results.Problem(
            title: $"请求地址过长：上限为{MaxRequestTargetBytes}字节，实际为{bytes}字节。长查询请改用 POST /odata/实体集/$query，" +
                   "把查询选项放在请求体中（Content-Type: text/plain，例如 $filter=…&$top=10） (URI too long: use POST …/$query)",
            statusCode: StatusCodes.Status414UriTooLong).ExecuteAsync(http);
    }
}
