using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Analysis;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Pages.Admin;

/// <summary>
/// 规则试算 (what-if of a rule change): a rule set of the district (usually a draft) and a computed month; the page shows
/// what <see cref="WhatIfService"/> answers — the tier counts and every village now and under the tried rules — or why
/// it cannot (each problem with its item's code and name, what changed and what the rule set expects, the sheets concerned).
/// A GET form: nothing is written.
/// </summary>
public class WhatIfModel(EnvScoreDbContext db, WhatIfService whatIf, TimeProvider time) : PageModel
{
    [BindProperty(SupportsGet = true)] public int? Id { get; set; }
    [BindProperty(SupportsGet = true)] public string? M { get; set; }
    public EvaluationMonth Month { get; private set; }
    public List<RuleSetRecord> RuleSets { get; private set; } = [];
    public WhatIfResult? Result { get; private set; }
    public WhatIfOutcome.Invalid? Unfit { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var district = User.DistrictId() ?? -1;
        RuleSets = await db.RuleSets.AsNoTracking().Where(r => r.DistrictId == district).OrderByDescending(r => r.Id).ToListAsync(ct);
        var latest = await db.VillageResults.Where(r => r.DistrictId == district).MaxAsync(r => (int?)r.Month, ct);
        var fallback = latest is { } key ? EvaluationMonth.FromKey(key) : Web.CurrentMonth(time).Previous();
        if (!string.IsNullOrWhiteSpace(M) && !EvaluationMonth.TryParse(M, out _))
        {
            Month = fallback;
            Error = $"月份\"{M.Trim()}\"无效：应为如2026-10的月份。";
            return;
        }
        Month = Web.MonthOr(M, fallback);
        if (Id is not { } id) return;
        switch (await whatIf.RunAsync(User, id, Month, ct))
        {
            case WhatIfOutcome.Done d: Result = d.Result; break;
            case WhatIfOutcome.Invalid i: Unfit = i; break;
            case WhatIfOutcome.NotFound n: Error = Web.Zh(n.Message); break;
            default: Error = "只能试算本区的评分细则。"; break;
        }
    }

    /// <summary>A problem's message after its item label (shown in bold before it): "的类型已由…" or "：…".</summary>
    public static string AfterLabel(string message, string label) =>
        message.StartsWith(label, StringComparison.Ordinal) ? message[label.Length..] : "：" + message;
}
