using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace EnvScore.Api.Infrastructure.Http;

/// <summary>
/// An If-Match or If-None-Match request header, parsed once and compared as RFC 9110 §13.1 says:
/// <list type="bullet">
/// <item><c>*</c> matches any current representation (§13.1.1, §13.1.2).</item>
/// <item>A list (<c>"1", W/"2"</c>, possibly spread over several header lines) matches when any member matches.</item>
/// <item>If-Match uses the <b>strong</b> comparison (§8.8.3.2: both tags strong and the opaque tags equal), so a weak tag
///   never satisfies If-Match; If-None-Match uses the <b>weak</b> comparison (opaque tags equal, W/ ignored).</item>
/// <item>A header that is not a valid list of entity tags is <see cref="Malformed"/>: callers answer 400.</item>
/// </list>
/// An EnvScore sheet's tag is strong: <c>"{xmin}"</c> (see <c>SheetETag</c>). The single place where tags are parsed and compared.
/// </summary>
public sealed class EntityTagCondition
{
    private readonly IReadOnlyList<EntityTagHeaderValue> _tags;
    private EntityTagCondition? _andNoneOf;

    private EntityTagCondition(bool any, IReadOnlyList<EntityTagHeaderValue> tags, bool malformed)
    {
        Any = any;
        _tags = tags;
        Malformed = malformed;
    }

    /// <summary>The header was <c>*</c>.</summary>
    public bool Any { get; }

    /// <summary>The header was present but not a valid <c>*</c> or entity-tag list (RFC 9110 §8.8.3).</summary>
    public bool Malformed { get; }

    public IReadOnlyList<EntityTagHeaderValue> Tags => _tags;

    /// <summary>Null when the header is absent or empty.</summary>
    public static EntityTagCondition? Parse(StringValues header)
    {
        var lines = header.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!).ToList();
        if (lines.Count == 0) return null;
        if (!EntityTagHeaderValue.TryParseStrictList(lines, out var parsed) || parsed is null || parsed.Count == 0)
            return new EntityTagCondition(false, [], malformed: true);
        var any = parsed.Any(t => t.Tag == "*");
        if (any && parsed.Count > 1) return new EntityTagCondition(false, [], malformed: true); // "*" stands alone
        return new EntityTagCondition(any, any ? [] : parsed.ToList(), malformed: false);
    }

    /// <summary>The condition "exactly this strong tag" (e.g. a form that carried the version it was read at).</summary>
    public static EntityTagCondition Exactly(EntityTagHeaderValue tag) => new(false, [tag], malformed: false);

    /// <summary>
    /// If-Match (§13.1.1): true when <c>*</c> (the resource exists) or a listed tag strongly equals <paramref name="current"/> —
    /// and, when the request also had If-None-Match (<see cref="AndIfNoneMatch"/>), that condition holds too (§13.2.2).
    /// </summary>
    public bool IfMatch(EntityTagHeaderValue current) =>
        !Malformed && (Any || _tags.Any(t => t.Compare(current, useStrongComparison: true)))
        && (_andNoneOf is null || _andNoneOf.IfNoneMatch(current));

    /// <summary>
    /// A write's preconditions in one value, so that the code holding the row lock evaluates both against the current tag:
    /// this If-Match and the request's If-None-Match (null when absent). Either failing means 412.
    /// </summary>
    public EntityTagCondition AndIfNoneMatch(EntityTagCondition? ifNoneMatch)
    {
        if (ifNoneMatch is null) return this;
        return new EntityTagCondition(Any, _tags, Malformed) { _andNoneOf = ifNoneMatch };
    }

    /// <summary>
    /// If-None-Match (§13.1.2): true when the condition holds, i.e. <b>no</b> listed tag weakly equals <paramref name="current"/>
    /// (and the header is not <c>*</c>). False means: 304 for GET/HEAD, 412 for other methods.
    /// </summary>
    public bool IfNoneMatch(EntityTagHeaderValue current) =>
        Malformed || (!Any && !_tags.Any(t => t.Compare(current, useStrongComparison: false)));

    /// <summary>The strong tag of a row version (PostgreSQL xmin): <c>"74312"</c>.</summary>
    public static EntityTagHeaderValue RowVersionTag(uint version) => new($"\"{version}\"");

    /// <summary>A row version read earlier (e.g. a form's hidden field) means "exactly the tag of that version".</summary>
    public static implicit operator EntityTagCondition(uint version) => Exactly(RowVersionTag(version));

    public static implicit operator EntityTagCondition?(uint? version) => version is { } v ? Exactly(RowVersionTag(v)) : null;

    public override string ToString() => Malformed ? "(malformed)" : Any ? "*" : string.Join(", ", _tags);
}
