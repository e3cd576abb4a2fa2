using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Pages.Admin;

/// <summary>The district's sheets of a month: return a submitted one before the deadline, correct one under an open correction.</summary>
public class SheetsModel(EnvScoreDbContext db, EvaluationService sheets, TimeProvider time) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? M { get; set; }
    public EvaluationMonth Month { get; private set; }
    public List<Row> Rows { get; private set; } = [];
    public bool CorrectionOpen { get; private set; }
    /// <summary>Per kind of sheet: why a submitted sheet can no longer be returned (the month's window is closed), or absent when it can.</summary>
    public Dictionary<EvaluationKind, string> ReturnClosed { get; } = [];

    private readonly Dictionary<EvaluationKind, SheetOutcome.Conflict?> windows = [];

    /// <summary>What the user may do with this row's sheet, as the service answers it (<see cref="SheetActions.For"/>).</summary>
    public SheetActions Actions(Evaluation sheet) =>
        SheetActions.For(User, sheet, sheet.Kind, sheet.TownshipId, sheet.DistrictId, windows.GetValueOrDefault(sheet.Kind), CorrectionOpen);

    /// <summary>Is 退回 offered for this row? Only when the service would accept it.</summary>
    public bool MayReturn(Evaluation sheet) => Actions(sheet).MayReturn;
    public List<string> Errors { get; } = [];
    [TempData] public string? Message { get; set; }

    public sealed record Row(Evaluation Sheet, string Village, string Township);

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostReturnAsync(int id, uint version, string? reason, CancellationToken ct)
    {
        var outcome = await sheets.ReturnAsync(User, id, version, reason, ct);
        switch (outcome)
        {
            case SheetOutcome.Done: Message = "已退回，乡镇可修改后重新提交。"; return RedirectToPage(new { m = M });
            case SheetOutcome.InvalidFields f: Errors.AddRange(f.Errors.SelectMany(e => e.Value)); break;
            case SheetOutcome.Conflict c: Errors.Add(c.Message); break;
            case SheetOutcome.PreconditionFailed: Errors.Add("该表已被修改，请刷新后重试"); break;
            default: Errors.Add("无权退回该表"); break;
        }
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Month = Web.MonthOr(M, Web.CurrentMonth(time));
        var district = User.DistrictId() ?? -1;
        CorrectionOpen = await db.Publications.AnyAsync(p => p.DistrictId == district && p.Month == Month.Key && p.CorrectionOpen, ct);
        Rows = await db.Evaluations.AsNoTracking().VisibleTo(User).Where(e => e.Month == Month.Key)
            .Join(db.Villages, e => e.VillageId, v => v.Id, (e, v) => new { e, v.Name, v.Code, Township = v.Township!.Name })
            .OrderBy(x => x.Code).ThenBy(x => x.e.Kind)
            .Select(x => new Row(x.e, x.Name, x.Township)).ToListAsync(ct);
        // Ask the service (the same window rule ReturnAsync applies) rather than show a button that will be refused.
        if (User.DistrictId() is { } own)
            foreach (var kind in new[] { EvaluationKind.Self, EvaluationKind.District })
                if ((windows[kind] = await sheets.WindowConflict(own, Month, kind, ct) as SheetOutcome.Conflict) is { } closed)
                    ReturnClosed[kind] = Web.Zh(closed.Message);
    }
}
