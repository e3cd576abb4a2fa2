using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Organisation;
using EnvScore.Spreadsheets.Templates;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Spreadsheets;

/// <summary>
/// A township's month as a spreadsheet: download the template (pre-filled with what is stored), upload it
/// back. An upload is validated cell by cell and by the engine, then stored in one transaction — all or nothing.
/// </summary>
public static class SpreadsheetEndpoints
{
    private const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static IEndpointRouteBuilder MapSpreadsheets(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/spreadsheets").RequireAuthorization();

        // A township's template; without townshipId, the whole district's (DistrictAdmin: one row per village, with its township).
        group.MapGet("/template", async (string? month, int? townshipId, HttpContext http, EnvScoreDbContext db, RuleSetStore store, CancellationToken ct) =>
        {
            if (townshipId is null) return await DistrictTemplateAsync(http.User, month, db, store, ct);
            var (context, status, error) = await TownshipMonth.LoadAsync(http.User, month, townshipId.Value, db, store, ct);
            if (context is null) return Failure(status, error);
            var sheets = await SelfSheetsAsync(db.Evaluations.Where(e => e.TownshipId == townshipId), context.Month, ct);
            var villages = context.Villages.Select(v => new TemplateVillage(DivisionCode.Parse(v.Code), v.Name, context.Township.Name,
                sheets.TryGetValue(v.Id, out var s) ? TemplateLayouts.Values(s) : null)).ToList();
            var bytes = TemplateWriter.Write(context.Layout, context.Scope, villages);
            return Results.File(bytes, XlsxType, $"{context.Township.Name}-{context.Month}-自评表.xlsx");
        });

        group.MapPost("/import", async (string? month, int townshipId, bool? submit, IFormFile? file, HttpContext http,
            TownshipImport import, CancellationToken ct) =>
        {
            var report = await import.RunAsync(http.User, month, townshipId, file, submit == true, ct);
            return report.Status switch
            {
                200 => Results.Ok(report),
                403 => Results.Forbid(),
                404 => Results.NotFound(),
                _ => Results.Json(report, statusCode: report.Status, contentType: "application/problem+json"),
            };
        }).DisableAntiforgery();

        return app;
    }

    private static async Task<IResult> DistrictTemplateAsync(System.Security.Claims.ClaimsPrincipal user, string? month,
        EnvScoreDbContext db, RuleSetStore store, CancellationToken ct)
    {
        if (!user.IsInRole(Roles.DistrictAdmin) || user.DistrictId() is not { } districtId) return Results.Forbid();
        if (!Domain.Calendar.EvaluationMonth.TryParse(month, out var m))
            return Results.Problem(title: $"月份格式应为\"yyyy-MM\"，实际为\"{month}\" (month must be yyyy-MM)", statusCode: 400);
        var record = await store.ResolveAsync(districtId, m, ct);
        if (record is null) return Results.Problem(title: $"{m.ToChinese()}没有启用的评分细则 (no rule set in force)", statusCode: 409);
        var district = await db.Districts.AsNoTracking().SingleAsync(d => d.Id == districtId, ct);
        var villages = await db.Villages.AsNoTracking().Include(v => v.Township)
            .Where(v => v.Township!.DistrictId == districtId && v.IsActive && v.Township.IsActive).OrderBy(v => v.Code).ToListAsync(ct);
        var sheets = await SelfSheetsAsync(db.Evaluations.Where(e => e.DistrictId == districtId), m, ct);
        var rows = villages.Select(v => new TemplateVillage(DivisionCode.Parse(v.Code), v.Name, v.Township!.Name,
            sheets.TryGetValue(v.Id, out var s) ? TemplateLayouts.Values(s) : null)).ToList();
        var bytes = TemplateWriter.Write(TemplateLayouts.From(store.Parse(record), m), TemplateScope.ForDistrict(DivisionCode.Parse(district.Code), district.Name), rows);
        return Results.File(bytes, XlsxType, $"{district.Name}-{m}-全区评比表.xlsx");
    }

    private static Task<Dictionary<int, Evaluation>> SelfSheetsAsync(IQueryable<Evaluation> scope, Domain.Calendar.EvaluationMonth month, CancellationToken ct) =>
        scope.AsNoTracking().Include(e => e.Entries).Where(e => e.Month == month.Key && e.Kind == EvaluationKind.Self).ToDictionaryAsync(e => e.VillageId, ct);

    private static IResult Failure(int status, string? error) => status switch
    {
        403 => Results.Forbid(),
        404 => Results.NotFound(),
        _ => Results.Problem(title: error, statusCode: status),
    };
}
