using System.Text;
using EnvScore.Api.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EnvScore.Api.Features.Notifications;

/// <summary>
/// Settings (<c>Notifications:*</c>). <see cref="MaxAttempts"/> posts per delivery (the first and its retries, with
/// exponential backoff from <see cref="RetryDelay"/>: 2 s, 4 s, 8 s by default), then the delivery is Failed.
/// </summary>
public sealed class NotificationOptions
{
    /// <summary>Run the background sender in this instance (tests that trigger the sender themselves turn it off).</summary>
    public bool SenderEnabled { get; set; } = true;
    public int MaxAttempts { get; set; } = 4;
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>One post's time limit.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>How often the sender looks for work when nobody wakes it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);
    public int BatchSize { get; set; } = 20;
    /// <summary>How long a claim holds before another instance may take the delivery (a crashed sender's).</summary>
    public TimeSpan ClaimFor { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>The site's public address (e.g. https://envscore.example.gov.cn), put in front of link paths; none: paths only.</summary>
    public string? SiteUrl { get; set; }
    /// <summary>The daily overdue message goes out from this local time (Asia/Shanghai) on.</summary>
    public TimeOnly DailyAt { get; set; } = new(8, 30);
    /// <summary>Sheets not yet submitted are announced from this many days before the township deadline.</summary>
    public int SheetsDueDaysBefore { get; set; } = 3;
}

/// <summary>
/// The outbox's sender: claims pending deliveries with <c>FOR UPDATE SKIP LOCKED</c> (several instances share one
/// database; each delivery is posted by one of them), posts each to its district's webhook with the named HttpClient
/// <see cref="ClientName"/> (Microsoft.Extensions.Http.Resilience: retries with exponential backoff; a robot's
/// <c>errcode≠0</c> counts as a failure) and records the outcome: Sent, or Failed after <see cref="NotificationOptions.MaxAttempts"/>
/// posts, with the attempts, the last error and the times. Before claiming it queues the scheduled messages that are due
/// (<see cref="NotificationSchedule"/>). Never runs inside a request: <see cref="NotificationSenderService"/> calls
/// <see cref="RunOnceAsync"/> in the background; tests call it directly.
/// </summary>
public sealed class NotificationSender(IServiceScopeFactory scopes, IHttpClientFactory clients, TimeProvider time,
    IOptions<NotificationOptions> options, ILogger<NotificationSender> log)
{
    public const string ClientName = "webhooks";
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>Asks the background loop to look now (after a commit that queued something).</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0) try { _wake.Release(); } catch (SemaphoreFullException) { }
    }

    /// <summary>Waits for <see cref="Wake"/> or the poll interval (on the injected clock).</summary>
    public async Task WaitAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var delay = Task.Delay(options.Value.PollInterval, time, timeout.Token);
        await Task.WhenAny(delay, _wake.WaitAsync(timeout.Token));
        await timeout.CancelAsync();
    }

    /// <summary>Queues due scheduled messages, then sends every delivery it can claim; returns how many it handled.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using (var scope = scopes.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<NotificationSchedule>().QueueDueAsync(ct);
        var handled = 0;
        while (!ct.IsCancellationRequested)
        {
            var ids = await ClaimAsync(ct);
            if (ids.Count == 0) break;
            foreach (var id in ids) await DeliverAsync(id, ct);
            handled += ids.Count;
        }
        return handled;
    }

    /// <summary>Claims up to a batch: Pending rows, and Sending rows whose claim has run out; one statement, skipping rows another instance holds.</summary>
    private async Task<List<long>> ClaimAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<EnvScoreDbContext>();
        var now = time.GetUtcNow();
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand($"""
            UPDATE notification_outbox SET status = {SqlNames.Literal(DeliveryStatus.Sending)}, claimed_until = @until
            WHERE id IN (SELECT id FROM notification_outbox
                         WHERE status = {SqlNames.Literal(DeliveryStatus.Pending)}
                            OR (status = {SqlNames.Literal(DeliveryStatus.Sending)} AND claimed_until < @now)
                         ORDER BY id LIMIT @n FOR UPDATE SKIP LOCKED)
            RETURNING id
            """, conn);
        cmd.Parameters.AddWithValue("until", now + options.Value.ClaimFor);
        cmd.Parameters.AddWithValue("now", now);
        cmd.Parameters.AddWithValue("n", options.Value.BatchSize);
        var ids = new List<long>();
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) ids.Add(reader.GetInt64(0));
        ids.Sort();
        return ids;
    }

    private async Task DeliverAsync(long id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<EnvScoreDbContext>();
        var delivery = await db.Set<NotificationDelivery>().SingleAsync(d => d.Id == id, ct);
        var hook = await db.Set<WebhookSetting>().AsNoTracking().SingleOrDefaultAsync(w => w.DistrictId == delivery.DistrictId, ct);
        string? error;
        var attempts = new AttemptLog();
        if (hook is null || !hook.Enabled) error = "本区未配置推送地址或已停用推送";
        else
        {
            var json = RobotPayload.Json(hook.Flavour, hook.Keyword, new NotificationMessage(delivery.Title, delivery.Text, delivery.Link), options.Value.SiteUrl);
            using var request = new HttpRequestMessage(HttpMethod.Post, hook.Url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
            request.Options.Set(AttemptLog.Key, attempts);
            try
            {
                using var response = await clients.CreateClient(ClientName).SendAsync(request, ct);
                error = RobotPayload.Failure((int)response.StatusCode, await response.Content.ReadAsStringAsync(ct));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                delivery.Status = DeliveryStatus.Pending; // shutting down: another pass (or instance) sends it
                delivery.Attempts += attempts.Count;
                await db.SaveChangesAsync(CancellationToken.None);
                throw;
            }
            catch (Exception e)
            {
                error = $"无法送达：{e.GetBaseException().Message}";
            }
        }
        var now = time.GetUtcNow();
        delivery.Attempts += Math.Max(attempts.Count, hook is null || !hook.Enabled ? 0 : 1);
        delivery.LastAttemptAt = now;
        delivery.ClaimedUntil = null;
        if (error is null)
        {
            delivery.Status = DeliveryStatus.Sent;
            delivery.SentAt = now;
            if (attempts.LastError is { } earlier) delivery.LastError = Cut(earlier); // sent on a retry: why the earlier post failed
        }
        else
        {
            delivery.LastError = Cut(error);
            delivery.Status = hook is null || !hook.Enabled || delivery.Attempts >= options.Value.MaxAttempts ? DeliveryStatus.Failed : DeliveryStatus.Pending;
            log.LogWarning("Webhook delivery {Id} of district {District} failed after {Attempts} attempt(s): {Error}", delivery.Id, delivery.DistrictId, delivery.Attempts, error);
        }
        await db.SaveChangesAsync(CancellationToken.None);
    }

    private static string Cut(string error) => error.Length > 1000 ? error[..1000] : error;
}

/// <summary>Counts the posts one delivery made (each retry of the resilience handler passes the inner handler once).</summary>
public sealed class AttemptLog
{
    public static readonly HttpRequestOptionsKey<AttemptLog> Key = new("envscore.attempts");
    private int _count;
    public int Count => _count;
    public void Add() => Interlocked.Increment(ref _count);
    /// <summary>Why the last failed post failed (null: none failed).</summary>
    public string? LastError { get; set; }
}

/// <summary>The innermost handler: one call per actual post; notes each failed post's reason (a delivery sent on a retry keeps why the first failed).</summary>
public sealed class AttemptCountingHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        request.Options.TryGetValue(AttemptLog.Key, out var log);
        log?.Add();
        try
        {
            var response = await base.SendAsync(request, ct);
            if (log is not null)
            {
                await response.Content.LoadIntoBufferAsync(ct);
                if (RobotPayload.Failure((int)response.StatusCode, await response.Content.ReadAsStringAsync(ct)) is { } failure) log.LastError = failure;
            }
            return response;
        }
        catch (Exception e) when (log is not null && !ct.IsCancellationRequested)
        {
            log.LastError = $"无法送达：{e.GetBaseException().Message}";
            throw;
        }
    }
}

/// <summary>The background loop: a pass, then wait for a wake-up or the poll interval. A failing pass is logged and retried.</summary>
public sealed class NotificationSenderService(NotificationSender sender, IOptions<NotificationOptions> options, ILogger<NotificationSenderService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        if (!options.Value.SenderEnabled) return;
        await Task.Yield();
        while (!ct.IsCancellationRequested)
        {
            try { await sender.RunOnceAsync(ct); }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            catch (Exception e)
            {
                log.LogError(e, "Webhook sender pass failed; the next pass retries");
            }
            try { await sender.WaitAsync(ct); }
            catch (OperationCanceledException) { break; }
        }
    }
}
