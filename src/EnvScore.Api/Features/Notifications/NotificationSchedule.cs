using EnvScore.Api.Features.Calendar;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Features.Rectifications;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EnvScore.Api.Features.Notifications;

/// <summary>
/// The scheduled messages, queued by the sender's passes on the injected clock (Asia/Shanghai):
/// <list type="bullet">
/// <item>每日逾期: from <see cref="NotificationOptions.DailyAt"/> (08:30) each day, the district's overdue problems
/// (<see cref="RectificationRules.Overdue"/>), when there are any — key <c>overdue:{district}:{yyyy-MM-dd}</c>;</item>
/// <item>截止前提醒: from <see cref="NotificationOptions.SheetsDueDaysBefore"/> (3) days before a month's township deadline
/// (<see cref="CalendarService"/>) until the deadline, the active villages without a counting self-evaluation
/// (<see cref="SheetCounting.Counts"/>), per township with counts and names, when there are any — key
/// <c>sheetsdue:{district}:{yyyymm}</c>.</item>
/// </list>
/// The unique key makes each at most once, whatever the number of instances or passes; a pass that finds nothing to say
/// queues nothing and the next pass looks again.
/// </summary>
public class NotificationSchedule(EnvScoreDbContext db, NotificationOutbox outbox, CalendarService calendars, TimeProvider time, IOptions<NotificationOptions> options)
{
    public async Task<int> QueueDueAsync(CancellationToken ct)
    {
        var districts = await db.Set<WebhookSetting>().AsNoTracking().Where(w => w.Enabled).Select(w => w.DistrictId).ToListAsync(ct);
        var queued = 0;
        var now = time.GetUtcNow();
        var local = TimeZoneInfo.ConvertTime(now, ChinaTime.Zone);
        var today = DateOnly.FromDateTime(local.DateTime);
        foreach (var district in districts)
        {
            if (TimeOnly.FromDateTime(local.DateTime) >= options.Value.DailyAt && await OverdueAsync(district, today, ct)) queued++;
            var month = ChinaTime.MonthOf(now);
            foreach (var m in new[] { month.Previous(), month })
                if (await SheetsDueAsync(district, m, now, ct)) queued++;
        }
        return queued;
    }

    private async Task<bool> OverdueAsync(int districtId, DateOnly today, CancellationToken ct)
    {
        var key = $"overdue:{districtId}:{today:yyyy-MM-dd}";
        if (await ExistsAsync(key, ct)) return false;
        var overdue = await db.Set<Rectification>().AsNoTracking().Where(r => r.DistrictId == districtId).Overdue(today)
            .Join(db.Villages, r => r.VillageId, v => v.Id, (r, v) => new { r.Deadline, r.ItemTitle, r.Id, Village = v.Name, Township = v.Township!.Name })
            .OrderBy(x => x.Deadline).ThenBy(x => x.Id).ToListAsync(ct);
        if (overdue.Count == 0) return false;
        var message = NotificationMessages.DailyOverdue(today, overdue.Select(o => new OverdueLine(o.Township, o.Village, o.ItemTitle, o.Deadline)).ToList());
        return await QueueOnceAsync(districtId, NotificationEvent.DailyOverdue, message, key, ct);
    }

    private async Task<bool> SheetsDueAsync(int districtId, EvaluationMonth month, DateTimeOffset now, CancellationToken ct)
    {
        var calendar = await calendars.ForMonthAsync(districtId, month, ct);
        if (now < calendar.TownshipDeadline.AddDays(-options.Value.SheetsDueDaysBefore) || now >= calendar.TownshipDeadline) return false;
        var key = $"sheetsdue:{districtId}:{month.Key}";
        if (await ExistsAsync(key, ct)) return false;
        var submitted = db.Evaluations.Where(e => e.DistrictId == districtId && e.Month == month.Key && e.Kind == EvaluationKind.Self
                                                  && e.SubmittedAt != null && (e.Status == EvaluationStatus.Submitted || e.Status == EvaluationStatus.Locked))
            .Select(e => e.VillageId);
        var missing = await db.Villages.AsNoTracking()
            .Where(v => v.IsActive && v.Township!.DistrictId == districtId && !submitted.Contains(v.Id))
            .Select(v => new { Township = v.Township!.Name, TownshipCode = v.Township.Code, v.Name, v.Code })
            .ToListAsync(ct);
        if (missing.Count == 0) return false;
        var perTownship = missing.GroupBy(v => (v.TownshipCode, v.Township)).OrderBy(g => g.Key.TownshipCode, StringComparer.Ordinal)
            .Select(g => new TownshipMissing(g.Key.Township, g.OrderBy(v => v.Code, StringComparer.Ordinal).Select(v => v.Name).ToList())).ToList();
        return await QueueOnceAsync(districtId, NotificationEvent.SheetsDue, NotificationMessages.SheetsDue(month, calendar.TownshipDeadline, perTownship), key, ct);
    }

    private Task<bool> ExistsAsync(string key, CancellationToken ct) => db.Set<NotificationDelivery>().AnyAsync(d => d.DedupKey == key, ct);

    private async Task<bool> QueueOnceAsync(int districtId, NotificationEvent kind, NotificationMessage message, string key, CancellationToken ct)
    {
        var row = outbox.Add(districtId, kind, message, key);
        if (await db.TrySaveUniqueAsync(ct)) return true;
        db.Entry(row).State = EntityState.Detached; // another instance queued it first
        return false;
    }
}
