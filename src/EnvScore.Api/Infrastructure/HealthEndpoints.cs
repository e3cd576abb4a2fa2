using System.Text.Json;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Api.Infrastructure.Errors;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace EnvScore.Api.Infrastructure;

/// <summary>
/// Health for load balancers and operators (docs/operations.md):
/// <list type="bullet">
/// <item><c>GET /healthz</c> and <c>GET /healthz/ready</c> — readiness: 200 when the database answers, 503 with
///   <c>Retry-After</c> when it does not. Body: <c>{"status":"Healthy|Unhealthy","checks":{"database":"…"},
///   "database":{"status":"…","role":"primary|standby","error":"…","durationMs":N}}</c>.</item>
/// <item><c>GET /healthz/live</c> — liveness: 200 whenever the process serves requests, whatever the database does
///   (restart the process only when this fails; a database outage is not fixed by restarting the service).</item>
/// </list>
/// </summary>
public static class HealthEndpoints
{
    public static WebApplication MapEnvScoreHealth(this WebApplication app)
    {
        var ready = new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains("ready"),
            ResponseWriter = async (ctx, report) =>
            {
                ctx.Response.ContentType = "application/json";
                ctx.Response.Headers.CacheControl = "no-store";
                if (report.Status == HealthStatus.Unhealthy)
                    ctx.Response.Headers.RetryAfter = DatabaseFaults.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var db = report.Entries.TryGetValue(DatabaseHealthCheck.Name, out var d) ? d : (HealthReportEntry?)null;
                await JsonSerializer.SerializeAsync(ctx.Response.Body, new
                {
                    status = report.Status.ToString(),
                    checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()),
                    database = db is { } e ? new
                    {
                        status = e.Status.ToString(),
                        role = e.Data.TryGetValue("role", out var role) ? role : null,
                        error = e.Description,
                        durationMs = (int)e.Duration.TotalMilliseconds,
                    } : null,
                });
            },
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = 200, [HealthStatus.Degraded] = 200, [HealthStatus.Unhealthy] = 503,
            },
        };
        app.MapHealthChecks("/healthz", ready).AllowAnonymous();
        app.MapHealthChecks("/healthz/ready", ready).AllowAnonymous();
        app.MapHealthChecks("/healthz/live", new HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = async (ctx, _) =>
            {
                ctx.Response.ContentType = "application/json";
                ctx.Response.Headers.CacheControl = "no-store";
                await ctx.Response.WriteAsync("""{"status":"Healthy"}""");
            },
        }).AllowAnonymous();
        return app;
    }
}

/// <summary>
/// The database check: opens a connection from the service's own pool and asks <c>pg_is_in_recovery()</c> (a standby
/// answers true), bounded by 5 s. Unhealthy with the reason (connection refused, shutting down …) when it fails.
/// </summary>
public sealed class DatabaseHealthCheck(EnvScoreDbContext db) : IHealthCheck
{
    public const string Name = "database";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            var conn = (NpgsqlConnection)db.Database.GetDbConnection();
            await db.Database.OpenConnectionAsync(timeout.Token);
            try
            {
                await using var cmd = new NpgsqlCommand("SELECT pg_is_in_recovery()", conn);
                var standby = (bool)(await cmd.ExecuteScalarAsync(timeout.Token))!;
                return HealthCheckResult.Healthy(null, new Dictionary<string, object> { ["role"] = standby ? "standby" : "primary" });
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            NpgsqlConnection.ClearAllPools(); // stale idle connections would fail the first requests after the server is back
            var reason = e is OperationCanceledException ? "数据库5秒内无应答 (no answer within 5 s)" : e.GetBaseException().Message;
            return HealthCheckResult.Unhealthy($"数据库不可用 (database unavailable): {reason}");
        }
    }
}
