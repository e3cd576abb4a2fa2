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
///   <c>Retry-After</c> when it does not. Body: <c>{"status":"Healthy|Degraded|Unhealthy","checks":{"database":"…",
///   "publicReads":"…"},"database":{"status":"…","role":"primary|standby","error":"…","durationMs":N},
///   "publicReads":{"status":"…","role":"standby|primary","server":"host:port","error":"…","durationMs":N}}</c>.
///   <c>publicReads</c> (and <c>checks.publicReads</c>) is null (absent) unless <c>ConnectionStrings:PublicReads</c> is configured
///   (<see cref="PublicReadsHealthCheck"/>); it is never worse than Degraded, so a standby outage does not take the
///   service out of the load balancer (readiness stays 200 while the primary answers).</item>
/// <item><c>GET /healthz/live</c> — liveness: 200 whenever the process serves requests, whatever the database does
///   (restart the process only when this fails; a database outage is not fixed by restarting the service).</item>
/// </list>
/// </summary>
public static class HealthEndpoints
{
    /// <summary>Chinese error text as it is (not <c>\uXXXX</c> escapes), so an operator reading <c>curl /healthz</c> can read it.</summary>
    private static readonly JsonSerializerOptions ReadableJson = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All),
    };

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
                var pr = report.Entries.TryGetValue(PublicReadsHealthCheck.Name, out var p) ? p : (HealthReportEntry?)null;
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
                    publicReads = pr is { } r ? new
                    {
                        status = r.Status.ToString(),
                        role = r.Data.TryGetValue("role", out var readsRole) ? readsRole : null,
                        server = r.Data.TryGetValue("server", out var server) ? server : null,
                        error = r.Description,
                        durationMs = (int)r.Duration.TotalMilliseconds,
                    } : null,
                }, ReadableJson);
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

/// <summary>
/// The public pages' connection (<c>ConnectionStrings:PublicReads</c>, <see cref="PublicReads"/>), registered only when it
/// is configured: opens a connection through it and asks <c>pg_is_in_recovery()</c> and the server's address.
/// <list type="bullet">
/// <item>Healthy, <c>role: standby</c> — a standby answers: the public pages read it.</item>
/// <item>Healthy, <c>role: primary</c> — the string does not ask for a standby (no <c>Target Session Attributes</c> of
///   standby, prefer-standby or read-only) and its server answers.</item>
/// <item>Degraded, <c>role: primary</c> — the string asks for a standby but only the primary answered: the standby is
///   down or not yet marked up again (Npgsql rechecks a host after <c>Host Recheck Seconds</c>); the public pages read the
///   primary meanwhile (with <c>prefer-standby</c>).</item>
/// <item>Degraded with the error — nothing answered: the public pages answer the Chinese 503 page until a host answers
///   (with a multi-host string that lists the primary, this means the primary is down too, and <c>database</c> says so).</item>
/// </list>
/// Never Unhealthy: readiness is the primary's (<see cref="DatabaseHealthCheck"/>); a standby outage must not take the
/// service out of the load balancer. Bounded by the string's connect <c>Timeout</c> (at least 5 s); a dead pooled
/// connection is dropped and the check tried once more, so one call tells the state as it is now.
/// </summary>
public sealed class PublicReadsHealthCheck(PublicReads reads) : IHealthCheck
{
    public const string Name = "publicReads";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var settings = new NpgsqlConnectionStringBuilder(reads.Db.Database.GetConnectionString());
        var wantsStandby = settings.TargetSessionAttributes?.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant()
            is "standby" or "preferstandby" or "readonly";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(5, settings.Timeout)));
        Exception? failure = null;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var conn = (NpgsqlConnection)reads.Db.Database.GetDbConnection();
            try
            {
                await reads.Db.Database.OpenConnectionAsync(timeout.Token);
                try
                {
                    await using var cmd = new NpgsqlCommand(
                        "SELECT pg_is_in_recovery(), coalesce(host(inet_server_addr()) || ':' || inet_server_port(), 'socket')", conn);
                    await using var row = await cmd.ExecuteReaderAsync(timeout.Token);
                    await row.ReadAsync(timeout.Token);
                    var standby = row.GetBoolean(0);
                    var data = new Dictionary<string, object> { ["role"] = standby ? "standby" : "primary", ["server"] = row.GetString(1) };
                    return standby || !wantsStandby
                        ? HealthCheckResult.Healthy(null, data)
                        : HealthCheckResult.Degraded("备库无应答，公开页面正在读主库 (no standby answers: the public pages read the primary)", null, data);
                }
                finally
                {
                    await reads.Db.Database.CloseConnectionAsync();
                }
            }
            catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException or System.Net.Sockets.SocketException or InvalidOperationException)
            {
                failure = e;
                NpgsqlConnection.ClearPool(conn); // a pooled connection to a server that went away fails once; try a fresh one
                if (timeout.IsCancellationRequested) break;
            }
        }
        var reason = failure is OperationCanceledException ? $"{Math.Max(5, settings.Timeout)}秒内无应答 (no answer in time)" : failure?.GetBaseException().Message;
        return HealthCheckResult.Degraded($"公开读库不可用，公开页面将显示暂时不可用 (the public reads' database is unavailable): {reason}");
    }
}
