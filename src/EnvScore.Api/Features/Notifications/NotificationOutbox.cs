using EnvScore.Api.Features.Rectifications;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Notifications;

/// <summary>
/// Puts messages into the outbox (<c>notification_outbox</c>) on the caller's <see cref="EnvScoreDbContext"/> without
/// saving: the caller's own SaveChanges and commit write them with the event, so a rolled-back write leaves no message
/// and a committed one cannot lose it. Nothing is queued for a district without an enabled webhook.
/// </summary>
public class NotificationOutbox(EnvScoreDbContext db, TimeProvider time)
{
    /// <summary>An inspector's new problem (the problem has its id: call after the first SaveChanges).</summary>
    public async Task ProblemReportedAsync(Rectification p, CancellationToken ct)
    {
        if (!await EnabledAsync(p.DistrictId, ct)) return;
        var (township, village) = await NamesAsync(p.VillageId, ct);
        Add(p.DistrictId, NotificationEvent.ProblemReported, NotificationMessages.ProblemReported(p, township, village));
    }

    /// <summary>A transition: queues 已整改待复核 when the problem has just moved there; anything else queues nothing.</summary>
    public async Task TransitionAsync(Rectification p, RectificationState before, CancellationToken ct)
    {
        if (before == p.State || p.State != RectificationState.AwaitingReview || !await EnabledAsync(p.DistrictId, ct)) return;
        var (township, village) = await NamesAsync(p.VillageId, ct);
        Add(p.DistrictId, NotificationEvent.FixAwaitingReview, NotificationMessages.FixAwaitingReview(p, township, village));
    }

    /// <summary>Problems the monthly computation created: one message per district, counts per township (by township code).</summary>
    public async Task ProblemsFromComputationAsync(IReadOnlyList<Rectification> created, CancellationToken ct)
    {
        foreach (var district in created.GroupBy(p => p.DistrictId))
        {
            if (!await EnabledAsync(district.Key, ct)) continue;
            var ids = district.Select(p => p.TownshipId).Distinct().ToList();
            var townships = await db.Townships.AsNoTracking().Where(t => ids.Contains(t.Id)).ToDictionaryAsync(t => t.Id, ct);
            var perTownship = district.GroupBy(p => p.TownshipId).OrderBy(g => townships[g.Key].Code, StringComparer.Ordinal)
                .Select(g => (townships[g.Key].Name, g.Count())).ToList();
            Add(district.Key, NotificationEvent.ProblemsFromComputation,
                NotificationMessages.ProblemsFromComputation(EvaluationMonth.FromKey(district.First().Month), perTownship));
        }
    }

    /// <summary>Adds one message (Pending) to the context; the caller saves.</summary>
    public NotificationDelivery Add(int districtId, NotificationEvent kind, NotificationMessage m, string? dedupKey = null)
    {
        var delivery = new NotificationDelivery
        {
            DistrictId = districtId, Event = kind, Title = Cut(m.Title, 200), Text = m.Text, Link = m.Link, DedupKey = dedupKey,
            Status = DeliveryStatus.Pending, CreatedAt = time.GetUtcNow(),
        };
        db.Add(delivery);
        return delivery;
    }

    public Task<bool> EnabledAsync(int districtId, CancellationToken ct) =>
        db.Set<WebhookSetting>().AnyAsync(w => w.DistrictId == districtId && w.Enabled, ct);

    private async Task<(string Township, string Village)> NamesAsync(int villageId, CancellationToken ct)
    {
        var v = await db.Villages.AsNoTracking().Where(v => v.Id == villageId).Select(v => new { v.Name, Township = v.Township!.Name }).SingleAsync(ct);
        return (v.Township, v.Name);
    }

    private static string Cut(string s, int max) => s.Length > max ? s[..max] : s;
}
