using Microsoft.AspNetCore.Identity;

namespace EnvScore.Api.Features.Accounts;

/// <summary>
/// An account. District roles are bound to one district, a township secretary to exactly one
/// township (and, through it, to its district).
/// </summary>
public class AppUser : IdentityUser
{
    public string? DisplayName { get; set; }
    public int? DistrictId { get; set; }
    public int? TownshipId { get; set; }
}
