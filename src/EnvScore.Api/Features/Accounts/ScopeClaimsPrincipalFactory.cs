using System.Security.Claims;
using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace EnvScore.Api.Features.Accounts;

/// <summary>Puts the district/township a user is bound to into the principal (and so into bearer tokens).</summary>
public class ScopeClaimsPrincipalFactory(
    UserManager<AppUser> users, RoleManager<IdentityRole> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<AppUser, IdentityRole>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(AppUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (user.DistrictId is { } d) identity.AddClaim(new Claim(ScopeClaims.DistrictId, d.ToString(CultureInfo.InvariantCulture)));
        if (user.TownshipId is { } t) identity.AddClaim(new Claim(ScopeClaims.TownshipId, t.ToString(CultureInfo.InvariantCulture)));
        return identity;
    }
}

public static class ClaimsPrincipalScopeExtensions
{
    public static int? DistrictId(this ClaimsPrincipal user) => IntClaim(user, ScopeClaims.DistrictId);
    public static int? TownshipId(this ClaimsPrincipal user) => IntClaim(user, ScopeClaims.TownshipId);

    /// <summary>True when the user is a DistrictAdmin bound to the given district.</summary>
    public static bool IsAdminOf(this ClaimsPrincipal user, int districtId) =>
        user.IsInRole(Roles.DistrictAdmin) && user.DistrictId() == districtId;

    private static int? IntClaim(ClaimsPrincipal user, string type) =>
        int.TryParse(user.FindFirstValue(type), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
}
