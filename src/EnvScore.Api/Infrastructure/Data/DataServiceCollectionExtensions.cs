using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using EnvScore.Api.Infrastructure;

namespace EnvScore.Api.Infrastructure.Data;

public static class DataServiceCollectionExtensions
{
    public const string ConnectionStringName = "EnvScore";

    public static TBuilder UseEnvScoreNpgsql<TBuilder>(this TBuilder options, string connectionString)
        where TBuilder : DbContextOptionsBuilder =>
        (TBuilder)options
            .UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention();

    public static IHostApplicationBuilder AddEnvScoreData(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new InvalidOperationException(
                "No database configured: set ENVSCORE_DB or ConnectionStrings:EnvScore (./envscore run does this for you).");
        builder.Services.AddDbContext<EnvScoreDbContext>((services, o) =>
        {
            o.UseEnvScoreNpgsql(connectionString);
            // Account rows changed here forget their cached session stamp (Features/Accounts/SessionStamps).
            if (services.GetService<Features.Accounts.SessionStamps.Interceptor>() is { } stamps) o.AddInterceptors(stamps);
            if (Faults.FaultPoint.Enabled) o.AddInterceptors(new Faults.FaultCommitInterceptor()); // crash tests only
        });
        // The anonymous public pages' reads: a standby when ConnectionStrings:PublicReads is set, else the primary.
        PublicReads.Register(builder.Services, builder.Configuration.GetConnectionString(PublicReads.ConnectionStringName));
        builder.Services.AddDataProtection().SetApplicationName("EnvScore").PersistKeysToDbContext<EnvScoreDbContext>();
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>(DatabaseHealthCheck.Name, tags: ["ready"]);
        return builder;
    }
}
