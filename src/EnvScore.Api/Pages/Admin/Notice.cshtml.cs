using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Notices;
using EnvScore.Domain.Calendar;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EnvScore.Api.Pages.Admin;

/// <summary>
/// The district admin's notice page: the month's notice as it would be published now (preview, printable) and the
/// editor of the notice's words (主送机关, opening, closing, 落款) — each save is a new template version
/// (<see cref="NoticeService.SaveTemplateAsync"/>, the same code as <c>PUT /api/notice-templates/{districtId}</c>).
/// </summary>
public class NoticeModel(NoticeService notices, TimeProvider time) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? M { get; set; }
    public EvaluationMonth Month { get; private set; }
    public int DistrictId { get; private set; }
    public Notice? Notice { get; private set; }
    public NoticeTemplate Template { get; private set; } = null!;
    public Dictionary<string, string[]> Errors { get; private set; } = [];
    [TempData] public string? Message { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostTemplateAsync(string? addressees, string? opening, string? closing, string? signature, CancellationToken ct)
    {
        var outcome = await notices.SaveTemplateAsync(User, User.DistrictId() ?? 0, new NoticeTemplateRequest(addressees, opening, closing, signature), time.GetUtcNow(), ct);
        switch (outcome)
        {
            case NoticeTemplateOutcome.Saved s:
                Message = $"通报模板已保存为第{s.Template.Version}版；已发布的通报仍用发布时的模板。";
                return RedirectToPage(new { m = M });
            case NoticeTemplateOutcome.Invalid i: Errors = i.Errors; break;
            case NoticeTemplateOutcome.Conflict c: Errors = new() { ["template"] = [c.Message] }; break;
            default: return Forbid();
        }
        await LoadAsync(ct);
        Template = new NoticeTemplate { Addressees = addressees ?? "", Opening = opening ?? "", Closing = closing ?? "", Signature = signature ?? "", Version = Template.Version, CreatedBy = "" };
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        DistrictId = User.DistrictId() ?? 0;
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), ChinaTime.Zone).DateTime);
        Month = Web.MonthOr(M, Web.CurrentMonth(time).Previous());
        Notice = await notices.PreviewAsync(DistrictId, Month, today, ct);
        Template = await notices.TemplateAtAsync(DistrictId, null, ct);
    }
}
