using System.Security.Claims;
using EnvScore.Api.Features.Accounts;

namespace EnvScore.Api.Features.Computation;

/// <summary>
/// Who reads results before publication: the district roles their district's, a township secretary
/// only their township's rows, anyone else nothing. Applied inside the query, so OData options
/// ($filter, $apply, $count) never see other rows.
/// </summary>
public static class ComputationVisibility
{
    private static bool IsDistrictRole(ClaimsPrincipal user) => user.IsInRole(Roles.DistrictAdmin) || user.IsInRole(Roles.DistrictInspector);

    public static IQueryable<VillageResult> VisibleTo(this IQueryable<VillageResult> query, ClaimsPrincipal user)
    {
        if (IsDistrictRole(user)) { var district = user.DistrictId() ?? -1; return query.Where(r => r.DistrictId == district); }
        if (user.IsInRole(Roles.TownshipSecretary)) { var township = user.TownshipId() ?? -1; return query.Where(r => r.TownshipId == township); }
        return query.Where(r => false);
    }

    public static IQueryable<TownshipResult> VisibleTo(this IQueryable<TownshipResult> query, ClaimsPrincipal user)
    {
        if (IsDistrictRole(user)) { var district = user.DistrictId() ?? -1; return query.Where(r => r.DistrictId == district); }
        if (user.IsInRole(Roles.TownshipSecretary)) { var township = user.TownshipId() ?? -1; return query.Where(r => r.TownshipId == township); }
        return query.Where(r => false);
    }

    /// <summary>Runs are operations data: the district roles of the district only.</summary>
    public static IQueryable<ComputationRun> VisibleTo(this IQueryable<ComputationRun> query, ClaimsPrincipal user)
    {
        if (IsDistrictRole(user)) { var district = user.DistrictId() ?? -1; return query.Where(r => r.DistrictId == district); }
        return query.Where(r => false);
    }
}
