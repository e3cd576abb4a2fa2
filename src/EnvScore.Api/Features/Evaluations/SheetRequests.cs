using System.Text.Json;
using AutoMapper;
using EnvScore.Domain.Scoring;

namespace EnvScore.Api.Features.Evaluations;

/// <summary>
/// A whole sheet in one request (POST creates, PUT replaces). Month as "yyyy-MM" or as the yyyymm integer a GET answers
/// (202611), so that a sheet read can be written back.
/// </summary>
public sealed record SheetWrite
{
    public int VillageId { get; init; }
    [System.Text.Json.Serialization.JsonConverter(typeof(MonthTextConverter))]
    public string? Month { get; init; }
    /// <summary>"Self" or "District".</summary>
    public string? Kind { get; init; }
    public string? Note { get; init; }
    public List<string>? Vetoes { get; init; }
    public List<EntryWrite>? Entries { get; init; }
}

/// <summary>
/// PATCH, with JSON merge-patch semantics (RFC 7396): a member left out is unchanged; entries are merged by item code;
/// an explicit <c>null</c> clears a nullable member (<c>"note": null</c> removes the note, <c>"vetoes": null</c> removes
/// every veto); <c>"entries": null</c> is refused (400) — remove an entry by replacing the sheet (PUT).
/// </summary>
public sealed record SheetPatch
{
    public string? Note { get; init; }
    public List<string>? Vetoes { get; init; }
    public List<EntryWrite>? Entries { get; init; }
    /// <summary>The body said <c>"note": null</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public bool ClearNote { get; init; }
    /// <summary>The body said <c>"vetoes": null</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public bool ClearVetoes { get; init; }
}

public sealed record EntryWrite
{
    public string ItemCode { get; init; } = "";
    public bool NotApplicable { get; init; }
    public int? Count { get; init; }
    public string? Level { get; init; }
    public int? FailedSamples { get; init; }
    public bool? Passed { get; init; }
    public List<string>? ZeroConditions { get; init; }
    public string? Note { get; init; }
    /// <summary>An item with clauses: one input per clause, e.g. [{"code":"a","yes":true},{"code":"c","count":10}].</summary>
    public List<ClauseValue>? Clauses { get; init; }
}

public sealed record ReturnRequest(string? Reason);

/// <summary>
/// A month in a write: <c>"2026-11"</c> as given, or the yyyymm integer <c>202611</c> (the form GET answers) as "2026-11".
/// An integer that is not a yyyymm month is kept as its digits, so that the month check names it. Anything else
/// (true, an object) is a type error naming the field.
/// </summary>
public sealed class MonthTextConverter : System.Text.Json.Serialization.JsonConverter<string?>
{
    public override bool HandleNull => false;

    public override string? Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            System.Text.Json.JsonTokenType.String => reader.GetString(),
            System.Text.Json.JsonTokenType.Number when reader.TryGetInt32(out var key) && key / 100 is >= 1 and <= 9999 && key % 100 is >= 1 and <= 12 =>
                $"{key / 100:D4}-{key % 100:D2}",
            System.Text.Json.JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
            _ => throw new System.Text.Json.JsonException("The JSON value could not be converted to System.String."),
        };

    public override void Write(System.Text.Json.Utf8JsonWriter writer, string? value, System.Text.Json.JsonSerializerOptions options) =>
        writer.WriteStringValue(value);
}

/// <summary>
/// Reads a sheet body (POST/PUT/PATCH, and the district's sheet correction) strictly: a wrong JSON type, a number out of
/// range, a null where an object or text is needed (<c>entries[0]</c>, <c>entries[0].itemCode</c>, <c>vetoes[1]</c>)
/// is a field problem naming the JSON path and what is expected (<see cref="Infrastructure.Errors.JsonFieldErrors"/>),
/// never an exception later on.
/// </summary>
public static class SheetJson
{
    public static readonly System.Text.Json.JsonSerializerOptions Options = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        RespectNullableAnnotations = true,
        // Numbers are JSON numbers: "count":"3" is a field problem ("应为整数…"), not 3 (the Web defaults read numbers from strings).
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict,
    };

    /// <summary>The body as T, or the field and message of the first problem.</summary>
    public static (T? Value, string? Field, string? Message) Read<T>(System.Text.Json.JsonElement root) where T : class
    {
        if (root.ValueKind != System.Text.Json.JsonValueKind.Object) return (null, null, null);
        T? value;
        try
        {
            value = root.Deserialize<T>(Options);
        }
        catch (System.Text.Json.JsonException e)
        {
            var described = Infrastructure.Errors.JsonFieldErrors.Describe(e, typeof(T));
            return (null, described?.Field, described?.Message);
        }
        return NullsIn(root) is { } nullField
            ? (null, nullField.Field, nullField.Message)
            : (value, null, null);
    }

    /// <summary>A null element of entries, vetoes, an entry's zeroConditions or clauses.</summary>
    public static (string Field, string Message)? NullsIn(System.Text.Json.JsonElement root)
    {
        foreach (var member in root.EnumerateObject())
        {
            var name = member.Name.ToLowerInvariant();
            if (name == "vetoes" && NullElement(member.Value, "vetoes", "应为否决项编码（字符串）") is { } v) return v;
            if (name != "entries" || member.Value.ValueKind != System.Text.Json.JsonValueKind.Array) continue;
            var i = 0;
            foreach (var entry in member.Value.EnumerateArray())
            {
                var path = $"entries[{i++}]";
                if (entry.ValueKind == System.Text.Json.JsonValueKind.Null)
                    return (path, $"字段{path}的值无效：条目不能为null，应为JSON对象，如{{\"itemCode\":\"L01\",\"count\":0}} (an entry must be an object)");
                if (entry.ValueKind != System.Text.Json.JsonValueKind.Object) continue;
                foreach (var field in entry.EnumerateObject())
                {
                    var f = field.Name.ToLowerInvariant();
                    if (f == "zeroconditions" && NullElement(field.Value, $"{path}.zeroConditions", "应为条件编码（字符串）") is { } z) return z;
                    if (f == "clauses" && NullElement(field.Value, $"{path}.clauses", "应为JSON对象，如{\"code\":\"a\",\"yes\":true}") is { } c) return c;
                }
            }
        }
        return null;
    }

    private static (string, string)? NullElement(System.Text.Json.JsonElement array, string path, string expected)
    {
        if (array.ValueKind != System.Text.Json.JsonValueKind.Array) return null;
        var i = 0;
        foreach (var element in array.EnumerateArray())
        {
            if (element.ValueKind == System.Text.Json.JsonValueKind.Null)
                return ($"{path}[{i}]", $"字段{path}[{i}]的值无效：不能为null，{expected} (must not be null)");
            i++;
        }
        return null;
    }
}

/// <summary>Flat maps only (see the AutoMapper advisory note in Directory.Build.props).</summary>
public class EvaluationMappingProfile : Profile
{
    public EvaluationMappingProfile()
    {
        CreateMap<EntryWrite, EvaluationEntry>()
            .ForMember(e => e.Id, o => o.Ignore())
            .ForMember(e => e.EvaluationId, o => o.Ignore())
            .ForMember(e => e.ItemCode, o => o.MapFrom(w => w.ItemCode.Trim()))
            .ForMember(e => e.ZeroConditions, o => o.MapFrom(w => w.ZeroConditions ?? new List<string>()))
            .ForMember(e => e.Clauses, o => o.MapFrom(w => (w.Clauses ?? new List<ClauseValue>()).Select(Copy).ToList()));
        CreateMap<EvaluationEntry, ItemEntry>()
            .ConvertUsing(e => ToItemEntry(e));
    }

    private static ClauseValue Copy(ClauseValue c) => new()
    {
        Code = c.Code.Trim(), Count = c.Count, Level = c.Level, Yes = c.Yes, Percent = c.Percent, Numerator = c.Numerator, Denominator = c.Denominator,
    };

    /// <summary>A stored entry as the engine reads it (a clause code given twice counts once: the first; the writer refuses duplicates).</summary>
    public static ItemEntry ToItemEntry(EvaluationEntry e) =>
        new(e.ItemCode, e.NotApplicable, e.Count, e.Level, e.FailedSamples, e.Passed, e.ZeroConditions.Count == 0 ? null : e.ZeroConditions, e.Note,
            e.Clauses.Count == 0 ? null : ClauseInputs(e.Clauses));

    public static IReadOnlyDictionary<string, ClauseInput> ClauseInputs(IEnumerable<ClauseValue> values)
    {
        var inputs = new Dictionary<string, ClauseInput>(StringComparer.Ordinal);
        foreach (var v in values) inputs.TryAdd(v.Code, v.ToInput());
        return inputs;
    }
}
