using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Infrastructure.Data;

public static class DataServiceCollectionExtensions
{
    public const string ConnectionStringName = "EnvScore";

    public static TBuilder UseEnvScoreNpgsql<TBuilder>(this TBuilder options, string connectionString)
        where TBuilder : DbContextOptionsBuilder =>
        (TBuilder)options
            .UseNpgsql(WithAutoPrepare(connectionString), npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention();

    /// <summary>
    /// Npgsql's automatic preparation (<c>Max Auto Prepare</c> 64, after 2 uses) unless the connection string sets it:
    /// EF parameterises OData's constants, so the hot read queries are the same text for every filter value, and a
    /// prepared statement skips PostgreSQL's parse and plan (~0.4 ms of the database's CPU per ranking query; issue #20,
    /// docs/performance.md). A connection string with <c>Max Auto Prepare=0</c> turns it off (e.g. behind a
    /// transaction-mode pooler).
    /// </summary>
    public static string WithAutoPrepare(string connectionString)
    {
        var b = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (connectionString.Contains("Max Auto Prepare", StringComparison.OrdinalIgnoreCase) ||
            connectionString.Contains("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase)) return connectionString;
        b.MaxAutoPrepare = 64;
        b.AutoPrepareMinUsages = 2;
        return b.ConnectionString;
    }

    public static IHostApplicationBuilder AddEnvScoreData(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new InvalidOperationException(
                "No database configured: set ENVSCORE_DB or ConnectionStrings:EnvScore (./envscore run does this for you).");
        builder.Services.AddDbContext<EnvScoreDbContext>(o => o.UseEnvScoreNpgsql(connectionString));
        builder.Services.AddDataProtection().SetApplicationName("EnvScore").PersistKeysToDbContext<EnvScoreDbContext>();
        builder.Services.AddHealthChecks().AddDbContextCheck<EnvScoreDbContext>("database");
        return builder;
    }
}
