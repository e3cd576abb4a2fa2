using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Calendar;
using EnvScore.Api.Features.Computation;
using EnvScore.Api.Features.Publication;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Pages.Admin;

/// <summary>The district office's month: calendar, computation, review of the working results, publication and revisions.</summary>
public class IndexModel(EnvScoreDbContext db, CalendarService calendars, MonthlyComputation computation, PublicationService publications, TimeProvider time) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? M { get; set; }
    public EvaluationMonth Month { get; private set; }
    public int DistrictId { get; private set; }
    public MonthCalendar? Calendar { get; private set; }
    public List<ComputationRun> Runs { get; private set; } = [];
    public List<VillageResult> Results { get; private set; } = [];
    public Publication? Publication { get; private set; }
    public List<PublicationRevision> Revisions { get; private set; } = [];
    public List<string> Errors { get; } = [];
    /// <summary>Why the month asked for (?m=) is not shown: not a month, or out of range (before 2000 or after 2999).</summary>
    public string? MonthRefused { get; private set; }
    [TempData] public string? Message { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostComputeAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        if (ComputeRefusal is { } why) { Errors.Add(Web.Zh(why)); return Page(); }
        var outcome = await computation.RunAsync(DistrictId, Month, User.Identity!.Name!, CancellationToken.None);
        switch (outcome)
        {
            case ComputationOutcome.Completed { Run.Status: ComputationStatus.Succeeded } c:
                Message = $"计算完成：{c.Run.VillageCount}个村（社区），未提交{c.Run.MissingCount}个。请审核后发布。";
                return RedirectToPage(new { m = Month.ToString() });
            case ComputationOutcome.Completed c: Errors.Add($"计算失败：{c.Run.Error}"); break;
            case ComputationOutcome.AlreadyRunning r: Errors.Add(r.Message); break;
            case ComputationOutcome.Published p: Errors.Add(p.Message); break;
        }
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostPublishAsync(string? title, DateOnly? date, string? foreword, string? reason, CancellationToken ct)
    {
        await LoadAsync(ct);
        var outcome = await publications.PublishAsync(User, Month, new PublishRequest(title, date, foreword, reason), ct);
        if (outcome is PublicationOutcome.Published p)
        {
            Message = $"已发布{Month.ToChinese()}通报第{p.Revision.Number}版，公众现在可以查看。";
            return RedirectToPage(new { m = Month.ToString() });
        }
        Fail(outcome);
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostCorrectionAsync(string? reason, CancellationToken ct)
    {
        await LoadAsync(ct);
        var outcome = await publications.OpenCorrectionAsync(User, Month, reason, ct);
        if (outcome is PublicationOutcome.CorrectionOpened)
        {
            Message = "已开启更正：可在\"评分表与退回\"中更正评分表，然后重新计算，再发布更正版。";
            return RedirectToPage(new { m = Month.ToString() });
        }
        Fail(outcome);
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostCalendarAsync(DateTime opensAt, DateTime townshipDeadline, DateTime districtCheckDeadline, DateTime computeAt, CancellationToken ct)
    {
        await LoadAsync(ct);
        DateTimeOffset China(DateTime local) => new(local, ChinaTime.Zone.GetUtcOffset(local));
        var calendar = new MonthCalendar
        {
            DistrictId = DistrictId, Month = Month.Key, OpensAt = China(opensAt).ToUniversalTime(), TownshipDeadline = China(townshipDeadline).ToUniversalTime(),
            DistrictCheckDeadline = China(districtCheckDeadline).ToUniversalTime(), ComputeAt = China(computeAt).ToUniversalTime(), IsOverride = true,
        };
        var errors = CalendarService.Validate(calendar);
        if (errors.Count > 0) { Errors.AddRange(errors.SelectMany(e => e.Value)); return Page(); }
        var stored = await db.Calendars.SingleOrDefaultAsync(c => c.DistrictId == DistrictId && c.Month == Month.Key, ct);
        if (stored is null) db.Calendars.Add(calendar);
        else (stored.OpensAt, stored.TownshipDeadline, stored.DistrictCheckDeadline, stored.ComputeAt, stored.IsOverride) =
            (calendar.OpensAt, calendar.TownshipDeadline, calendar.DistrictCheckDeadline, calendar.ComputeAt, true);
        await db.SaveChangesAsync(ct);
        Message = $"已保存{Month.ToChinese()}的时间安排。";
        return RedirectToPage(new { m = Month.ToString() });
    }

    private void Fail(PublicationOutcome outcome)
    {
        switch (outcome)
        {
            case PublicationOutcome.Invalid i: Errors.AddRange(i.Errors.SelectMany(e => e.Value)); break;
            case PublicationOutcome.Conflict c: Errors.Add(c.Message); break;
            default: Errors.Add("无权执行该操作"); break;
        }
    }

    /// <summary>Why 立即计算 is not offered for this month (the feature's rule, <see cref="CalendarService.WhyNotComputable"/>); null when it is.</summary>
    public string? ComputeRefusal => CalendarService.WhyNotComputable(Month, time.GetUtcNow());

    /// <summary>Before the township deadline a computation is only a preview of an unfinished month.</summary>
    public bool BeforeDeadline => Calendar is { } c && time.GetUtcNow() < c.TownshipDeadline;

    /// <summary>
    /// Without ?m=: the month that needs the office — the latest computed month not yet published (or under correction),
    /// else last month if it is not published yet, else the current month.
    /// </summary>
    private async Task<EvaluationMonth> MonthNeedingActionAsync(CancellationToken ct)
    {
        var current = Web.CurrentMonth(time);
        var published = db.Publications.Where(p => p.DistrictId == DistrictId && !p.CorrectionOpen).Select(p => p.Month);
        var pending = await db.VillageResults.Where(r => r.DistrictId == DistrictId && r.Month <= current.Key && !published.Contains(r.Month))
            .MaxAsync(r => (int?)r.Month, ct);
        if (pending is { } key) return EvaluationMonth.FromKey(key);
        var last = current.AddMonths(-1);
        return await db.Publications.AnyAsync(p => p.DistrictId == DistrictId && p.Month == last.Key, ct) ? current : last;
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        DistrictId = User.DistrictId() ?? -1;
        Month = EvaluationMonth.TryParse(M, out var asked) ? asked : await MonthNeedingActionAsync(ct);
        if (!string.IsNullOrWhiteSpace(M) && !EvaluationMonth.TryParse(M, out _))
            MonthRefused = $"月份\"{M.Trim()}\"无法显示：应为2000年1月至2999年12月之间的月份（如2026-10）。下面显示的是{Month.ToChinese()}。";
        Calendar = await calendars.ForMonthAsync(DistrictId, Month, ct);
        Runs = await db.ComputationRuns.AsNoTracking().Where(r => r.DistrictId == DistrictId && r.Month == Month.Key)
            .OrderByDescending(r => r.Id).Take(5).ToListAsync(ct);
        Results = await db.VillageResults.AsNoTracking().Include(r => r.Village).ThenInclude(v => v!.Township)
            .Where(r => r.DistrictId == DistrictId && r.Month == Month.Key).OrderBy(r => r.DistrictRank).ToListAsync(ct);
        Publication = await db.Publications.AsNoTracking().SingleOrDefaultAsync(p => p.DistrictId == DistrictId && p.Month == Month.Key, ct);
        Revisions = await db.PublicationRevisions.AsNoTracking().Where(r => r.DistrictId == DistrictId && r.Month == Month.Key)
            .OrderBy(r => r.Number).ToListAsync(ct);
    }
}
