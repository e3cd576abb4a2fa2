using System.Net;
using System.Text.Json;
using EnvScore.Testing;

namespace EnvScore.Faults.Tests;

/// <summary>The service on a PostgreSQL cluster of its own, which the tests stop and start (the shared cluster is never touched).</summary>
public sealed class OwnClusterFactory : EnvScoreFactory
{
    protected override Task<PostgresServer> ServerAsync() => PostgresServer.StartDedicatedAsync();
}

/// <summary>
/// PostgreSQL stopped and started under load: every request in flight and every request while it is down gets a 503
/// with <c>Retry-After</c> and the code <c>DatabaseUnavailable</c> (a Chinese page for the web pages), never a 500;
/// <c>/healthz</c> says so; and the same service process serves again as soon as PostgreSQL is back.
/// </summary>
public sealed class DatabaseOutageTests(OwnClusterFactory factory) : IClassFixture<OwnClusterFactory>
{
    [Fact]
    public async Task Stopped_PostgreSQL_answers_503_with_Retry_After_and_the_same_process_recovers_when_it_is_back()
    {
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(0));
        var anonymous = factory.CreateClient();
        var health = await anonymous.GetJsonAsync("/healthz");
        Assert.Equal("Healthy", health.GetProperty("status").GetString());
        Assert.Equal("primary", health.GetProperty("database").GetProperty("role").GetString());

        // Load: readers keep asking while the server is stopped (fast shutdown terminates their sessions mid-flight).
        using var stop = new CancellationTokenSource();
        var answers = new System.Collections.Concurrent.ConcurrentBag<(HttpStatusCode Status, string Body, string? RetryAfter)>();
        var load = Enumerable.Range(0, 4).Select(async worker =>
        {
            while (!stop.IsCancellationRequested)
            {
                var response = await secretary.GetAsync($"/odata/Evaluations?$expand=entries&$top=50&$filter=id gt {worker}");
                answers.Add((response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.RetryAfter?.ToString()));
            }
        }).ToArray();
        while (answers.Count < 8) await Task.Delay(20); // the load is running (a count, not a time)
        factory.Postgres.Stop("fast");
        var whileDown = answers.Count;
        while (answers.Count(a => a.Status == HttpStatusCode.ServiceUnavailable) < 8
               && !answers.Any(a => a.Status is not (HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable))) await Task.Delay(20);
        stop.Cancel();
        await Task.WhenAll(load);

        // Nothing but successes (before the stop) and 503 problems (after): never a 500, never a stack trace.
        Assert.All(answers, a => Assert.True(a.Status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{(int)a.Status}: {a.Body}"));
        foreach (var failed in answers.Where(a => a.Status == HttpStatusCode.ServiceUnavailable))
        {
            var problem = JsonDocument.Parse(failed.Body).RootElement;
            Assert.Equal("DatabaseUnavailable", problem.GetProperty("code").GetString());
            Assert.Contains("数据库暂时不可用", problem.GetProperty("title").GetString());
            Assert.Equal("5", failed.RetryAfter);
            Assert.DoesNotContain("   at ", failed.Body);
            Assert.DoesNotContain("Npgsql", failed.Body);
        }
        Assert.True(whileDown >= 8);

        // A write while down: 503, nothing else.
        var write = await secretary.PostAsync("/odata/Evaluations", new StringContent("""{"villageId":1,"month":"2026-11","kind":"Self","entries":[]}""", System.Text.Encoding.UTF8, "application/json"));
        var writeProblem = await write.ExpectAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("DatabaseUnavailable", writeProblem.GetProperty("code").GetString());

        // A page (not in the output cache: a new query string) answers a Chinese page, not JSON.
        var page = await anonymous.GetAsync($"/?r={Guid.NewGuid():N}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal("5", page.Headers.RetryAfter?.ToString());
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("系统暂时不可用", html);
        Assert.Contains("刷新", html);

        // Health: not ready (503, with the reason), but alive.
        var down = await anonymous.GetAsync("/healthz");
        var downBody = await down.ExpectAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("Unhealthy", downBody.GetProperty("database").GetProperty("status").GetString());
        Assert.Contains("数据库不可用", downBody.GetProperty("database").GetProperty("error").GetString());
        Assert.NotNull(down.Headers.RetryAfter);
        await (await anonymous.GetAsync("/healthz/ready")).ExpectAsync(HttpStatusCode.ServiceUnavailable);
        await (await anonymous.GetAsync("/healthz/live")).ExpectAsync(HttpStatusCode.OK);

        // Back: the same process serves at once — the very first request after the start succeeds.
        factory.Postgres.Start();
        Assert.Equal("Healthy", (await anonymous.GetJsonAsync("/healthz")).GetProperty("status").GetString());
        await secretary.GetJsonAsync("/odata/Evaluations?$top=5");
        var again = await anonymous.GetAsync($"/?r={Guid.NewGuid():N}");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task A_server_that_refuses_connections_while_shutting_down_or_starting_is_a_503_too()
    {
        // 57P03 cannot_connect_now and a refused TCP connection are classified without a server at all.
        var refused = new Npgsql.NpgsqlException("Failed to connect to 127.0.0.1:1", new System.Net.Sockets.SocketException(111));
        Assert.Equal("DatabaseUnavailable", Api.Infrastructure.Errors.DatabaseFaults.Classify(refused));
        Assert.Equal("DatabaseUnavailable", Api.Infrastructure.Errors.DatabaseFaults.Classify(
            new Microsoft.EntityFrameworkCore.DbUpdateException("save failed", PostgresError("57P03"))));
        Assert.Equal("DatabaseUnavailable", Api.Infrastructure.Errors.DatabaseFaults.Classify(PostgresError("53300")));
        Assert.Equal("DatabaseUnavailable", Api.Infrastructure.Errors.DatabaseFaults.Classify(PostgresError("57P01")));
        Assert.Equal("DatabaseUnavailable", Api.Infrastructure.Errors.DatabaseFaults.Classify(PostgresError("25006")));
        Assert.Equal("DatabaseBusy", Api.Infrastructure.Errors.DatabaseFaults.Classify(PostgresError("40001")));
        // A real error of a statement stays what it is (a unique violation, a bug): not a 503.
        Assert.Null(Api.Infrastructure.Errors.DatabaseFaults.Classify(PostgresError("23505")));
        Assert.Null(Api.Infrastructure.Errors.DatabaseFaults.Classify(new InvalidOperationException("a bug")));
        await Task.CompletedTask;
    }

    private static Npgsql.PostgresException PostgresError(string state) =>
        new("message", "FATAL", "FATAL", state);
}
