using EnvScore.Api.Features.Publication;
using EnvScore.Domain.Calendar;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EnvScore.Api.Pages;

/// <summary>The public ranking of a published month (latest revision unless an earlier one is asked for).</summary>
[Microsoft.AspNetCore.OutputCaching.OutputCache(PolicyName = WebSetup.PublicPagesPolicy)]
public class IndexModel(PublicData data) : PageModel
{
    public string? DistrictName { get; private set; }
    public int DistrictId { get; private set; }
    public List<PublicData.MonthChoice> Months { get; private set; } = [];
    public EvaluationMonth Month { get; private set; }
    public List<PublicationRevision> Revisions { get; private set; } = [];
    public PublicationRevision? Revision { get; private set; }
    public PublicationRevision? Latest => Revisions.LastOrDefault();
    public List<PublishedVillageResult> Villages { get; private set; } = [];
    public List<PublishedTownshipResult> Townships { get; private set; } = [];

    public async Task OnGetAsync(int? d, string? m, int? r, CancellationToken ct)
    {
        if (await data.DistrictAsync(d, ct) is not { } district) return;
        (DistrictId, DistrictName) = district;
        Months = await data.MonthsAsync(DistrictId, ct);
        Month = Months.Select(x => x.Month).FirstOrDefault(x => x.ToString() == m, Months[0].Month);
        Revisions = await data.RevisionsAsync(DistrictId, Month, ct);
        Revision = Revisions.FirstOrDefault(x => x.Number == r) ?? Latest;
        Villages = await data.VillagesAsync(Revision!.Id, ct);
        Townships = await data.TownshipsAsync(Revision.Id, ct);
    }
}
