using System.Security.Claims;
using EnvScore.Api.Infrastructure.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;

namespace EnvScore.Api.Features.Accounts;

public static class AccountsServiceCollectionExtensions
{
    /// <summary>Picks the bearer scheme when the request carries a token, the cookie otherwise.</summary>
    public const string BearerOrCookie = "BearerOrCookie";

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
                o.Cookie.SecurePolicy = SecureCookies(builder) ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
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

        // Cookies and bearer tokens are checked against the account's security stamp on every request
        // (UseEnvScoreSessions), so logout, lockout and a password change (each renews the stamp) end them at once.
        services.AddAntiforgery(o => o.Cookie.SecurePolicy = SecureCookies(builder) ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest);
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<SessionStamps>();
        services.AddSingleton<SessionStamps.Interceptor>();
        services.AddScoped<LoginService>();
        services.AddScoped<AccountProvisioner>();
        return builder;
    }

    /// <summary>
    /// Secure cookies always in production behind a TLS proxy (Security:KnownProxies set) or when Security:SecureCookies
    /// is true; otherwise as the request (https → Secure; the loopback demo of ./envscore run serves plain http).
    /// </summary>
    public static bool SecureCookies(IHostApplicationBuilder builder) =>
        builder.Configuration.GetValue<bool?>("Security:SecureCookies")
        ?? (builder.Environment.IsProduction() && !string.IsNullOrWhiteSpace(builder.Configuration["Security:KnownProxies"]));

    /// <summary>
    /// After authentication: a cookie or bearer token whose account's security stamp has changed since it was issued
    /// (logout, lockout, password change) is treated as no sign-in at all (→ 401, or the login page). The account's stamp
    /// is read at most every few seconds (<see cref="SessionStamps"/>), and at once after any change made in this process;
    /// Identity's own cookie validator only checks every 30 minutes.
    /// </summary>
    public static WebApplication UseEnvScoreSessions(this WebApplication app)
    {
        app.Use(async (ctx, next) =>
        {
            if (ctx.User.Identity?.IsAuthenticated == true)
            {
                var stamps = ctx.RequestServices.GetRequiredService<SessionStamps>();
                if (!await stamps.IsValidAsync(ctx.User, ctx.RequestServices.GetRequiredService<UserManager<AppUser>>()))
                    ctx.User = new ClaimsPrincipal(new ClaimsIdentity());
            }
            await next();
        });
        return app;
    }

    private static Task RedirectOrStatus(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> ctx, int status)
    {
        var path = ctx.Request.Path;
        // A download link (/api/… .xlsx, .docx) followed in a browser without a session: the sign-in page, then the file —
        // a person gets a page, never a JSON problem. Scripts and API clients (no navigation, no text/html) get the status.
        var navigation = HttpMethods.IsGet(ctx.Request.Method)
            && (ctx.Request.Headers["Sec-Fetch-Mode"] == "navigate" || ctx.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase));
        if ((path.StartsWithSegments("/odata") || path.StartsWithSegments("/api")) && !(navigation && path.StartsWithSegments("/api")))
        {
            ctx.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }
}
