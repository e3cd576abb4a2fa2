using System.Security.Claims;
using AutoMapper;
using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Audit;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Features.Organisation;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
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
            var (context, error) = await LoadAsync(http.User, month, townshipId, db, store, ct);
            if (error is not null) return error;
            var sheets = await db.Evaluations.AsNoTracking().Include(e => e.Entries)
                .Where(e => e.TownshipId == townshipId && e.Month == context!.Month.Key && e.Kind == EvaluationKind.Self)
                .ToDictionaryAsync(e => e.VillageId, ct);
            var villages = context!.Villages.Select(v => new TemplateVillage(DivisionCode.Parse(v.Code), v.Name, context.Township.Name,
                sheets.TryGetValue(v.Id, out var s) ? TemplateLayouts.Values(s) : null)).ToList();
            var bytes = TemplateWriter.Write(context.Layout, context.Scope, villages);
            return Results.File(bytes, XlsxType, $"{context.Township.Name}-{context.Month}-自评表.xlsx");
        });

        group.MapPost("/import", async (string? month, int townshipId, bool? submit, IFormFile? file, HttpContext http,
            EnvScoreDbContext db, RuleSetStore store, EvaluationService sheets, AuditWriter audit, IMapper mapper, TimeProvider time, CancellationToken ct) =>
        {
            var (context, error) = await LoadAsync(http.User, month, townshipId, db, store, ct);
            if (error is not null) return error;
            if (file is null || file.Length == 0)
                return Results.Problem(title: "请在表单字段\"file\"中上传填好的Excel文件 (upload the .xlsx in form field \"file\")", statusCode: 400);
            if (await sheets.WindowConflict(context!.Township.DistrictId, context.Month, EvaluationKind.Self, ct) is SheetOutcome.Conflict late)
                return Results.Problem(title: late.Message, statusCode: 409);

            TemplateImportResult parsed;
            await using (var stream = file.OpenReadStream())
                parsed = TemplateReader.Read(stream, context.Layout, context.Scope, [.. context.Villages.Select(v => DivisionCode.Parse(v.Code))]);
            var problems = parsed.Errors.Select(Problem).ToList();

            var byCode = context.Villages.ToDictionary(v => v.Code);
            var existing = await db.Evaluations.Include(e => e.Entries).Include(e => e.Evidence).AsSplitQuery()
                .Where(e => e.TownshipId == townshipId && e.Month == context.Month.Key && e.Kind == EvaluationKind.Self)
                .ToDictionaryAsync(e => e.VillageId, ct);
            var incoming = new List<(Village Village, Evaluation? Stored, List<EvaluationEntry> Entries, List<string> Vetoes, string? Note)>();
            foreach (var row in parsed.Villages.Where(r => !r.HasProblems))
            {
                var village = byCode[row.Code.Value];
                existing.TryGetValue(village.Id, out var stored);
                if (stored is { Status: EvaluationStatus.Submitted or EvaluationStatus.Locked })
                {
                    problems.Add(RowProblem(row, null, $"第{row.RowNumber}行 {village.Name}：本月自评表{EvaluationService.StatusName(stored.Status)}，不能再导入；如需修改请联系区里退回 (the sheet is {stored.Status})"));
                    continue;
                }
                var candidate = new Evaluation
                {
                    CreatedBy = "", UpdatedBy = "", Entries = TemplateLayouts.Entries(row.Values),
                    Vetoes = row.Values.VetoCode is { } v ? [v] : [], Note = row.Values.Note,
                };
                foreach (var p in EvaluationService.Problems(context.Rules, candidate, submit == true, mapper))
                {
                    var title = context.Rules.Items.FirstOrDefault(i => i.Code == p.ItemCode)?.Title ?? p.ItemCode;
                    problems.Add(RowProblem(row, p.ItemCode, $"第{row.RowNumber}行 {village.Name} {title}：{p.Message}"));
                }
                incoming.Add((village, stored, candidate.Entries, candidate.Vetoes, candidate.Note));
            }
            if (problems.Count > 0)
                return Results.Json(new
                {
                    title = $"表格有{problems.Count}处问题，未导入任何内容，请按提示修改后重新上传 (the file has {problems.Count} problems; nothing was stored)",
                    status = 400,
                    problems,
                    warnings = parsed.Problems.Where(p => p.Severity == ProblemSeverity.Warning).Select(Problem),
                }, statusCode: 400, contentType: "application/problem+json");

            // All or nothing: one transaction for the whole township.
            var user = http.User.Identity!.Name!;
            var now = time.GetUtcNow();
            int created = 0, updated = 0, unchanged = 0;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            foreach (var (village, stored, entries, vetoes, note) in incoming)
            {
                var before = stored is null ? null : AuditWriter.Snapshot(stored);
                if (stored is not null)
                {
                    // A re-upload of the same file changes nothing (no write, no audit row).
                    var preview = new Evaluation
                    {
                        Id = stored.Id, VillageId = stored.VillageId, Month = stored.Month, Kind = stored.Kind, CreatedBy = "", UpdatedBy = "",
                        Status = submit == true ? EvaluationStatus.Submitted : stored.Status,
                        Note = string.IsNullOrWhiteSpace(note) ? stored.Note : note.Trim(), Vetoes = vetoes,
                        ReturnReason = submit == true ? null : stored.ReturnReason, Entries = entries, Evidence = stored.Evidence,
                    };
                    if (AuditWriter.Snapshot(preview) == before) { unchanged++; continue; }
                }
                var sheet = stored ?? new Evaluation
                {
                    VillageId = village.Id, TownshipId = townshipId, DistrictId = context.Township.DistrictId, Month = context.Month.Key,
                    Kind = EvaluationKind.Self, RuleSetId = context.RuleSetId, Status = EvaluationStatus.Draft, CreatedAt = now, CreatedBy = user,
                    UpdatedAt = now, UpdatedBy = user,
                };
                if (stored is not null) db.EvaluationEntries.RemoveRange(stored.Entries);
                sheet.Entries = entries;
                sheet.Vetoes = vetoes;
                sheet.Note = string.IsNullOrWhiteSpace(note) ? sheet.Note : note.Trim();
                if (submit == true)
                {
                    sheet.Status = EvaluationStatus.Submitted;
                    sheet.SubmittedAt = now;
                    sheet.SubmittedBy = user;
                    sheet.ReturnReason = null;
                }
                sheet.UpdatedAt = now;
                sheet.UpdatedBy = user;
                if (stored is null) { db.Evaluations.Add(sheet); created++; } else updated++;
                await db.SaveChangesAsync(ct);
                audit.Record(user, stored is null ? "Evaluation.Import" : "Evaluation.ImportUpdate", sheet, before, AuditWriter.Snapshot(sheet));
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return Results.Ok(new
            {
                title = $"导入成功：新建{created}份，更新{updated}份，未变{unchanged}份{(submit == true ? "，已全部提交" : "（草稿）")} (imported)",
                created, updated, unchanged, submitted = submit == true,
                warnings = parsed.Problems.Where(p => p.Severity == ProblemSeverity.Warning).Select(Problem),
            });
        }).DisableAntiforgery();

        return app;
    }

    private static object Problem(ImportProblem p) => new
    {
        kind = p.Kind.ToString(), p.Message, sheet = p.SheetName, cell = p.CellReference, row = p.RowNumber,
        villageCode = p.VillageCode, villageName = p.VillageName, itemCode = p.ItemCode, itemTitle = p.ItemTitle,
    };

    private static object RowProblem(ParsedVillage row, string? itemCode, string message) => new
    {
        kind = "Entry", message, sheet = (string?)null, cell = (string?)null, row = row.RowNumber,
        villageCode = row.Code.Value, villageName = row.Name, itemCode, itemTitle = (string?)null,
    };

    private sealed record Context(EvaluationMonth Month, Township Township, List<Village> Villages, int RuleSetId,
        Domain.Rules.RuleSet Rules, TemplateLayout Layout, TemplateScope Scope);

    /// <summary>The month, township (the user must be its secretary or the district's admin), villages and rules.</summary>
    private static async Task<(Context?, IResult?)> LoadAsync(ClaimsPrincipal user, string? month, int townshipId,
        EnvScoreDbContext db, RuleSetStore store, CancellationToken ct)
    {
        if (!EvaluationMonth.TryParse(month, out var m))
            return (null, Results.Problem(title: $"月份格式应为\"yyyy-MM\"，实际为\"{month}\" (month must be yyyy-MM)", statusCode: 400));
        var township = await db.Townships.AsNoTracking().Include(t => t.District).SingleOrDefaultAsync(t => t.Id == townshipId, ct);
        if (township is null) return (null, Results.NotFound());
        var allowed = user.IsAdminOf(township.DistrictId)
                      || (user.IsInRole(Roles.TownshipSecretary) && user.TownshipId() == townshipId);
        if (!allowed) return (null, Results.Forbid());
        var record = await store.ResolveAsync(township.DistrictId, m, ct);
        if (record is null) return (null, Results.Problem(title: $"{m.ToChinese()}没有启用的评分细则 (no rule set in force)", statusCode: 409));
        var rules = store.Parse(record);
        var villages = await db.Villages.AsNoTracking().Where(v => v.TownshipId == townshipId && v.IsActive).OrderBy(v => v.Code).ToListAsync(ct);
        var scope = TemplateScope.ForTownship(DivisionCode.Parse(township.District!.Code), township.District.Name,
            DivisionCode.Parse(township.Code), township.Name);
        return (new Context(m, township, villages, record.Id, rules, TemplateLayouts.From(rules, m), scope), null);
    }
}
