using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Api.Infrastructure.Errors;
using EnvScore.Api.Infrastructure.OData;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OData.Deltas;
using Microsoft.AspNetCore.OData.Results;
using Microsoft.AspNetCore.OData.Routing.Controllers;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Organisation;

/// <summary>Districts are created with `envscore create-admin`; their admin may rename or deactivate them.</summary>
public class DistrictsController(EnvScoreDbContext db, PublicReads reads) : ODataController
{
    private static readonly HashSet<string> Patchable = [nameof(District.Name), nameof(District.IsActive)];

    [EnvScoreQuery, AllowAnonymous]
    public IQueryable<District> Get() => reads.For(User, db).Districts.AsNoTracking();

    [EnvScoreQuery, AllowAnonymous]
    public SingleResult<District> Get(int key) => SingleResult.Create(reads.For(User, db).Districts.AsNoTracking().Where(d => d.Id == key));

    [Authorize(Roles = Roles.DistrictAdmin)]
    public async Task<IActionResult> Patch(int key, [FromBody] Delta<District>? delta, CancellationToken ct)
    {
        if (delta is null) return this.UnreadableBody();
        var district = await db.Districts.FindAsync([key], ct);
        if (district is null) return NotFound();
        if (!User.IsAdminOf(district.Id)) return Forbid();

        var errors = new Dictionary<string, string[]>();
        var (_, name) = OrganisationValidation.Patch(delta, Patchable, district.Name, errors);
        if (errors.Count > 0) return this.InvalidFields(errors);

        delta.Patch(district);
        district.Name = name!;
        await db.SaveChangesAsync(ct);
        return Updated(district);
    }
}
