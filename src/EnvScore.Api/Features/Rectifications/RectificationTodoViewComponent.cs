using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Infrastructure.Data;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Rectifications;

/// <summary>The to-do list of /work (<see cref="RectificationLedger.TodoAsync"/>): what the user should fix or review next.</summary>
public class RectificationTodoViewComponent(RectificationLedger ledger, EnvScoreDbContext db) : ViewComponent
{
    public const int Max = 20;

    public sealed record Row(Rectification Problem, string Village, bool Overdue);
    /// <param name="Total">How many problems the list has in all; <see cref="Rows"/> holds at most <see cref="Max"/>.</param>
    /// <param name="AllUrl">The ledger filtered to the whole list (linked when the list is cut).</param>
    public sealed record Model(string Title, string Empty, IReadOnlyList<Row> Rows, bool MayCreate, int Total, string AllUrl);

    public async Task<IViewComponentResult> InvokeAsync()
    {
        var user = (System.Security.Claims.ClaimsPrincipal)User;
        var todo = await ledger.TodoAsync(user, Max, HttpContext.RequestAborted);
        var total = todo.Count < Max ? todo.Count : await ledger.TodoCountAsync(user, HttpContext.RequestAborted);
        var ids = todo.Select(r => r.VillageId).Distinct().ToList();
        var names = await db.Villages.AsNoTracking().Where(v => ids.Contains(v.Id)).ToDictionaryAsync(v => v.Id, v => v.Name);
        var today = ledger.Today;
        var (title, empty) = user.IsInRole(Roles.TownshipSecretary) ? ("待整改问题（逾期的在前）", "本乡镇没有待整改的问题。")
            : user.IsInRole(Roles.DistrictInspector) ? ("待复核问题（最早上报的在前）", "没有等待复核的问题。")
            : ("逾期未整改问题", "没有逾期未整改的问题。");
        var mayCreate = user.DistrictId() is { } d && RectificationRules.MayCreate(user, d);
        return View(new Model(title, empty, todo.Select(r => new Row(r, names.GetValueOrDefault(r.VillageId, ""), RectificationRules.IsOverdue(r, today))).ToList(), mayCreate,
            total, RectificationLedger.TodoListUrl(user)));
    }
}
