using EnvScore.Api.Features.Organisation;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EnvScore.Api.Features.Notifications;

/// <summary>Which group robot a district posts to; decides the JSON shape (<see cref="RobotPayload"/>).</summary>
public enum RobotFlavour
{
    /// <summary>企业微信群机器人: <c>{"msgtype":"markdown","markdown":{"content":"…"}}</c>.</summary>
    WeCom,
    /// <summary>钉钉自定义机器人: <c>{"msgtype":"markdown","markdown":{"title":"…","text":"…"}}</c>.</summary>
    DingTalk,
}

/// <summary>What a message is about.</summary>
public enum NotificationEvent
{
    /// <summary>An inspector reported a problem on a round (新问题).</summary>
    ProblemReported,
    /// <summary>A township reported a fix: 已整改待复核.</summary>
    FixAwaitingReview,
    /// <summary>The monthly computation created problems from district spot-checks (one message per district).</summary>
    ProblemsFromComputation,
    /// <summary>Daily: the district's overdue problems (逾期未整改).</summary>
    DailyOverdue,
    /// <summary>Three days before the township deadline: sheets not yet submitted, per township.</summary>
    SheetsDue,
    /// <summary>The admin's test message.</summary>
    Test,
}

/// <summary>Where a delivery stands. <see cref="Sending"/> is a claim by one instance (until <c>ClaimedUntil</c>).</summary>
public enum DeliveryStatus
{
    Pending,
    Sending,
    Sent,
    Failed,
}

/// <summary>
/// A district's outbound webhook (one per district): the robot's address (absolute http/https), its flavour, the
/// 钉钉 custom keyword (security setting "自定义关键词": every message must contain it) and whether it is on.
/// Messages are only queued while a district has an enabled webhook.
/// </summary>
public class WebhookSetting
{
    public const int MaxUrl = 500, MaxKeyword = 20;

    public int Id { get; set; }
    public int DistrictId { get; set; }
    public required string Url { get; set; }
    public RobotFlavour Flavour { get; set; }
    public string? Keyword { get; set; }
    public bool Enabled { get; set; } = true;
    public DateTimeOffset UpdatedAt { get; set; }
    public required string UpdatedBy { get; set; }
}

/// <summary>
/// One message in the outbox (table <c>notification_outbox</c>), written in the same transaction as the event's write;
/// a background sender (<see cref="NotificationSender"/>) claims it with <c>FOR UPDATE SKIP LOCKED</c> and posts it to the
/// district's webhook as it is configured at sending time. <see cref="Text"/> is Markdown (both robots render it);
/// <see cref="Link"/> a site path like <c>/work/problems/12</c>. <see cref="DedupKey"/> (unique) makes a scheduled
/// message (daily overdue, sheets due) at most once per district and day/month, whatever the number of instances.
/// </summary>
public class NotificationDelivery
{
    public long Id { get; set; }
    public int DistrictId { get; set; }
    public NotificationEvent Event { get; set; }
    public required string Title { get; set; }
    public required string Text { get; set; }
    public string? Link { get; set; }
    public string? DedupKey { get; set; }
    public DeliveryStatus Status { get; set; }
    /// <summary>HTTP posts made so far (each retry counts).</summary>
    public int Attempts { get; set; }
    /// <summary>The last failure: HTTP status and the robot's answer, or the connection error (Chinese, short).</summary>
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    /// <summary>While <see cref="DeliveryStatus.Sending"/>: the claim's end; a claim left by a crashed instance is taken again after it.</summary>
    public DateTimeOffset? ClaimedUntil { get; set; }
}

public class WebhookSettingConfiguration : IEntityTypeConfiguration<WebhookSetting>
{
    public void Configure(EntityTypeBuilder<WebhookSetting> b)
    {
        b.ToTable("notification_webhooks");
        b.HasIndex(x => x.DistrictId).IsUnique();
        b.Property(x => x.Url).HasMaxLength(WebhookSetting.MaxUrl);
        b.Property(x => x.Flavour).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Keyword).HasMaxLength(WebhookSetting.MaxKeyword);
        b.Property(x => x.UpdatedBy).HasMaxLength(256);
        b.HasOne<District>().WithMany().HasForeignKey(x => x.DistrictId).OnDelete(DeleteBehavior.Cascade);
    }
}

public class NotificationDeliveryConfiguration : IEntityTypeConfiguration<NotificationDelivery>
{
    public void Configure(EntityTypeBuilder<NotificationDelivery> b)
    {
        b.ToTable("notification_outbox");
        b.HasIndex(x => new { x.Status, x.Id });
        b.HasIndex(x => new { x.DistrictId, x.Id });
        b.HasIndex(x => x.DedupKey).IsUnique().HasFilter("dedup_key IS NOT NULL");
        b.Property(x => x.Event).HasConversion<string>().HasMaxLength(32);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Title).HasMaxLength(200);
        b.Property(x => x.Link).HasMaxLength(300);
        b.Property(x => x.DedupKey).HasMaxLength(100);
        b.Property(x => x.LastError).HasMaxLength(1000);
        b.HasOne<District>().WithMany().HasForeignKey(x => x.DistrictId).OnDelete(DeleteBehavior.Cascade);
    }
}
