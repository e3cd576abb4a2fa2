using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Organisation;
using EnvScore.Api.Features.Rectifications;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Api.Infrastructure.Data;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Pages.Work.Problems;

/// <summary>
/// 上报巡查问题 (an inspector's round, on the phone): village by name search or from the list, item from the rule set in
/// force, camera photo, note. The rules are <see cref="RectificationService.CreateAsync"/>'s.
/// </summary>
public class NewModel(EnvScoreDbContext db, RuleSetStore ruleSets, RectificationService service, TimeProvider time) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "q")] public string? Query { get; set; }
    public List<(Township Township, List<Village> Villages)> Villages { get; private set; } = [];
    public List<(string Code, string Title, string Section)> Items { get; private set; } = [];
    public Dictionary<string, string[]> Errors { get; private set; } = [];
    public string? Error { get; private set; }
    public int? VillageId { get; private set; }
    public string? ItemCode { get; private set; }
    public string? Description { get; private set; }
    public string? Location { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (User.DistrictId() is not { } district || !RectificationRules.MayCreate(User, district)) return Forbid();
        await LoadAsync(district, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int villageId, string? itemCode, string? description, string? location, string? capturedAt,
        List<IFormFile> file, CancellationToken ct)
    {
        if (User.DistrictId() is not { } district || !RectificationRules.MayCreate(User, district)) return Forbid();
        var photos = new List<PhotoUpload>();
        foreach (var f in file) photos.Add(await PhotoUpload.FromAsync(f, capturedAt, ct));
        var outcome = await service.CreateAsync(User, new RectificationWrite(villageId, itemCode, description, location), photos, ct);
        if (outcome is RectificationOutcome.Done done) return Redirect($"/work/problems/{done.Problem.Id}?done=created");
        (VillageId, ItemCode, Description, Location) = (villageId, itemCode, description, location);
        if (outcome is RectificationOutcome.Invalid invalid) Errors = invalid.Errors;
        else if (outcome is RectificationOutcome.Refused refused) Error = Web.Zh(refused.Why.Message);
        await LoadAsync(district, ct);
        return Page();
    }

    private async Task LoadAsync(int district, CancellationToken ct)
    {
        var q = Query?.Trim();
        var villages = await db.Villages.AsNoTracking().Include(v => v.Township)
            .Where(v => v.Township!.DistrictId == district && v.IsActive && (string.IsNullOrEmpty(q) || v.Name.Contains(q)))
            .OrderBy(v => v.Code).ToListAsync(ct);
        Villages = villages.GroupBy(v => v.TownshipId).Select(g => (g.First().Township!, g.ToList())).OrderBy(g => g.Item1.Code).ToList();
        if (await ruleSets.ResolveAsync(district, Web.CurrentMonth(time), ct) is { } record)
        {
            var rules = ruleSets.Parse(record);
            var sections = rules.AllSections.ToDictionary(s => s.Section.Code, s => s.Section.Title);
            Items = rules.Sections.SelectMany(s => s.Walk()).SelectMany(w => w.Section.Items.Select(i => (i.Code, i.Title, w.Section.Title))).ToList();
        }
    }

    public string? ErrorOf(string field) => Errors.TryGetValue(field, out var e) ? Web.Zh(e[0]) : null;
}
