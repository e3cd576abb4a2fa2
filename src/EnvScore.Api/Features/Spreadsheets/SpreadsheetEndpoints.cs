using EnvScore.Api.Infrastructure.Errors;
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
        // kind=District: the district inspector's spot-check (区级抽查) of the township, optionally only the villages
        // listed in villages=code,code… (default: every village; rows left blank are not checked).
        group.MapGet("/template", async (string? month, int? townshipId, string? kind, string? villages, HttpContext http, EnvScoreDbContext db,
            RuleSetStore store, CancellationToken ct) =>
        {
            if (!TryKind(kind, out var k)) return KindProblem(kind);
            if (!MonthInput.TryRead(month, out _)) return MonthInput.Problem(http, "month", month);
            if (townshipId is null) return await DistrictTemplateAsync(http.User, month, db, store, ct);
            var (context, status, error) = await TownshipMonth.LoadAsync(http.User, month, townshipId.Value, k, db, store, ct);
            if (context is null) return Failure(status, error);
            var rows = context.Villages;
            if (!string.IsNullOrWhiteSpace(villages))
            {
                var wanted = villages.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
                var unknown = wanted.Where(c => rows.All(v => v.Code != c)).ToList();
                if (unknown.Count > 0)
                    return Results.Problem(title: $"村（社区）代码{string.Join("、", unknown)}不属于{context.Township.Name} (villages not in the township)", statusCode: 400);
                rows = [.. rows.Where(v => wanted.Contains(v.Code))];
            }
            var sheets = await SheetsAsync(db.Evaluations.Where(e => e.TownshipId == townshipId), context.Month, k, ct);
            var templateRows = rows.Select(v => new TemplateVillage(DivisionCode.Parse(v.Code), v.Name, context.Township.Name,
                sheets.TryGetValue(v.Id, out var s) ? TemplateLayouts.Values(context.Rules, s) : null)).ToList();
            var bytes = TemplateWriter.Write(context.Layout, context.Scope, templateRows);
            var what = k == EvaluationKind.District ? "区级抽查表" : "自评表";
            return Results.File(bytes, XlsxType, $"{context.Township.Name}-{context.Month}-{what}.xlsx");
        });

        group.MapPost("/import", async (string? month, int townshipId, string? kind, bool? submit, IFormFile? file, HttpContext http,
            TownshipImport import, CancellationToken ct) =>
        {
            if (!TryKind(kind, out var k)) return KindProblem(kind);
            if (!MonthInput.TryRead(month, out _)) return MonthInput.Problem(http, "month", month);
            var report = await import.RunAsync(http.User, month, townshipId, k, file, submit == true, ct);
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
        if (!MonthInput.TryRead(month, out var m)) return Results.Problem(title: MonthInput.Message("month", month), statusCode: 400);
        var record = await store.ResolveAsync(districtId, m, ct);
        if (record is null) return Results.Problem(title: $"{m.ToChinese()}没有启用的评分细则 (no rule set in force)", statusCode: 409);
        var district = await db.Districts.AsNoTracking().SingleAsync(d => d.Id == districtId, ct);
        var villages = await db.Villages.AsNoTracking().Include(v => v.Township)
            .Where(v => v.Township!.DistrictId == districtId && v.IsActive && v.Township.IsActive).OrderBy(v => v.Code).ToListAsync(ct);
        var sheets = await SheetsAsync(db.Evaluations.Where(e => e.DistrictId == districtId), m, EvaluationKind.Self, ct);
        var rules = store.Parse(record);
        var rows = villages.Select(v => new TemplateVillage(DivisionCode.Parse(v.Code), v.Name, v.Township!.Name,
            sheets.TryGetValue(v.Id, out var s) ? TemplateLayouts.Values(rules, s) : null)).ToList();
        var bytes = TemplateWriter.Write(TemplateLayouts.From(rules, m), TemplateScope.ForDistrict(DivisionCode.Parse(district.Code), district.Name), rows);
        return Results.File(bytes, XlsxType, $"{district.Name}-{m}-全区评比表.xlsx");
    }

    private static Task<Dictionary<int, Evaluation>> SheetsAsync(IQueryable<Evaluation> scope, Domain.Calendar.EvaluationMonth month,
        EvaluationKind kind, CancellationToken ct) =>
        scope.AsNoTracking().Include(e => e.Entries).Where(e => e.Month == month.Key && e.Kind == kind).ToDictionaryAsync(e => e.VillageId, ct);

    private static bool TryKind(string? text, out EvaluationKind kind)
    {
        kind = EvaluationKind.Self;
        return string.IsNullOrWhiteSpace(text) || (Enum.TryParse(text, ignoreCase: true, out kind) && Enum.IsDefined(kind));
    }

    private static IResult KindProblem(string? kind) =>
        Results.Problem(title: $"kind应为Self（乡镇自评）或District（区级抽查），实际为\"{kind}\" (kind must be Self or District)", statusCode: 400);

    private static IResult Failure(int status, string? error) => status switch
    {
        403 => Results.Forbid(),
        404 => Results.NotFound(),
        _ => Results.Problem(title: error, statusCode: status),
    };
}
