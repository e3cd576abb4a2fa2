using System.Buffers;
using System.Collections;
using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OData.ModelBuilder;
using Microsoft.AspNetCore.OData.Extensions;
using Microsoft.OData.Edm;
using Microsoft.OData.UriParser;

namespace EnvScore.Api.Features.Computation;

/// <summary>
/// Writes a page of the lean read path (<see cref="ResultsReadPath"/>: whole rows, no <c>$select</c>) as the OData JSON
/// the stock serializer writes for it — <c>odata.metadata=minimal</c>, <c>odata.streaming=true</c>: the context URL,
/// <c>@odata.count</c> when asked, <c>value</c> with every structural property in OData's order (the primitive ones, then
/// the complex ones, each in the EDM model's order), then
/// <c>@odata.nextLink</c> — byte for byte (<c>LeanResultsReadTests</c> compares every answer with the stock path's). Issue
/// #20: OData's serializer was about half the service's CPU per cache miss of the district ranking query.
/// <para>What it writes is planned from the EDM model once per CLR type (property names, order and kinds; enum members by
/// the model's names), so a property added to the entity is written without a change here. Kinds it cannot plan
/// (anything but integers, decimals, booleans, strings, enums and collections of those or of complex types of those) make
/// <see cref="TryPlan"/> answer null: the stock serializer then writes the page.</para>
/// <para>Written with <see cref="Utf8JsonWriter"/> and the relaxed encoder, as OData's own <c>ODataUtf8JsonWriter</c>
/// writes (strings; numbers with the stored scale kept — 60.00 — and no <c>IEEE754Compatible</c> quoting).</para>
/// </summary>
public static class ResultsJsonWriter
{
    /// <summary>The content type the stock path answers for a plain JSON request.</summary>
    public const string ContentType = "application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8";

    private static readonly ConcurrentDictionary<(IEdmModel, Type), Plan?> Plans = new();

    /// <summary>
    /// Whether the request asks for what this writer writes: no <c>Accept</c>, <c>*/*</c> or <c>application/json</c>
    /// without parameters, and no <c>Accept-Charset</c> or OData version negotiation; anything else (full or no metadata,
    /// <c>IEEE754Compatible</c>, streaming off, XML…) is the stock serializer's.
    /// </summary>
    public static bool Accepts(HttpRequest request)
    {
        if (request.Headers.AcceptCharset.Count > 0 || request.Headers["OData-MaxVersion"].Count > 0 || request.Headers["OData-Version"].Count > 0)
            return false;
        var accept = request.Headers.Accept;
        if (accept.Count == 0) return true;
        if (accept.Count > 1) return false;
        var value = accept[0]?.Trim();
        return value is "*/*" or "application/json";
    }

    /// <summary>The writing plan of an entity type, or null when one of its properties is of a kind not planned here.</summary>
    public static Plan? TryPlan(IEdmModel model, Type clrType) => Plans.GetOrAdd((model, clrType), k => Plan.Build(k.Item1, k.Item2));

    /// <summary>The 200 answer: <paramref name="rows"/> (of the plan's type) written in one buffer.</summary>
    public static IActionResult Result(Plan plan, IList rows, string contextUrl, long? count, Uri? nextLink) =>
        new JsonPage(plan, rows, contextUrl, count, nextLink);

    private sealed class JsonPage(Plan plan, IList rows, string contextUrl, long? count, Uri? nextLink) : IActionResult
    {
        public async Task ExecuteResultAsync(ActionContext context)
        {
            var response = context.HttpContext.Response;
            var buffer = new ArrayBufferWriter<byte>(16 * 1024);
            await using (var json = new Utf8JsonWriter(buffer, WriterOptions))
            {
                json.WriteStartObject();
                json.WriteString(ContextName, contextUrl);
                if (count is { } n) json.WriteNumber(CountName, n);
                json.WriteStartArray(ValueName);
                for (var i = 0; i < rows.Count; i++) plan.Write(json, rows[i]!);
                json.WriteEndArray();
                if (nextLink is not null) json.WriteString(NextLinkName, nextLink.AbsoluteUri);
                json.WriteEndObject();
            }
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = ContentType;
            response.Headers["OData-Version"] = "4.0";
            await response.Body.WriteAsync(buffer.WrittenMemory, context.HttpContext.RequestAborted);
        }
    }

    /// <summary>
    /// As OData's <c>ODataUtf8JsonWriter</c> writes (its default factory, no encoder given): System.Text.Json with the
    /// relaxed encoder — CJK text as is; control characters, DEL and characters outside the BMP escaped.
    /// </summary>
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private static readonly JsonEncodedText ContextName = JsonEncodedText.Encode("@odata.context");
    private static readonly JsonEncodedText CountName = JsonEncodedText.Encode("@odata.count");
    private static readonly JsonEncodedText ValueName = JsonEncodedText.Encode("value");
    private static readonly JsonEncodedText NextLinkName = JsonEncodedText.Encode("@odata.nextLink");

    /// <summary>How one structured type (entity or complex) is written: its properties in the EDM model's order.</summary>
    public sealed class Plan
    {
        private readonly Action<Utf8JsonWriter, object>[] _properties;

        private Plan(Action<Utf8JsonWriter, object>[] properties) => _properties = properties;

        public void Write(Utf8JsonWriter json, object row)
        {
            json.WriteStartObject();
            foreach (var property in _properties) property(json, row);
            json.WriteEndObject();
        }

        internal static Plan? Build(IEdmModel model, Type clr)
        {
            var edm = model.SchemaElements.OfType<IEdmStructuredType>()
                .FirstOrDefault(t => model.GetAnnotationValue<ClrTypeAnnotation>(t)?.ClrType == clr);
            if (edm is null) return null;
            var writers = new List<Action<Utf8JsonWriter, object>>();
            // OData writes the primitive, enum and primitive-collection properties first, then the complex ones (single or
            // collections: nested resource infos), each group in the model's order.
            var ordered = edm.StructuralProperties().Where(p => !IsComplex(p.Type)).Concat(edm.StructuralProperties().Where(p => IsComplex(p.Type)));
            foreach (var property in ordered)
            {
                var info = model.GetAnnotationValue<ClrPropertyInfoAnnotation>(property)?.ClrPropertyInfo
                    ?? clr.GetProperty(property.Name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
                if (info is null) return null;
                var value = ValueWriter(model, info.PropertyType, property.Type);
                if (value is null) return null;
                var name = JsonEncodedText.Encode(property.Name);
                var getter = Getter(clr, info);
                writers.Add((json, row) =>
                {
                    json.WritePropertyName(name);
                    value(json, getter(row));
                });
            }
            // Navigation properties are written only when expanded ($expand is not lean).
            return new Plan([.. writers]);
        }

        private static bool IsComplex(IEdmTypeReference type) =>
            type.IsComplex() || type.IsCollection() && type.AsCollection().ElementType().IsComplex();

        private static Func<object, object?> Getter(Type clr, PropertyInfo info)
        {
            var row = Expression.Parameter(typeof(object), "row");
            var body = Expression.Convert(Expression.Property(Expression.Convert(row, clr), info), typeof(object));
            return Expression.Lambda<Func<object, object?>>(body, row).Compile();
        }

        /// <summary>A writer of one value of CLR type <paramref name="type"/> for an EDM type, or null when not planned.</summary>
        private static Action<Utf8JsonWriter, object?>? ValueWriter(IEdmModel model, Type type, IEdmTypeReference edm)
        {
            var underlying = Nullable.GetUnderlyingType(type) ?? type;
            if (edm.IsCollection())
            {
                var elementClr = underlying.IsArray ? underlying.GetElementType()
                    : underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(List<>) ? underlying.GetGenericArguments()[0] : null;
                if (elementClr is null) return null;
                var elementEdm = edm.AsCollection().ElementType();
                Action<Utf8JsonWriter, object?>? element = elementEdm.IsComplex()
                    ? Build(model, elementClr) is { } nested ? (o, v) => nested.Write(o, v!) : null
                    : ValueWriter(model, elementClr, elementEdm);
                if (element is null) return null;
                // A null collection is written as an empty one, as OData writes it.
                return (o, v) =>
                {
                    o.WriteStartArray();
                    if (v is IList list)
                        for (var i = 0; i < list.Count; i++) element(o, list[i]);
                    o.WriteEndArray();
                };
            }
            if (edm.IsEnum() && underlying.IsEnum)
            {
                var names = new Dictionary<object, JsonEncodedText>();
                foreach (var member in edm.AsEnum().EnumDefinition().Members)
                    names[Enum.ToObject(underlying, member.Value.Value)] = JsonEncodedText.Encode(member.Name);
                if (names.Count != Enum.GetValues(underlying).Length) return null;
                return (o, v) => { if (v is null) o.WriteNullValue(); else o.WriteStringValue(names[v]); };
            }
            if (underlying == typeof(int) && edm.IsInt32()) return (o, v) => { if (v is null) o.WriteNullValue(); else o.WriteNumberValue((int)v); };
            if (underlying == typeof(long) && edm.IsInt64()) return (o, v) => { if (v is null) o.WriteNullValue(); else o.WriteNumberValue((long)v); };
            if (underlying == typeof(decimal) && edm.IsDecimal()) return (o, v) => { if (v is null) o.WriteNullValue(); else o.WriteNumberValue((decimal)v); };
            if (underlying == typeof(bool) && edm.IsBoolean()) return (o, v) => { if (v is null) o.WriteNullValue(); else o.WriteBooleanValue((bool)v); };
            if (underlying == typeof(string) && edm.IsString()) return (o, v) => { if (v is null) o.WriteNullValue(); else o.WriteStringValue((string)v); };
            return null;
        }
    }

    /// <summary>The context URL of an entity set's whole rows: <c>{service root}/$metadata#{set}</c>.</summary>
    public static string ContextUrl(HttpRequest request, string entitySet) =>
        request.CreateODataLink(MetadataSegment.Instance) + "#" + entitySet;
}
