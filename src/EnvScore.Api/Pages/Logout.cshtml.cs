using EnvScore.Api.Features.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EnvScore.Api.Pages;

/// <summary>Signs out and ends every session of the account (the renewed security stamp invalidates copies of the cookie and bearer tokens).</summary>
public class LogoutModel(SignInManager<AppUser> signIn, UserManager<AppUser> users) : PageModel
{
    public IActionResult OnGet() => Redirect("/");

    public async Task<IActionResult> OnPostAsync()
    {
        if (await users.GetUserAsync(User) is { } user) await users.UpdateSecurityStampAsync(user);
        await signIn.SignOutAsync();
        return Redirect("/");
    }
}
