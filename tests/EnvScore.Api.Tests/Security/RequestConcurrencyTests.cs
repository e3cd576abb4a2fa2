using System.Net;
using System.Text.Json;
using EnvScore.Testing;
using Microsoft.AspNetCore.Hosting;
using EnvScore.Api.Infrastructure.Http;
using Microsoft.AspNetCore.Mvc.Testing;

namespace EnvScore.Api.Tests.Security;

/// <summary>
/// The line in front of the service (Infrastructure/Http/RequestConcurrency): at most Requests:MaxConcurrent requests run,
/// the rest wait in arrival order holding nothing (no database connection); only a full line answers 503 ServerBusy;
/// /healthz is never in line. The tests hold the permit by taking it from the
/// line itself (as a long request would), so the tests do not race the clock.
/// </summary>
public sealed class RequestConcurrencyTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    [Fact]
    public async Task A_request_beyond_the_limit_waits_for_the_permit_and_then_answers()
    {
        using var app = factory.WithWebHostBuilder(b => b.UseSetting("Requests:MaxConcurrent", "1").UseSetting("Requests:QueueLimit", "100"));
        var client = app.CreateClient();
        var held = await RequestConcurrency.Line(app.Services).AcquireAsync(1); // as a long request would
        Assert.True(held.IsAcquired);
        await UntilAsync(app, s => s.CurrentAvailablePermits == 0); // the only permit is held

        var waiting = client.GetAsync("/odata/Districts");
        await UntilAsync(app, s => s.CurrentQueuedCount == 1);
        Assert.False(waiting.IsCompleted); // in line, not answered
        // /healthz is never in line.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/live")).StatusCode);

        held.Dispose();
        var answered = await waiting.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        await UntilAsync(app, s => s.CurrentAvailablePermits == 1 && s.CurrentQueuedCount == 0);
    }

    [Fact]
    public async Task A_full_line_answers_the_Chinese_503_problem_ServerBusy_with_Retry_After()
    {
        using var app = factory.WithWebHostBuilder(b => b.UseSetting("Requests:MaxConcurrent", "1").UseSetting("Requests:QueueLimit", "0"));
        var client = app.CreateClient();
        var held = await RequestConcurrency.Line(app.Services).AcquireAsync(1); // as a long request would
        Assert.True(held.IsAcquired);
        await UntilAsync(app, s => s.CurrentAvailablePermits == 0);

        var busy = await client.GetAsync("/odata/Districts");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, busy.StatusCode);
        Assert.Equal("5", busy.Headers.RetryAfter?.ToString());
        var problem = JsonDocument.Parse(await busy.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("ServerBusy", problem.GetProperty("code").GetString());
        Assert.StartsWith("系统繁忙，请稍后再试", problem.GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/live")).StatusCode);
        // A web page gets the Chinese page, not problem JSON (a phone would show the JSON).
        var page = await client.GetAsync("/township/1");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal("5", page.Headers.RetryAfter?.ToString());
        Assert.Contains("系统繁忙，请稍后再试", await page.Content.ReadAsStringAsync());

        held.Dispose();
        await UntilAsync(app, s => s.CurrentAvailablePermits == 1);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/odata/Districts")).StatusCode);
    }

    /// <summary>Waits until the line's statistics satisfy <paramref name="done"/> (bounded: 2 minutes on a loaded machine).</summary>
    private static async Task UntilAsync(WebApplicationFactory<Program> app, Func<System.Threading.RateLimiting.RateLimiterStatistics, bool> done)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!done(RequestConcurrency.Now(app.Services)))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the line never reached the expected state: {RequestConcurrency.Now(app.Services).CurrentAvailablePermits} free, {RequestConcurrency.Now(app.Services).CurrentQueuedCount} waiting");
            await Task.Delay(20);
        }
    }
}
