using System.Security.Claims;
using AutoMapper;
using EnvScore.Api.Features.Audit;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Features.Organisation;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Organisation;
using EnvScore.Spreadsheets.Templates;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Spreadsheets;

/// <summary>One problem of an upload, as the API answers it and the page shows it.</summary>
public sealed record ImportIssue(string Kind, string Message, string? Sheet, string? Cell, int? Row,
    string? VillageCode, string? VillageName, string? ItemCode, string? ItemTitle);

/// <summary>The answer to an upload: 200 with counts, or an error status with every problem.</summary>
public sealed record ImportReport(int Status, string Title, IReadOnlyList<ImportIssue> Problems, IReadOnlyList<ImportIssue> Warnings,
    int Created = 0, int Updated = 0, int Unchanged = 0, bool Submitted = false);

/// <summary>
/// A township's filled-in spreadsheet → its villages' self-evaluations: cell checks by the reader, item
/// checks by the engine, then one transaction for the whole township — all or nothing. An unchanged
/// re-upload writes nothing. Shared by the API and the web page, so both give the same messages.
/// </summary>
public class TownshipImport(EnvScoreDbContext db, RuleSetStore store, EvaluationService sheets, AuditWriter audit, IMapper mapper, TimeProvider time)
{
    public async Task<ImportReport> RunAsync(ClaimsPrincipal user, string? month, int townshipId, IFormFile? file, bool submit, CancellationToken ct)
    {
        var (context, status, failure) = await TownshipMonth.LoadAsync(user, month, townshipId, db, store, ct);
        if (context is null) return new ImportReport(status, failure!, [], []);
        if (file is null || file.Length == 0)
            return new ImportReport(400, "请在表单字段\"file\"中上传填好的Excel文件 (upload the .xlsx in form field \"file\")", [], []);
        if (await sheets.WindowConflict(context.Township.DistrictId, context.Month, EvaluationKind.Self, ct) is SheetOutcome.Conflict late)
            return new ImportReport(409, late.Message, [], []);


        TemplateImportResult parsed;
        await using (var stream = file.OpenReadStream())
            parsed = TemplateReader.Read(stream, context.Layout, context.Scope, [.. context.Villages.Select(v => DivisionCode.Parse(v.Code))]);
        var problems = parsed.Errors.Select(Issue).ToList();
        var warnings = parsed.Problems.Where(p => p.Severity == ProblemSeverity.Warning).Select(Issue).ToList();

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
            foreach (var p in EvaluationService.Problems(context.Rules, candidate, submit, mapper))
            {
                var title = context.Rules.Items.FirstOrDefault(i => i.Code == p.ItemCode)?.Title ?? p.ItemCode;
                problems.Add(RowProblem(row, p.ItemCode, $"第{row.RowNumber}行 {village.Name} {title}：{p.Message}"));
            }
            incoming.Add((village, stored, candidate.Entries, candidate.Vetoes, candidate.Note));
        }
        if (problems.Count > 0)
            return new ImportReport(400, $"表格有{problems.Count}处问题，未导入任何内容，请按提示修改后重新上传 (the file has {problems.Count} problems; nothing was stored)",
                problems, warnings);

        // All or nothing: one transaction for the whole township.
        var userName = user.Identity!.Name!;
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
                    Status = submit ? EvaluationStatus.Submitted : stored.Status,
                    Note = string.IsNullOrWhiteSpace(note) ? stored.Note : note.Trim(), Vetoes = vetoes,
                    ReturnReason = submit ? null : stored.ReturnReason, Entries = entries, Evidence = stored.Evidence,
                };
                if (AuditWriter.Snapshot(preview) == before) { unchanged++; continue; }
            }
            var sheet = stored ?? new Evaluation
            {
                VillageId = village.Id, TownshipId = townshipId, DistrictId = context.Township.DistrictId, Month = context.Month.Key,
                Kind = EvaluationKind.Self, RuleSetId = context.RuleSetId, Status = EvaluationStatus.Draft, CreatedAt = now, CreatedBy = userName,
                UpdatedAt = now, UpdatedBy = userName,
            };
            if (stored is not null) db.EvaluationEntries.RemoveRange(stored.Entries);
            sheet.Entries = entries;
            sheet.Vetoes = vetoes;
            sheet.Note = string.IsNullOrWhiteSpace(note) ? sheet.Note : note.Trim();
            if (submit)
            {
                sheet.Status = EvaluationStatus.Submitted;
                sheet.SubmittedAt = now;
                sheet.SubmittedBy = userName;
                sheet.ReturnReason = null;
            }
            sheet.UpdatedAt = now;
            sheet.UpdatedBy = userName;
            if (stored is null) { db.Evaluations.Add(sheet); created++; } else updated++;
            await db.SaveChangesAsync(ct);
            audit.Record(userName, stored is null ? "Evaluation.Import" : "Evaluation.ImportUpdate", sheet, before, AuditWriter.Snapshot(sheet));
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new ImportReport(200, $"导入成功：新建{created}份，更新{updated}份，未变{unchanged}份{(submit ? "，已全部提交" : "（草稿）")} (imported)",
            [], warnings, created, updated, unchanged, submit);
    }

    private static ImportIssue Issue(ImportProblem p) =>
        new(p.Kind.ToString(), p.Message, p.SheetName, p.CellReference, p.RowNumber, p.VillageCode, p.VillageName, p.ItemCode, p.ItemTitle);

    private static ImportIssue RowProblem(ParsedVillage row, string? itemCode, string message) =>
        new("Entry", message, null, null, row.RowNumber, row.Code.Value, row.Name, itemCode, null);
}
