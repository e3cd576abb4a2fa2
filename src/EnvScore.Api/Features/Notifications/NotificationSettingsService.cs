using System.Security.Claims;
using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Notifications;

/// <summary>What a client sends to configure the webhook (JSON, camelCase). <c>flavour</c>: "WeCom" (企业微信) or "DingTalk" (钉钉).</summary>
public sealed record WebhookRequest(string? Url, string? Flavour, string? Keyword, bool? Enabled);

/// <summary>
/// A delivery as the API and the page show it. <see cref="Earlier"/>: the rounds before each manual 重新发送, oldest first —
/// what they ended with (attempts, last error, last attempt) and who sent it again when — read from the audit log
/// (action <c>Notification.Retry</c>, the delivery as it stood in <c>before</c>); <see cref="Attempts"/> and
/// <see cref="LastError"/> are the current round's.
/// </summary>
public sealed record DeliveryDto(long Id, string Event, string Title, string Status, int Attempts, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset? LastAttemptAt, DateTimeOffset? SentAt, string? Link)
{
    public IReadOnlyList<DeliveryRound> Earlier { get; init; } = [];
}

/// <summary>One ended round of a delivery: its attempts and last error, and the manual resend that closed it (when, by whom).</summary>
public sealed record DeliveryRound(int Attempts, string? LastError, DateTimeOffset? LastAttemptAt, DateTimeOffset ResentAt, string ResentBy);

public abstract record NotificationOutcome
{
    public sealed record Saved(WebhookSetting Setting) : NotificationOutcome;
    public sealed record Queued(NotificationDelivery Delivery) : NotificationOutcome;
    /// <summary>400: every field in error named, Chinese first.</summary>
    public sealed record Invalid(Dictionary<string, string[]> Errors) : NotificationOutcome;
    public sealed record Refused(int Status, string Code, string Message) : NotificationOutcome;
}

/// <summary>
/// The district admin's side: the webhook (validated: an absolute http/https address of at most 500 characters, a flavour,
/// a keyword of at most 20 characters), a test message, the deliveries with their status, and sending a failed one again.
/// Only a DistrictAdmin of the district (403 otherwise). Queued messages wake the sender after the commit.
/// </summary>
public class NotificationSettingsService(EnvScoreDbContext db, NotificationOutbox outbox, NotificationSender sender, TimeProvider time,
    Audit.AuditWriter audit)
{
    /// <summary>The audit action of a manual resend: <c>before</c> holds the ended round (see <see cref="RoundSnapshot"/>).</summary>
    public const string RetryAction = "Notification.Retry";
    public const string CodeNoWebhook = "NoWebhook", CodeNotFailed = "DeliveryNotFailed";

    public static bool MayManage(ClaimsPrincipal user, int districtId) => user.IsInRole(Roles.DistrictAdmin) && user.DistrictId() == districtId;

    public Task<WebhookSetting?> GetAsync(int districtId, CancellationToken ct) =>
        db.Set<WebhookSetting>().AsNoTracking().SingleOrDefaultAsync(w => w.DistrictId == districtId, ct);

    /// <summary>The field errors of a request (none: valid).</summary>
    public static Dictionary<string, string[]> Validate(WebhookRequest r, out RobotFlavour flavour)
    {
        var errors = new Dictionary<string, string[]>();
        var url = r.Url?.Trim();
        if (string.IsNullOrEmpty(url)) errors["url"] = ["请填写推送地址（机器人的Webhook地址） (url is required)"];
        else if (url.Length > WebhookSetting.MaxUrl) errors["url"] = [$"推送地址不能超过{WebhookSetting.MaxUrl}个字符 (url too long)"];
        else if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host)
                 || url.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            errors["url"] = [$"推送地址“{url}”不是以http://或https://开头的完整网址，请从机器人设置中复制Webhook地址 (url must be an absolute http or https address)"];
        flavour = RobotFlavour.WeCom;
        if (string.IsNullOrWhiteSpace(r.Flavour) || !Enum.TryParse(r.Flavour.Trim(), ignoreCase: true, out flavour) || !Enum.IsDefined(flavour))
            errors["flavour"] = [$"机器人类型须为WeCom（企业微信）或DingTalk（钉钉）（收到“{r.Flavour}”） (flavour must be WeCom or DingTalk)"];
        if (r.Keyword?.Trim().Length > WebhookSetting.MaxKeyword) errors["keyword"] = [$"关键词不能超过{WebhookSetting.MaxKeyword}个字 (keyword too long)"];
        return errors;
    }

    public async Task<NotificationOutcome> SaveAsync(ClaimsPrincipal user, int districtId, WebhookRequest request, CancellationToken ct)
    {
        if (!MayManage(user, districtId)) return Forbidden();
        var errors = Validate(request, out var flavour);
        if (errors.Count > 0) return new NotificationOutcome.Invalid(errors);
        var setting = await db.Set<WebhookSetting>().SingleOrDefaultAsync(w => w.DistrictId == districtId, ct);
        if (setting is null) db.Add(setting = new WebhookSetting { DistrictId = districtId, Url = "", UpdatedBy = "" });
        setting.Url = request.Url!.Trim();
        setting.Flavour = flavour;
        setting.Keyword = string.IsNullOrWhiteSpace(request.Keyword) ? null : request.Keyword.Trim();
        setting.Enabled = request.Enabled ?? true;
        setting.UpdatedAt = time.GetUtcNow();
        setting.UpdatedBy = user.Identity!.Name!;
        await db.SaveChangesAsync(ct);
        return new NotificationOutcome.Saved(setting);
    }

    public async Task<NotificationOutcome> DeleteAsync(ClaimsPrincipal user, int districtId, CancellationToken ct)
    {
        if (!MayManage(user, districtId)) return Forbidden();
        var deleted = await db.Set<WebhookSetting>().Where(w => w.DistrictId == districtId).ExecuteDeleteAsync(ct);
        return deleted == 0 ? new NotificationOutcome.Refused(404, CodeNoWebhook, "本区尚未设置推送地址 (no webhook)") : new NotificationOutcome.Saved(new WebhookSetting { DistrictId = districtId, Url = "", UpdatedBy = "" });
    }

    /// <summary>Queues the test message (needs an enabled webhook: 409 <c>NoWebhook</c> otherwise).</summary>
    public async Task<NotificationOutcome> QueueTestAsync(ClaimsPrincipal user, int districtId, CancellationToken ct)
    {
        if (!MayManage(user, districtId)) return Forbidden();
        if (!await outbox.EnabledAsync(districtId, ct)) return NoWebhook();
        var district = await db.Districts.AsNoTracking().Where(d => d.Id == districtId).Select(d => d.Name).SingleAsync(ct);
        var delivery = outbox.Add(districtId, NotificationEvent.Test, NotificationMessages.Test(district));
        await db.SaveChangesAsync(ct);
        sender.Wake();
        return new NotificationOutcome.Queued(delivery);
    }

    /// <summary>A failed delivery back to the queue with its attempts reset (409 <c>DeliveryNotFailed</c> unless Failed).</summary>
    public async Task<NotificationOutcome> RetryAsync(ClaimsPrincipal user, int districtId, long id, CancellationToken ct)
    {
        if (!MayManage(user, districtId)) return Forbidden();
        var delivery = await db.Set<NotificationDelivery>().SingleOrDefaultAsync(d => d.Id == id && d.DistrictId == districtId, ct);
        if (delivery is null) return new NotificationOutcome.Refused(404, "NotFound", $"没有编号为{id}的推送记录 (no such delivery)");
        if (delivery.Status != DeliveryStatus.Failed)
            return new NotificationOutcome.Refused(409, CodeNotFailed, $"只有发送失败的消息可以重新发送（当前：{StatusName(delivery.Status)}） (only a failed delivery is sent again)");
        // The ended round is kept, not overwritten: the audit row holds it (attempts, last error) with who sent it again.
        var before = RoundSnapshot(delivery);
        delivery.Status = DeliveryStatus.Pending;
        delivery.Attempts = 0;
        delivery.LastError = null;
        audit.Record(user.Identity?.Name ?? "?", RetryAction, null, districtId, before, RoundSnapshot(delivery));
        await db.SaveChangesAsync(ct);
        sender.Wake();
        return new NotificationOutcome.Queued(delivery);
    }

    /// <summary>The district's latest deliveries, newest first (at most <paramref name="top"/>, 1–200), optionally of one status.</summary>
    public async Task<List<DeliveryDto>> DeliveriesAsync(int districtId, DeliveryStatus? status, int top, CancellationToken ct)
    {
        var q = db.Set<NotificationDelivery>().AsNoTracking().Where(d => d.DistrictId == districtId);
        if (status is { } s) q = q.Where(d => d.Status == s);
        var rows = await q.OrderByDescending(d => d.Id).Take(Math.Clamp(top, 1, 200)).ToListAsync(ct);
        var rounds = await EarlierRoundsAsync(districtId, rows.Select(r => r.Id).ToArray(), ct);
        return rows.Select(d => Dto(d) with { Earlier = rounds.GetValueOrDefault(d.Id) ?? [] }).ToList();
    }

    /// <summary>A delivery's round as the audit log keeps it.</summary>
    public static string RoundSnapshot(NotificationDelivery d) => Audit.AuditWriter.Snapshot(new
    {
        DeliveryId = d.Id, Status = d.Status.ToString(), d.Attempts, d.LastError, d.LastAttemptAt,
    });

    /// <summary>The ended rounds of the deliveries (oldest first), from their <see cref="RetryAction"/> audit rows.</summary>
    private async Task<Dictionary<long, List<DeliveryRound>>> EarlierRoundsAsync(int districtId, long[] ids, CancellationToken ct)
    {
        if (ids.Length == 0) return [];
        var rows = await db.AuditLog.FromSql($"""
            SELECT * FROM audit_log
            WHERE district_id = {districtId} AND action = {RetryAction} AND (before ->> 'deliveryId')::bigint = ANY({ids})
            """).AsNoTracking().OrderBy(a => a.At).ThenBy(a => a.Id).ToListAsync(ct);
        var rounds = new Dictionary<long, List<DeliveryRound>>();
        foreach (var row in rows)
        {
            using var json = System.Text.Json.JsonDocument.Parse(row.Before!);
            var b = json.RootElement;
            var id = b.GetProperty("deliveryId").GetInt64();
            string? error = b.TryGetProperty("lastError", out var e) && e.ValueKind == System.Text.Json.JsonValueKind.String ? e.GetString() : null;
            DateTimeOffset? last = b.TryGetProperty("lastAttemptAt", out var l) && l.ValueKind == System.Text.Json.JsonValueKind.String ? l.GetDateTimeOffset() : null;
            (rounds.TryGetValue(id, out var list) ? list : rounds[id] = []).Add(
                new DeliveryRound(b.GetProperty("attempts").GetInt32(), error, last, row.At, row.UserName));
        }
        return rounds;
    }

    public static DeliveryDto Dto(NotificationDelivery d) =>
        new(d.Id, d.Event.ToString(), d.Title, d.Status.ToString(), d.Attempts, d.LastError, d.CreatedAt, d.LastAttemptAt, d.SentAt, d.Link);

    public static string StatusName(DeliveryStatus s) => s switch
    {
        DeliveryStatus.Pending => "等待发送", DeliveryStatus.Sending => "发送中", DeliveryStatus.Sent => "已发送", _ => "发送失败",
    };

    public static string EventName(NotificationEvent e) => e switch
    {
        NotificationEvent.ProblemReported => "新问题", NotificationEvent.FixAwaitingReview => "已整改待复核",
        NotificationEvent.ProblemsFromComputation => "抽查新增问题", NotificationEvent.DailyOverdue => "每日逾期",
        NotificationEvent.SheetsDue => "截止前未提交", _ => "测试消息",
    };

    public static string FlavourName(RobotFlavour f) => f == RobotFlavour.WeCom ? "企业微信群机器人" : "钉钉群机器人";

    private static NotificationOutcome.Refused Forbidden() =>
        new(403, "Forbidden", "只有本区的区管理员可以设置消息推送 (only a district admin of the district)");

    private static NotificationOutcome.Refused NoWebhook() =>
        new(409, CodeNoWebhook, "本区尚未设置或已停用推送地址，请先保存推送地址 (no enabled webhook)");
}
