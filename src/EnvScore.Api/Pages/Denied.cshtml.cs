using EnvScore.Api.Features.Accounts;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EnvScore.Api.Pages;

/// <summary>
/// Where the cookie handler sends a signed-in user who is refused a page (403, with the way back). It names the account
/// the user is signed in as (display name, login name, role): that is the requester's own identity, already shown in the
/// header of every signed-in page, and the usual cause of a refusal on a shared office PC is being signed in as someone
/// else — so the page says who you are and offers 换一个账户登录 (sign out and sign in again). It names no other user,
/// and nothing about the refused page beyond the refusal. The answer is not cached (the form's antiforgery token makes it
/// no-store).
/// </summary>
public class DeniedModel : PageModel
{
    public string? UserName { get; private set; }
    /// <summary>The user's own starting page, when they have one.</summary>
    public string? Home { get; private set; }
    /// <summary>The signed-in user's role, in Chinese (区管理员, 区级督查员, 乡镇书记).</summary>
    public string? RoleName { get; private set; }

    public void OnGet()
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        UserName = User.Identity?.IsAuthenticated == true ? User.Identity.Name : null;
        RoleName = User.IsInRole(Roles.DistrictAdmin) ? "区管理员" : User.IsInRole(Roles.DistrictInspector) ? "区级督查员"
            : User.IsInRole(Roles.TownshipSecretary) ? "乡镇书记" : null;
        Home = User.IsInRole(Roles.DistrictAdmin) ? "/admin" : User.IsInRole(Roles.TownshipSecretary) || User.IsInRole(Roles.DistrictInspector) ? "/work" : null;
    }
}
