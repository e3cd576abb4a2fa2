using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EnvScore.Api.Infrastructure.Data;

/// <summary>
/// The database the anonymous public pages read — <c>/</c>, <c>/township/{id}</c>, <c>/village/{id}</c> (published
/// revisions only): <c>ConnectionStrings:PublicReads</c> when it is configured, else the primary (the request's own
/// <see cref="EnvScoreDbContext"/>, exactly as before). The intended value is a multi-host string that prefers a
/// streaming standby, e.g. <c>Host=standby:5432,primary:5432;…;Target Session Attributes=prefer-standby</c>: the public
/// pages then load the standby instead of the primary and keep answering while the primary is down or failing over
/// (docs/scaling.md step 3, docs/operations.md; test <c>StandbyReadTests</c>). Replication lag (sub-second) does not
/// matter for a monthly bulletin. Read-only: queries are not tracked and <c>SaveChanges</c> on it throws
/// <see cref="InvalidOperationException"/>. Writes and signed-in pages never use it (they need read-your-writes). Also read
/// through it: the anonymous bulletin downloads (<c>GET /api/bulletins/{district}/{month}/{revision}</c>, xlsx and
/// <c>?format=docx</c>), the notice's print page <c>/notice/{district}/{month}/{revision}</c> and the anonymous OData
/// reads of published and organisational sets (<see cref="For"/>). <c>/healthz</c> reports it
/// as <c>publicReads</c> when configured (<see cref="PublicReadsHealthCheck"/>).
/// </summary>
public sealed class PublicReads : IAsyncDisposable
{
    /// <summary>The configuration key of the optional connection string (<c>ConnectionStrings:PublicReads</c>).</summary>
    public const string ConnectionStringName = "PublicReads";

    private readonly bool _owned;

    private PublicReads(EnvScoreDbContext db, bool owned)
    {
        Db = db;
        _owned = owned;
    }

    /// <summary>The context to query (never to save through).</summary>
    public EnvScoreDbContext Db { get; }

    /// <summary>
    /// The context a read that anyone may make should use: this one for a visitor who is not signed in, else
    /// <paramref name="primary"/> (a signed-in user reads their own writes, which a standby may not have yet). Used by
    /// the anonymous OData sets (Publications, PublicationRevisions, PublishedVillageResults, PublishedTownshipResults,
    /// Districts, Townships, Villages).
    /// </summary>
    public EnvScoreDbContext For(System.Security.Claims.ClaimsPrincipal user, EnvScoreDbContext primary) =>
        user.Identity?.IsAuthenticated == true ? primary : Db;

    /// <summary>True when the reads go to <c>ConnectionStrings:PublicReads</c> rather than the primary's connection.</summary>
    public bool Separate => _owned;

    public async ValueTask DisposeAsync()
    {
        if (_owned) await Db.DisposeAsync();
    }

    /// <summary>
    /// Registers <see cref="PublicReads"/> (scoped): a context of its own on <paramref name="connectionString"/> when it is
    /// given, else the request's primary context.
    /// </summary>
    internal static void Register(IServiceCollection services, string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            services.AddScoped(sp => new PublicReads(sp.GetRequiredService<EnvScoreDbContext>(), owned: false));
            return;
        }
        services.AddSingleton(sp => new Options(new DbContextOptionsBuilder<EnvScoreDbContext>()
            .UseEnvScoreNpgsql(connectionString)
            .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
            .UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>())
            .AddInterceptors(new ReadOnly())
            .Options));
        services.AddScoped(sp => new PublicReads(new EnvScoreDbContext(sp.GetRequiredService<Options>().Value), owned: true));
        // /healthz says whether it answers and what (standby or primary); Degraded at worst, never the service's readiness.
        services.AddHealthChecks().AddCheck<PublicReadsHealthCheck>(PublicReadsHealthCheck.Name, HealthStatus.Degraded, ["ready"]);
    }

    private sealed record Options(DbContextOptions<EnvScoreDbContext> Value);

    /// <summary>Refuses every save: this context may point at a standby, and the public pages never write.</summary>
    private sealed class ReadOnly : SaveChangesInterceptor
    {
        private static InvalidOperationException Refused() =>
            new("ConnectionStrings:PublicReads is read-only: the public pages never write (use EnvScoreDbContext)");

        public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result) => throw Refused();

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
            CancellationToken cancellationToken = default) => throw Refused();
    }
}
