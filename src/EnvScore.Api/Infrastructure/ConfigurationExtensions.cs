namespace EnvScore.Api.Infrastructure;

public static class ConfigurationExtensions
{
    /// <summary>
    /// The documented short environment variables: ENVSCORE_DB (connection string) and
    /// ENVSCORE_DEMO_PASSWORD. They win over appsettings.
    /// </summary>
    public static IHostApplicationBuilder AddEnvScoreConfiguration(this IHostApplicationBuilder builder)
    {
        var overrides = new Dictionary<string, string?>();
        if (Environment.GetEnvironmentVariable("ENVSCORE_DB") is { Length: > 0 } db) overrides["ConnectionStrings:EnvScore"] = db;
        if (Environment.GetEnvironmentVariable("ENVSCORE_DEMO_PASSWORD") is { Length: > 0 } pw) overrides["Demo:Password"] = pw;
        if (overrides.Count > 0) builder.Configuration.AddInMemoryCollection(overrides);
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }
}
