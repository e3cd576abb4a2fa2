using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Api.Infrastructure.OData;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OData.Routing.Controllers;

namespace EnvScore.Api.Features.Audit;

/// <summary>The audit trail: a DistrictAdmin reads the district's, a secretary their own township's. Read-only.</summary>
[Authorize(Roles = Roles.DistrictAdmin + "," + Roles.TownshipSecretary)]
public class AuditLogController(EnvScoreDbContext db) : ODataController
{
    [EnvScoreQuery]
    public IQueryable<AuditEntry> Get()
    {
        var query = db.AuditLog.AsQueryable();
        if (User.IsInRole(Roles.DistrictAdmin))
        {
            var district = User.DistrictId() ?? -1;
            return query.Where(a => a.DistrictId == district);
        }
        // Secretaries see their own township's self-evaluations only (district checks stay unseen until publication).
        var township = User.TownshipId() ?? -1;
        return query.Where(a => a.TownshipId == township &&
                                db.Evaluations.Any(e => e.Id == a.EvaluationId && e.Kind == EvaluationKind.Self));
    }
}
