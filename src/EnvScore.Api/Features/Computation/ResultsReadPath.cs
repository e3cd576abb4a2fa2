using System.Collections;
using System.Collections.Concurrent;
using System.Data.Common;
using System.Linq.Expressions;
using System.Reflection;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Api.Infrastructure.OData;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.OData.Extensions;
using Microsoft.AspNetCore.OData.Query;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.OData;
using Microsoft.OData.UriParser;
using Npgsql;

namespace EnvScore.Api.Features.Computation;

/// <summary>
/// An entity set whose plain reads <see cref="LeanResultsReadAttribute"/> may answer: the rows the caller may see, as
/// the action itself returns them (<c>VisibleTo</c> applied), before any query option.
/// </summary>
public interface ILeanReadSource
{
    IQueryable LeanSource();
}

/// <summary>
/// The read path of the computed results (<c>GET /odata/VillageResults</c>, <c>/odata/TownshipResults</c>) for the plain
/// queries — only <c>$filter</c>, <c>$orderby</c>, <c>$top</c>, <c>$skip</c>, <c>$select</c> and <c>$count=true</c>
/// (issue #20, the cache-miss path of the district ranking query, docs/performance.md). It answers the same rows, the
/// same JSON and the same <c>@odata.nextLink</c>/<c>@odata.count</c> as <see cref="EnvScoreQueryAttribute"/> would, but:
/// <list type="bullet">
/// <item>the query is parsed and validated by the same attribute's rules (<see cref="EnvScoreQueryAttribute.ValidateQuery"/>),
///   applied with OData's own options in <see cref="ODataQueryOptions.ApplyTo(IQueryable, ODataQuerySettings)"/>'s order
///   (filter, count, stable order, select, skip, top), and read <b>asynchronously</b> (EF Core's <c>ToListAsync</c>) —
///   the stock path reads the page synchronously (OData's <c>TruncatedCollection</c>) on a blocked thread-pool thread;</item>
/// <item>a row's owned collections mapped to their own table (<see cref="VillageResult.Sections"/>,
///   <c>village_result_sections</c>) are read by one indexed lookup of the page's keys, instead of EF's single query that
///   joins them around the <c>LIMIT</c> subquery (3.5 ms execution and 3–7 ms planning per call under load, against
///   well under 1 ms for both statements here). With <c>$select</c> EF reads the selected columns (and joins the sections
///   only when they are selected).</item>
/// </list>
/// Anything else — <c>$expand</c>, <c>$apply</c>, <c>$search</c>, <c>$format</c>, <c>$skiptoken</c>, options without
/// "$", <c>/$count</c>, a <c>Prefer: odata.maxpagesize</c> — and any query the lean path cannot answer (a refusal, a
/// PostgreSQL data exception, an untranslatable expression) goes to the stock path unchanged, which answers it (or
/// refuses it with its Chinese 400) exactly as before. Runs before <see cref="EnvScoreQueryAttribute"/> (a lower order).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LeanResultsReadAttribute : Attribute, IAsyncActionFilter, IOrderedFilter
{
    /// <summary>Runs outside the query attribute (order 0), so that it can answer before it.</summary>
    public int Order => -100;

    private static readonly HashSet<string> LeanOptions = new(StringComparer.Ordinal)
        { "$filter", "$orderby", "$top", "$skip", "$select", "$count" };

    /// <summary>Configuration key: false sends every read to the stock path (default true).</summary>
    public const string Setting = "ResultsReads:Lean";

    public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        var http = context.HttpContext;
        if (context.Controller is not ILeanReadSource source || !IsLean(http.Request)
            || !http.RequestServices.GetRequiredService<IConfiguration>().GetValue(Setting, true))
        {
            await next();
            return;
        }
        var feature = http.ODataFeature();
        try
        {
            context.Result = await ResultsReadPath.ReadAsync(http, source.LeanSource(), http.RequestAborted);
            ResultsReadPath.Reads.Add(1, new KeyValuePair<string, object?>("path", "lean"));
        }
        catch (Exception e) when (ResultsReadPath.IsForTheStockPath(e))
        {
            // Undo what the lean attempt set, then let the stock path answer (or refuse) the query as it always did.
            feature.SelectExpandClause = null;
            feature.TotalCountFunc = null;
            feature.TotalCount = null;
            feature.NextLink = null;
            http.RequestServices.GetService<ILogger<LeanResultsReadAttribute>>()?.LogDebug(e,
                "Lean read of {Path}{Query} handed to the stock path", http.Request.Path, http.Request.QueryString);
            ResultsReadPath.Reads.Add(1, new KeyValuePair<string, object?>("path", "stock"));
            await next();
        }
    }

    /// <summary>A GET of the entity set itself with only the plain options, each once, written with "$" in lower case.</summary>
    internal static bool IsLean(HttpRequest request)
    {
        if (!HttpMethods.IsGet(request.Method)) return false;
        if (request.Headers["Prefer"].Count > 0) return false; // odata.maxpagesize and friends: the stock path
        foreach (var (key, values) in request.Query)
        {
            if (!LeanOptions.Contains(key) || values.Count != 1 || string.IsNullOrWhiteSpace(values[0])) return false;
            if (key == "$count" && values[0] != "true" && values[0] != "false") return false;
        }
        var path = request.ODataFeature().Path;
        return path is { Count: 1 } && path.FirstSegment is EntitySetSegment;
    }
}

/// <summary>The lean read itself (see <see cref="LeanResultsReadAttribute"/>).</summary>
public static class ResultsReadPath
{
    /// <summary>Meter <c>EnvScore.ResultsReads</c>: the plain reads answered, by tag <c>path</c> = lean | stock (handed on).</summary>
    public static readonly System.Diagnostics.Metrics.Meter Meter = new("EnvScore.ResultsReads");

    /// <summary>Counter <c>envscore.results.plain_reads</c> (requests).</summary>
    public static readonly System.Diagnostics.Metrics.Counter<long> Reads = Meter.CreateCounter<long>("envscore.results.plain_reads", "{request}");

    /// <summary>
    /// The query settings of <see cref="EnvScoreQueryAttribute"/>, minus the page size (applied here, asynchronously):
    /// null propagation off (SQL handles nulls), constants parameterised (one cached EF query and one plan shape per
    /// query shape), a stable order whenever a page is cut.
    /// </summary>
    private static ODataQuerySettings Settings() => new()
    {
        HandleNullPropagation = HandleNullPropagationOption.False,
        EnsureStableOrdering = true,
        EnableConstantParameterization = true,
    };

    /// <summary>Reads the page of <paramref name="source"/> the request's options ask for; the 200 result to serialize.</summary>
    /// <exception cref="ODataException">The query is refused (the stock path then says why, in Chinese).</exception>
    public static async Task<IActionResult> ReadAsync(HttpContext http, IQueryable source, CancellationToken ct)
    {
        var request = http.Request;
        var feature = http.ODataFeature();
        var queryContext = new ODataQueryContext(feature.Model, source.ElementType, feature.Path);
        var options = new ODataQueryOptions(queryContext, request);
        var rules = new EnvScoreQueryAttribute();
        rules.ValidateQuery(request, options);
        const int pageSize = EnvScoreQueryAttribute.DefaultPageSize;
        var settings = Settings();

        IQueryable query = source;
        if (options.Filter is { } filter) query = filter.ApplyTo(query, settings);
        if (options.Count is { Value: true })
            feature.TotalCount = await Materialiser.For(query.ElementType).CountAsync(query, ct);
        // Always a stable order: the page size is always in force (EnsureStableOrdering, as ApplyTo does with a PageSize).
        query = options.GenerateStableOrder().ApplyTo(query, settings);
        var selecting = options.SelectExpand is not null;
        if (options.SelectExpand is { } select)
        {
            feature.SelectExpandClause = select.SelectExpandClause; // no $expand here: no levels to process
            query = select.ApplyTo(query, settings);
        }
        if (options.Skip is { } skip) query = skip.ApplyTo(query, settings);
        var top = options.Top?.Value;
        if (options.Top is { } topOption) query = topOption.ApplyTo(query, settings);
        // One row beyond the page tells whether there is a next page (OData's TruncatedCollection reads the same).
        var cut = top is not { } t || t > pageSize;
        if (cut) query = Materialiser.For(query.ElementType).Take(query, pageSize + 1);

        var materialiser = Materialiser.For(query.ElementType);
        var db = http.RequestServices.GetRequiredService<EnvScoreDbContext>();
        IList rows;
        var hasNext = false;
        if (!selecting && OwnedTables.For(db, source.ElementType) is { HasTableCollections: true } owned)
        {
            // Both statements on one connection (one pool rent).
            var close = db.Database.GetDbConnection().State != System.Data.ConnectionState.Open;
            if (close) await db.Database.OpenConnectionAsync(ct);
            try
            {
                rows = await materialiser.ToListAsync(owned.WithoutTableCollections(query), ct);
                if (hasNext = cut && rows.Count > pageSize) rows.RemoveAt(pageSize);
                await owned.LoadTableCollectionsAsync(db, rows, ct);
            }
            finally
            {
                if (close) await db.Database.CloseConnectionAsync();
            }
        }
        else
        {
            rows = await materialiser.ToListAsync(query, ct);
            if (hasNext = cut && rows.Count > pageSize) rows.RemoveAt(pageSize);
        }
        // The link the stock path writes for a cut page: the same URL with $skip advanced by the page (and $top reduced).
        if (hasNext) feature.NextLink = request.GetNextPageLink(pageSize, rows[pageSize - 1], null);
        // Whole rows in plain JSON: written by ResultsJsonWriter (the same bytes, a fraction of the serializer's CPU).
        if (!selecting && ResultsJsonWriter.Accepts(request) && feature.Path.FirstSegment is EntitySetSegment set
            && ResultsJsonWriter.TryPlan(feature.Model, source.ElementType) is { } plan)
            return ResultsJsonWriter.Result(plan, rows, ResultsJsonWriter.ContextUrl(request, set.EntitySet.Name), feature.TotalCount, feature.NextLink);
        return new OkObjectResult(Queryable.AsQueryable(rows));
    }

    /// <summary>
    /// Whether an exception of the lean read means "let the stock path answer": a refusal of the query, a data exception
    /// or an untranslatable expression (<see cref="QueryFaults"/>), anything the OData layer throws while binding. Not a
    /// cancelled request and not a database failure (the stock path would fail the same way, twice the load).
    /// </summary>
    internal static bool IsForTheStockPath(Exception e) => e switch
    {
        OperationCanceledException => false,
        DbException => QueryFaults.Describe(e) is not null,
        _ => true,
    };

    /// <summary>Typed helpers over an <see cref="IQueryable"/> whose element type is known only at run time.</summary>
    private abstract class Materialiser
    {
        private static readonly ConcurrentDictionary<Type, Materialiser> Cache = new();

        public static Materialiser For(Type element) =>
            Cache.GetOrAdd(element, t => (Materialiser)Activator.CreateInstance(typeof(Of<>).MakeGenericType(t))!);

        public abstract Task<IList> ToListAsync(IQueryable query, CancellationToken ct);
        public abstract Task<long> CountAsync(IQueryable query, CancellationToken ct);
        public abstract IQueryable Take(IQueryable query, int count);

        private sealed class Of<T> : Materialiser
        {
            public override async Task<IList> ToListAsync(IQueryable query, CancellationToken ct) =>
                await EntityFrameworkQueryableExtensions.ToListAsync((IQueryable<T>)query, ct);
            public override Task<long> CountAsync(IQueryable query, CancellationToken ct) =>
                EntityFrameworkQueryableExtensions.LongCountAsync((IQueryable<T>)query, ct);
            public override IQueryable Take(IQueryable query, int count) => Queryable.Take((IQueryable<T>)query, count);
        }
    }

    /// <summary>
    /// How an entity type's owned collections mapped to a table of their own are read apart: a projection of every other
    /// mapped member (columns, primitive collections, owned JSON) into a new instance, then the collection rows of the
    /// page's keys. From the EF model, so a property added to the entity is read without a change here.
    /// </summary>
    private sealed class OwnedTables
    {
        private static readonly ConcurrentDictionary<Type, OwnedTables> Cache = new();

        public bool HasTableCollections { get; private init; }
        private LambdaExpression? _projection;

        public static OwnedTables For(DbContext db, Type clr) => Cache.GetOrAdd(clr, _ => Build(db.Model.FindEntityType(clr)!));

        private static OwnedTables Build(IEntityType entity)
        {
            var tableCollections = entity.GetNavigations()
                .Where(n => n.TargetEntityType.IsOwned() && n.IsCollection && !n.TargetEntityType.IsMappedToJson())
                .ToList();
            if (tableCollections.Count == 0) return new OwnedTables();
            if (entity.ClrType != typeof(VillageResult) || tableCollections.Count != 1 || tableCollections[0].Name != nameof(VillageResult.Sections))
                throw new NotSupportedException($"no lean read for the owned collections of {entity.ClrType.Name}");
            var row = Expression.Parameter(entity.ClrType, "r");
            var bindings = new List<MemberBinding>();
            foreach (var p in entity.GetProperties().Where(p => p.PropertyInfo is { CanWrite: true }))
                bindings.Add(Expression.Bind(p.PropertyInfo!, Expression.Property(row, p.PropertyInfo!)));
            foreach (var n in entity.GetNavigations().Where(n => n.TargetEntityType.IsOwned() && n.TargetEntityType.IsMappedToJson()))
                bindings.Add(Expression.Bind(n.PropertyInfo!, Expression.Property(row, n.PropertyInfo!)));
            var init = Expression.MemberInit(Expression.New(entity.ClrType), bindings);
            return new OwnedTables { HasTableCollections = true, _projection = Expression.Lambda(init, row) };
        }

        public IQueryable WithoutTableCollections(IQueryable query) =>
            query.Provider.CreateQuery(Expression.Call(typeof(Queryable), nameof(Queryable.Select),
                [query.ElementType, query.ElementType], query.Expression, Expression.Quote(_projection!)));

        /// <summary>The sections of the page's rows, in sheet order (<c>ordinal</c>), by primary key.</summary>
        private const string SectionsSql = """
            SELECT s.village_id, s.month, s.ordinal, s.code, s.title, s.max, s.applicable_max, s.deduction, s.score
            FROM unnest($1::integer[], $2::integer[]) AS k(village_id, month)
            JOIN village_result_sections s ON s.village_id = k.village_id AND s.month = k.month
            ORDER BY s.village_id, s.month, s.ordinal
            """;

        public async Task LoadTableCollectionsAsync(EnvScoreDbContext db, IList rows, CancellationToken ct)
        {
            if (rows.Count == 0) return;
            var byKey = new Dictionary<(int, int), VillageResult>(rows.Count);
            foreach (VillageResult r in rows) byKey[(r.VillageId, r.Month)] = r;
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            await using var cmd = new NpgsqlCommand(SectionsSql, connection);
            cmd.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = byKey.Keys.Select(k => k.Item1).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = byKey.Keys.Select(k => k.Item2).ToArray() });
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                byKey[(reader.GetInt32(0), reader.GetInt32(1))].Sections.Add(new VillageResultSection
                {
                    Ordinal = reader.GetInt32(2),
                    Code = reader.GetString(3),
                    Title = reader.GetString(4),
                    Max = reader.GetDecimal(5),
                    ApplicableMax = reader.GetDecimal(6),
                    Deduction = reader.GetDecimal(7),
                    Score = reader.GetDecimal(8),
                });
            }
        }
    }
}
