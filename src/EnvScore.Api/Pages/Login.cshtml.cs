using EnvScore.Api.Features.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace EnvScore.Api.Pages;

/// <summary>The cookie login of the web pages: the same sign-in, lockout and rate limit as POST /api/auth/login?useCookies=true.</summary>
[EnableRateLimiting(AccountsServiceCollectionExtensions.LoginRateLimit)]
public class LoginModel(SignInManager<AppUser> signIn, UserManager<AppUser> users) : PageModel
{
    [BindProperty] public string? UserName { get; set; }
    [BindProperty] public string? Password { get; set; }
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    public string? Error { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        if (string.IsNullOrWhiteSpace(UserName) || string.IsNullOrEmpty(Password)) { Error = "请输入用户名和密码"; return Page(); }
        signIn.AuthenticationScheme = IdentityConstants.ApplicationScheme;
        var result = await signIn.PasswordSignInAsync(UserName.Trim(), Password, isPersistent: false, lockoutOnFailure: true);
        if (!result.Succeeded)
        {
            Error = result.IsLockedOut ? "账户因多次登录失败已被锁定，请15分钟后再试" : "用户名或密码错误";
            return Page();
        }
        if (!string.IsNullOrEmpty(ReturnUrl) && Url.IsLocalUrl(ReturnUrl)) return LocalRedirect(ReturnUrl);
        var user = await users.FindByNameAsync(UserName.Trim());
        var roles = user is null ? [] : await users.GetRolesAsync(user);
        return Redirect(roles.Contains(Roles.DistrictAdmin) ? "/admin" : roles.Contains(Roles.TownshipSecretary) || roles.Contains(Roles.DistrictInspector) ? "/work" : "/");
    }
}
