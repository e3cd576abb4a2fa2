using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Calendar;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Features.Organisation;
using EnvScore.Api.Features.Spreadsheets;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Pages.Work;

/// <summary>
/// A township's month for its secretary (self-evaluations, spreadsheet in and out), or a township's
/// district checks for an inspector.
/// </summary>
public class IndexModel(EnvScoreDbContext db, CalendarService calendars, TimeProvider time, TownshipImport import) : PageModel
{
    /// <summary>The answer to a spreadsheet upload posted without JavaScript.</summary>
    public ImportReport? Upload { get; private set; }

    public async Task<IActionResult> OnPostUploadAsync(string? m, int? t, IFormFile? file, bool submit, CancellationToken ct)
    {
        var month = Web.MonthOr(m, Web.CurrentMonth(time)).ToString();
        // A secretary uploads the township's self-evaluation; district roles a township's spot-check (t).
        if (User.IsInRole(Roles.TownshipSecretary) && User.TownshipId() is { } own)
            Upload = await import.RunAsync(User, month, own, EvaluationKind.Self, file, submit, ct);
        else if (t is { } township && User.DistrictId() is not null)
            Upload = await import.RunAsync(User, month, township, EvaluationKind.District, file, submit, ct);
        else return Forbid();
        return await OnGetAsync(m, t, ct);
    }

    public EvaluationMonth Month { get; private set; }
    public Township? Township { get; private set; }
    public List<Township> Townships { get; private set; } = [];
    public EvaluationKind Kind { get; private set; }
    public List<(Village Village, Evaluation? Sheet)> Rows { get; private set; } = [];
    public MonthCalendar? Calendar { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? m, int? t, CancellationToken ct)
    {
        Month = Web.MonthOr(m, Web.CurrentMonth(time));
        int townshipId;
        if (User.IsInRole(Roles.TownshipSecretary) && User.TownshipId() is { } own) { townshipId = own; Kind = EvaluationKind.Self; }
        else if (User.DistrictId() is { } district)
        {
            // District roles: the district check (an admin uses this page for checks too).
            Kind = EvaluationKind.District;
            Townships = await db.Townships.AsNoTracking().Where(x => x.DistrictId == district && x.IsActive).OrderBy(x => x.Code).ToListAsync(ct);
            if (Townships.Count == 0) return Page();
            townshipId = Townships.FirstOrDefault(x => x.Id == t)?.Id ?? Townships[0].Id;
        }
        else return Forbid();

        Township = await db.Townships.AsNoTracking().SingleAsync(x => x.Id == townshipId, ct);
        Calendar = await calendars.ForMonthAsync(Township.DistrictId, Month, ct);
        var villages = await db.Villages.AsNoTracking().Where(v => v.TownshipId == townshipId && v.IsActive).OrderBy(v => v.Code).ToListAsync(ct);
        var sheets = await db.Evaluations.AsNoTracking().VisibleTo(User)
            .Where(e => e.TownshipId == townshipId && e.Month == Month.Key && e.Kind == Kind).ToDictionaryAsync(e => e.VillageId, ct);
        Rows = villages.Select(v => (v, sheets.GetValueOrDefault(v.Id))).ToList();
        return Page();
    }
}
