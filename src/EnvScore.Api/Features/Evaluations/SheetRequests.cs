using AutoMapper;
using EnvScore.Domain.Scoring;

namespace EnvScore.Api.Features.Evaluations;

/// <summary>A whole sheet in one request (POST creates, PUT replaces). Month as "yyyy-MM".</summary>
public sealed record SheetWrite
{
    public int VillageId { get; init; }
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
