using EnvScore.Api.Features.Audit;
using EnvScore.Domain.Calendar;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EnvScore.Api.Pages.Admin;

/// <summary>The district's audit log: who changed which sheet, when and what (DistrictAdmin and DistrictInspector).</summary>
public class AuditModel(AuditQuery audit) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? M { get; set; }
    [BindProperty(SupportsGet = true)] public int? Township { get; set; }
    [BindProperty(SupportsGet = true)] public string? Village { get; set; }
    [BindProperty(SupportsGet = true, Name = "op")] public string? ActionName { get; set; }
    [BindProperty(SupportsGet = true, Name = "user")] public string? UserName { get; set; }
    [BindProperty(SupportsGet = true)] public int P { get; set; } = 1;

    /// <summary>Highest page number served (a later page is simply empty).</summary>
    public const int MaxPage = 1_000_000;

    public EvaluationMonth? Month { get; private set; }
    public AuditPage Result { get; private set; } = new([], 1, false);
    public List<TownshipOption> Townships { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Month = EvaluationMonth.TryParse(M, out var m) ? m : null;
        P = Math.Clamp(P, 1, MaxPage); // (P-1)×page size must not overflow: ?p=42949674 was a 500
        Townships = await audit.TownshipsAsync(User, ct);
        Result = await audit.ReadAsync(User, new AuditFilter(Month, Township, Village, ActionName, UserName, P), ct);
    }

    /// <summary>This page with the current filters and another page number (the previous/next links).</summary>
    public string PageHref(int page) => "/admin/audit" + QueryString.Create(new Dictionary<string, string?>
    {
        ["m"] = Month?.ToString(), ["township"] = Township?.ToString(), ["village"] = Village,
        ["op"] = ActionName, ["user"] = UserName, ["p"] = page.ToString(),
    }.Where(x => !string.IsNullOrWhiteSpace(x.Value)));
}
