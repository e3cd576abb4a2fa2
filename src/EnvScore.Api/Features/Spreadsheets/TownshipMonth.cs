using System.Security.Claims;
using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Features.Organisation;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Organisation;
using EnvScore.Domain.Rules;
using EnvScore.Spreadsheets.Templates;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Spreadsheets;

/// <summary>A township's month as the spreadsheet sees it: villages, rules in force, layout and scope.</summary>
public sealed record TownshipMonth(EvaluationMonth Month, Township Township, List<Village> Villages, int RuleSetId,
    RuleSet Rules, TemplateLayout Layout, TemplateScope Scope, EvaluationKind Kind)
{
    /// <summary>
    /// Loads it for a user who may write that kind of sheet in the township (<see cref="EvaluationAccess.CanWrite"/>:
    /// Self — the township's secretary or the district's admin; District — the district's inspector or admin).
    /// On failure: the HTTP status and a Chinese message.
    /// </summary>
    public static async Task<(TownshipMonth? Month, int Status, string? Error)> LoadAsync(ClaimsPrincipal user, string? month, int townshipId,
        EnvScoreDbContext db, RuleSetStore store, CancellationToken ct) =>
        await LoadAsync(user, month, townshipId, EvaluationKind.Self, db, store, ct);

    public static async Task<(TownshipMonth? Month, int Status, string? Error)> LoadAsync(ClaimsPrincipal user, string? month, int townshipId,
        EvaluationKind kind, EnvScoreDbContext db, RuleSetStore store, CancellationToken ct)
    {
        if (!EvaluationMonth.TryParse(month, out var m))
            return (null, 400, Infrastructure.Errors.MonthInput.Message("month", month));
        var township = await db.Townships.AsNoTracking().Include(t => t.District).SingleOrDefaultAsync(t => t.Id == townshipId, ct);
        if (township is null) return (null, 404, $"乡镇编号{townshipId}不存在 (township not found)");
        if (!user.CanWrite(kind, townshipId, township.DistrictId))
            return (null, 403, kind == EvaluationKind.Self ? "只能处理本乡镇的评比表 (only your own township)" : "只有本区的督查员或管理员可以填报区级抽查 (district inspectors only)");
        var record = await store.ResolveAsync(township.DistrictId, m, ct);
        if (record is null) return (null, 409, $"{m.ToChinese()}没有启用的评分细则 (no rule set in force)");
        var rules = store.Parse(record);
        var villages = await db.Villages.AsNoTracking().Where(v => v.TownshipId == townshipId && v.IsActive).OrderBy(v => v.Code).ToListAsync(ct);
        var scope = TemplateScope.ForTownship(DivisionCode.Parse(township.District!.Code), township.District.Name,
            DivisionCode.Parse(township.Code), township.Name) with { Sheet = kind == EvaluationKind.District ? SheetKind.SpotCheck : SheetKind.SelfEvaluation };
        return (new TownshipMonth(m, township, villages, record.Id, rules, TemplateLayouts.From(rules, m), scope, kind), 200, null);
    }
}
