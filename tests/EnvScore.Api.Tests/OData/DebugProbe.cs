using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace EnvScore.Api.Tests.OData;

public class DebugProbe(ODataFixture fixture, ITestOutputHelper output) : IClassFixture<ODataFixture>
{
    private sealed class Collect(List<string> sink) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        { lock (sink) sink.Add(formatter(state, exception) + " " + exception?.ToString().Split('\n').Take(12).Aggregate("", (a, b) => a + "\n" + b)); }
        public void Dispose() { }
    }

    [Fact]
    public async Task Probe()
    {
        var urls = Environment.GetEnvironmentVariable("PROBE_URLS")?.Split('|') ?? [];
        if (urls.Length == 0) return;
        var sink = new List<string>();
        using var factory = fixture.Factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(new Collect(sink))));
        var client = factory.CreateClient();
        var token = fixture.Admin.DefaultRequestHeaders.Authorization;
        client.DefaultRequestHeaders.Authorization = token;
        foreach (var url in urls)
        {
            sink.Clear();
            var r = await client.GetAsync(url);
            output.WriteLine($"{url} → {(int)r.StatusCode} {string.Concat((await r.Content.ReadAsStringAsync()).Take(600))}");
            foreach (var l in sink) output.WriteLine("   LOG " + l);
        }
    }
}
