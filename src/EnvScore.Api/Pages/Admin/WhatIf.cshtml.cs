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
/// what <see cref="WhatIfService"/> answers — the tier counts and every village now and under the tried rules (or only
/// the villages whose score, rank or tier changes, <c>changed=1</c>) — or why it cannot: a summary by cause (items the
/// rule set lacks, items it adds, items whose kind changed …), then the problems grouped by the sheets they concern, each
/// group's sheets listed once in a collapsible list. A GET form: nothing is written. The form always shows the query's
/// rule set and month (also after the browser's Back button: <c>autocomplete=off</c>, and site.js resets forms marked
/// <c>data-reset-on-show</c> on <c>pageshow</c>). An invalid <c>id</c> or <c>m</c>, or a month without a rule set, is
/// said in Chinese with what to do; another district's rule set is answered exactly like one that does not exist.
/// </summary>
public class WhatIfModel(EnvScoreDbContext db, WhatIfService whatIf, TimeProvider time) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "id")] public string? IdText { get; set; }
    [BindProperty(SupportsGet = true)] public string? M { get; set; }
    /// <summary>changed=1: list only the villages whose score, district rank or tier changes.</summary>
    [BindProperty(SupportsGet = true)] public bool Changed { get; set; }
    public int? Id { get; private set; }
    public EvaluationMonth Month { get; private set; }
    public List<RuleSetRecord> RuleSets { get; private set; } = [];
    public WhatIfResult? Result { get; private set; }
    public WhatIfOutcome.Invalid? Unfit { get; private set; }
    public string? Error { get; private set; }

    /// <summary>The problems of an unfit rule set grouped by the exact sheets they concern (largest group first).</summary>
    public IReadOnlyList<(IReadOnlyList<WhatIfProblem> Problems, IReadOnlyList<string> Sheets)> UnfitGroups => Unfit is null ? [] :
        Unfit.Problems.GroupBy(p => string.Join("\u0001", p.Sheets))
            .Select(g => ((IReadOnlyList<WhatIfProblem>)g.ToList(), g.First().Sheets))
            .OrderByDescending(g => g.Item2.Count).ToList();

    /// <summary>One line per cause over all problems, e.g. "该细则缺少评分表所填的28个评分项：L01（乱搭乱建）、…".</summary>
    public IReadOnlyList<string> UnfitSummary
    {
        get
        {
            if (Unfit is null) return [];
            static string Items(IEnumerable<WhatIfProblem> ps) => string.Join("、", ps.Where(p => p.ItemCode is not null).Select(p => p.ItemCode!).Distinct()
                .Select(c => c + (ps.FirstOrDefault(p => p.ItemCode == c && p.ItemName is not null)?.ItemName is { } n ? $"（{n}）" : "")));
            var lines = new List<string>();
            var byCode = Unfit.Problems.GroupBy(p => p.Code).ToDictionary(g => g.Key, g => g.ToList());
            if (byCode.Remove(WhatIfProblems.ItemKindChanged, out var kind))
                lines.Add($"{kind.Select(p => p.ItemCode).Distinct().Count()}个评分项改了类型：{Items(kind)}");
            if (byCode.Remove("UnknownItem", out var unknown))
                lines.Add($"该细则缺少评分表所填的{unknown.Select(p => p.ItemCode).Distinct().Count()}个评分项：{Items(unknown)}");
            if (byCode.Remove("MissingRequired", out var required))
                lines.Add($"该细则有{required.Select(p => p.ItemCode).Distinct().Count()}个评分表未填的必填项：{Items(required)}");
            var rest = byCode.Values.SelectMany(x => x).ToList();
            if (rest.Count > 0)
                lines.Add($"其他{rest.Count}个问题{(rest.Any(p => p.ItemCode is not null) ? "，涉及评分项" + Items(rest) : "")}");
            return lines;
        }
    }

    /// <summary>The villages shown: all, or with <see cref="Changed"/> only those whose score, rank or tier changes.</summary>
    public IReadOnlyList<WhatIfVillage> Villages => Result is null ? [] : Changed
        ? Result.Villages.Where(v => v.NewFinalScore != v.FinalScore || v.NewDistrictRank != v.DistrictRank || v.NewTier != v.Tier).ToList()
        : Result.Villages;

    /// <summary>"第2版（草稿）· 农村人居环境…": the version and state first, so a phone's narrow picker still tells them apart.</summary>
    public static string OptionText(RuleSetRecord r) =>
        $"第{r.Version}版（{(r.Status == RuleSetStatus.Active ? "已启用" : "草稿")}）· {r.Title}";

    /// <summary>The sentence for a month the page cannot read (the same range as /admin's).</summary>
    public static string MonthRefused(string given) => $"月份\"{given.Trim()}\"无法试算：应为2000年1月至2999年12月之间的月份（如2026-10）。";

    public async Task OnGetAsync(CancellationToken ct)
    {
        var district = User.DistrictId() ?? -1;
        RuleSets = await db.RuleSets.AsNoTracking().Where(r => r.DistrictId == district).OrderByDescending(r => r.Id).ToListAsync(ct);
        var latest = await db.VillageResults.Where(r => r.DistrictId == district).MaxAsync(r => (int?)r.Month, ct);
        var fallback = latest is { } key ? EvaluationMonth.FromKey(key) : Web.CurrentMonth(time).Previous();
        var errors = new List<string>();
        if (!string.IsNullOrWhiteSpace(IdText))
        {
            if (int.TryParse(IdText.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed)) Id = parsed;
            else errors.Add($"评分细则编号\"{Shown(IdText)}\"无效：请在下面选择一版评分细则，再按“试算”。");
        }
        var monthOk = string.IsNullOrWhiteSpace(M) || EvaluationMonth.TryParse(M, out _);
        if (!monthOk) errors.Add(MonthRefused(Shown(M!)) + $"下面填的是{fallback.ToChinese()}，可改后再按“试算”。");
        Month = monthOk ? Web.MonthOr(M, fallback) : fallback;
        if (Id is null && errors.Count == 0 && !string.IsNullOrWhiteSpace(M))
            errors.Add("请选择要试算的评分细则，再按“试算”。");
        if (errors.Count > 0) { Error = string.Join("", errors); return; }
        if (Id is not { } id) return;
        switch (await whatIf.RunAsync(User, id, Month, ct))
        {
            case WhatIfOutcome.Done d: Result = d.Result; break;
            case WhatIfOutcome.Invalid i: Unfit = i; break;
            case WhatIfOutcome.NotFound n: Error = Web.Zh(n.Message) + (RuleSets.Any(r => r.Id == id) ? "" : "请在下面选择一版本区的评分细则。"); break;
        }
    }

    private static string Shown(string s) => s.Trim().Length > 40 ? s.Trim()[..40] + "…" : s.Trim();

    /// <summary>A problem's message after its item label (shown in bold before it): "的类型已由…" or "：…".</summary>
    public static string AfterLabel(string message, string label) =>
        message.StartsWith(label, StringComparison.Ordinal) ? message[label.Length..] : "：" + message;
}
