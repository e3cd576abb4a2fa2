using System.Security.Claims;
using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Evaluations;

namespace EnvScore.Api.Features.Audit;

/// <summary>
/// Who reads the audit trail: the district roles (admin, inspector) their district's, a township secretary only
/// their own township's self-evaluations (district checks stay unseen by townships, as in <see cref="EvaluationAccess"/>),
/// anyone else nothing. Applied inside the query, so OData options ($filter, $count) never see other rows.
/// </summary>
public static class AuditVisibility
{
    public static IQueryable<AuditEntry> VisibleTo(this IQueryable<AuditEntry> query, ClaimsPrincipal user, IQueryable<Evaluation> evaluations)
    {
        if (user.IsInRole(Roles.DistrictAdmin) || user.IsInRole(Roles.DistrictInspector))
        {
            var district = user.DistrictId() ?? -1;
            return query.Where(a => a.DistrictId == district);
        }
        if (user.IsInRole(Roles.TownshipSecretary))
        {
            var township = user.TownshipId() ?? -1;
            return query.Where(a => a.TownshipId == township &&
                                    evaluations.Any(e => e.Id == a.EvaluationId && e.Kind == EvaluationKind.Self));
        }
        return query.Where(a => false);
    }
}
