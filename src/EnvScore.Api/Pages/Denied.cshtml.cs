using EnvScore.Api.Features.Accounts;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EnvScore.Api.Pages;

/// <summary>Where the cookie handler sends a signed-in user who is refused a page (403, with the way back).</summary>
public class DeniedModel : PageModel
{
    public string? UserName { get; private set; }
    /// <summary>The user's own starting page, when they have one.</summary>
    public string? Home { get; private set; }

    public void OnGet()
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        UserName = User.Identity?.IsAuthenticated == true ? User.Identity.Name : null;
        Home = User.IsInRole(Roles.DistrictAdmin) ? "/admin" : User.IsInRole(Roles.TownshipSecretary) || User.IsInRole(Roles.DistrictInspector) ? "/work" : null;
    }
}
