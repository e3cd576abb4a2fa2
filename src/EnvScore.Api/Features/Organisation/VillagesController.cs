using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Api.Infrastructure.Errors;
using EnvScore.Api.Infrastructure.OData;
using EnvScore.Domain.Organisation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OData.Deltas;
using Microsoft.AspNetCore.OData.Results;
using Microsoft.AspNetCore.OData.Routing.Controllers;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Organisation;

public class VillagesController(EnvScoreDbContext db, PublicReads reads) : ODataController
{
    private static readonly HashSet<string> Patchable = [nameof(Village.Name), nameof(Village.IsActive)];

    [EnvScoreQuery, AllowAnonymous]
    public IQueryable<Village> Get() => reads.For(User, db).Villages.AsNoTracking();

    [EnvScoreQuery, AllowAnonymous]
    public SingleResult<Village> Get(int key) => SingleResult.Create(reads.For(User, db).Villages.AsNoTracking().Where(v => v.Id == key));

    /// <summary>Creates a village; its township is the one its division code belongs to.</summary>
    [Authorize(Roles = Roles.DistrictAdmin)]
    public async Task<IActionResult> Post([FromBody] Village? village, CancellationToken ct)
    {
        if (village is null) return this.UnreadableBody();
        var errors = new Dictionary<string, string[]>();
        var code = OrganisationValidation.Code(village.Code, DivisionLevel.Village, errors);
        var name = OrganisationValidation.Name(village.Name, errors);
        Township? township = null;
        if (code is { } c)
        {
            var parentCode = c.TownshipCode!.Value.Value;
            township = await db.Townships.SingleOrDefaultAsync(t => t.Code == parentCode, ct);
            if (township is null)
                errors["code"] = [$"上级乡镇\"{parentCode}\"不存在 (parent township {parentCode} does not exist)"];
            else if (village.TownshipId != 0 && village.TownshipId != township.Id)
                errors["townshipId"] = [$"townshipId与区划代码所属乡镇（{township.Name}，编号{township.Id}）不一致 (townshipId does not match the code)"];
        }
        if (errors.Count > 0) return this.InvalidFields(errors);
        if (!User.IsAdminOf(township!.DistrictId)) return Forbid();
        if (await db.Villages.AnyAsync(v => v.Code == code!.Value.Value, ct)) return this.DuplicateCode(code!.Value);

        var entity = new Village { Code = code!.Value.Value, Name = name!, IsActive = village.IsActive, TownshipId = township.Id };
        db.Villages.Add(entity);
        if (!await db.TrySaveUniqueAsync(ct)) return this.DuplicateCode(code!.Value);
        return Created(entity);
    }

    [Authorize(Roles = Roles.DistrictAdmin)]
    public async Task<IActionResult> Patch(int key, [FromBody] Delta<Village>? delta, CancellationToken ct)
    {
        if (delta is null) return this.UnreadableBody();
        var village = await db.Villages.Include(v => v.Township).SingleOrDefaultAsync(v => v.Id == key, ct);
        if (village is null) return NotFound();
        if (!User.IsAdminOf(village.Township!.DistrictId)) return Forbid();

        var errors = new Dictionary<string, string[]>();
        var (_, name) = OrganisationValidation.Patch(delta, Patchable, village.Name, errors);
        if (errors.Count > 0) return this.InvalidFields(errors);

        delta.Patch(village);
        village.Name = name!;
        await db.SaveChangesAsync(ct);
        return Updated(village);
    }
}
