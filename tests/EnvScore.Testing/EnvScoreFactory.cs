using System.Net.Http.Headers;
using System.Net.Http.Json;
using EnvScore.Api.Features.Demo;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Xunit;

namespace EnvScore.Testing;

/// <summary>
/// The service on its own fresh database (a copy of a migrated, demo-seeded template), with a
/// controllable clock. One per test class: tests in a class share it, classes never do.
/// </summary>
public class EnvScoreFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string Password = "Test-Passw0rd-42";
    private const string Template = "envscore_template";

    private readonly string _database = $"envscore_{Guid.NewGuid():N}";
    private PostgresServer? _server;

    /// <summary>Starts at 2026-11-10 10:00 Asia/Shanghai unless a test moves it.</summary>
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 10, 2, 0, 0, TimeSpan.Zero));

    /// <summary>Extra settings for a test class (e.g. a tighter login rate limit).</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public string ConnectionString => _server!.ConnectionString(_database);

    /// <summary>The server this class's database lives on: the shared test cluster unless a class needs its own.</summary>
    protected virtual Task<PostgresServer> ServerAsync() => PostgresServer.GetAsync();

    /// <summary>The server, once initialised.</summary>
    public PostgresServer Postgres => _server!;

    /// <summary>
    /// A new database copied from the migrated, demo-seeded template (accounts' password <see cref="Password"/>), for a
    /// test that runs the service as a separate process; the caller drops it.
    /// </summary>
    public static async Task<string> CreateDatabaseAsync(PostgresServer server, string name)
    {
        await EnsureTemplateAsync(server);
        await server.ExecuteAsync($"CREATE DATABASE {name} TEMPLATE {Template}");
        return server.ConnectionString(name);
    }

    public async Task InitializeAsync()
    {
        _server = await ServerAsync();
        await EnsureTemplateAsync(_server);
        await _server.ExecuteAsync($"CREATE DATABASE {_database} TEMPLATE {Template}");
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await _server!.ExecuteAsync($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:EnvScore", ConnectionString);
        builder.UseSetting("Demo:Seed", "false");
        builder.UseSetting("Accounts:LoginPermitsPerMinute", "10000");
        builder.UseSetting("Scheduling:Enabled", "false"); // a test class that needs Quartz turns it on in Settings
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
        });
    }

    /// <summary>A client signed in with a bearer token as the given demo user.</summary>
    public async Task<HttpClient> ClientForAsync(string userName)
    {
        var client = CreateClient();
        var response = await client.PostAsJsonAsync("/api/auth/login", new { userName, password = Password });
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<TokenResponse>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token!.AccessToken);
        return client;
    }

    public static string Secretary(int townshipIndex) => DemoDistrict.SecretaryUserName(DemoDistrict.Townships[townshipIndex].Code);

    private sealed record TokenResponse(string AccessToken);

    private static async Task EnsureTemplateAsync(PostgresServer server)
    {
        await server.TemplateLock.WaitAsync();
        try
        {
            if (server.TemplateReady) return;
            await server.ExecuteAsync($"DROP DATABASE IF EXISTS {Template} WITH (FORCE)");
            await server.ExecuteAsync($"CREATE DATABASE {Template}");
            await using (var seeding = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
                   {
                       b.UseSetting("ConnectionStrings:EnvScore", server.ConnectionString(Template));
                       b.UseSetting("Demo:Seed", "true");
                       b.UseSetting("Demo:Password", Password);
                       b.UseSetting("Scheduling:Enabled", "false");
                   }))
            {
                seeding.CreateClient().Dispose(); // starting the host migrates and seeds
            }
            NpgsqlConnection.ClearAllPools(); // a template must have no open connections
            server.TemplateReady = true;
        }
        finally
        {
            server.TemplateLock.Release();
        }
    }
}
