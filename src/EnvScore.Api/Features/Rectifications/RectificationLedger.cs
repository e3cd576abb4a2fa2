using System.Security.Claims;
using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Rectifications;

/// <summary>Filters of the ledger (整改台账); null = any. <see cref="Month"/> is yyyymm (the problem's month).</summary>
public sealed record LedgerFilter(int? Month = null, int? TownshipId = null, RectificationState? State = null, string? ItemCode = null,
    RectificationSource? Source = null, bool? Overdue = null);

/// <summary>One township's counts: open (待整改 and 已整改待复核), overdue, closed, and the mean days from found to closed.</summary>
public sealed record TownshipCounts(int TownshipId, string TownshipName, int Open, int Overdue, int Closed, decimal? AverageDaysToClose);

/// <summary>
/// Reading the ledger: the filtered list, the to-do lists of /work and the counts per township. Every query starts
/// from <see cref="RectificationRules.VisibleTo"/> (or, for the public counts, from published districts only), and
/// "overdue" is <see cref="RectificationRules.Overdue"/> with today's date in Asia/Shanghai.
/// </summary>
public class RectificationLedger(EnvScoreDbContext db, TimeProvider time)
{
    public DateOnly Today => RectificationRules.Today(time);

    public IQueryable<Rectification> Visible(ClaimsPrincipal user) => db.Set<Rectification>().AsNoTracking().VisibleTo(user, db.Publications);

    public IQueryable<Rectification> Filtered(ClaimsPrincipal user, LedgerFilter f)
    {
        var q = Visible(user);
        if (f.Month is { } m) q = q.Where(r => r.Month == m);
        if (f.TownshipId is { } t) q = q.Where(r => r.TownshipId == t);
        if (f.State is { } s) q = q.Where(r => r.State == s);
        if (!string.IsNullOrEmpty(f.ItemCode)) q = q.Where(r => r.ItemCode == f.ItemCode);
        if (f.Source is { } src) q = q.Where(r => r.Source == src);
        var today = Today;
        if (f.Overdue == true) q = q.Overdue(today);
        else if (f.Overdue == false) q = q.Where(r => !(r.State == RectificationState.Open && r.Deadline < today));
        return q;
    }

    /// <summary>
    /// What the user should do next. Secretary: the township's 待整改 problems, overdue first, then by deadline.
    /// Inspector: problems waiting for review, oldest fix first. Admin: the district's overdue problems, oldest deadline first.
    /// </summary>
    public async Task<List<Rectification>> TodoAsync(ClaimsPrincipal user, int max, CancellationToken ct) =>
        await Todo(user).Take(max).ToListAsync(ct);

    /// <summary>How many problems the to-do list has in all (it shows at most its maximum).</summary>
    public Task<int> TodoCountAsync(ClaimsPrincipal user, CancellationToken ct) => Todo(user).CountAsync(ct);

    /// <summary>The ledger's address listing the whole to-do list (its filters: state, overdue).</summary>
    public static string TodoListUrl(ClaimsPrincipal user) =>
        user.IsInRole(Roles.TownshipSecretary) ? "/work/problems?state=Open"
        : user.IsInRole(Roles.DistrictInspector) ? "/work/problems?state=AwaitingReview"
        : "/work/problems?overdue=true";

    private IQueryable<Rectification> Todo(ClaimsPrincipal user)
    {
        var q = Visible(user);
        var today = Today;
        if (user.IsInRole(Roles.TownshipSecretary))
            return q.Where(r => r.State == RectificationState.Open)
                .OrderByDescending(r => r.Deadline < today).ThenBy(r => r.Deadline).ThenBy(r => r.Id);
        if (user.IsInRole(Roles.DistrictInspector))
            return q.Where(r => r.State == RectificationState.AwaitingReview).OrderBy(r => r.FixedAt).ThenBy(r => r.Id);
        return q.Overdue(today).OrderBy(r => r.Deadline).ThenBy(r => r.Id);
    }

    /// <summary>Counts per township of the problems the user sees (optionally of one month), townships in code order.</summary>
    public Task<List<TownshipCounts>> CountsAsync(ClaimsPrincipal user, int? month, CancellationToken ct) =>
        CountsAsync(Visible(user), month, ct);

    /// <summary>The public counts of a district (closed and overdue are shown on the township page).</summary>
    public Task<List<TownshipCounts>> PublicCountsAsync(int districtId, int? month, CancellationToken ct) =>
        CountsAsync(db.Set<Rectification>().AsNoTracking().Where(r => r.DistrictId == districtId), month, ct);

    private async Task<List<TownshipCounts>> CountsAsync(IQueryable<Rectification> q, int? month, CancellationToken ct)
    {
        if (month is { } m) q = q.Where(r => r.Month == m);
        var today = Today;
        var rows = await q.GroupBy(r => r.TownshipId).Select(g => new
        {
            TownshipId = g.Key,
            Open = g.Count(r => r.State != RectificationState.Closed),
            Overdue = g.Count(r => r.State == RectificationState.Open && r.Deadline < today),
            Closed = g.Count(r => r.State == RectificationState.Closed),
        }).ToListAsync(ct);
        var closed = await q.Where(r => r.State == RectificationState.Closed && r.ClosedAt != null)
            .Select(r => new { r.TownshipId, r.FoundAt, ClosedAt = r.ClosedAt!.Value }).ToListAsync(ct);
        var ids = rows.Select(r => r.TownshipId).ToList();
        var names = await db.Townships.AsNoTracking().Where(t => ids.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => (t.Name, t.Code), ct);
        return rows.OrderBy(r => names[r.TownshipId].Code).Select(r =>
        {
            var days = closed.Where(c => c.TownshipId == r.TownshipId).Select(c => (decimal)(c.ClosedAt - c.FoundAt).TotalDays).ToList();
            return new TownshipCounts(r.TownshipId, names[r.TownshipId].Name, r.Open, r.Overdue, r.Closed,
                days.Count == 0 ? null : Math.Round(days.Average(), 1, MidpointRounding.AwayFromZero));
        }).ToList();
    }
}
