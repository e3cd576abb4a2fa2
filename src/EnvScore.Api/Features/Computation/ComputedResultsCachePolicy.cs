using System.Text.RegularExpressions;
using EnvScore.Api.Infrastructure.Data;
using Microsoft.AspNetCore.OutputCaching;
using Npgsql;

namespace EnvScore.Api.Features.Computation;

/// <summary>
/// Output caching of the computed results (<c>VillageResults</c>, <c>TownshipResults</c>) for signed-in users,
/// correct across several instances that share one database.
/// <para>
/// <b>Key.</b> The visibility scope of the user (<see cref="ComputationVisibility.ResultsScopeOf"/>: "district:{id}" or
/// "township:{id}"; anyone else is not cached), the exact path and query string, the host, the request headers that
/// change the OData payload, and the <b>results stamp</b> of the scope's district: <c>results_stamps.version</c>,
/// which a trigger on <c>village_results</c>, <c>village_result_sections</c> and <c>township_results</c> sets to a
/// fresh value from a sequence in the same transaction as every change of that district's rows (migration
/// <c>ResultsStamps</c>), whoever writes them — the computation, a correction's recomputation, or SQL by hand.
/// </para>
/// <para>
/// <b>Why it is never stale.</b> The stamp is read (its own statement, READ COMMITTED) before the controller reads the
/// data (a later statement, so a later snapshot). A write W of the district's results commits its stamp change
/// atomically with its rows. If W commits between the two reads, the response holds W's rows under the stamp from
/// before W — but from W's commit on every request reads the new stamp, so that entry is only ever served to
/// requests that read their stamp before W committed: they get rows newer than their stamp, never older. Stamp
/// values come from a sequence, so a value is never reused (not even if a stamp row were deleted and recreated).
/// The computation_runs table is deliberately not the stamp: a run is marked Succeeded in its own transaction after
/// the results commit, and runs of different districts can finish out of id order, so max(id) of succeeded runs
/// can stay unchanged while results change.
/// </para>
/// <para>
/// Not cached: non-GET requests, <c>$expand</c> and any query that mentions the <c>village</c>/<c>township</c>
/// navigation properties (names change without a computation), query options other than the plain ones below,
/// and responses other than 200 or that set a cookie. Every response of these entity sets says
/// <c>Cache-Control: private, no-store</c>: results are per-user data that no shared cache may keep. Entries expire
/// after <see cref="Expiry"/> (freshness comes from the stamp; the expiry only frees entries of old stamps) and the
/// in-memory store is bounded by <see cref="OutputCacheOptions.SizeLimit"/> (100 MB by default).
/// </para>
/// </summary>
public sealed class ComputedResultsCachePolicy : IOutputCachePolicy
{
    public const string Name = "computed-results";
    public static readonly TimeSpan Expiry = TimeSpan.FromMinutes(10);

    /// <summary>Request headers that change the OData payload (format, metadata level, version, paging preference).</summary>
    private static readonly string[] PayloadHeaders = ["Accept", "Accept-Charset", "OData-Version", "OData-MaxVersion", "Prefer"];

    /// <summary>Query options whose result depends on result rows only (with or without "$", any case).</summary>
    private static readonly HashSet<string> CacheableOptions = new(StringComparer.OrdinalIgnoreCase)
        { "filter", "orderby", "top", "skip", "count", "select", "skiptoken", "format", "apply" };

    /// <summary>A navigation property or an expansion anywhere in a query value ("townshipId" does not match).</summary>
    private static readonly Regex NavigationOrExpand = new(@"\b(village|township|expand)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled);

    async ValueTask IOutputCachePolicy.CacheRequestAsync(OutputCacheContext context, CancellationToken ct)
    {
        var http = context.HttpContext;
        // Set before the action runs, so that fresh and cached responses both carry it.
        http.Response.Headers.CacheControl = "private, no-store";

        context.EnableOutputCaching = false;
        if (!HttpMethods.IsGet(http.Request.Method) || !IsCacheableQuery(http.Request.Query)) return;
        if (ComputationVisibility.ResultsScopeOf(http.User) is not { } scope || !ComputationVisibility.IsCacheable(scope)) return;

        var stamp = await http.RequestServices.GetRequiredService<ResultsStampReader>().ReadAsync(scope, ct);

        context.EnableOutputCaching = true;
        context.AllowCacheLookup = true;
        context.AllowCacheStorage = true;
        context.AllowLocking = true; // identical concurrent misses run the query once
        context.ResponseExpirationTimeSpan = Expiry;
        var vary = context.CacheVaryByRules;
        vary.VaryByHost = true; // @odata.nextLink and @odata.context are absolute
        vary.HeaderNames = PayloadHeaders;
        vary.QueryKeys = "*";
        // The framework's key upper-cases the path and query names; these keep them exactly as sent.
        vary.VaryByValues["path"] = http.Request.PathBase.Value + http.Request.Path.Value;
        vary.VaryByValues["query"] = http.Request.QueryString.Value ?? "";
        vary.VaryByValues["scope"] = scope.Key;
        vary.VaryByValues["stamp"] = stamp.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    ValueTask IOutputCachePolicy.ServeFromCacheAsync(OutputCacheContext context, CancellationToken ct) => ValueTask.CompletedTask;

    ValueTask IOutputCachePolicy.ServeResponseAsync(OutputCacheContext context, CancellationToken ct)
    {
        var response = context.HttpContext.Response;
        if (response.StatusCode != StatusCodes.Status200OK || response.Headers.SetCookie.Count > 0)
            context.AllowCacheStorage = false;
        return ValueTask.CompletedTask;
    }

    internal static bool IsCacheableQuery(IQueryCollection query)
    {
        foreach (var (key, values) in query)
        {
            if (!CacheableOptions.Contains(key.TrimStart('$'))) return false;
            foreach (var value in values)
                if (value is not null && NavigationOrExpand.IsMatch(value)) return false;
        }
        return true;
    }
}

/// <summary>
/// Reads results stamps: one prepared index lookup per request on a small pool of its own (a singleton
/// <see cref="NpgsqlDataSource"/> over the service's connection string). Not the request's DbContext: initialising a
/// context's services and the pool's reset (DISCARD ALL) on every rent cost more than the query itself (measured in
/// docs/performance.md). The statement sets no session state, so its connections need no reset.
/// </summary>
public sealed class ResultsStampReader(IConfiguration configuration) : IAsyncDisposable
{
    /// <summary>At most this many extra connections per instance (a stamp read holds one for a fraction of a millisecond).</summary>
    public const int MaxPoolSize = 16;

    private const string DistrictSql = "SELECT coalesce((SELECT version FROM results_stamps WHERE district_id = $1), 0)";
    private const string TownshipSql =
        "SELECT coalesce((SELECT s.version FROM townships t JOIN results_stamps s ON s.district_id = t.district_id WHERE t.id = $1), 0)";

    private readonly Lazy<NpgsqlDataSource> _dataSource = new(() => new NpgsqlDataSourceBuilder(
        new NpgsqlConnectionStringBuilder(configuration.GetConnectionString(DataServiceCollectionExtensions.ConnectionStringName))
        {
            MaxPoolSize = MaxPoolSize, NoResetOnClose = true, MaxAutoPrepare = 4, ApplicationName = "envscore-results-stamp",
        }.ConnectionString).Build());

    /// <summary>The stamp of the scope's district; 0 before its results were first written.</summary>
    public async Task<long> ReadAsync(ResultsScope scope, CancellationToken ct)
    {
        await using var cmd = _dataSource.Value.CreateCommand(scope.Kind == ResultsScope.District ? DistrictSql : TownshipSql);
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = scope.Id });
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataSource.IsValueCreated) await _dataSource.Value.DisposeAsync();
    }
}

/// <summary>Whose results a user sees: one district, or one township (of a district).</summary>
public readonly record struct ResultsScope(string Kind, int Id)
{
    public const string District = "district", Township = "township";
    public string Key => $"{Kind}:{Id}";
}
