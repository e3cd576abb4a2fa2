using EnvScore.Api.Features.Organisation;
using EnvScore.Api.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using AutoMapper;

namespace EnvScore.Api.Features.Accounts;

public sealed record LoginRequest(string UserName, string Password);

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
    public static IEndpointRouteBuilder MapAccounts(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").WithTags("Accounts");

        // Bearer token by default; ?useCookies=true sets the web pages' cookie instead.
        group.MapPost("/login", async (LoginRequest request, bool? useCookies, SignInManager<AppUser> signIn) =>
        {
            if (string.IsNullOrWhiteSpace(request.UserName) || string.IsNullOrEmpty(request.Password))
                return Results.Problem(title: "请输入用户名和密码 (user name and password are required)", statusCode: 400);
            signIn.AuthenticationScheme = useCookies == true ? IdentityConstants.ApplicationScheme : IdentityConstants.BearerScheme;
            var result = await signIn.PasswordSignInAsync(request.UserName.Trim(), request.Password, isPersistent: false, lockoutOnFailure: true);
            if (result.Succeeded) return Results.Empty; // the sign-in handler has written the token or cookie
            return result.IsLockedOut
                ? Results.Problem(title: "账户因多次登录失败已被锁定，请15分钟后再试 (account locked after repeated failures)", statusCode: 401)
                : Results.Problem(title: "用户名或密码错误 (wrong user name or password)", statusCode: 401);
        }).RequireRateLimiting(AccountsServiceCollectionExtensions.LoginRateLimit).AllowAnonymous();

        group.MapPost("/logout", async (SignInManager<AppUser> signIn) =>
        {
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
