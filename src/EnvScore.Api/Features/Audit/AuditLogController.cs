using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Api.Infrastructure.OData;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OData.Routing.Controllers;

namespace EnvScore.Api.Features.Audit;

/// <summary>The audit trail, read-only (GET only; the table is append-only): visibility as in <see cref="AuditVisibility"/>.</summary>
[Authorize(Roles = Roles.DistrictAdmin + "," + Roles.DistrictInspector + "," + Roles.TownshipSecretary)]
public class AuditLogController(EnvScoreDbContext db) : ODataController
{
    [EnvScoreQuery]
    public IQueryable<AuditEntry> Get() => db.AuditLog.AsQueryable().VisibleTo(User, db.Evaluations);
}
