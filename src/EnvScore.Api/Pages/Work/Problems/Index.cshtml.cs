using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Organisation;
using EnvScore.Api.Features.Rectifications;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Pages.Work.Problems;

/// <summary>整改台账: the problems the user sees, filtered by month, township, state, item, source and overdue; counts per township.</summary>
public class IndexModel(EnvScoreDbContext db, RectificationLedger ledger) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "m")] public string? MonthText { get; set; }
    [BindProperty(SupportsGet = true, Name = "t")] public int? TownshipId { get; set; }
    [BindProperty(SupportsGet = true, Name = "state")] public RectificationState? State { get; set; }
    [BindProperty(SupportsGet = true, Name = "item")] public string? Item { get; set; }
    [BindProperty(SupportsGet = true, Name = "source")] public RectificationSource? Source { get; set; }
    [BindProperty(SupportsGet = true, Name = "overdue")] public bool? Overdue { get; set; }

    public List<Rectification> Rows { get; private set; } = [];
    public List<TownshipCounts> Counts { get; private set; } = [];
    public List<Township> Townships { get; private set; } = [];
    public Dictionary<int, string> VillageNames { get; private set; } = [];
    public List<(string Code, string Title)> Items { get; private set; } = [];
    public DateOnly Today => ledger.Today;
    public bool MayCreate => User.DistrictId() is { } d && RectificationRules.MayCreate(User, d);
    public LedgerFilter Filter { get; private set; } = new();

    public async Task OnGetAsync(CancellationToken ct)
    {
        var month = EvaluationMonth.TryParse(MonthText, out var m) ? m.Key : (int?)null;
        Filter = new LedgerFilter(month, TownshipId, State, string.IsNullOrWhiteSpace(Item) ? null : Item.Trim(), Source, Overdue);
        Rows = await ledger.Filtered(User, Filter).OrderByDescending(r => r.State == RectificationState.Open && r.Deadline < ledger.Today)
            .ThenBy(r => r.State).ThenBy(r => r.Deadline).ThenBy(r => r.Id).Take(500).ToListAsync(ct);
        Counts = await ledger.CountsAsync(User, month, ct);
        var district = User.DistrictId();
        // The township filter offers what the user may read: a secretary reads only their own township's problems (no choice to offer).
        Townships = district is { } d && !User.IsInRole(EnvScore.Api.Features.Accounts.Roles.TownshipSecretary)
            ? await db.Townships.AsNoTracking().Where(t => t.DistrictId == d).OrderBy(t => t.Code).ToListAsync(ct) : [];
        var villageIds = Rows.Select(r => r.VillageId).Distinct().ToList();
        VillageNames = await db.Villages.AsNoTracking().Where(v => villageIds.Contains(v.Id)).ToDictionaryAsync(v => v.Id, v => v.Name, ct);
        Items = (await ledger.Visible(User).Select(r => new { r.ItemCode, r.ItemTitle }).Distinct().ToListAsync(ct))
            .GroupBy(i => i.ItemCode).Select(g => (g.Key, g.First().ItemTitle)).OrderBy(i => i.Key, StringComparer.Ordinal).ToList();
    }
}
