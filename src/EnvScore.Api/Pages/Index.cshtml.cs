using System.Globalization;
using EnvScore.Api.Features.Publication;
using EnvScore.Domain.Calendar;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EnvScore.Api.Pages;

/// <summary>
/// The public ranking of a published month (latest revision unless an earlier one is asked for). Without <c>m</c> the latest
/// published month; <c>d</c> (district), <c>m</c> (month) and <c>r</c> (revision) that do not name something published are
/// said on the page with links to what is (<see cref="PublicRefusal"/>: 400 malformed, 404 not published), never replaced
/// silently by another month.
/// </summary>
[Microsoft.AspNetCore.OutputCaching.OutputCache(PolicyName = WebSetup.PublicPagesPolicy)]
public class IndexModel(PublicData data) : PageModel
{
    public string? DistrictName { get; private set; }
    public int DistrictId { get; private set; }
    public List<PublicData.MonthChoice> Months { get; private set; } = [];
    public EvaluationMonth Month { get; private set; }
    public List<PublicationRevision> Revisions { get; private set; } = [];
    public PublicationRevision? Revision { get; private set; }
    public PublicationRevision? Latest => Revisions.LastOrDefault();
    public List<PublishedVillageResult> Villages { get; private set; } = [];
    public List<PublishedTownshipResult> Townships { get; private set; } = [];
    /// <summary>Set when the address asks for something not published; the page then shows only this (and answers its status).</summary>
    public PublicRefusal? Refusal { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? d, string? m, string? r, CancellationToken ct)
    {
        int? asked = null;
        if (!string.IsNullOrWhiteSpace(d))
        {
            if (!int.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                return await RefuseDistrictAsync(400, "区编号无效", $"地址中的区编号“{PublicData.Shown(d)}”不是有效的编号，应为正整数，例如 d=1。", ct);
            asked = id;
        }
        if (await data.DistrictAsync(asked, ct) is not { } district)
            return asked is null ? Page() : await RefuseDistrictAsync(404, "没有该区的通报", $"编号为{asked}的区没有已发布的通报。", ct);
        (DistrictId, DistrictName) = district;
        Months = await data.MonthsAsync(DistrictId, ct);
        if (PublicData.PickMonth(Months, m, "/", asked is null ? null : DistrictId, out var month) is { } refused) return Refuse(refused);
        Month = month;
        Revisions = await data.RevisionsAsync(DistrictId, Month, ct);
        Revision = Latest;
        if (!string.IsNullOrWhiteSpace(r))
        {
            var links = Revisions.Select(x => ($"/?d={DistrictId}&m={Month}&r={x.Number}", $"第{x.Number}版（{x.Date:yyyy年M月d日}）")).ToList();
            if (!int.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                return Refuse(new PublicRefusal(400, "版本号无效",
                    $"地址中的版本号“{PublicData.Shown(r)}”不是有效的版本号，应为正整数，例如 r=1。", "/", Months, DistrictId, links));
            Revision = Revisions.FirstOrDefault(x => x.Number == number);
            if (Revision is null)
                return Refuse(new PublicRefusal(404, $"{Month.ToChinese()}的通报没有第{number}版",
                    $"{Month.ToChinese()}的通报共发布了{Revisions.Count}版（最新为第{Latest!.Number}版）。", "/", Months, DistrictId, links));
        }
        Villages = await data.VillagesAsync(Revision!.Id, ct);
        Townships = await data.TownshipsAsync(Revision.Id, ct);
        return Page();
    }

    private IActionResult Refuse(PublicRefusal refusal)
    {
        Refusal = refusal;
        Response.StatusCode = refusal.Status;
        return Page();
    }

    /// <summary>A district that was not asked for properly: the refusal links to the months of the district shown by default.</summary>
    private async Task<IActionResult> RefuseDistrictAsync(int status, string heading, string text, CancellationToken ct)
    {
        var fallback = await data.DistrictAsync(null, ct);
        var months = fallback is { } f ? await data.MonthsAsync(f.Id, ct) : [];
        return Refuse(new PublicRefusal(status, heading, text, "/", months, fallback?.Id));
    }
}
