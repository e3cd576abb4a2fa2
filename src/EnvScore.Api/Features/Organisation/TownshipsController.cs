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

public class TownshipsController(EnvScoreDbContext db, PublicReads reads) : ODataController
{
    private static readonly HashSet<string> Patchable = [nameof(Township.Name), nameof(Township.Kind), nameof(Township.IsActive)];

    [EnvScoreQuery, AllowAnonymous]
    public IQueryable<Township> Get() => reads.For(User, db).Townships.AsNoTracking();

    [EnvScoreQuery, AllowAnonymous]
    public SingleResult<Township> Get(int key) => SingleResult.Create(reads.For(User, db).Townships.AsNoTracking().Where(t => t.Id == key));

    /// <summary>Creates a township; its district is the one its division code belongs to.</summary>
    [Authorize(Roles = Roles.DistrictAdmin)]
    public async Task<IActionResult> Post([FromBody] Township? township, CancellationToken ct)
    {
        if (township is null) return this.UnreadableBody();
        var errors = new Dictionary<string, string[]>();
        var code = OrganisationValidation.Code(township.Code, DivisionLevel.Township, errors);
        var name = OrganisationValidation.Name(township.Name, errors);
        if (!Enum.IsDefined(township.Kind)) errors["kind"] = ["类型应为 Xiang（乡）、Zhen（镇）、Farm（农场）或 Subdistrict（街道） (unknown kind)"];
        District? district = null;
        if (code is { } c)
        {
            var parentCode = c.DistrictCode.Value;
            district = await db.Districts.SingleOrDefaultAsync(d => d.Code == parentCode, ct);
            if (district is null)
                errors["code"] = [$"上级区县\"{parentCode}\"不存在 (parent district {parentCode} does not exist)"];
            else if (township.DistrictId != 0 && township.DistrictId != district.Id)
                errors["districtId"] = [$"districtId与区划代码所属区县（{district.Name}，编号{district.Id}）不一致 (districtId does not match the code)"];
        }
        if (errors.Count > 0) return this.InvalidFields(errors);
        if (!User.IsAdminOf(district!.Id)) return Forbid();
        if (await db.Townships.AnyAsync(t => t.Code == code!.Value.Value, ct)) return this.DuplicateCode(code!.Value);

        var entity = new Township { Code = code!.Value.Value, Name = name!, Kind = township.Kind, IsActive = township.IsActive, DistrictId = district.Id };
        db.Townships.Add(entity);
        if (!await db.TrySaveUniqueAsync(ct)) return this.DuplicateCode(code!.Value);
        return Created(entity);
    }

    [Authorize(Roles = Roles.DistrictAdmin)]
    public async Task<IActionResult> Patch(int key, [FromBody] Delta<Township>? delta, CancellationToken ct)
    {
        if (delta is null) return this.UnreadableBody();
        var township = await db.Townships.FindAsync([key], ct);
        if (township is null) return NotFound();
        if (!User.IsAdminOf(township.DistrictId)) return Forbid();

        var errors = new Dictionary<string, string[]>();
        var (changed, name) = OrganisationValidation.Patch(delta, Patchable, township.Name, errors);
        if (changed.Contains(nameof(Township.Kind)) && delta.TryGetPropertyValue(nameof(Township.Kind), out var k) && (k is not TownshipKind kind || !Enum.IsDefined(kind)))
            errors["kind"] = ["类型应为 Xiang（乡）、Zhen（镇）、Farm（农场）或 Subdistrict（街道） (unknown kind)"];
        if (errors.Count > 0) return this.InvalidFields(errors);

        delta.Patch(township);
        township.Name = name!;
        await db.SaveChangesAsync(ct);
        return Updated(township);
    }
}
