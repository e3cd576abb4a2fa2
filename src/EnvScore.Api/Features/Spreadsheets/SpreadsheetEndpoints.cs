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

        group.MapGet("/template", async (string? month, int townshipId, HttpContext http, EnvScoreDbContext db, RuleSetStore store, CancellationToken ct) =>
        {
            var (context, status, error) = await TownshipMonth.LoadAsync(http.User, month, townshipId, db, store, ct);
            if (context is null) return status switch
            {
                403 => Results.Forbid(),
                404 => Results.NotFound(),
                _ => Results.Problem(title: error, statusCode: status),
            };
            var sheets = await db.Evaluations.AsNoTracking().Include(e => e.Entries)
                .Where(e => e.TownshipId == townshipId && e.Month == context.Month.Key && e.Kind == EvaluationKind.Self)
                .ToDictionaryAsync(e => e.VillageId, ct);
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
}
