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
public class IndexModel(EnvScoreDbContext db, CalendarService calendars, TimeProvider time, TownshipImport import, EnvScore.Api.Features.RuleSets.RuleSetStore ruleSets,
    EvaluationService evaluations) : PageModel
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
    /// <summary>Each sheet's score by the engine (the same computation as the sheet page's running score); null when not computable.</summary>
    public Dictionary<int, decimal?> Scores { get; } = [];
    /// <summary>The month's window for this page's kind of sheet (null when open), for <see cref="Actions"/>.</summary>
    private SheetOutcome.Conflict? window;

    /// <summary>What the user may do with a row's sheet (absent: not yet filled in), as the service answers it.</summary>
    public SheetActions Actions(Village village, Evaluation? sheet) =>
        SheetActions.For(User, sheet, Kind, village.TownshipId, Township!.DistrictId, window, correctionOpen: false);

    /// <summary>Sheets that count for the month (<see cref="SheetCounting"/>): a draft locked at the deadline is not one.</summary>
    public int Submitted => Rows.Count(r => r.Sheet is { } s && SheetCounting.Counts(s.Status, s.SubmittedAt));
    public DateTimeOffset Now => time.GetUtcNow();
    /// <summary>"3天5小时" until the deadline, or null once it has passed.</summary>
    public string? TimeLeft(DateTimeOffset deadline)
    {
        var left = deadline - Now;
        if (left <= TimeSpan.Zero) return null;
        return left.TotalHours >= 24 ? $"{(int)left.TotalDays}天{left.Hours}小时" : left.TotalMinutes >= 60 ? $"{(int)left.TotalHours}小时{left.Minutes}分钟" : $"{Math.Max(1, (int)left.TotalMinutes)}分钟";
    }

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
        window = await evaluations.WindowConflict(Township.DistrictId, Month, Kind, ct) as SheetOutcome.Conflict;
        var villages = await db.Villages.AsNoTracking().Where(v => v.TownshipId == townshipId && v.IsActive).OrderBy(v => v.Code).ToListAsync(ct);
        var sheets = await db.Evaluations.AsNoTracking().VisibleTo(User).Include(e => e.Entries)
            .Where(e => e.TownshipId == townshipId && e.Month == Month.Key && e.Kind == Kind).ToDictionaryAsync(e => e.VillageId, ct);
        Rows = villages.Select(v => (v, sheets.GetValueOrDefault(v.Id))).ToList();
        var rulesById = new Dictionary<int, EnvScore.Domain.Rules.RuleSet>();
        foreach (var sheet in sheets.Values)
        {
            if (!rulesById.TryGetValue(sheet.RuleSetId, out var rules))
                rulesById[sheet.RuleSetId] = rules = ruleSets.Parse(await db.RuleSets.AsNoTracking().SingleAsync(r => r.Id == sheet.RuleSetId, ct));
            var entries = sheet.Entries.Select(e => new EntryWrite
            {
                ItemCode = e.ItemCode, NotApplicable = e.NotApplicable, Count = e.Count, Level = e.Level, FailedSamples = e.FailedSamples,
                Passed = e.Passed, ZeroConditions = e.ZeroConditions, Clauses = e.Clauses,
            });
            // The running score as the sheet page shows it: the ledger's overdue count fed as the computation feeds it.
            var overdue = await SheetPreviewEndpoint.OverdueCountAsync(db, rules, Township.DistrictId, sheet.VillageId, Month, ct);
            var preview = SheetPreviewEndpoint.Compute(rules, SheetForm.Of(entries, sheet.Vetoes), overdue);
            Scores[sheet.VillageId] = preview.Complete ? preview.Total : null;
        }
        return Page();
    }
}
