using System.Net;
using System.Threading.RateLimiting;
using EnvScore.Api.Features.Accounts;
using Microsoft.AspNetCore.HttpOverrides;

namespace EnvScore.Api.Infrastructure.Security;

/// <summary>
/// Cross-cutting protections (issue #21, docs/security.md): forwarded headers from configured proxies only,
/// security headers on every response, no cookie-authenticated API write from another site, and the rate
/// limits of the expensive parsers.
/// </summary>
public static class SecurityServiceCollectionExtensions
{
    /// <summary>Rate-limit policy of the rule-set file endpoints (per signed-in user).</summary>
    public const string RuleSetFilesPolicy = "rule-set-files";

    /// <summary>On every response; the pages use no inline script (style attributes only).</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static IHostApplicationBuilder AddEnvScoreSecurity(this IHostApplicationBuilder builder)
    {
        var config = builder.Configuration;
        // Security:KnownProxies = "10.0.0.5,10.0.0.6": only these may set X-Forwarded-For/-Proto. None configured →
        // forwarded headers are ignored (a client cannot choose its address for the login throttle).
        var proxies = (config["Security:KnownProxies"] ?? "")
            .Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => IPAddress.TryParse(p, out var a) ? a : throw new InvalidOperationException($"Security:KnownProxies: \"{p}\" is not an IP address"))
            .ToList();
        builder.Services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownIPNetworks.Clear();
            o.KnownProxies.Clear();
            foreach (var p in proxies) o.KnownProxies.Add(p);
            o.ForwardLimit = 1;
        });

        var ruleSetPermits = config.GetValue("Security:RuleSetFilePermitsPerMinute", 20);
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (ctx, _) =>
            {
                var seconds = ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? (int)Math.Ceiling(retry.TotalSeconds) : 60;
                await SecurityProblems.Problem(429, SecurityProblems.TooManyRequests,
                        $"请求过于频繁，请{seconds}秒后再试 (too many requests)", Math.Max(1, seconds))
                    .ExecuteAsync(ctx.HttpContext);
            };
            o.AddPolicy(RuleSetFilesPolicy, ctx => RateLimitPartition.GetFixedWindowLimiter(
                ctx.User.Identity?.Name ?? ClientAddress.Of(ctx),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = ruleSetPermits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });
        return builder;
    }

    /// <summary>First in the pipeline: forwarded headers (if proxies are configured), then the security headers.</summary>
    public static WebApplication UseEnvScoreSecurity(this WebApplication app)
    {
        if (!string.IsNullOrWhiteSpace(app.Configuration["Security:KnownProxies"])) app.UseForwardedHeaders();
        app.Use((ctx, next) =>
        {
            // Set now, and again as the response starts: the exception handler clears the headers before it writes its
            // problem, so an answer made there would otherwise go out without them.
            static void Set(IHeaderDictionary headers)
            {
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "same-origin";
            }
            Set(ctx.Response.Headers);
            ctx.Response.OnStarting(state => { var r = (HttpResponse)state; if (!r.Headers.ContainsKey("X-Content-Type-Options")) Set(r.Headers); return Task.CompletedTask; }, ctx.Response);
            if (IsCrossSiteCookieWrite(ctx.Request))
                return SecurityProblems.Problem(403, SecurityProblems.CrossSiteWrite,
                        "拒绝来自其他网站的写请求：请从本系统页面操作，或使用Bearer令牌调用接口 (cross-site write refused)")
                    .ExecuteAsync(ctx);
            return next(ctx);
        });
        return app;
    }

    /// <summary>
    /// A write to /api or /odata without a bearer token (so authorised, if at all, by the cookie) whose Origin is another
    /// site, or that the browser marks as cross-site (Sec-Fetch-Site). Pages' forms carry antiforgery tokens instead.
    /// </summary>
    public static bool IsCrossSiteCookieWrite(HttpRequest request)
    {
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)) return false;
        if (!request.Path.StartsWithSegments("/api") && !request.Path.StartsWithSegments("/odata")) return false;
        if (request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return false;
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite is "cross-site" or "same-site") return true;
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0) return false;
        return !string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
    }
}
