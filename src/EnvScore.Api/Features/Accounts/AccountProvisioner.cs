using Microsoft.AspNetCore.Identity;

namespace EnvScore.Api.Features.Accounts;

/// <summary>Creates accounts bound to their scope; the one place where roles are ensured.</summary>
public class AccountProvisioner(UserManager<AppUser> users, RoleManager<IdentityRole> roles)
{
    public async Task EnsureRolesAsync()
    {
        foreach (var role in Roles.All)
            if (!await roles.RoleExistsAsync(role))
                Throw(await roles.CreateAsync(new IdentityRole(role)));
    }

    public async Task<AppUser> CreateAsync(string userName, string password, string role, int? districtId, int? townshipId, string? displayName = null)
    {
        if (role == Roles.TownshipSecretary && townshipId is null)
            throw new InvalidOperationException("A township secretary must be bound to a township.");
        if (role != Roles.TownshipSecretary && districtId is null)
            throw new InvalidOperationException("A district role must be bound to a district.");
        await EnsureRolesAsync();
        var user = new AppUser { UserName = userName, DisplayName = displayName, DistrictId = districtId, TownshipId = townshipId };
        Throw(await users.CreateAsync(user, password));
        Throw(await users.AddToRoleAsync(user, role));
        return user;
    }

    private static void Throw(IdentityResult result)
    {
        if (!result.Succeeded)
            throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => $"{e.Code}: {e.Description}")));
    }
}
