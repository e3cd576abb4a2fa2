using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Organisation;
using EnvScore.Api.Features.Rectifications;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Pages.Work.Problems;

/// <summary>
/// 整改台账: the problems the user sees, filtered by month (<c>m</c>), township (<c>t</c>), state, item, source and
/// overdue; counts per township. <see cref="PageSize"/> problems a page (<c>p</c>, 上一页/下一页), sorted by
/// <c>sort</c>: <c>new</c> (default: 最新发现在前) or <c>overdue</c> (逾期最久在前: open overdue problems by their
/// deadline, oldest first, then the rest by deadline). Every link (pages, sort, 查看) keeps the filters; 查看 carries the
/// list's address in <c>back</c> so the problem page's 返回整改台账 returns to the same list. A filter value the page
/// cannot use (a month that is not one, an unknown state/source/township/item) is named in Chinese with what is
/// expected, and that filter is not applied.
/// </summary>
public class IndexModel(EnvScoreDbContext db, RectificationLedger ledger) : PageModel
{
    public const int PageSize = 50;
    [BindProperty(SupportsGet = true, Name = "m")] public string? MonthText { get; set; }
    [BindProperty(SupportsGet = true, Name = "t")] public string? TownshipText { get; set; }
    [BindProperty(SupportsGet = true, Name = "state")] public string? StateText { get; set; }
    [BindProperty(SupportsGet = true, Name = "item")] public string? Item { get; set; }
    [BindProperty(SupportsGet = true, Name = "source")] public string? SourceText { get; set; }
    [BindProperty(SupportsGet = true, Name = "overdue")] public string? OverdueText { get; set; }
    [BindProperty(SupportsGet = true, Name = "sort")] public string? Sort { get; set; }
    [BindProperty(SupportsGet = true, Name = "p")] public string? PageText { get; set; }

    public List<Rectification> Rows { get; private set; } = [];
    public int Total { get; private set; }
    public int PageNumber { get; private set; } = 1;
    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);
    public List<TownshipCounts> Counts { get; private set; } = [];
    public List<Township> Townships { get; private set; } = [];
    public Dictionary<int, string> VillageNames { get; private set; } = [];
    public List<(string Code, string Title)> Items { get; private set; } = [];
    public DateOnly Today => ledger.Today;
    public bool MayCreate => User.DistrictId() is { } d && RectificationRules.MayCreate(User, d);
    public LedgerFilter Filter { get; private set; } = new();
    /// <summary>One sentence per filter value that could not be used (Chinese).</summary>
    public List<string> FilterErrors { get; } = [];
    public bool SortOverdue => Sort == "overdue";

    public async Task OnGetAsync(CancellationToken ct)
    {
        var district = User.DistrictId();
        // The township filter offers what the user may read: a secretary reads only their own township's problems (no choice to offer).
        Townships = district is { } d && !User.IsInRole(EnvScore.Api.Features.Accounts.Roles.TownshipSecretary)
            ? await db.Townships.AsNoTracking().Where(t => t.DistrictId == d).OrderBy(t => t.Code).ToListAsync(ct) : [];
        Items = (await ledger.Visible(User).Select(r => new { r.ItemCode, r.ItemTitle }).Distinct().ToListAsync(ct))
            .GroupBy(i => i.ItemCode).Select(g => (g.Key, g.First().ItemTitle)).OrderBy(i => i.Key, StringComparer.Ordinal).ToList();

        int? month = null;
        if (!string.IsNullOrWhiteSpace(MonthText))
        {
            if (EvaluationMonth.TryParse(MonthText, out var m)) month = m.Key;
            else Refuse("月份", MonthText, "应为2000年1月至2999年12月之间的月份（如2026-10）");
        }
        int? township = null;
        if (!string.IsNullOrWhiteSpace(TownshipText))
        {
            if (int.TryParse(TownshipText, out var tid) && Townships.Any(t => t.Id == tid)) township = tid;
            else Refuse("乡镇", TownshipText, Townships.Count > 0 ? "请在“乡镇”中选择本区的一个乡镇" : "您只能查看本乡镇的问题，无需选择乡镇");
        }
        var state = Parse<RectificationState>(StateText, "状态", string.Join("、", Enum.GetValues<RectificationState>().Select(RectificationRules.StateName)));
        var source = Parse<RectificationSource>(SourceText, "来源", string.Join("、", Enum.GetValues<RectificationSource>().Select(RectificationRules.SourceName)));
        bool? overdue = null;
        if (!string.IsNullOrWhiteSpace(OverdueText))
        {
            if (bool.TryParse(OverdueText.Trim(), out var o)) overdue = o;
            else Refuse("逾期", OverdueText, "应为“仅逾期”或“未逾期”");
        }
        string? item = null;
        if (!string.IsNullOrWhiteSpace(Item))
        {
            if (Items.Any(i => i.Code == Item.Trim())) item = Item.Trim();
            else Refuse("评分项", Item, Items.Count > 0 ? "台账中没有这个评分项的问题，请在“评分项”中选择" : "台账中还没有问题");
        }
        if (!string.IsNullOrWhiteSpace(Sort) && Sort is not ("new" or "overdue"))
        {
            Refuse("排序", Sort, "应为“最新在前”或“逾期最久在前”");
            Sort = null;
        }
        if (!string.IsNullOrWhiteSpace(PageText) && !(int.TryParse(PageText, out var page) && page >= 1))
            Refuse("页码", PageText, "应为1以上的整数");
        PageNumber = int.TryParse(PageText, out var asked) ? Math.Clamp(asked, 1, 1_000_000) : 1;

        Filter = new LedgerFilter(month, township, state, item, source, overdue);
        var query = ledger.Filtered(User, Filter);
        Total = await query.CountAsync(ct);
        PageNumber = Math.Min(PageNumber, Pages);
        var today = ledger.Today;
        var sorted = SortOverdue
            ? query.OrderByDescending(r => r.State == RectificationState.Open && r.Deadline < today).ThenBy(r => r.Deadline).ThenBy(r => r.Id)
            : query.OrderByDescending(r => r.FoundAt).ThenByDescending(r => r.Id);
        Rows = await sorted.Skip((PageNumber - 1) * PageSize).Take(PageSize).ToListAsync(ct);
        Counts = await ledger.CountsAsync(User, month, ct);
        var villageIds = Rows.Select(r => r.VillageId).Distinct().ToList();
        VillageNames = await db.Villages.AsNoTracking().Where(v => villageIds.Contains(v.Id)).ToDictionaryAsync(v => v.Id, v => v.Name, ct);
    }

    private T? Parse<T>(string? text, string field, string expected) where T : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (Enum.TryParse<T>(text.Trim(), ignoreCase: true, out var value) && Enum.IsDefined(value) && !int.TryParse(text, out _)) return value;
        Refuse(field, text, $"应为{expected}之一");
        return null;
    }

    private void Refuse(string field, string given, string expected)
    {
        var shown = given.Trim().Length > 30 ? given.Trim()[..30] + "…" : given.Trim();
        FilterErrors.Add($"筛选条件“{field}”的值\"{shown}\"无效：{expected}。此条件未使用。");
    }

    /// <summary>The list's address with the usable filters, the sort and the page (null/empty values left out).</summary>
    public string Href(int? page = null, string? sort = null)
    {
        var q = new List<KeyValuePair<string, string?>>();
        void Add(string k, string? v) { if (!string.IsNullOrEmpty(v)) q.Add(new(k, v)); }
        if (Filter.Month is { } m) Add("m", EvaluationMonth.FromKey(m).ToString());
        Add("t", Filter.TownshipId?.ToString());
        Add("state", Filter.State?.ToString());
        Add("overdue", Filter.Overdue is { } o ? (o ? "true" : "false") : null);
        Add("source", Filter.Source?.ToString());
        Add("item", Filter.ItemCode);
        var s = sort ?? Sort;
        Add("sort", s == "overdue" ? "overdue" : null);
        var p = page ?? PageNumber;
        Add("p", p > 1 ? p.ToString() : null);
        return "/work/problems" + Microsoft.AspNetCore.Http.QueryString.Create(q);
    }

    /// <summary>The filters only, for the Excel download (the same problems, all pages).</summary>
    public string FilterQuery()
    {
        var href = Href(page: 1, sort: "new");
        var i = href.IndexOf('?');
        return i < 0 ? "" : href[i..];
    }
}
