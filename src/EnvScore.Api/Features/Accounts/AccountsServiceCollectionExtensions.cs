using System.Threading.RateLimiting;
using EnvScore.Api.Infrastructure.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;

namespace EnvScore.Api.Features.Accounts;

public static class AccountsServiceCollectionExtensions
{
    /// <summary>Picks the bearer scheme when the request carries a token, the cookie otherwise.</summary>
    public const string BearerOrCookie = "BearerOrCookie";
    public const string LoginRateLimit = "login";

    public static IHostApplicationBuilder AddEnvScoreAccounts(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddAuthentication(BearerOrCookie)
            .AddPolicyScheme(BearerOrCookie, "Bearer or cookie", o => o.ForwardDefaultSelector = ctx =>
                ctx.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? IdentityConstants.BearerScheme
                    : IdentityConstants.ApplicationScheme)
            .AddBearerToken(IdentityConstants.BearerScheme, o => o.BearerTokenExpiration = TimeSpan.FromHours(8))
            .AddIdentityCookies(c => c.ApplicationCookie?.Configure(o =>
            {
                o.LoginPath = "/login";
                o.AccessDeniedPath = "/denied";
                o.Cookie.Name = "envscore.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                // API callers get status codes, not a redirect to an HTML login page.
                o.Events.OnRedirectToLogin = ctx => RedirectOrStatus(ctx, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = ctx => RedirectOrStatus(ctx, StatusCodes.Status403Forbidden);
            }));

        services.AddIdentityCore<AppUser>(o =>
            {
                o.Password.RequiredLength = 10;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = builder.Configuration.GetValue("Accounts:MaxFailedAccessAttempts", 5);
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.User.AllowedUserNameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._@";
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<EnvScoreDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders()
            .AddClaimsPrincipalFactory<ScopeClaimsPrincipalFactory>();

        services.AddAuthorization();

        var permits = builder.Configuration.GetValue("Accounts:LoginPermitsPerMinute", 10);
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (ctx, ct) =>
            {
                ctx.HttpContext.Response.Headers.RetryAfter = "60";
                await Results.Problem(
                        title: "登录尝试过于频繁，请稍后再试 (too many login attempts, try again later)",
                        statusCode: StatusCodes.Status429TooManyRequests)
                    .ExecuteAsync(ctx.HttpContext);
            };
            o.AddPolicy(LoginRateLimit, ctx => RateLimitPartition.GetFixedWindowLimiter(
                ctx.Connection.RemoteIpAddress?.ToString() ?? "local",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });

        services.AddScoped<AccountProvisioner>();
        return builder;
    }

    private static Task RedirectOrStatus(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> ctx, int status)
    {
        var path = ctx.Request.Path;
        if (path.StartsWithSegments("/odata") || path.StartsWithSegments("/api"))
        {
            ctx.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }
}
