using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace EnvScore.Bench;

/// <summary>
/// The product itself — its Program, DI container, migrations (applied at start) and services — hosted in
/// this process on the benchmark database. Scheduling and the demo seed are off; logging is quiet.
/// </summary>
public sealed class ProductHost(string connectionString, IDictionary<string, string?>? settings = null) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:EnvScore", connectionString);
        builder.UseSetting("Demo:Seed", "false");
        builder.UseSetting("Scheduling:Enabled", "false");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft", "Warning");
        builder.UseSetting("Logging:LogLevel:EnvScore.Api.Features.Computation", "Information"); // the phase timings
        builder.UseEnvironment("Production");
        builder.UseSolutionRelativeContentRoot("src/EnvScore.Api", "EnvScore.sln");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) builder.UseSetting(key, value);
    }

    /// <summary>Starts the host (migrations run in Program) and returns its root services.</summary>
    public IServiceProvider Start()
    {
        _ = Server; // builds and starts the host
        return Services;
    }

    public AsyncServiceScope Scope() => Services.CreateAsyncScope();
}
