using System.Security.Claims;
using EnvScore.Api.Features.Accounts;

namespace EnvScore.Api.Features.Evaluations;

/// <summary>Who may read and write which sheets — applied in the query itself, not only in the UI.</summary>
public static class EvaluationAccess
{
    /// <summary>
    /// Secretary: own township's Self sheets. Inspector and admin: every sheet of their district.
    /// (District sheets become visible to townships with publication, not before.)
    /// </summary>
    public static IQueryable<Evaluation> VisibleTo(this IQueryable<Evaluation> query, ClaimsPrincipal user)
    {
        if (user.IsInRole(Roles.DistrictAdmin) || user.IsInRole(Roles.DistrictInspector))
        {
            var district = user.DistrictId() ?? -1;
            return query.Where(e => e.DistrictId == district);
        }
        if (user.IsInRole(Roles.TownshipSecretary))
        {
            var township = user.TownshipId() ?? -1;
            return query.Where(e => e.TownshipId == township && e.Kind == EvaluationKind.Self);
        }
        return query.Where(e => false);
    }

    /// <summary>
    /// May the user read the sheet of this kind for a village in this township and district? The same rule as
    /// <see cref="VisibleTo"/>, for a sheet that may not exist yet (the sheet page).
    /// </summary>
    public static bool CanRead(this ClaimsPrincipal user, EvaluationKind kind, int townshipId, int districtId) =>
        ((user.IsInRole(Roles.DistrictAdmin) || user.IsInRole(Roles.DistrictInspector)) && user.DistrictId() == districtId)
        || (user.IsInRole(Roles.TownshipSecretary) && user.TownshipId() == townshipId && kind == EvaluationKind.Self);

    /// <summary>May the user write (create, edit, submit) a sheet of this kind for a village in this township and district?</summary>
    public static bool CanWrite(this ClaimsPrincipal user, EvaluationKind kind, int townshipId, int districtId) =>
        user.IsAdminOf(districtId)
        || (kind == EvaluationKind.District && user.IsInRole(Roles.DistrictInspector) && user.DistrictId() == districtId)
        || (kind == EvaluationKind.Self && user.IsInRole(Roles.TownshipSecretary) && user.TownshipId() == townshipId);
}
