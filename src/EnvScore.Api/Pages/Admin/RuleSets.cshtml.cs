using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Rules;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Pages.Admin;

/// <summary>
/// Rule-set versions: upload (validated, stored as a draft), activate from a month, withdraw a future activation. Each
/// active version shows the months it is in force (its start to the month before the next active version's start, as
/// <see cref="RuleSetStore.ResolveAsync"/> picks the version for a month) and which one is 当前执行 this month.
/// </summary>
public class RuleSetsModel(EnvScoreDbContext db, RuleSetStore store, TimeProvider time) : PageModel
{
    public EvaluationMonth Current => ChinaTime.MonthOf(time.GetUtcNow());

    /// <summary>The last month an active version is in force: the month before the next later-starting active version; null when none follows.</summary>
    public EvaluationMonth? LastMonth(RuleSetRecord record) =>
        RuleSets.Where(r => r.Status == RuleSetStatus.Active && r.EffectiveFromMonth > record.EffectiveFromMonth)
            .Select(r => (int?)r.EffectiveFromMonth).Min() is { } next ? EvaluationMonth.FromKey(next).Previous() : null;

    /// <summary>"当前执行" / "尚未开始" / "已停止执行" for an active version, relative to this month.</summary>
    public string Period(RuleSetRecord record)
    {
        var start = EvaluationMonth.FromKey(record.EffectiveFromMonth);
        var last = LastMonth(record);
        if (start > Current) return "尚未开始";
        return last is { } l && l < Current ? "已停止执行" : "当前执行";
    }

    public List<RuleSetRecord> RuleSets { get; private set; } = [];
    public List<string> Errors { get; } = [];
    public List<RuleSetProblem> Problems { get; private set; } = [];
    [TempData] public string? Message { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostUploadAsync(IFormFile? file, CancellationToken ct)
    {
        if (file is null || file.Length == 0) Errors.Add("请选择评分细则文件（.yaml）");
        else if (file.Length > RuleSetFileEndpoints.MaxFileBytes) Errors.Add("文件不能超过1MB");
        else
        {
            using var reader = new StreamReader(file.OpenReadStream());
            var yaml = await reader.ReadToEndAsync(ct);
            switch (await store.ImportAsync(User.DistrictId() ?? -1, yaml, file.FileName, User.Identity!.Name!, ct))
            {
                case RuleSetWrite.Created c: Message = $"已导入草稿：{c.RuleSet.Title} 第{c.RuleSet.Version}版。校验通过，启用前可再检查。"; return RedirectToPage();
                case RuleSetWrite.Unchanged: Message = "该版本已存在且内容相同，未作改动。"; return RedirectToPage();
                case RuleSetWrite.Invalid i: Errors.Add($"文件有{i.Problems.Count}处问题，未导入："); Problems = [.. i.Problems]; break;
                case RuleSetWrite.Conflict c: Errors.Add(c.Message); break;
            }
        }
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostActivateAsync(int id, string? from, CancellationToken ct)
    {
        var record = await db.RuleSets.SingleOrDefaultAsync(r => r.Id == id && r.DistrictId == User.DistrictId(), ct);
        if (record is null) return NotFound();
        EvaluationMonth? month = EvaluationMonth.TryParse(from, out var m) ? m : null;
        switch (await store.ActivateAsync(record, month, User.Identity!.Name!, ct))
        {
            case RuleSetWrite.Updated u: Message = $"已启用：自{EvaluationMonth.FromKey(u.RuleSet.EffectiveFromMonth).ToChinese()}起执行。"; return RedirectToPage();
            case RuleSetWrite.Conflict c: Errors.Add(c.Message); break;
            default: Errors.Add("未能启用"); break;
        }
        await LoadAsync(ct);
        return Page();
    }

    /// <summary>Whether the page offers 撤销启用 for a version: the feature's rule (<see cref="RuleSetStore.WhyNotWithdrawable"/>).</summary>
    public bool Withdrawable(RuleSetRecord record) => store.WhyNotWithdrawable(record) is null;

    public async Task<IActionResult> OnPostWithdrawAsync(int id, CancellationToken ct)
    {
        var record = await db.RuleSets.SingleOrDefaultAsync(r => r.Id == id && r.DistrictId == User.DistrictId(), ct);
        if (record is null) return NotFound();
        switch (await store.WithdrawAsync(record, User.Identity!.Name!, ct))
        {
            case RuleSetWrite.Updated u: Message = $"已撤销启用：{u.RuleSet.Title} 第{u.RuleSet.Version}版回到草稿。"; return RedirectToPage();
            case RuleSetWrite.Conflict c: Errors.Add(c.Message); break;
            default: Errors.Add("未能撤销启用"); break;
        }
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct) =>
        RuleSets = await db.RuleSets.AsNoTracking().Where(r => r.DistrictId == User.DistrictId()).OrderByDescending(r => r.Id).ToListAsync(ct);
}
