using EnvScore.Api.Features.Publication;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Pages;

/// <summary>A township's published month: its standing and its villages. Every read goes through <see cref="PublicReads"/> (a standby when configured).</summary>
[Microsoft.AspNetCore.OutputCaching.OutputCache(PolicyName = WebSetup.PublicPagesPolicy)]
public class TownshipModel(PublicData data, PublicReads reads, TimeProvider time) : PageModel
{
    private readonly EnvScoreDbContext db = reads.Db;

    public string TownshipName { get; private set; } = "";
    public int TownshipId { get; private set; }
    public List<PublicData.MonthChoice> Months { get; private set; } = [];
    public EvaluationMonth Month { get; private set; }
    /// <summary>Set when <c>?m=</c> is not a month or not published (<see cref="PublicData.PickMonth"/>); the page then says so and links the published months.</summary>
    public PublicRefusal? Refusal { get; private set; }
    public PublishedTownshipResult? Current { get; private set; }
    public int TownshipCount { get; private set; }
    public List<PublishedVillageResult> Villages { get; private set; } = [];
    /// <summary>The township's problems found in the month (整改台账): closed and overdue are public (issue #17); null when none.</summary>
    public Features.Rectifications.TownshipCounts? Problems { get; private set; }

    public async Task<IActionResult> OnGetAsync(int id, string? m, CancellationToken ct)
    {
        var township = await db.Townships.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct);
        if (township is null) return NotFound();
        (TownshipId, TownshipName) = (township.Id, township.Name);
        Months = await data.MonthsAsync(township.DistrictId, ct);
        if (PublicData.PickMonth(Months, m, $"/township/{id}", null, out var month) is { } refused)
        {
            Refusal = refused;
            Response.StatusCode = refused.Status;
            return Page();
        }
        if (Months.Count == 0) return Page();
        Month = month;
        var revision = await PublicationService.Latest(db, township.DistrictId, Month.Key).SingleAsync(ct);
        var townships = await data.TownshipsAsync(revision.Id, ct);
        TownshipCount = townships.Count;
        Current = townships.SingleOrDefault(t => t.TownshipId == id);
        Villages = (await data.VillagesAsync(revision.Id, ct)).Where(v => v.TownshipId == id).OrderBy(v => v.TownshipRank).ToList();
        Problems = (await new Features.Rectifications.RectificationLedger(db, time).PublicCountsAsync(township.DistrictId, Month.Key, ct)).SingleOrDefault(c => c.TownshipId == id);
        return Page();
    }
}
