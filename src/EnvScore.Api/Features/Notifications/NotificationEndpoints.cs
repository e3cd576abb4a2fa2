using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Infrastructure.Errors;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace EnvScore.Api.Features.Notifications;

/// <summary>
/// Outbound webhooks (企业微信/钉钉 group robots) composed into the host, and their JSON endpoints — all DistrictAdmin of
/// the district in the path (403 otherwise, 401 anonymous):
/// <list type="bullet">
/// <item><c>GET /api/notifications/{districtId}/webhook</c> → <c>{url, flavour, keyword, enabled, updatedAt, updatedBy}</c> (404 when none);</item>
/// <item><c>PUT …/webhook</c> <c>{url, flavour: "WeCom"|"DingTalk", keyword?, enabled?}</c> → 200; 400 <c>InvalidField</c> naming the field;</item>
/// <item><c>DELETE …/webhook</c> → 204 (404 <c>NoWebhook</c> when none);</item>
/// <item><c>POST …/test</c> → 202 with the queued delivery (409 <c>NoWebhook</c>);</item>
/// <item><c>GET …/deliveries?status=Pending|Sending|Sent|Failed&amp;top=50</c> → <c>{value: [delivery…]}</c>, newest first;</item>
/// <item><c>POST …/deliveries/{id}/retry</c> → 202 (409 <c>DeliveryNotFailed</c> unless it failed).</item>
/// </list>
/// </summary>
public static class NotificationEndpoints
{
    public static IHostApplicationBuilder AddNotifications(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<NotificationOptions>().Bind(builder.Configuration.GetSection("Notifications"))
            .Validate(o => o.MaxAttempts is >= 2 and <= 20 && o.BatchSize > 0 && o.RetryDelay >= TimeSpan.Zero && o.PollInterval > TimeSpan.Zero,
                "Notifications: MaxAttempts 2–20, BatchSize > 0, RetryDelay ≥ 0, PollInterval > 0")
            .ValidateOnStart();
        builder.Services.AddScoped<NotificationOutbox>();
        builder.Services.AddScoped<NotificationSchedule>();
        builder.Services.AddScoped<NotificationSettingsService>();
        builder.Services.AddSingleton<NotificationSender>();
        builder.Services.AddHostedService<NotificationSenderService>();
        builder.Services.AddTransient<AttemptCountingHandler>();
        var client = builder.Services.AddHttpClient(NotificationSender.ClientName, c => c.Timeout = TimeSpan.FromMinutes(2));
        client.AddResilienceHandler("webhook-retry", (pipeline, context) =>
            {
                var o = context.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<NotificationOptions>>().Value;
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = o.MaxAttempts - 1, BackoffType = DelayBackoffType.Exponential, Delay = o.RetryDelay, UseJitter = false,
                    // Any failure is retried: no answer, a timeout, a non-2xx status, and a robot's 200 with errcode ≠ 0.
                    ShouldHandle = async args => args.Outcome.Exception is { } e ? e is not OperationCanceledException || e is Polly.Timeout.TimeoutRejectedException
                        : args.Outcome.Result is { } r && RobotPayload.Failure((int)r.StatusCode, await ReadAsync(r)) is not null,
                });
                pipeline.AddTimeout(o.AttemptTimeout);
            });
        client.AddHttpMessageHandler<AttemptCountingHandler>(); // inside the retries: counts every post
        return builder;
    }

    private static async Task<string> ReadAsync(HttpResponseMessage r)
    {
        await r.Content.LoadIntoBufferAsync();
        return await r.Content.ReadAsStringAsync();
    }

    public static IEndpointRouteBuilder MapNotifications(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/notifications/{districtId:int}").RequireAuthorization(p => p.RequireRole(Roles.DistrictAdmin));

        group.MapGet("/webhook", async (int districtId, HttpContext http, NotificationSettingsService service, CancellationToken ct) =>
        {
            if (!NotificationSettingsService.MayManage(http.User, districtId)) return Problem(http, 403, ErrorCodes.Forbidden, "只有本区的区管理员可以查看消息推送设置 (forbidden)");
            return await service.GetAsync(districtId, ct) is { } w ? Results.Ok(Dto(w))
                : Problem(http, 404, NotificationSettingsService.CodeNoWebhook, "本区尚未设置推送地址 (no webhook)");
        });

        group.MapPut("/webhook", async (int districtId, WebhookRequest? request, HttpContext http, NotificationSettingsService service, CancellationToken ct) =>
            Answer(http, await service.SaveAsync(http.User, districtId, request ?? new WebhookRequest(null, null, null, null), ct)));

        group.MapDelete("/webhook", async (int districtId, HttpContext http, NotificationSettingsService service, CancellationToken ct) =>
            await service.DeleteAsync(http.User, districtId, ct) switch
            {
                NotificationOutcome.Saved => Results.NoContent(),
                var refused => Answer(http, refused),
            });

        group.MapPost("/test", async (int districtId, HttpContext http, NotificationSettingsService service, CancellationToken ct) =>
            Answer(http, await service.QueueTestAsync(http.User, districtId, ct)));

        group.MapGet("/deliveries", async (int districtId, string? status, int? top, HttpContext http, NotificationSettingsService service, CancellationToken ct) =>
        {
            if (!NotificationSettingsService.MayManage(http.User, districtId)) return Problem(http, 403, ErrorCodes.Forbidden, "只有本区的区管理员可以查看推送记录 (forbidden)");
            DeliveryStatus? wanted = null;
            if (!string.IsNullOrEmpty(status))
            {
                if (!Enum.TryParse<DeliveryStatus>(status, ignoreCase: true, out var s) || !Enum.IsDefined(s))
                    return Problem(http, 400, ErrorCodes.InvalidRequest, $"参数status应为Pending、Sending、Sent或Failed，实际为“{status}” (unknown status)");
                wanted = s;
            }
            return Results.Ok(new { value = await service.DeliveriesAsync(districtId, wanted, top ?? 50, ct) });
        });

        group.MapPost("/deliveries/{id:long}/retry", async (int districtId, long id, HttpContext http, NotificationSettingsService service, CancellationToken ct) =>
            Answer(http, await service.RetryAsync(http.User, districtId, id, ct)));
        return app;
    }

    private static IResult Answer(HttpContext http, NotificationOutcome outcome) => outcome switch
    {
        NotificationOutcome.Saved s => Results.Ok(Dto(s.Setting)),
        NotificationOutcome.Queued q => Results.Accepted($"/api/notifications/{q.Delivery.DistrictId}/deliveries", NotificationSettingsService.Dto(q.Delivery)),
        NotificationOutcome.Invalid i => Results.ValidationProblem(i.Errors, title: "消息推送设置有误，请按提示修改 (the webhook has invalid fields)"),
        NotificationOutcome.Refused r => Problem(http, r.Status, r.Code, r.Message),
        _ => throw new InvalidOperationException(),
    };

    private static object Dto(WebhookSetting w) => new { w.DistrictId, w.Url, Flavour = w.Flavour.ToString(), w.Keyword, w.Enabled, w.UpdatedAt, w.UpdatedBy };

    private static IResult Problem(HttpContext http, int status, string code, string title)
    {
        ErrorCodes.Set(http, code);
        return Results.Problem(title: title, statusCode: status);
    }
}
