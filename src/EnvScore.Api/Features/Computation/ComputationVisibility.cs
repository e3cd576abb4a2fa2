using System.Security.Claims;
using EnvScore.Api.Features.Accounts;

namespace EnvScore.Api.Features.Computation;

/// <summary>
/// Who reads computed results: the district roles their district's, a township secretary only their township's
/// rows <b>of published months</b> (and not while a correction is open), anyone else nothing. Applied inside the
/// query, so OData options ($filter, $apply, $count, $expand) never see other rows.
/// <para>
/// The publication rule (issue #21): until the district publishes, a working result carries what the district's
/// spot-check found (district score, explanation, inflation flag, final score, tier, ranks); the inspected township
/// must not read it while its own sheet may still be edited. Before publication a secretary sees only their own
/// sheets (Evaluations), never a result row. This is the one place the rule is written; the public pages read only
/// published revisions (PublicData).
/// </para>
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

    /// <param name="publications">The publications table (db.Publications): a township sees a month once it is published.</param>
    public static IQueryable<VillageResult> VisibleTo(this IQueryable<VillageResult> query, ClaimsPrincipal user, IQueryable<Publication.Publication> publications)
    {
        switch (ResultsScopeOf(user))
        {
            case { Kind: ResultsScope.District, Id: var district }: return query.Where(r => r.DistrictId == district);
            case { Kind: ResultsScope.Township, Id: var township }:
                return query.Where(r => r.TownshipId == township
                    && publications.Any(p => p.DistrictId == r.DistrictId && p.Month == r.Month && !p.CorrectionOpen));
            default: return query.Where(r => false);
        }
    }

    /// <param name="publications">The publications table (db.Publications): a township sees a month once it is published.</param>
    public static IQueryable<TownshipResult> VisibleTo(this IQueryable<TownshipResult> query, ClaimsPrincipal user, IQueryable<Publication.Publication> publications)
    {
        switch (ResultsScopeOf(user))
        {
            case { Kind: ResultsScope.District, Id: var district }: return query.Where(r => r.DistrictId == district);
            case { Kind: ResultsScope.Township, Id: var township }:
                return query.Where(r => r.TownshipId == township
                    && publications.Any(p => p.DistrictId == r.DistrictId && p.Month == r.Month && !p.CorrectionOpen));
            default: return query.Where(r => false);
        }
    }

    /// <summary>
    /// Whether the results cache may keep this scope's answers: a township's rows also depend on the publication
    /// state, which the results stamp does not follow, so they are never cached.
    /// </summary>
    public static bool IsCacheable(ResultsScope scope) => scope.Kind == ResultsScope.District;

    /// <summary>Runs are operations data: the district roles of the district only.</summary>
    public static IQueryable<ComputationRun> VisibleTo(this IQueryable<ComputationRun> query, ClaimsPrincipal user)
    {
        if (IsDistrictRole(user)) { var district = user.DistrictId() ?? -1; return query.Where(r => r.DistrictId == district); }
        return query.Where(r => false);
    }
}
