using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Analysis;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Pages.Admin;

/// <summary>The district's analysis page: the <see cref="AnalysisService"/> data of six months ending with ?m=, optionally one township (?t=).</summary>
public class AnalysisModel(AnalysisService analysis, EnvScoreDbContext db, TimeProvider time) : PageModel
{
    public const int Months = 6;
    [BindProperty(SupportsGet = true)] public string? M { get; set; }
    [BindProperty(SupportsGet = true)] public int? T { get; set; }
    public EvaluationMonth Month { get; private set; }
    public DistrictAnalysis Data { get; private set; } = null!;
    public List<(int Id, string Name)> Townships { get; private set; } = [];
    /// <summary>The rows the page shows: the district's, or the chosen township's.</summary>
    public IReadOnlyList<ItemProblem> Problems { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var districtId = User.DistrictId() ?? 0;
        Month = Web.MonthOr(M, Web.CurrentMonth(time).Previous());
        Data = await analysis.ForDistrictAsync(districtId, Month, Months, ct);
        Townships = (await db.Townships.AsNoTracking().Where(t => t.DistrictId == districtId).OrderBy(t => t.Code).Select(t => new { t.Id, t.Name }).ToListAsync(ct))
            .Select(t => (t.Id, t.Name)).ToList();
        if (T is { } t && Townships.All(x => x.Id != t)) T = null;
        Problems = T is { } id ? Data.TownshipProblems.Where(p => p.TownshipId == id).ToList() : Data.DistrictProblems;
    }
}
