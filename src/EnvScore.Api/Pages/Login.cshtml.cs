using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EnvScore.Api.Pages;

/// <summary>
/// The cookie login of the web pages: the same <see cref="LoginService"/> as POST /api/auth/login?useCookies=true.
/// Showing the page is never limited; too many failed attempts from one address answer 429 with this page,
/// the wait in words and a Retry-After header.
/// </summary>
public class LoginModel(LoginService logins, UserManager<AppUser> users) : PageModel
{
    [BindProperty] public string? UserName { get; set; }
    [BindProperty] public string? Password { get; set; }
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    public string? Error { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(UserName) || string.IsNullOrEmpty(Password)) { Error = "请输入用户名和密码"; return Page(); }
        var outcome = await logins.SignInAsync(UserName, Password, IdentityConstants.ApplicationScheme, ClientAddress.Of(HttpContext), ct);
        switch (outcome.Status)
        {
            case LoginStatus.Throttled:
                Error = LoginService.ThrottledMessage(outcome);
                Response.Headers.RetryAfter = outcome.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                Response.StatusCode = StatusCodes.Status429TooManyRequests;
                return Page();
            case LoginStatus.LockedOut:
                Error = LoginService.LockedMessage(outcome);
                return Page();
            case LoginStatus.Failed:
                Error = LoginService.WrongCredentials;
                return Page();
        }
        if (!string.IsNullOrEmpty(ReturnUrl) && Url.IsLocalUrl(ReturnUrl)) return LocalRedirect(ReturnUrl);
        var roles = await users.GetRolesAsync(outcome.User!);
        return Redirect(roles.Contains(Roles.DistrictAdmin) ? "/admin" : roles.Contains(Roles.TownshipSecretary) || roles.Contains(Roles.DistrictInspector) ? "/work" : "/");
    }
}
