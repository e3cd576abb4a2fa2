using EnvScore.Api.Features.Organisation;
using EnvScore.Api.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using AutoMapper;
using System.Text.Json;
using EnvScore.Api.Infrastructure.Security;

namespace EnvScore.Api.Features.Accounts;

public sealed record LoginRequest(string UserName, string Password);

/// <summary>POST /api/auth/refresh: the refresh token sign-in answered with.</summary>
public sealed record RefreshRequest(string? RefreshToken);

/// <summary>What a signed-in user may see about themselves (flat: no navigation, see AutoMapper note).</summary>
public sealed record AccountDto
{
    public string UserName { get; init; } = "";
    public string? DisplayName { get; init; }
    public IReadOnlyList<string> Roles { get; set; } = [];
    public int? DistrictId { get; init; }
    public int? TownshipId { get; init; }
}

public static class LoginEndpoint
{
    public const int MaxLoginBodyBytes = 4096;
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { MaxDepth = 8, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict };

    public static IEndpointRouteBuilder MapAccounts(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").WithTags("Accounts");

        // Bearer token by default; ?useCookies=true sets the web pages' cookie instead. Not rate-limited as such:
        // LoginService counts failed attempts per account (atomic lockout) and per client address.
        group.MapPost("/login", async (HttpRequest request, bool? useCookies, LoginService logins, CancellationToken ct) =>
        {
            if (!(request.ContentType ?? "").StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
                return SecurityProblems.Problem(415, SecurityProblems.UnsupportedMediaType,
                    "登录请求应为JSON：{\"userName\":…,\"password\":…}，content-type: application/json (JSON body required)");
            var body = await SecurityProblems.ReadBoundedAsync(request, MaxLoginBodyBytes, ct);
            if (body is null)
                return SecurityProblems.Problem(413, SecurityProblems.BodyTooLarge, $"登录请求不能超过{MaxLoginBodyBytes}字节 (body too large)");
            LoginRequest? login;
            try { login = JsonSerializer.Deserialize<LoginRequest>(body, JsonOptions); }
            catch (JsonException e) when (Infrastructure.Errors.JsonFieldErrors.Describe(e, typeof(LoginRequest)) is { } wrong)
            {
                return Infrastructure.Errors.JsonFieldErrors.Result(request.HttpContext, wrong.Field, wrong.Message);
            }
            catch (JsonException) { login = null; }
            if (login is null)
                return SecurityProblems.Problem(400, SecurityProblems.UnreadableBody,
                    "登录请求无法解析：应为UTF-8编码的JSON对象{\"userName\":…,\"password\":…} (the body could not be read as UTF-8 JSON)");
            if (string.IsNullOrWhiteSpace(login.UserName) || string.IsNullOrEmpty(login.Password))
                return Results.Problem(title: "请输入用户名和密码 (user name and password are required)", statusCode: 400);
            var scheme = useCookies == true ? IdentityConstants.ApplicationScheme : IdentityConstants.BearerScheme;
            var outcome = await logins.SignInAsync(login.UserName, login.Password, scheme, ClientAddress.Of(request.HttpContext), ct);
            return outcome.Status switch
            {
                LoginStatus.Succeeded => Results.Empty, // the sign-in handler has written the token or cookie
                LoginStatus.LockedOut => SecurityProblems.Problem(401, SecurityProblems.AccountLocked,
                    $"{LoginService.LockedMessage(outcome)} (account locked after repeated failures)", outcome.RetryAfterSeconds),
                LoginStatus.Throttled => SecurityProblems.Problem(429, SecurityProblems.TooManyLoginFailures,
                    $"{LoginService.ThrottledMessage(outcome)} (too many failed logins from this address)", outcome.RetryAfterSeconds),
                _ => SecurityProblems.Problem(401, SecurityProblems.WrongCredentials, $"{LoginService.WrongCredentials} (wrong user name or password)"),
            };
        }).AllowAnonymous();

        // A new access token for the refresh token that sign-in answered with ({"refreshToken": "…"}), as ASP.NET Core
        // Identity's /refresh: refused (401, code session-expired) when it is expired, not ours, or its account's security
        // stamp has changed since (logout, lockout, a new password end the refresh token too).
        group.MapPost("/refresh", async (HttpRequest request, SignInManager<AppUser> signIn, TimeProvider time,
            Microsoft.Extensions.Options.IOptionsMonitor<Microsoft.AspNetCore.Authentication.BearerToken.BearerTokenOptions> bearer, CancellationToken ct) =>
        {
            if (!(request.ContentType ?? "").StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
                return SecurityProblems.Problem(415, SecurityProblems.UnsupportedMediaType,
                    "请求应为JSON：{\"refreshToken\":…}，content-type: application/json (JSON body required)");
            var body = await SecurityProblems.ReadBoundedAsync(request, MaxLoginBodyBytes, ct);
            if (body is null)
                return SecurityProblems.Problem(413, SecurityProblems.BodyTooLarge, $"请求不能超过{MaxLoginBodyBytes}字节 (body too large)");
            RefreshRequest? refresh = null;
            try { refresh = JsonSerializer.Deserialize<RefreshRequest>(body, JsonOptions); }
            catch (JsonException) { }
            if (string.IsNullOrWhiteSpace(refresh?.RefreshToken))
                return SecurityProblems.Problem(400, SecurityProblems.UnreadableBody, "请求应为{\"refreshToken\":\"…\"}，值为登录时得到的refreshToken (refreshToken required)");
            var ticket = bearer.Get(IdentityConstants.BearerScheme).RefreshTokenProtector.Unprotect(refresh.RefreshToken);
            if (ticket?.Properties?.ExpiresUtc is not { } expires || time.GetUtcNow() >= expires
                || await signIn.ValidateSecurityStampAsync(ticket.Principal) is not { } user)
                return SecurityProblems.Problem(401, "session-expired", "登录已过期或已退出，请重新登录 (the refresh token is expired or revoked)");
            // The bearer handler writes {tokenType, accessToken, expiresIn, refreshToken} as at sign-in.
            return Results.SignIn(await signIn.CreateUserPrincipalAsync(user), authenticationScheme: IdentityConstants.BearerScheme);
        }).AllowAnonymous();

        // Ends every session of the account: the renewed security stamp invalidates its cookies and bearer tokens.
        group.MapPost("/logout", async (HttpContext http, SignInManager<AppUser> signIn, UserManager<AppUser> users) =>
        {
            if (await users.GetUserAsync(http.User) is { } user) await users.UpdateSecurityStampAsync(user);
            await signIn.SignOutAsync();
            return Results.NoContent();
        }).RequireAuthorization();

        group.MapGet("/me", async (HttpContext http, UserManager<AppUser> users, IMapper mapper) =>
        {
            var user = await users.GetUserAsync(http.User);
            if (user is null) return Results.Unauthorized();
            var dto = mapper.Map<AccountDto>(user);
            dto.Roles = [.. await users.GetRolesAsync(user)];
            return Results.Ok(dto);
        }).RequireAuthorization();

        return app;
    }
}

public class AccountMappingProfile : Profile
{
    public AccountMappingProfile() => CreateMap<AppUser, AccountDto>().ForMember(d => d.Roles, o => o.Ignore());
}
