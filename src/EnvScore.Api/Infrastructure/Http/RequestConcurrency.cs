using System.Threading.RateLimiting;
using EnvScore.Api.Infrastructure.Security;

namespace EnvScore.Api.Infrastructure.Http;

/// <summary>
/// How many requests the service works on at once; the rest wait in line, in arrival order, without holding anything.
/// Why: every request takes a database connection from Npgsql's pool (default 100, 15 s wait). When more requests arrive
/// than the machine can serve — 200 secretaries signing in at 8 a.m. on a busy server — they used to start all at once,
/// take every connection, and the ones behind them failed after 15 s with the 503 <c>DatabaseUnavailable</c> although
/// the database was up (the soak of issue #19 counted 358 of them). Now at most <c>Requests:MaxConcurrent</c> requests
/// run (default 48, well under the pool so the scheduled computation keeps its connections); a request waits in line
/// for as long as its client is willing to wait. Only when <c>Requests:QueueLimit</c> requests (default 2000) are
/// already waiting does a new one get the 503 problem <c>ServerBusy</c> 「系统繁忙，请稍后再试」 with <c>Retry-After: 5</c>
/// (a web page: the Chinese page <see cref="BusyPage"/>, also 503 with <c>Retry-After</c>).
/// Not limited: <c>/healthz…</c> (a load balancer must see the service answer) and static files (served before this).
/// </summary>
public static class RequestConcurrency
{
    /// <summary>The problem code of a request refused because the line is full (503).</summary>
    public const string ServerBusy = "ServerBusy";

    private sealed record Limiter(ConcurrencyLimiter Value);

    /// <summary>The web pages' answer when the line is full: Chinese and self-contained (nothing else is served for it).</summary>
    public static readonly string BusyPage = Errors.RequestExceptionHandler.PlainPage("系统繁忙，请稍后再试",
        "当前访问人数较多，本次请求未处理。请约5秒后刷新页面重试。",
        "如果刚才在保存或提交内容，请刷新后先查看是否已保存，再决定是否重新提交。");

    /// <summary>The line itself (operators' tools and tests may take a permit from it like a request does).</summary>
    public static RateLimiter Line(IServiceProvider services) => services.GetRequiredService<Limiter>().Value;

    /// <summary>The line now: permits free (<see cref="RateLimiterStatistics.CurrentAvailablePermits"/>) and requests waiting (<see cref="RateLimiterStatistics.CurrentQueuedCount"/>).</summary>
    public static RateLimiterStatistics Now(IServiceProvider services) => services.GetRequiredService<Limiter>().Value.GetStatistics()!;

    /// <summary>Registers the limiter from <c>Requests:MaxConcurrent</c> (≥ 1) and <c>Requests:QueueLimit</c> (≥ 0).</summary>
    public static IHostApplicationBuilder AddEnvScoreRequestConcurrency(this IHostApplicationBuilder builder)
    {
        var permits = builder.Configuration.GetValue("Requests:MaxConcurrent", 48);
        var queue = builder.Configuration.GetValue("Requests:QueueLimit", 2000);
        if (permits < 1) throw new InvalidOperationException($"Requests:MaxConcurrent must be at least 1 (is {permits})");
        if (queue < 0) throw new InvalidOperationException($"Requests:QueueLimit must be 0 or more (is {queue})");
        builder.Services.AddSingleton(new Limiter(new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = permits, QueueLimit = queue, QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        })));
        return builder;
    }

    /// <summary>Runs each request (but health checks) with a permit, waiting in line for one.</summary>
    public static WebApplication UseEnvScoreRequestConcurrency(this WebApplication app)
    {
        var limiter = app.Services.GetRequiredService<Limiter>().Value;
        app.Use(async (ctx, next) =>
        {
            if (ctx.Request.Path.StartsWithSegments("/healthz")) { await next(ctx); return; }
            using var lease = await limiter.AcquireAsync(1, ctx.RequestAborted);
            if (!lease.IsAcquired)
            {
                if (!Errors.RequestExceptionHandler.IsApi(ctx.Request))
                {
                    // A page: the Chinese page, like a database outage's (a phone must not show problem JSON).
                    ctx.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                    ctx.Response.Headers.RetryAfter = "5";
                    ctx.Response.Headers.CacheControl = "no-store";
                    ctx.Response.ContentType = "text/html; charset=utf-8";
                    await ctx.Response.WriteAsync(BusyPage, ctx.RequestAborted);
                    return;
                }
                await SecurityProblems.Problem(StatusCodes.Status503ServiceUnavailable, ServerBusy,
                    "系统繁忙，请稍后再试 (the service is busy: too many requests are waiting)", 5).ExecuteAsync(ctx);
                return;
            }
            await next(ctx);
        });
        return app;
    }
}
