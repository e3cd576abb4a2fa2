using EnvScore.Api.Features.Rectifications;
using EnvScore.Api.Infrastructure.Data;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Pages.Work.Problems;

/// <summary>
/// One problem: what was found, photos before and after, and the forms of exactly the actions
/// <see cref="RectificationRules.Allowed"/> gives the user now — the secretary's fix (after-photo and note), the
/// inspector's review (销号 or 复核未通过 with a reason), the inspector's further before-photos. Every form carries the
/// version it was rendered from (If-Match).
/// </summary>
public class DetailModel(EnvScoreDbContext db, RectificationService service, RectificationLedger ledger) : PageModel
{
    public Rectification? Problem { get; private set; }
    public string VillageName { get; private set; } = "";
    public string TownshipName { get; private set; } = "";
    public IReadOnlyList<RectificationAction> Allowed { get; private set; } = [];
    /// <summary>Every fix and review in order (<see cref="RectificationHistory"/>).</summary>
    public IReadOnlyList<HistoryStep> History { get; private set; } = [];
    public string? Message { get; private set; }
    public string? Error { get; private set; }
    public bool Overdue => Problem is { } p && RectificationRules.IsOverdue(p, ledger.Today);

    public async Task<IActionResult> OnGetAsync(int id, string? done, CancellationToken ct)
    {
        Message = done switch
        {
            "created" => "问题已上报。", "fixed" => "已上报整改，等待区级复核。", "closed" => "已复核通过并销号。",
            "rejected" => "已退回整改（复核未通过）。", "photo" => "照片已上传。", _ => null,
        };
        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    /// <summary>What the user typed into the forms, shown again when the action is refused (nothing typed is lost).</summary>
    public string? TypedFixNote { get; private set; }
    public string? TypedReviewNote { get; private set; }
    public string? TypedReason { get; private set; }

    public Task<IActionResult> OnPostFixAsync(int id, uint version, string? note, string? capturedAt, List<IFormFile> file, CancellationToken ct)
    {
        TypedFixNote = note;
        return Act(id, "fixed", async () => await service.FixWithPhotosAsync(User, id, version, await Photos(file, capturedAt, ct), note, ct), ct);
    }

    public Task<IActionResult> OnPostPhotoAsync(int id, string? capturedAt, List<IFormFile> file, CancellationToken ct) =>
        Act(id, "photo", async () => await service.AddPhotosAsync(User, id, RectificationPhotoKind.Before, await Photos(file, capturedAt, ct), ct), ct);

    public Task<IActionResult> OnPostCloseAsync(int id, uint version, string? note, CancellationToken ct)
    {
        TypedReviewNote = note;
        return Act(id, "closed", () => service.CloseAsync(User, id, version, note, ct), ct);
    }

    public Task<IActionResult> OnPostRejectAsync(int id, uint version, string? reason, CancellationToken ct)
    {
        TypedReason = reason;
        return Act(id, "rejected", () => service.RejectAsync(User, id, version, reason, ct), ct);
    }

    private async Task<IActionResult> Act(int id, string done, Func<Task<RectificationOutcome>> action, CancellationToken ct)
    {
        var outcome = await action();
        if (outcome is RectificationOutcome.Done) return Redirect($"/work/problems/{id}?done={done}");
        Error = outcome switch
        {
            RectificationOutcome.Refused { Why.Status: 404 } => null,
            RectificationOutcome.Refused refused => Web.Zh(refused.Why.Message),
            RectificationOutcome.Invalid invalid => string.Join("；", invalid.Errors.Values.Select(e => Web.Zh(e[0]))),
            RectificationOutcome.PreconditionFailed => "该问题已被他人处理，页面已刷新为最新状态，请确认后再操作。",
            _ => "操作未完成。",
        };
        if (!await LoadAsync(id, ct)) return NotFound();
        return Page();
    }

    private static async Task<List<PhotoUpload>> Photos(List<IFormFile> files, string? capturedAt, CancellationToken ct)
    {
        var photos = new List<PhotoUpload>();
        foreach (var f in files) photos.Add(await PhotoUpload.FromAsync(f, capturedAt, ct));
        return photos;
    }

    private async Task<bool> LoadAsync(int id, CancellationToken ct)
    {
        Problem = await ledger.Visible(User).Include(r => r.Photos).SingleOrDefaultAsync(r => r.Id == id, ct);
        if (Problem is null) return false;
        var village = await db.Villages.AsNoTracking().Include(v => v.Township).SingleAsync(v => v.Id == Problem.VillageId, ct);
        (VillageName, TownshipName) = (village.Name, village.Township!.Name);
        Allowed = RectificationRules.Allowed(User, Problem);
        History = await RectificationHistory.ForAsync(db, Problem, ct);
        return true;
    }

    public bool May(RectificationAction action) => Allowed.Contains(action);
}
