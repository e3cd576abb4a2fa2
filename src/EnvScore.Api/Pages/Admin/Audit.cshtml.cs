using EnvScore.Api.Features.Audit;
using EnvScore.Domain.Calendar;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EnvScore.Api.Pages.Admin;

/// <summary>
/// The district's audit log: who changed which sheet, when and what (DistrictAdmin and DistrictInspector). A page of
/// the list carries each row's summary of changes; the raw record (the sheet before and after, indented JSON, several
/// KB per row) is one link away (?record=ID), so that a page of 50 rows stays within the 100 KB budget of a township
/// office's line (issue #20, docs/performance.md).
/// </summary>
public class AuditModel(AuditQuery audit) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? M { get; set; }
    [BindProperty(SupportsGet = true)] public int? Township { get; set; }
    [BindProperty(SupportsGet = true)] public string? Village { get; set; }
    [BindProperty(SupportsGet = true, Name = "op")] public string? ActionName { get; set; }
    [BindProperty(SupportsGet = true, Name = "user")] public string? UserName { get; set; }
    [BindProperty(SupportsGet = true)] public int P { get; set; } = 1;
    /// <summary>?record=ID: that one row with its raw record (before and after, indented) instead of the list.</summary>
    [BindProperty(SupportsGet = true)] public long? Record { get; set; }

    /// <summary>Highest page number served (a later page is simply empty).</summary>
    public const int MaxPage = 1_000_000;

    public EvaluationMonth? Month { get; private set; }
    public AuditPage Result { get; private set; } = new([], 1, false);
    public List<TownshipOption> Townships { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Month = EvaluationMonth.TryParse(M, out var m) ? m : null;
        P = Math.Clamp(P, 1, MaxPage); // (P-1)×page size must not overflow: ?p=42949674 was a 500
        if (Record is { } id)
        {
            // Only rows the user may see: another district's id reads as "no such record".
            Result = await audit.ReadAsync(User, new AuditFilter(Id: id), ct);
            return;
        }
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
