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

    /// <summary>
    /// The one rule both the queries below and the results cache (<see cref="ComputedResultsCachePolicy"/>, which
    /// keys by it) follow: district roles see their district, a township secretary their township, others nothing (null).
    /// </summary>
    public static ResultsScope? ResultsScopeOf(ClaimsPrincipal user)
    {
        if (IsDistrictRole(user)) return new ResultsScope(ResultsScope.District, user.DistrictId() ?? -1);
        if (user.IsInRole(Roles.TownshipSecretary)) return new ResultsScope(ResultsScope.Township, user.TownshipId() ?? -1);
        return null;
    }

    public static IQueryable<VillageResult> VisibleTo(this IQueryable<VillageResult> query, ClaimsPrincipal user)
    {
        switch (ResultsScopeOf(user))
        {
            case { Kind: ResultsScope.District, Id: var district }: return query.Where(r => r.DistrictId == district);
            case { Kind: ResultsScope.Township, Id: var township }: return query.Where(r => r.TownshipId == township);
            default: return query.Where(r => false);
        }
    }

    public static IQueryable<TownshipResult> VisibleTo(this IQueryable<TownshipResult> query, ClaimsPrincipal user)
    {
        switch (ResultsScopeOf(user))
        {
            case { Kind: ResultsScope.District, Id: var district }: return query.Where(r => r.DistrictId == district);
            case { Kind: ResultsScope.Township, Id: var township }: return query.Where(r => r.TownshipId == township);
            default: return query.Where(r => false);
        }
    }

    /// <summary>Runs are operations data: the district roles of the district only.</summary>
    public static IQueryable<ComputationRun> VisibleTo(this IQueryable<ComputationRun> query, ClaimsPrincipal user)
    {
        if (IsDistrictRole(user)) { var district = user.DistrictId() ?? -1; return query.Where(r => r.DistrictId == district); }
        return query.Where(r => false);
    }
}
