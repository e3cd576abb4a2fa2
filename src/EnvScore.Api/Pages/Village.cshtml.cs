using EnvScore.Api.Features.Publication;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using EnvScore.Spreadsheets.Bulletins;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Pages;

/// <summary>
/// A village's published month: 12-month trend, and the month's deductions with their explanations. Every read goes through
/// <see cref="PublicReads"/> (a standby when configured).
/// </summary>
[Microsoft.AspNetCore.OutputCaching.OutputCache(PolicyName = WebSetup.PublicPagesPolicy)]
public class VillageModel(PublicData data, PublicReads reads, RuleSetStore ruleSets) : PageModel
{
    private readonly EnvScoreDbContext db = reads.Db;

    public const int TrendMonths = 12;
    public string VillageName { get; private set; } = "";
    public int VillageId { get; private set; }
    public List<PublicData.MonthChoice> Months { get; private set; } = [];
    public EvaluationMonth Month { get; private set; }
    /// <summary>Set when <c>?m=</c> is not a month or not published (<see cref="PublicData.PickMonth"/>); the page then says so and links the published months.</summary>
    public PublicRefusal? Refusal { get; private set; }
    public PublishedVillageResult? Current { get; private set; }
    public List<PublishedVillageResult> Trend { get; private set; } = [];
    public IReadOnlyList<DeductionLine> Deductions { get; private set; } = [];
    public int DistrictId { get; private set; }
    /// <summary>The revision's rule set (immutable once active): weights, thresholds and quotas for the arithmetic in words.</summary>
    public EnvScore.Domain.Rules.RuleSet? Rules { get; private set; }

    public async Task<IActionResult> OnGetAsync(int id, string? m, CancellationToken ct)
    {
        var village = await db.Villages.AsNoTracking().Include(v => v.Township).SingleOrDefaultAsync(v => v.Id == id, ct);
        if (village is null) return NotFound();
        (VillageId, VillageName, DistrictId) = (village.Id, village.Name, village.Township!.DistrictId);
        Months = await data.MonthsAsync(DistrictId, ct);
        if (PublicData.PickMonth(Months, m, $"/village/{id}", null, out var month) is { } refused)
        {
            Refusal = refused;
            Response.StatusCode = refused.Status;
            return Page();
        }
        if (Months.Count == 0) return Page();
        Month = month;
        Trend = await data.VillageTrendAsync(id, Month, TrendMonths, ct);
        Current = Trend.LastOrDefault(t => t.Month == Month.Key);
        if (Current is not null)
        {
            VillageName = Current.VillageName; // as published
            var revision = await db.PublicationRevisions.AsNoTracking().SingleAsync(r => r.Id == Current.RevisionId, ct);
            var rules = Rules = ruleSets.Parse(await db.RuleSets.AsNoTracking().SingleAsync(r => r.Id == revision.RuleSetId, ct));
            Deductions = BulletinFactory.Lines(Current);
        }
        return Page();
    }
}
