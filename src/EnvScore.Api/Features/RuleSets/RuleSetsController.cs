using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Api.Infrastructure.OData;
using EnvScore.Domain.Calendar;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OData.Formatter;
using Microsoft.AspNetCore.OData.Query;
using Microsoft.AspNetCore.OData.Results;
using Microsoft.AspNetCore.OData.Routing.Controllers;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.RuleSets;

/// <summary>
/// Rule-set versions. Active versions are public; drafts are seen only by the district roles of their
/// own district — districts never see or change each other's drafts. Import and edit: /api/rule-sets.
/// </summary>
public class RuleSetsController(EnvScoreDbContext db, RuleSetStore store) : ODataController
{
    [EnvScoreQuery, AllowAnonymous]
    public IQueryable<RuleSetRecord> Get() => db.RuleSets.AsNoTracking().VisibleTo(User);

    [EnvScoreQuery, AllowAnonymous]
    public SingleResult<RuleSetRecord> Get(int key) => SingleResult.Create(db.RuleSets.AsNoTracking().VisibleTo(User).Where(r => r.Id == key));

    [HttpGet, EnvScoreQuery, AllowAnonymous]
    public async Task<IActionResult> InForce([FromODataUri] int districtId, [FromODataUri] string month, CancellationToken ct)
    {
        if (!Infrastructure.Errors.MonthInput.TryRead(month, out var m)) return Infrastructure.Errors.MonthInput.Problem(this, "month", month);
        var record = await store.ResolveAsync(districtId, m, ct);
        // Answered as a query (not the loaded object) so that $expand=items/sections/vetoes reads the rows.
        return record is null
            ? Problem(title: $"该区县{m.ToChinese()}没有启用的评分细则 (no rule set in force for this month)", statusCode: 404)
            : Ok(SingleResult.Create(db.RuleSets.AsNoTracking().Where(r => r.Id == record.Id)));
    }

    // The writes answer with IResult (executed by MVC as is), so that they and the file endpoints share one mapping.
    [HttpPost, Authorize(Roles = Roles.DistrictAdmin)]
    public async Task<IResult> Activate(int key, ODataActionParameters? parameters, CancellationToken ct)
    {
        var record = await db.RuleSets.SingleOrDefaultAsync(r => r.Id == key, ct);
        if (record is null || !User.IsAdminOf(record.DistrictId)) return Results.NotFound();
        if (parameters is null && Infrastructure.Errors.ODataBodyErrors.Find(HttpContext) is { } wrong)
            return Infrastructure.Errors.JsonFieldErrors.Result(HttpContext, wrong.Field, wrong.Message);
        EvaluationMonth? from = null;
        if (!ModelState.IsValid) // a body OData could not read (e.g. "fromMonth": 202703, a number for a string)
            return Infrastructure.Errors.MonthInput.Problem(HttpContext, "fromMonth", "（不是字符串）");
        if (parameters?.TryGetValue("fromMonth", out var value) == true && value is not null && value is not "")
        {
            // A month given in any other form is refused, never ignored (202703 as a number used to fall back to the file's month).
            if (value is not string text || !EvaluationMonth.TryParse(text, out var m))
                return Infrastructure.Errors.MonthInput.Problem(HttpContext, "fromMonth", value as string ?? System.Text.Json.JsonSerializer.Serialize(value));
            from = m;
        }
        return RuleSetResults.From(await store.ActivateAsync(record, from, User.Identity!.Name!, ct));
    }

    /// <summary>POST RuleSets(k)/Withdraw: an activation for a month that has not started goes back to a draft.</summary>
    [HttpPost, Authorize(Roles = Roles.DistrictAdmin)]
    public async Task<IResult> Withdraw(int key, CancellationToken ct)
    {
        var record = await db.RuleSets.SingleOrDefaultAsync(r => r.Id == key, ct);
        if (record is null || !User.IsAdminOf(record.DistrictId)) return Results.NotFound();
        return RuleSetResults.From(await store.WithdrawAsync(record, User.Identity!.Name!, ct));
    }

    [Authorize(Roles = Roles.DistrictAdmin)]
    public async Task<IResult> Delete(int key, CancellationToken ct)
    {
        var record = await db.RuleSets.SingleOrDefaultAsync(r => r.Id == key, ct);
        if (record is null || !User.IsAdminOf(record.DistrictId)) return Results.NotFound();
        var outcome = await store.DeleteDraftAsync(record, ct);
        return outcome is RuleSetWrite.Updated ? Results.NoContent() : RuleSetResults.From(outcome);
    }
}

public static class RuleSetVisibility
{
    /// <summary>Active versions for everyone; drafts only for the district roles of their district.</summary>
    public static IQueryable<RuleSetRecord> VisibleTo(this IQueryable<RuleSetRecord> query, System.Security.Claims.ClaimsPrincipal user)
    {
        var district = user.IsInRole(Roles.DistrictAdmin) || user.IsInRole(Roles.DistrictInspector) ? user.DistrictId() : null;
        return query.Where(r => r.Status == RuleSetStatus.Active || r.DistrictId == district);
    }
}
