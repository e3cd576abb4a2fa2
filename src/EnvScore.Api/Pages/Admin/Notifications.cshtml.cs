using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Notifications;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EnvScore.Api.Pages.Admin;

/// <summary>
/// The district admin's notification page (/admin/notifications): the group robot's address, flavour and keyword, a test
/// message, and the latest deliveries with their status, attempts and last error; a failed delivery can be sent again.
/// The same service as <c>/api/notifications/{districtId}/…</c> (<see cref="NotificationSettingsService"/>).
/// </summary>
public class NotificationsModel(NotificationSettingsService service) : PageModel
{
    public int DistrictId { get; private set; }
    public WebhookSetting? Setting { get; private set; }
    public List<DeliveryDto> Deliveries { get; private set; } = [];
    public Dictionary<string, string[]> Errors { get; private set; } = [];
    [TempData] public string? Message { get; set; }

    /// <summary>The form's values (what was typed, after a refused save).</summary>
    public string HookUrl { get; private set; } = "";
    public string Flavour { get; private set; } = nameof(RobotFlavour.WeCom);
    public string Keyword { get; private set; } = "";
    public bool Enabled { get; private set; } = true;

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostSaveAsync(string? url, string? flavour, string? keyword, bool enabled, CancellationToken ct)
    {
        switch (await service.SaveAsync(User, User.DistrictId() ?? 0, new WebhookRequest(url, flavour, keyword, enabled), ct))
        {
            case NotificationOutcome.Saved s:
                Message = s.Setting.Enabled ? "推送地址已保存。可以发送一条测试消息确认。" : "推送地址已保存，推送已停用。";
                return RedirectToPage();
            case NotificationOutcome.Invalid i: Errors = i.Errors; break;
            case NotificationOutcome.Refused r: Errors = new() { ["webhook"] = [r.Message] }; break;
        }
        await LoadAsync(ct);
        (HookUrl, Flavour, Keyword, Enabled) = (url ?? "", flavour ?? "", keyword ?? "", enabled);
        return Page();
    }

    public async Task<IActionResult> OnPostTestAsync(CancellationToken ct) =>
        await AfterQueueAsync(await service.QueueTestAsync(User, User.DistrictId() ?? 0, ct), "测试消息已加入发送队列，稍后点“刷新状态”查看是否送达。", ct);

    public async Task<IActionResult> OnPostRetryAsync(long id, CancellationToken ct) =>
        await AfterQueueAsync(await service.RetryAsync(User, User.DistrictId() ?? 0, id, ct), $"第{id}条消息已重新加入发送队列。", ct);

    private async Task<IActionResult> AfterQueueAsync(NotificationOutcome outcome, string message, CancellationToken ct)
    {
        if (outcome is NotificationOutcome.Queued)
        {
            Message = message;
            return RedirectToPage();
        }
        Errors = new() { ["delivery"] = [outcome is NotificationOutcome.Refused r ? r.Message : "操作未完成"] };
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        DistrictId = User.DistrictId() ?? 0;
        Setting = await service.GetAsync(DistrictId, ct);
        if (Setting is { } s) (HookUrl, Flavour, Keyword, Enabled) = (s.Url, s.Flavour.ToString(), s.Keyword ?? "", s.Enabled);
        Deliveries = await service.DeliveriesAsync(DistrictId, null, 30, ct);
    }

    /// <summary>The last error as the page shows it: its Chinese head ("HTTP 500", "机器人返回错误码93000", "无法送达"); the API keeps the whole text.</summary>
    public static string ErrorHead(string? error) => error is null ? "" : error.Split('：')[0];

    public static string StatusCss(string status) => status switch
    {
        nameof(DeliveryStatus.Sent) => "tier-demo", nameof(DeliveryStatus.Failed) => "tier-fix", _ => "tier-up",
    };
}
