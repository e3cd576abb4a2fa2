using EnvScore.Api.Features.Notices;
using EnvScore.Domain.Calendar;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EnvScore.Api.Pages;

/// <summary>A published revision's notice (通报) as a printable page (anyone); the same <see cref="Notice"/> as the .docx.</summary>
public class NoticeModel(NoticeService notices) : PageModel
{
    public Notice Notice { get; private set; } = null!;
    public int DistrictId { get; private set; }
    public string MonthText { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync(int districtId, string month, int revision, CancellationToken ct)
    {
        if (!EvaluationMonth.TryParse(month, out var m) || await notices.RevisionAsync(districtId, m, revision, ct) is not { } notice) return NotFound();
        (Notice, DistrictId, MonthText) = (notice, districtId, m.ToString());
        return Page();
    }
}
