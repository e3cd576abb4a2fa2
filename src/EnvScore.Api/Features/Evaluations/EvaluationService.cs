using AutoMapper;
using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Audit;
using EnvScore.Api.Features.Calendar;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Api.Infrastructure.Http;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Scoring;
using Microsoft.EntityFrameworkCore;
using System.Security.Claims;

namespace EnvScore.Api.Features.Evaluations;

/// <summary>
/// The sheet workflow: create, replace, patch, submit, return — the rules of who, when and what; the state rules are the
/// aggregate's (<see cref="Evaluation.EditRefusal"/> and its transitions) and every write goes through <see cref="SheetWriter"/>
/// (row lock, If-Match, audit), so two writers are serialised and the second one's If-Match is stale (412): nobody
/// overwrites anybody silently. <see cref="ActionsAsync"/> tells the pages what a user may do with a sheet.
/// </summary>
public class EvaluationService(
    EnvScoreDbContext db, RuleSetStore ruleSets, CalendarService calendars, SheetWriter writer, IMapper mapper, TimeProvider time)
{
    public const int MaxNoteLength = 2000;

    public async Task<SheetOutcome> CreateAsync(ClaimsPrincipal user, SheetWrite write, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (!EvaluationMonth.TryParse(write.Month, out var month))
            errors["month"] = [$"月份格式应为\"yyyy-MM\"（如\"2026-11\"）或yyyymm整数（如202611），实际为\"{write.Month}\" (month must be yyyy-MM or yyyymm)"];
        if (!Enum.TryParse<EvaluationKind>(write.Kind, ignoreCase: true, out var kind))
            errors["kind"] = [$"类型应为Self（乡镇自评）或District（区级抽查），实际为\"{write.Kind}\" (kind must be Self or District)"];
        var village = await db.Villages.AsNoTracking().Include(v => v.Township).SingleOrDefaultAsync(v => v.Id == write.VillageId, ct);
        if (village is null) errors["villageId"] = [$"村（社区）编号{write.VillageId}不存在 (village not found)"];
        else if (!village.IsActive) errors["villageId"] = [$"{village.Name}已停用 (the village is inactive)"];
        if (write.Note?.Length > MaxNoteLength) errors["note"] = [$"备注不能超过{MaxNoteLength}字 (note too long)"];
        if (errors.Count > 0) return new SheetOutcome.InvalidFields(errors);

        var districtId = village!.Township!.DistrictId;
        if (!user.CanWrite(kind, village.TownshipId, districtId)) return new SheetOutcome.Forbidden();
        if (await WindowConflict(districtId, month, kind, ct) is { } late) return late;
        var record = await ruleSets.ResolveAsync(districtId, month, ct);
        if (record is null) return new SheetOutcome.Conflict($"{month.ToChinese()}没有启用的评分细则 (no rule set in force for this month)");
        var existing = await db.Evaluations.AsNoTracking()
            .Where(e => e.VillageId == village.Id && e.Month == month.Key && e.Kind == kind).Select(e => (int?)e.Id).SingleOrDefaultAsync(ct);
        if (existing is not null)
            return new SheetOutcome.Conflict($"{village.Name}{month.ToChinese()}的{KindName(kind)}表已存在（编号{existing}），请修改该表 (the sheet exists: edit it)");

        var sheet = new Evaluation
        {
            VillageId = village.Id, TownshipId = village.TownshipId, DistrictId = districtId, Month = month.Key, Kind = kind,
            RuleSetId = record.Id, Note = write.Note?.Trim(), Vetoes = Clean(write.Vetoes),
            Entries = (write.Entries ?? []).Select(mapper.Map<EvaluationEntry>).ToList(),
            CreatedAt = time.GetUtcNow(), CreatedBy = user.Identity!.Name!, UpdatedAt = time.GetUtcNow(), UpdatedBy = user.Identity!.Name!,
        };
        if (Validate(record, sheet, forSubmission: false) is { } invalid) return invalid;

        if (!await writer.CreateAsync(user.Identity!.Name!, sheet, ct))
            return new SheetOutcome.Conflict($"{village.Name}{month.ToChinese()}的{KindName(kind)}表已存在 (the sheet exists)");
        return new SheetOutcome.Done(sheet, Created: true);
    }

    public Task<SheetOutcome> ReplaceAsync(ClaimsPrincipal user, int id, EntityTagCondition? ifMatch, SheetWrite write, CancellationToken ct) =>
        EditAsync(user, id, ifMatch, "Evaluation.Replace", (sheet, record) =>
        {
            if (write.Month is not null && (!EvaluationMonth.TryParse(write.Month, out var m) || m.Key != sheet.Month))
                return Fields("month", "不能修改表的月份 (the month of a sheet cannot change)");
            if (write.VillageId != 0 && write.VillageId != sheet.VillageId)
                return Fields("villageId", "不能修改表所属的村（社区） (the village of a sheet cannot change)");
            if (write.Kind is not null && !string.Equals(write.Kind, sheet.Kind.ToString(), StringComparison.OrdinalIgnoreCase))
                return Fields("kind", "不能修改表的类型 (the kind of a sheet cannot change)");
            if (write.Note?.Length > MaxNoteLength) return Fields("note", $"备注不能超过{MaxNoteLength}字 (note too long)");
            sheet.Note = write.Note?.Trim();
            sheet.Vetoes = Clean(write.Vetoes);
            db.EvaluationEntries.RemoveRange(sheet.Entries);
            sheet.Entries = (write.Entries ?? []).Select(mapper.Map<EvaluationEntry>).ToList();
            return Validate(record, sheet, forSubmission: false);
        }, ct);

    public Task<SheetOutcome> PatchAsync(ClaimsPrincipal user, int id, EntityTagCondition? ifMatch, SheetPatch patch, CancellationToken ct) =>
        EditAsync(user, id, ifMatch, "Evaluation.Update", (sheet, record) =>
        {
            if (patch.Note?.Length > MaxNoteLength) return Fields("note", $"备注不能超过{MaxNoteLength}字 (note too long)");
            if (patch.ClearNote) sheet.Note = null;
            else if (patch.Note is not null) sheet.Note = patch.Note.Trim();
            if (patch.ClearVetoes) sheet.Vetoes = [];
            else if (patch.Vetoes is not null) sheet.Vetoes = Clean(patch.Vetoes);
            // Merged by item code: an item twice in one PATCH would silently keep the last; the engine's rule says duplicate.
            var twice = (patch.Entries ?? []).GroupBy(w => w.ItemCode.Trim()).Where(g => g.Count() > 1)
                .Select(g => new EntryProblem(EntryProblemKind.DuplicateItem, g.Key, nameof(ItemEntry.ItemCode), $"评分项\"{g.Key}\"重复填写 (item entered twice)")).ToList();
            if (twice.Count > 0) return new SheetOutcome.InvalidEntries(twice);
            foreach (var write in patch.Entries ?? [])
            {
                var code = write.ItemCode.Trim();
                var entry = sheet.Entries.SingleOrDefault(e => e.ItemCode == code);
                if (entry is null) sheet.Entries.Add(mapper.Map<EvaluationEntry>(write));
                else mapper.Map(write, entry);
            }
            return Validate(record, sheet, forSubmission: false);
        }, ct);

    public Task<SheetOutcome> SubmitAsync(ClaimsPrincipal user, int id, EntityTagCondition? ifMatch, CancellationToken ct) =>
        EditAsync(user, id, ifMatch, "Evaluation.Submit", (sheet, record) =>
        {
            if (Validate(record, sheet, forSubmission: true) is { } invalid) return invalid;
            sheet.Submit(user.Identity!.Name!, time.GetUtcNow());
            return null;
        }, ct);

    /// <summary>DistrictAdmin sends a submitted sheet back, with a reason, before the deadline.</summary>
    public async Task<SheetOutcome> ReturnAsync(ClaimsPrincipal user, int id, EntityTagCondition? ifMatch, string? reason, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(reason)) return Fields("reason", "退回必须填写原因 (a reason is required)");
        return await writer.ChangeAsync(user, id, ifMatch, "Evaluation.Return", sheet => user.IsAdminOf(sheet.DistrictId), async sheet =>
        {
            // The state's refusal first (the sheet's own), then the month's window.
            if (sheet.Status == EvaluationStatus.Submitted
                && await WindowConflict(sheet.DistrictId, EvaluationMonth.FromKey(sheet.Month), sheet.Kind, ct) is { } late) return late;
            return sheet.Return(reason);
        }, ct);
    }

    /// <summary>An edit by a writer of the sheet: Draft or Returned, within the window.</summary>
    private Task<SheetOutcome> EditAsync(ClaimsPrincipal user, int id, EntityTagCondition? ifMatch, string action,
        Func<Evaluation, RuleSetRecord, SheetOutcome?> change, CancellationToken ct) =>
        writer.ChangeAsync(user, id, ifMatch, action, sheet => user.CanWrite(sheet.Kind, sheet.TownshipId, sheet.DistrictId), async sheet =>
        {
            if (sheet.EditRefusal() is { } frozen) return frozen;
            if (await WindowConflict(sheet.DistrictId, EvaluationMonth.FromKey(sheet.Month), sheet.Kind, ct) is { } late) return late;
            var record = await db.RuleSets.AsNoTracking().SingleAsync(r => r.Id == sheet.RuleSetId, ct);
            return change(sheet, record);
        }, ct);

    /// <summary>
    /// What <paramref name="user"/> may do with the sheet (or the absent sheet) of a village in <paramref name="townshipId"/>
    /// and <paramref name="districtId"/> for <paramref name="month"/> and <paramref name="kind"/> (<see cref="SheetActions.For"/>).
    /// </summary>
    public async Task<SheetActions> ActionsAsync(ClaimsPrincipal user, Evaluation? sheet, EvaluationMonth month, EvaluationKind kind,
        int townshipId, int districtId, CancellationToken ct)
    {
        var window = await WindowConflict(districtId, month, kind, ct) as SheetOutcome.Conflict;
        var correctionOpen = sheet is not null && user.IsAdminOf(districtId)
            && await db.Publications.AnyAsync(p => p.DistrictId == districtId && p.Month == month.Key && p.CorrectionOpen, ct);
        return SheetActions.For(user, sheet, kind, townshipId, districtId, window, correctionOpen);
    }

    /// <summary>Self sheets: from opening to the township deadline; district checks: to the district-check deadline.</summary>
    public async Task<SheetOutcome?> WindowConflict(int districtId, EvaluationMonth month, EvaluationKind kind, CancellationToken ct)
    {
        var calendar = await calendars.ForMonthAsync(districtId, month, ct);
        var now = time.GetUtcNow();
        var deadline = kind == EvaluationKind.Self ? calendar.TownshipDeadline : calendar.DistrictCheckDeadline;
        if (now < calendar.OpensAt)
            return new SheetOutcome.Conflict($"{month.ToChinese()}的评比尚未开放（{Local(calendar.OpensAt)}开放） (not open yet)");
        if (now >= deadline)
            return new SheetOutcome.Conflict($"已超过{month.ToChinese()}{KindName(kind)}的截止时间（{Local(deadline)}） (past the deadline)");
        return null;
    }

    private SheetOutcome? Validate(RuleSetRecord record, Evaluation sheet, bool forSubmission)
    {
        var problems = Problems(ruleSets.Parse(record), sheet, forSubmission, mapper);
        return problems.Count == 0 ? null : new SheetOutcome.InvalidEntries(problems);
    }

    /// <summary>The engine's verdict on a sheet's entries, in sheet order (<see cref="SheetOrder"/>); drafts may be partial (missing items allowed).</summary>
    public static IReadOnlyList<EntryProblem> Problems(Domain.Rules.RuleSet rules, Evaluation sheet, bool forSubmission, IMapper mapper)
    {
        var entries = new SheetEntries(sheet.Entries.Select(mapper.Map<ItemEntry>).ToList(), sheet.Vetoes);
        var duplicates = sheet.Entries.SelectMany(e => e.Clauses.GroupBy(c => c.Code).Where(g => g.Count() > 1)
            .Select(g => new EntryProblem(EntryProblemKind.DuplicateItem, e.ItemCode, $"{nameof(ItemEntry.Clauses)}.{g.Key}",
                $"细则\"{g.Key}\"重复填写 (clause entered twice)")));
        return SheetOrder.Sort(rules, duplicates.Concat(ScoringEngine.Validate(rules, entries))
            .Where(p => forSubmission || p.Kind != EntryProblemKind.MissingRequired), p => p.ItemCode);
    }

    private static List<string> Clean(List<string>? codes) => (codes ?? []).Select(c => c.Trim()).Where(c => c.Length > 0).ToList();
    private static SheetOutcome.InvalidFields Fields(string field, string message) => new(new() { [field] = [message] });
    private static string Local(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, ChinaTime.Zone).ToString("yyyy-MM-dd HH:mm");
    public static string KindName(EvaluationKind kind) => kind == EvaluationKind.Self ? "乡镇自评" : "区级抽查";
    public static string StatusName(EvaluationStatus s) => s switch
    {
        EvaluationStatus.Draft => "草稿", EvaluationStatus.Submitted => "已提交", EvaluationStatus.Returned => "已退回", _ => "已锁定",
    };
}
