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
/// A seam for tests, called after an upload is validated and before its transaction starts (no-op in
/// production). A test holds two uploads here to make them race deterministically.
/// </summary>
public class SpreadsheetImportHooks
{
    public virtual Task BeforeWriteAsync(CancellationToken ct) => Task.CompletedTask;
}

/// <summary>
/// A township's filled-in spreadsheet → its villages' sheets of one kind (self-evaluation, or the district's
/// spot-check for the villages checked): cell checks by the reader, item checks by the engine, then one
/// transaction for the whole township — all or nothing. An unchanged re-upload writes nothing. Concurrency as
/// every sheet write (<see cref="SheetWriter"/>): the rows are locked with <see cref="SheetWriter.LockAsync"/>
/// and their versions compared with those the upload was checked against; a concurrent change or a concurrent
/// upload makes the later one a 409 with nothing stored. Shared by the API and the web page.
/// </summary>
public class TownshipImport(EnvScoreDbContext db, RuleSetStore store, EvaluationService sheets, SheetWriter writer, IMapper mapper,
    TimeProvider time, SpreadsheetImportHooks hooks)
{
    public const string ConcurrentChange =
        "上传期间本乡镇的评比表被其他人修改（或同一时间有另一份表上传），本次未导入任何内容。请重新下载最新的表核对后再上传 (changed concurrently; nothing stored)";

    public Task<ImportReport> RunAsync(ClaimsPrincipal user, string? month, int townshipId, IFormFile? file, bool submit, CancellationToken ct) =>
        RunAsync(user, month, townshipId, EvaluationKind.Self, file, submit, ct);

    public async Task<ImportReport> RunAsync(ClaimsPrincipal user, string? month, int townshipId, EvaluationKind kind, IFormFile? file, bool submit,
        CancellationToken ct)
    {
        var (context, status, failure) = await TownshipMonth.LoadAsync(user, month, townshipId, kind, db, store, ct);
        if (context is null) return new ImportReport(status, failure!, [], []);
        if (file is null || file.Length == 0)
            return new ImportReport(400, "请在表单字段\"file\"中上传填好的Excel文件 (upload the .xlsx in form field \"file\")", [], []);
        if (await sheets.WindowConflict(context.Township.DistrictId, context.Month, kind, ct) is SheetOutcome.Conflict late)
            return new ImportReport(409, late.Message, [], []);

        var spotCheck = kind == EvaluationKind.District;
        TemplateImportResult parsed;
        await using (var stream = file.OpenReadStream())
            parsed = TemplateReader.Read(stream, context.Layout, context.Scope, [.. context.Villages.Select(v => DivisionCode.Parse(v.Code))],
                new TemplateImportOptions { RequireAllVillages = !spotCheck, BlankRowsAreNotChecked = spotCheck });
        var problems = parsed.Errors.Select(Issue).ToList();
        var warnings = parsed.Problems.Where(p => p.Severity == ProblemSeverity.Warning).Select(Issue).ToList();

        var byCode = context.Villages.ToDictionary(v => v.Code);
        // What the upload is checked against; compared again under the row locks before anything is written.
        var seen = await Scope(townshipId, context.Month, kind).AsNoTracking()
            .Select(e => new { e.VillageId, e.Id, e.Version, e.Status }).ToDictionaryAsync(e => e.VillageId, ct);
        // Submitted or locked sheets: a row that still says exactly what is stored is left alone (counted unchanged) —
        // the template comes pre-filled with them, so a township that submitted a village on the web form can still
        // upload the rest; a row that differs is refused.
        var frozenIds = seen.Values.Where(s => !Evaluation.AllowsEdit(s.Status)).Select(s => s.Id).ToList();
        var frozen = frozenIds.Count == 0 ? [] : await db.Evaluations.AsNoTracking().Include(e => e.Entries)
            .Where(e => frozenIds.Contains(e.Id)).ToDictionaryAsync(e => e.VillageId, ct);
        var frozenUnchanged = 0;
        var incoming = new List<(Village Village, List<EvaluationEntry> Entries, List<string> Vetoes, string? Note)>();
        foreach (var row in parsed.Villages.Where(r => !r.HasProblems))
        {
            var village = byCode[row.Code.Value];
            if (row.IsBlankRow)
            {
                if (seen.ContainsKey(village.Id))
                    warnings.Add(RowProblem(row, null, null, $"第{row.RowNumber}行 {village.Name}：整行空白，未导入；已有的{EvaluationService.KindName(kind)}表保持不变 (blank row: stored sheet kept)"));
                continue;
            }
            if (frozen.TryGetValue(village.Id, out var kept))
            {
                // Compared by meaning, and as a row that is not submitted again: the upload never changes a frozen sheet.
                var (asUploaded, _) = TemplateLayouts.Entries(context.Rules, row.Values);
                var same = AsUploaded(kept, asUploaded, VetoesOf(row.Values.VetoCode), row.Values.Note, submit: false);
                if (AuditWriter.Snapshot(Meaning(same)) == AuditWriter.Snapshot(Meaning(kept))) { frozenUnchanged++; continue; }
                problems.Add(RowProblem(row, null, null, $"第{row.RowNumber}行 {village.Name}：本月{EvaluationService.KindName(kind)}表{EvaluationService.StatusName(kept.Status)}，" +
                    $"表中内容与{EvaluationService.StatusName(kept.Status)}的不同，不能再导入；请恢复为下载时的内容，或联系区里退回后再修改 (the sheet is {kept.Status} and the row differs)"));
                continue;
            }
            if (row.Values.Note is { Length: > EvaluationService.MaxNoteLength } longNote)
            {
                var cell = row.ItemCells.GetValueOrDefault(TemplateConventions.NoteToken);
                problems.Add(RowProblem(row, null, cell,
                    $"{cell}（第{row.RowNumber}行 {village.Name} 备注）：备注不能超过{EvaluationService.MaxNoteLength}字，实际为{longNote.Length}字 (note too long)"));
                continue;
            }
            var (entries, conflicts) = TemplateLayouts.Entries(context.Rules, row.Values);
            foreach (var (token, message) in conflicts)
            {
                var cell = row.ItemCells.GetValueOrDefault(token);
                problems.Add(RowProblem(row, token.Split('.')[0], cell, $"{cell}（第{row.RowNumber}行 {village.Name}）：{message}"));
            }
            if (conflicts.Count > 0) continue;
            var candidate = new Evaluation
            {
                CreatedBy = "", UpdatedBy = "", Entries = entries,
                Vetoes = VetoesOf(row.Values.VetoCode), Note = row.Values.Note,
            };
            foreach (var p in EvaluationService.Problems(context.Rules, candidate, submit, mapper))
            {
                var title = context.Rules.Items.FirstOrDefault(i => i.Code == p.ItemCode)?.Title
                            ?? context.Rules.Bonus.Items.FirstOrDefault(b => b.Code == p.ItemCode)?.Title ?? p.ItemCode;
                var cell = TemplateLayouts.Token(context.Rules, p.ItemCode, p.Field) is { } c && row.ItemCells.TryGetValue(c, out var at) ? at : null;
                var where = cell is null ? $"第{row.RowNumber}行 {village.Name} {title}：" : $"{cell}（第{row.RowNumber}行 {village.Name} {title}）：";
                problems.Add(RowProblem(row, p.ItemCode, cell, where + p.Message));
            }
            incoming.Add((village, candidate.Entries, candidate.Vetoes, candidate.Note));
        }
        if (problems.Count > 0)
            return new ImportReport(400, $"表格有{problems.Count}处问题，未导入任何内容，请按提示修改后重新上传 (the file has {problems.Count} problems; nothing was stored)",
                problems, warnings);

        await hooks.BeforeWriteAsync(ct);

        // All or nothing: one transaction for the whole township, under the same row locks as the sheet writer.
        var userName = user.Identity!.Name!;
        var now = time.GetUtcNow();
        int created = 0, updated = 0, unchanged = frozenUnchanged;
        await using var tx = await writer.BeginAsync(ct);
        await writer.LockAsync([.. seen.Values.Select(e => e.Id)], ct);
        var existing = await Scope(townshipId, context.Month, kind)
            .Include(e => e.Entries).Include(e => e.Evidence).AsSplitQuery().ToDictionaryAsync(e => e.VillageId, ct);
        if (existing.Count != seen.Count || existing.Any(e => !seen.TryGetValue(e.Key, out var s) || s.Version != e.Value.Version))
            return new ImportReport(409, ConcurrentChange, [], warnings);
        foreach (var (village, entries, vetoes, note) in incoming)
        {
            existing.TryGetValue(village.Id, out var stored);
            var before = stored is null ? null : AuditWriter.Snapshot(stored);
            // The sheet as uploaded is the sheet as stored: a blank 备注 clears the note.
            var newNote = NoteAsStored(note);
            // A re-upload of the same file changes nothing (no write, no audit row).
            if (stored is not null && AuditWriter.Snapshot(AsUploaded(stored, entries, vetoes, note, submit)) == before) { unchanged++; continue; }
            var sheet = stored ?? new Evaluation
            {
                VillageId = village.Id, TownshipId = townshipId, DistrictId = context.Township.DistrictId, Month = context.Month.Key,
                Kind = kind, RuleSetId = context.RuleSetId, CreatedAt = now, CreatedBy = userName,
                UpdatedAt = now, UpdatedBy = userName,
            };
            if (stored is not null) db.EvaluationEntries.RemoveRange(stored.Entries);
            sheet.Entries = entries;
            sheet.Vetoes = vetoes;
            sheet.Note = newNote;
            if (submit) sheet.Submit(userName, now);
            sheet.UpdatedAt = now;
            sheet.UpdatedBy = userName;
            if (stored is null) { db.Evaluations.Add(sheet); created++; }
            else
            {
                // The row itself is written even when only its entries changed, so that its version (xmin, the
                // ETag) moves and every other writer holding the old one is refused.
                db.Entry(sheet).Property(e => e.UpdatedAt).IsModified = true;
                updated++;
            }
            // A concurrent upload that created the same sheet first: unique violation → 409, nothing kept.
            if (!await TrySaveAsync(ct)) return new ImportReport(409, ConcurrentChange, [], warnings);
            writer.Record(userName, stored is null ? "Evaluation.Import" : "Evaluation.ImportUpdate", sheet, before);
        }
        if (!await TrySaveAsync(ct)) return new ImportReport(409, ConcurrentChange, [], warnings);
        EnvScore.Api.Infrastructure.Faults.FaultPoint.Reach(EnvScore.Api.Infrastructure.Faults.FaultPoint.ImportBeforeCommit);
        await tx.CommitAsync(ct);
        return new ImportReport(200, $"导入成功：新建{created}份，更新{updated}份，未变{unchanged}份{(submit ? "，已全部提交" : "（草稿）")} (imported)",
            [], warnings, created, updated, unchanged, submit);
    }

    /// <summary>
    /// The stored sheet as an uploaded row would leave it, for telling an unchanged row (by its audit snapshot): the row's
    /// entries, vetoes and note (<see cref="NoteAsStored"/>) over the stored sheet's identity, status, return reason and
    /// evidence; <paramref name="submit"/> makes it Submitted and clears the return reason, as the write does.
    /// </summary>
    private static Evaluation AsUploaded(Evaluation stored, List<EvaluationEntry> entries, List<string> vetoes, string? note, bool submit) => new Evaluation
    {
        Id = stored.Id, VillageId = stored.VillageId, Month = stored.Month, Kind = stored.Kind, CreatedBy = "", UpdatedBy = "",
        Note = NoteAsStored(note), Vetoes = vetoes, Entries = entries, Evidence = stored.Evidence,
    }.WithHistory(submit ? EvaluationStatus.Submitted : stored.Status, returnReason: submit ? null : stored.ReturnReason);

    /// <summary>A row's 备注 as stored: trimmed; blank clears the note.</summary>
    private static string? NoteAsStored(string? note) => string.IsNullOrWhiteSpace(note) ? null : note.Trim();

    /// <summary>A row's 一票否决 cell as the sheet's veto list.</summary>
    private static List<string> VetoesOf(string? vetoCode) => vetoCode is { } v ? [v] : [];

    /// <summary>
    /// A sheet as its meaning: entries that say nothing (a count or failed samples of 0 or none, no level, no pass/fail,
    /// no N/A, no condition, no note, no clause input other than 0/no) left out — a blank counting cell reads as 0,
    /// while the web form or the API may have left the item out; both mean "nothing found".
    /// </summary>
    private static Evaluation Meaning(Evaluation e)
    {
        static bool Silent(ClauseValue c) => (c.Count ?? 0) == 0 && c.Level is null && c.Yes is not true && c.Percent is null && c.Numerator is null && c.Denominator is null;
        static bool Empty(EvaluationEntry x) => (x.Count ?? 0) == 0 && (x.FailedSamples ?? 0) == 0 && x.Level is null && x.Passed is null && !x.NotApplicable
            && x.ZeroConditions.Count == 0 && string.IsNullOrWhiteSpace(x.Note) && (x.Clauses ?? []).All(Silent);
        return new Evaluation
        {
            Id = e.Id, VillageId = e.VillageId, Month = e.Month, Kind = e.Kind, CreatedBy = "", UpdatedBy = "",
            Note = e.Note, Vetoes = e.Vetoes, Entries = [.. e.Entries.Where(x => !Empty(x))],
        }.WithHistory(e.Status, returnReason: e.ReturnReason);
    }

    private IQueryable<Evaluation> Scope(int townshipId, Domain.Calendar.EvaluationMonth month, EvaluationKind kind) =>
        db.Evaluations.Where(e => e.TownshipId == townshipId && e.Month == month.Key && e.Kind == kind);

    private async Task<bool> TrySaveAsync(CancellationToken ct)
    {
        try
        {
            return await db.TrySaveUniqueAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return false;
        }
    }

    private static ImportIssue Issue(ImportProblem p) =>
        new(p.Kind.ToString(), p.Message, p.SheetName, p.CellReference, p.RowNumber, p.VillageCode, p.VillageName, p.ItemCode, p.ItemTitle);

    private static ImportIssue RowProblem(ParsedVillage row, string? itemCode, string? cell, string message) =>
        new("Entry", message, null, cell, row.RowNumber, row.Code.Value, row.Name, itemCode, null);
}
