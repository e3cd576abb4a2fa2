using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Features.Organisation;
using EnvScore.Api.Features.Publication;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Rules;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Pages.Work;

/// <summary>
/// One village's sheet as a form. Writes go through EvaluationService (and PublicationService for a district
/// correction), so the checks and messages are exactly the API's.
/// </summary>
public class SheetModel(EnvScoreDbContext db, RuleSetStore ruleSets, EvaluationService sheets, EvidenceService evidence, PublicationService publications,
    TimeProvider time, PeopleNames names) : PageModel
{
    [BindProperty(SupportsGet = true)] public int VillageId { get; set; }
    [BindProperty(SupportsGet = true)] public string? M { get; set; }
    [BindProperty(SupportsGet = true)] public EvaluationKind Kind { get; set; } = EvaluationKind.Self;

    public EvaluationMonth Month { get; private set; }
    public Village? Village { get; private set; }
    public Evaluation? Sheet { get; private set; }
    public RuleSet? Rules { get; private set; }
    public bool Editable { get; private set; }
    /// <summary>May this user write this village's sheet of this kind at all (whatever its status)?</summary>
    public bool MayWrite { get; private set; }
    public bool Correcting { get; private set; }
    /// <summary>Why a sheet the user could otherwise edit is read-only now (the month's window is closed), in Chinese.</summary>
    public string? ClosedReason { get; private set; }
    public List<string> Errors { get; } = [];
    public Dictionary<string, List<string>> ItemErrors { get; } = [];
    /// <summary>The one headline of the error box: what was stored and what was not (e.g. 已保存为草稿，但未能提交…).</summary>
    public string ErrorTitle { get; private set; } = "未保存：";
    /// <summary>
    /// The draft was saved but 提交 was refused: the item messages are what blocks the submission (unanswered items),
    /// not bad values — the running score stays that of the saved draft.
    /// </summary>
    public bool SubmitRefused { get; private set; }
    /// <summary>Item messages in sheet order (<see cref="SheetOrder"/>), as the error box lists them.</summary>
    public IEnumerable<(string Code, string Message)> ItemErrorsInOrder =>
        Rules is null ? ItemErrors.SelectMany(e => e.Value.Select(m => (e.Key, m)))
            : SheetOrder.Sort(Rules, ItemErrors.SelectMany(e => e.Value.Select(m => (Code: e.Key, Message: m))), x => x.Code);
    /// <summary>What the form shows: the posted values after a refused save, else the stored entries.</summary>
    public Dictionary<string, EntryWrite> Values { get; private set; } = [];
    /// <summary>The text typed into each count field of a refused post ("三处", "-1"), shown again as typed next to its message.</summary>
    public Dictionary<string, string> Typed { get; } = [];
    public List<string> Vetoes { get; private set; } = [];
    public string? Note { get; private set; }
    /// <summary>On a district check: the township's self-evaluation answer per item, as words ("2处", "合格", "不适用").</summary>
    public Dictionary<string, string> SelfValues { get; private set; } = [];
    /// <summary>The running score of what the form shows, by the engine (the same computation as POST /api/sheet-preview).</summary>
    public SheetPreviewEndpoint.Preview? Preview => Rules is null ? null : SheetPreviewEndpoint.Compute(Rules, SheetForm.Of(Values.Values, Vetoes), OverdueProblems);
    /// <summary>每处逾期未整改问题: the village's count from the ledger at the end of the month (shown read-only, never a field).</summary>
    public int OverdueProblems { get; private set; }
    [TempData] public string? Message { get; set; }
    /// <summary>Why the last photo upload stored nothing (one line per problem), shown after the redirect.</summary>
    [TempData] public string? EvidenceError { get; set; }
    /// <summary>Which photos the last upload stored, shown after the redirect.</summary>
    [TempData] public string? EvidenceMessage { get; set; }
    /// <summary>Why this upload stored nothing, when the page answers at once (the typed values are shown again).</summary>
    public string? PhotoError { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ?? Page();

    public async Task<IActionResult> OnPostSaveAsync(bool submit, uint? version, CancellationToken ct)
    {
        if (await LoadAsync(ct) is { } refused) return refused;
        if (!Editable) { Errors.Add("该表当前不能修改"); return Page(); }
        var write = ReadForm();
        if (Errors.Count > 0 || ItemErrors.Count > 0) return Page();
        var outcome = Sheet is null
            ? await sheets.CreateAsync(User, new SheetWrite { VillageId = VillageId, Month = Month.ToString(), Kind = Kind.ToString(), Note = Note, Vetoes = Vetoes, Entries = [.. Values.Values] }, ct)
            : await sheets.ReplaceAsync(User, Sheet.Id, version, new SheetWrite { Note = Note, Vetoes = Vetoes, Entries = [.. Values.Values] }, ct);
        if (!Report(outcome)) return Page();
        var saved = ((SheetOutcome.Done)outcome).Sheet;
        if (submit)
        {
            var submitted = await sheets.SubmitAsync(User, saved.Id, saved.Version, ct);
            if (submitted is not SheetOutcome.Done)
            {
                // The draft is stored (the form now carries its new version); only the submission was refused.
                Sheet = saved;
                SubmitRefused = true;
                Report(submitted);
                ErrorTitle = submitted is SheetOutcome.InvalidEntries invalid
                    ? invalid.Problems.All(p => p.Kind == EnvScore.Domain.Scoring.EntryProblemKind.MissingRequired)
                        ? $"已保存为草稿，但未能提交：还有{invalid.Problems.Count}项未填写，填完后再点“提交”："
                        : $"已保存为草稿，但未能提交：以下{invalid.Problems.Count}处须填写或改正后才能提交："
                    : "已保存为草稿，但未能提交：";
                return Page();
            }
            Message = "已提交。提交后本表只读；如需修改请联系区里退回。";
        }
        else Message = "已保存草稿。";
        return RedirectToPage(new { villageId = VillageId, m = Month.ToString(), kind = Kind });
    }

    public async Task<IActionResult> OnPostCorrectAsync(string? reason, uint? version, CancellationToken ct)
    {
        if (await LoadAsync(ct) is { } refused) return refused;
        if (!Correcting || Sheet is null) { Errors.Add("本月未开启更正，不能更正"); return Page(); }
        ReadForm();
        if (Errors.Count > 0 || ItemErrors.Count > 0) return Page();
        var outcome = await publications.CorrectSheetAsync(User, Sheet.Id, version,
            new SheetCorrectionRequest(reason, Note, Vetoes, [.. Values.Values]), ct);
        switch (outcome)
        {
            case PublicationOutcome.SheetCorrected:
                Message = "已更正。请在\"计算与发布\"中重新计算本月，再发布更正版。";
                return RedirectToPage(new { villageId = VillageId, m = Month.ToString(), kind = Kind });
            case PublicationOutcome.InvalidSheet s: Report(s.Outcome); break;
            case PublicationOutcome.Invalid i: Errors.AddRange(i.Errors.SelectMany(e => e.Value)); break;
            case PublicationOutcome.Conflict c: Errors.Add(c.Message); break;
            default: Errors.Add("无权更正该表"); break;
        }
        return Page();
    }

    /// <summary>
    /// 上传照片: the button sits on the sheet form (formaction + multipart), so the upload carries what is typed. The typed
    /// values are checked exactly as 保存草稿 checks them; when anything is wrong nothing is stored (neither the sheet nor
    /// the photos) and the page answers with every problem next to its field, the typing kept. Otherwise the draft is
    /// saved with the typed values (created when the village has no sheet yet), then the photos go through the same
    /// <see cref="EvidenceService"/> as the API, and the page redirects back (PRG) with what was stored or why not.
    /// </summary>
    public async Task<IActionResult> OnPostEvidenceAsync([FromForm(Name = "file")] List<IFormFile> files, string? itemCode, uint? version, CancellationToken ct)
    {
        if (await LoadAsync(ct) is { } refused) return refused;
        if (!MayWrite) return Forbid();
        // A post that carries no sheet fields at all (a script, or a page from before 上传照片 joined the sheet form)
        // adds the photo only — under the evidence rules and their words — and never empties the stored sheet.
        var carriesSheet = Request.Form.Keys.Any(k => k is "note" or "veto" || k.StartsWith("v.", StringComparison.Ordinal)
            || k.StartsWith("c.", StringComparison.Ordinal) || k.StartsWith("cn.", StringComparison.Ordinal) || k.StartsWith("cd.", StringComparison.Ordinal)
            || k.StartsWith("na.", StringComparison.Ordinal) || k.StartsWith("z.", StringComparison.Ordinal));
        if (!Editable && carriesSheet) { PhotoError = "照片未上传：该表当前不能修改"; return Page(); }
        ReadForm();
        // A browser sends an unnamed, empty part when no file was chosen.
        var chosen = files.Where(f => f.Length > 0 || !string.IsNullOrEmpty(f.FileName)).ToList();
        if (carriesSheet && (Errors.Count > 0 || ItemErrors.Count > 0))
        {
            PhotoError = "照片未上传，评分表也未保存：请先改正上方标出的错误，再重新选择照片上传";
            return Page();
        }
        if (chosen.Count == 0) { PhotoError = "照片未上传：请先选择要上传的照片（已填写的内容尚未保存）"; return Page(); }
        var savedDraft = false;
        if (Sheet is null || (carriesSheet && Changed(Sheet)))
        {
            var outcome = Sheet is null
                ? await sheets.CreateAsync(User, new SheetWrite { VillageId = VillageId, Month = Month.ToString(), Kind = Kind.ToString(), Note = Note, Vetoes = Vetoes, Entries = [.. Values.Values] }, ct)
                : await sheets.ReplaceAsync(User, Sheet.Id, version, new SheetWrite { Note = Note, Vetoes = Vetoes, Entries = [.. Values.Values] }, ct);
            if (!Report(outcome)) { PhotoError = "照片未上传，评分表也未保存（原因见上方）"; return Page(); }
            Sheet = ((SheetOutcome.Done)outcome).Sheet;
            savedDraft = true;
        }
        var draftNote = savedDraft ? "已保存草稿。" : "";
        switch (await evidence.AddAsync(User, Sheet.Id, chosen, itemCode, ct))
        {
            case EvidenceOutcome.Added added:
                var names = string.Join("、", added.Files.Select(f => f.FileName));
                EvidenceMessage = draftNote + (added.Repeated == 0 ? $"已上传{added.Files.Count}张照片：{names}"
                    : added.Repeated == added.Files.Count ? $"照片此前已上传，未重复保存：{names}"
                    : $"已上传{added.Files.Count - added.Repeated}张照片，另有{added.Repeated}张此前已上传、未重复保存：{names}");
                break;
            case EvidenceOutcome.Refused { Status: 403 or 404 }: return Forbid();
            case EvidenceOutcome.Refused r:
                EvidenceError = string.Join("\n", r.Messages.Select(Web.Zh).Prepend($"{draftNote}照片未上传（本次选择的照片均未保存）："));
                break;
        }
        return RedirectToPage(null, null, new { villageId = VillageId, m = Month.ToString(), kind = Kind }, "evidence-title");
    }

    /// <summary>Does the form (as read) differ from the stored sheet? An unchanged sheet is not saved again (no empty audit row).</summary>
    private bool Changed(Evaluation stored)
    {
        static string Json(object o) => System.Text.Json.JsonSerializer.Serialize(o);
        var before = stored.Entries.OrderBy(e => e.ItemCode, StringComparer.Ordinal).Select(e => new EntryWrite
        {
            ItemCode = e.ItemCode, NotApplicable = e.NotApplicable, Count = e.Count, Level = e.Level, FailedSamples = e.FailedSamples,
            Passed = e.Passed, ZeroConditions = e.ZeroConditions, Note = e.Note, Clauses = e.Clauses,
        });
        var after = Values.Values.OrderBy(e => e.ItemCode, StringComparer.Ordinal);
        return Json(before) != Json(after) || (stored.Note ?? "") != (Note ?? "").Trim()
            || !stored.Vetoes.Order(StringComparer.Ordinal).SequenceEqual(Vetoes.Order(StringComparer.Ordinal));
    }

    public async Task<IActionResult> OnPostRemoveEvidenceAsync(int evidenceId, CancellationToken ct)
    {
        if (await LoadAsync(ct) is { } refused) return refused;
        if (!MayWrite || Sheet is null || Sheet.Evidence.All(f => f.Id != evidenceId)) return Forbid();
        switch (await evidence.RemoveAsync(User, evidenceId, ct))
        {
            case EvidenceOutcome.Removed removed: EvidenceMessage = $"已删除照片：{removed.File.FileName}"; break;
            case EvidenceOutcome.Refused { Status: 403 or 404 }: return Forbid();
            case EvidenceOutcome.Refused r: EvidenceError = r.Title; break;
        }
        return RedirectToPage(null, null, new { villageId = VillageId, m = Month.ToString(), kind = Kind }, "evidence-title");
    }

    /// <summary>Loads village, sheet and rules and decides the mode; a non-null result ends the request.</summary>
    private async Task<IActionResult?> LoadAsync(CancellationToken ct)
    {
        Month = Web.MonthOr(M, Web.CurrentMonth(time));
        Village = await db.Villages.AsNoTracking().Include(v => v.Township).SingleOrDefaultAsync(v => v.Id == VillageId, ct);
        if (Village is null) return NotFound();
        var districtId = Village.Township!.DistrictId;
        // The district office reads every sheet of its district; a secretary only its own township's self-evaluations.
        if (!User.CanRead(Kind, Village.TownshipId, districtId)) return Forbid();
        MayWrite = User.CanWrite(Kind, Village.TownshipId, districtId);
        Sheet = await db.Evaluations.AsNoTracking().VisibleTo(User).Include(e => e.Entries).Include(e => e.Evidence).AsSplitQuery()
            .SingleOrDefaultAsync(e => e.VillageId == VillageId && e.Month == Month.Key && e.Kind == Kind, ct);
        if (Sheet is not null) await names.LoadAsync([Sheet.UpdatedBy], ct);
        var record = Sheet is not null
            ? await db.RuleSets.AsNoTracking().SingleAsync(r => r.Id == Sheet.RuleSetId, ct)
            : await ruleSets.ResolveAsync(districtId, Month, ct);
        if (record is null) { Errors.Add($"{Month.ToChinese()}没有启用的评分细则"); return null; }
        Rules = ruleSets.Parse(record);
        OverdueProblems = await SheetPreviewEndpoint.OverdueCountAsync(db, Rules, districtId, VillageId, Month, ct);
        // Ask the feature what this user may do now (state, window, correction), rather than restate its rules: after the
        // sheet's deadline a draft is shown read-only, not as a form whose every button would be refused.
        var actions = await sheets.ActionsAsync(User, Sheet, Month, Kind, Village.TownshipId, districtId, ct);
        Editable = actions.MayEdit;
        if (actions.MayWrite && actions.Frozen is null && actions.Closed is { } closed) ClosedReason = Web.Zh(closed);
        Correcting = actions.MayCorrect;
        if (Kind == EvaluationKind.District)
        {
            var self = await db.Evaluations.AsNoTracking().Include(e => e.Entries)
                .SingleOrDefaultAsync(e => e.VillageId == VillageId && e.Month == Month.Key && e.Kind == EvaluationKind.Self, ct);
            if (self is not null) SelfValues = self.Entries.ToDictionary(e => e.ItemCode, e => Answer(Rules.Items.FirstOrDefault(i => i.Code == e.ItemCode), e));
        }
        if (Sheet is not null)
        {
            Values = Sheet.Entries.ToDictionary(e => e.ItemCode, e => new EntryWrite
            {
                ItemCode = e.ItemCode, NotApplicable = e.NotApplicable, Count = e.Count, Level = e.Level, FailedSamples = e.FailedSamples,
                Passed = e.Passed, ZeroConditions = e.ZeroConditions, Note = e.Note, Clauses = e.Clauses,
            });
            Vetoes = Sheet.Vetoes;
            Note = Sheet.Note;
        }
        return null;
    }

    /// <summary>Form fields → entries (<see cref="SheetForm"/>, shared with the preview); a field that is not a whole number is kept as typed.</summary>
    private SheetWrite ReadForm()
    {
        var read = SheetForm.Read(Rules!, Request.Form);
        Values = read.Entries;
        foreach (var (code, text) in read.Typed) Typed[code] = text;
        foreach (var (code, list) in read.Problems) foreach (var message in list) AddItemError(code, message);
        if (read.Problems.Count > 0)
        {
            // The fields that did parse are judged by the engine too (as 保存草稿 would judge them), so one save
            // shows every problem at once: "三处" and "-1" together, not one round after the other.
            var parseProblems = read.Problems.Sum(p => p.Value.Count);
            foreach (var p in SheetPreviewEndpoint.Compute(Rules!, read).Problems.Skip(parseProblems))
                if (p.Code is { } code) AddItemError(code, p.Message); else Errors.Add(p.Message);
            ErrorTitle = $"未保存任何内容：评分表有{ItemErrors.Sum(e => e.Value.Count) + Errors.Count}处错误，请逐条修改：";
        }
        Vetoes = read.Vetoes;
        Note = read.Note;
        return new SheetWrite();
    }

    private static string Answer(ScoringItem? item, EvaluationEntry e) =>
        e.NotApplicable ? "不适用"
        : e.ZeroConditions.Count > 0 ? "不得分情形"
        : item switch
        {
            LevelsItem l => l.Levels.FirstOrDefault(x => x.Code == e.Level)?.Name ?? "未填",
            PassFailItem => e.Passed switch { true => "合格", false => "不合格", _ => "未填" },
            SampledItem s => e.FailedSamples is { } n ? $"{n}{s.Unit}不合格" : "未填",
            PerOccurrenceItem o => e.Count is { } c ? $"{c}{o.Unit}" : "未填",
            _ => e.Count?.ToString() ?? "未填",
        };

    /// <summary>A photo's size as the list shows it: "820 KB", "3.4 MB".</summary>
    public static string Size(long bytes) => bytes >= 1024 * 1024
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024.0:0.0} MB")
        : $"{Math.Max(1, (bytes + 1023) / 1024)} KB";

    private void AddItemError(string code, string message)
    {
        if (!ItemErrors.TryGetValue(code, out var list)) ItemErrors[code] = list = [];
        list.Add(message);
    }

    /// <summary>
    /// Why a save met a newer version: who saved the sheet last and when, as recorded on the sheet — the user's own other
    /// tab or device as often as another person, so the page does not say 他人 when it was not.
    /// </summary>
    private string ChangedElsewhere()
    {
        if (Sheet is not { } current) return "该表已在别处（其他页面、其他设备或其他人）修改，请刷新页面后重新填写";
        var when = Web.Local(current.UpdatedAt);
        var where = current.UpdatedBy == User.Identity?.Name ? "由您本人在其他页面或设备上" : $"由{names.Of(current.UpdatedBy)}在别处";
        return $"该表已于{when}{where}保存过，本页是此前打开的旧内容。请刷新页面，在最新内容上重新填写";
    }

    /// <summary>True when done; otherwise the outcome's messages are added to the page.</summary>
    private bool Report(SheetOutcome outcome)
    {
        switch (outcome)
        {
            case SheetOutcome.Done: return true;
            case SheetOutcome.InvalidEntries invalid:
                ErrorTitle = $"未保存任何内容：评分表有{invalid.Problems.Count}处错误，请逐条修改：";
                foreach (var p in invalid.Problems)
                    if (p.ItemCode is { } code) AddItemError(code, p.Message); else Errors.Add(p.Message);
                return false;
            case SheetOutcome.InvalidFields fields: Errors.AddRange(fields.Errors.SelectMany(e => e.Value)); return false;
            case SheetOutcome.Conflict conflict: Errors.Add(conflict.Message); return false;
            case SheetOutcome.PreconditionFailed or SheetOutcome.PreconditionRequired:
                Errors.Add(ChangedElsewhere()); return false;
            case SheetOutcome.Forbidden: Errors.Add("无权修改该表"); return false;
            default: Errors.Add("该表不存在"); return false;
        }
    }
}
