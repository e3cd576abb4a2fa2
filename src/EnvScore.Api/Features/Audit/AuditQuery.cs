using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Audit;

/// <summary>Filters of the audit page; every one optional. <see cref="Page"/> counts from 1;
/// <see cref="Id"/> picks one row (the audit page's raw-record view).</summary>
public sealed record AuditFilter(EvaluationMonth? Month = null, int? TownshipId = null, string? VillageCode = null,
    string? Action = null, string? UserName = null, int Page = 1, long? Id = null);

/// <summary>One audit row with the sheet it belongs to (village, township, month, kind) and what changed.</summary>
public sealed record AuditRow(long Id, DateTimeOffset At, string UserName, string Action, int? EvaluationId, int? Month,
    EvaluationKind? Kind, string? VillageCode, string? VillageName, string? TownshipName, string? Before, string? After,
    IReadOnlyList<AuditChange> Changes)
{
    public string ActionName => AuditActions.Name(Action);
    public string Summary => AuditChanges.Summary(Changes);
    /// <summary>e.g. "2026年11月乡镇自评".</summary>
    public string SheetName => (Month is { } m ? EvaluationMonth.FromKey(m).ToChinese() : "") + (Kind is { } k ? EvaluationService.KindName(k) : "");
    /// <summary>The snapshots in Chinese, one field per line (<see cref="AuditChanges.Render"/>).</summary>
    public string? BeforeText => AuditChanges.Render(Before);
    public string? AfterText => AuditChanges.Render(After);
}

public sealed record TownshipOption(int Id, string Name);

public sealed record AuditPage(IReadOnlyList<AuditRow> Rows, int Page, bool HasNext)
{
    public bool HasPrevious => Page > 1;
}

/// <summary>The actions the audit log records, with their Chinese names (the page's action filter lists these).</summary>
public static class AuditActions
{
    public static readonly IReadOnlyDictionary<string, string> Names = new Dictionary<string, string>
    {
        ["Evaluation.Create"] = "新建", ["Evaluation.Update"] = "修改", ["Evaluation.Replace"] = "整表修改",
        ["Evaluation.Submit"] = "提交", ["Evaluation.Return"] = "退回", ["Evaluation.Import"] = "表格导入（新建）",
        ["Evaluation.ImportUpdate"] = "表格导入（修改）", ["Evaluation.Lock"] = "截止锁定", ["Evaluation.Correct"] = "区级更正",
        ["Evidence.Add"] = "上传证据", ["Evidence.Remove"] = "删除证据",
        ["Rectification.FromComputation"] = "评比扣分生成整改问题", ["Rectification.Create"] = "上报整改问题",
        ["Rectification.BeforePhoto"] = "上传整改前照片", ["Rectification.AfterPhoto"] = "上传整改后照片",
        ["Rectification.ReportFix"] = "上报整改", ["Rectification.Close"] = "复核通过并销号", ["Rectification.Reject"] = "复核未通过",
        ["Publication.Publish"] = "发布通报", ["Publication.OpenCorrection"] = "开启更正",
    };

    public static string Name(string action) => Names.GetValueOrDefault(action, action);
}

/// <summary>The district office's reading of the audit log: visible rows only, filtered, newest first, a page at a time.</summary>
public class AuditQuery(EnvScoreDbContext db)
{
    public const int PageSize = 50;

    public async Task<AuditPage> ReadAsync(ClaimsPrincipal user, AuditFilter filter, CancellationToken ct = default)
    {
        var page = Math.Max(1, filter.Page);
        var rows =
            from a in db.AuditLog.AsNoTracking().VisibleTo(user, db.Evaluations)
            join e in db.Evaluations on a.EvaluationId equals (int?)e.Id into es
            from e in es.DefaultIfEmpty()
            join v in db.Villages on e.VillageId equals v.Id into vs
            from v in vs.DefaultIfEmpty()
            select new { a, e, v };
        // The office's record of sheets and problems: a webhook resend (Notification.Retry, the delivery's ended round) is
        // read where it belongs, on /admin/notifications (and the raw robot answer it keeps is not for this page).
        rows = rows.Where(x => !x.a.Action.StartsWith("Notification."));
        if (filter.Id is { } id) rows = rows.Where(x => x.a.Id == id);
        if (filter.Month is { } month) rows = rows.Where(x => x.e.Month == month.Key);
        if (filter.TownshipId is { } township) rows = rows.Where(x => x.a.TownshipId == township);
        if (!string.IsNullOrWhiteSpace(filter.VillageCode)) { var code = filter.VillageCode.Trim(); rows = rows.Where(x => x.v.Code.StartsWith(code)); }
        if (!string.IsNullOrWhiteSpace(filter.Action)) { var action = filter.Action.Trim(); rows = rows.Where(x => x.a.Action == action); }
        if (!string.IsNullOrWhiteSpace(filter.UserName)) { var name = filter.UserName.Trim(); rows = rows.Where(x => x.a.UserName.Contains(name)); }

        var found = await rows.OrderByDescending(x => x.a.At).ThenByDescending(x => x.a.Id)
            .Skip((page - 1) * PageSize).Take(PageSize + 1)
            .Select(x => new
            {
                x.a.Id, x.a.At, x.a.UserName, x.a.Action, x.a.EvaluationId, x.a.Before, x.a.After,
                Month = (int?)x.e.Month, Kind = (EvaluationKind?)x.e.Kind, RuleSetId = (int?)x.e.RuleSetId,
                VillageCode = x.v.Code, VillageName = x.v.Name, TownshipName = x.v.Township!.Name,
            }).ToListAsync(ct);
        // Item titles of the sheets' rule sets (one query for the page), so that changes name the items.
        var ruleSetIds = found.Select(x => x.RuleSetId).OfType<int>().Distinct().ToList();
        var titles = (await db.RuleSets.AsNoTracking().Where(r => ruleSetIds.Contains(r.Id))
                .SelectMany(r => r.Items.Select(i => new { r.Id, i.Code, i.Title })).ToListAsync(ct))
            .ToDictionary(i => (i.Id, i.Code), i => i.Title);
        var result = found.Take(PageSize).Select(x => new AuditRow(x.Id, x.At, x.UserName, x.Action, x.EvaluationId, x.Month, x.Kind,
            x.VillageCode, x.VillageName, x.TownshipName, x.Before, x.After,
            AuditChanges.Between(x.Before, x.After, code => x.RuleSetId is { } id ? titles.GetValueOrDefault((id, code)) : null))).ToList();
        return new AuditPage(result, page, found.Count > PageSize);
    }

    /// <summary>The townships a filter may name: the user's district's.</summary>
    public Task<List<TownshipOption>> TownshipsAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        var district = user.DistrictId() ?? -1;
        return db.Townships.AsNoTracking().Where(t => t.DistrictId == district).OrderBy(t => t.Code)
            .Select(t => new TownshipOption(t.Id, t.Name)).ToListAsync(ct);
    }
}
