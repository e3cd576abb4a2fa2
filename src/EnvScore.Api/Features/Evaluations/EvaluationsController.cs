using System.Text.Json;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Api.Infrastructure.Errors;
using EnvScore.Api.Infrastructure.Http;
using EnvScore.Api.Infrastructure.OData;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OData.Formatter;
using Microsoft.AspNetCore.OData.Results;
using Microsoft.AspNetCore.OData.Routing.Controllers;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Evaluations;

/// <summary>
/// Evaluation sheets over OData. Reads are scoped in the query (<see cref="EvaluationAccess"/>). Writes take
/// the whole sheet (POST/PUT) or a partial one (PATCH, entries merged by item code) as JSON, and need
/// If-Match with the sheet's ETag (a strong tag, <c>"version"</c>; compared by <see cref="EntityTagCondition"/> as RFC 9110
/// §13.1 says: <c>*</c>, lists, strong comparison for If-Match, weak for If-None-Match). GET with If-None-Match holding the
/// current tag answers 304. PATCH follows JSON merge-patch (RFC 7396): see <see cref="SheetPatch"/>.
/// </summary>
[Authorize]
public class EvaluationsController(EnvScoreDbContext db, EvaluationService sheets) : ODataController
{
    [EnvScoreQuery]
    public IQueryable<Evaluation> Get() => db.Evaluations.AsNoTracking().VisibleTo(User);

    [EnvScoreQuery]
    public async Task<IActionResult> Get(int key, CancellationToken ct)
    {
        var query = db.Evaluations.AsNoTracking().VisibleTo(User).Where(e => e.Id == key);
        var version = await query.Select(e => (uint?)e.Version).SingleOrDefaultAsync(ct);
        if (version is null) return this.EntityNotFound("评分表", key);
        var tag = SheetETag.Tag(version.Value);
        Response.Headers.ETag = tag.ToString();
        if (Malformed(out var bad)) return bad;
        // RFC 9110 §13.2.2: If-Match first (strong), then If-None-Match (weak; 304 for GET).
        if (EntityTagCondition.Parse(Request.Headers.IfMatch) is { } ifMatch && !ifMatch.IfMatch(tag))
            return PreconditionFailed();
        if (EntityTagCondition.Parse(Request.Headers.IfNoneMatch) is { } ifNoneMatch && !ifNoneMatch.IfNoneMatch(tag))
            return StatusCode(StatusCodes.Status304NotModified);
        return Ok(SingleResult.Create(query));
    }

    public async Task<IActionResult> Post(CancellationToken ct)
    {
        using var body = await ReadDocumentAsync();
        if (UnknownMember(body, SheetMembers.Whole, refuseReadOnly: false) is { } unknown) return unknown;
        var (write, error) = Bind<SheetWrite>(body);
        return write is null ? error! : Answer(await sheets.CreateAsync(User, write, ct));
    }

    public async Task<IActionResult> Put(int key, CancellationToken ct)
    {
        if (Malformed(out var bad)) return bad;
        using var body = await ReadDocumentAsync();
        if (UnknownMember(body, SheetMembers.Whole, refuseReadOnly: false) is { } unknown) return unknown;
        var (write, error) = Bind<SheetWrite>(body);
        return write is null ? error! : Answer(await sheets.ReplaceAsync(User, key, IfMatch, write, ct));
    }

    public async Task<IActionResult> Patch(int key, CancellationToken ct)
    {
        if (Malformed(out var bad)) return bad;
        using var body = await ReadDocumentAsync();
        if (UnknownMember(body, SheetMembers.Patch, refuseReadOnly: true) is { } unknown) return unknown;
        var (patch, error) = Bind<SheetPatch>(body);
        if (patch is null) return error!;
        foreach (var member in body!.RootElement.EnumerateObject().Where(m => m.Value.ValueKind == JsonValueKind.Null))
        {
            if (member.NameEquals("note") || member.Name.Equals("note", StringComparison.OrdinalIgnoreCase)) patch = patch with { ClearNote = true };
            else if (member.Name.Equals("vetoes", StringComparison.OrdinalIgnoreCase)) patch = patch with { ClearVetoes = true };
            else if (member.Name.Equals("entries", StringComparison.OrdinalIgnoreCase))
                return this.InvalidFields(new Dictionary<string, string[]>
                {
                    ["entries"] = ["entries不能为null：PATCH按评分项编码合并条目；要删除条目请用PUT替换整张表 (entries must not be null)"],
                });
        }
        return Answer(await sheets.PatchAsync(User, key, IfMatch, patch, ct));
    }

    /// <summary>
    /// 400 for a top-level member the write does not take: a name the sheet does not have (<c>InvalidJson</c>, naming the
    /// writable members), or — for PATCH — a member of the sheet that cannot be changed this way (<c>InvalidField</c>:
    /// "字段status不能修改…"). Annotations (<c>@odata.etag</c>) are skipped. Nothing is silently ignored (issue #15).
    /// </summary>
    private IActionResult? UnknownMember(JsonDocument? body, IReadOnlyList<string> writable, bool refuseReadOnly)
    {
        if (body is not { RootElement.ValueKind: JsonValueKind.Object }) return null;
        var names = string.Join("、", writable);
        foreach (var member in body.RootElement.EnumerateObject())
        {
            var name = member.Name;
            if (name.Contains('@') || writable.Contains(name, StringComparer.OrdinalIgnoreCase)) continue;
            if (SheetMembers.ReadOnly.Contains(name))
            {
                if (!refuseReadOnly) continue;
                return this.InvalidFields(new Dictionary<string, string[]>
                {
                    [name] = [$"字段{name}不能修改：PATCH只能修改{names}；村（社区）、月份、类型、状态等由系统维护，状态请用Submit/Return操作改变 (field {name} is read-only)"],
                });
            }
            return this.InvalidFields(new Dictionary<string, string[]>
            {
                [name] = [$"字段{name}不存在；可写的字段：{names} (unknown field)"],
            }, ErrorCodes.InvalidJson);
        }
        return null;
    }

    /// <summary>The body as T (<see cref="SheetJson"/>), or the 400 naming what could not be read.</summary>
    private (T? Value, IActionResult? Error) Bind<T>(JsonDocument? body) where T : class
    {
        if (body is not { RootElement.ValueKind: JsonValueKind.Object }) return (null, this.UnreadableBody());
        var (value, field, message) = SheetJson.Read<T>(body.RootElement);
        if (value is not null) return (value, null);
        if (field is null) return (null, this.UnreadableBody());
        ErrorCodes.Set(HttpContext, ErrorCodes.InvalidJson);
        return (null, ValidationProblem(new ValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message!] })
        {
            Title = JsonFieldErrors.TitleFor(message!), Status = 400, Extensions = { ["code"] = ErrorCodes.InvalidJson },
        }));
    }

    [HttpPost]
    public async Task<IActionResult> Submit(int key, CancellationToken ct) =>
        Malformed(out var bad) ? bad : Answer(await sheets.SubmitAsync(User, key, IfMatch, ct));

    [HttpPost]
    public async Task<IActionResult> Return(int key, ODataActionParameters? parameters, CancellationToken ct) =>
        Malformed(out var bad) ? bad : parameters is null && ODataBodyErrors.Find(HttpContext) is not null ? this.UnreadableBody() : Answer(await sheets.ReturnAsync(User, key, IfMatch, parameters?.GetValueOrDefault("reason") as string, ct));

    /// <summary>Field names as the JSON body spells them (the engine names the C# properties).</summary>
    private static string? CamelCase(string? field) => string.IsNullOrEmpty(field) ? field : char.ToLowerInvariant(field[0]) + field[1..];

    /// <summary>The write's preconditions: If-Match, and If-None-Match when given (both evaluated under the row lock).</summary>
    private EntityTagCondition? IfMatch => EntityTagCondition.Parse(Request.Headers.IfMatch)?.AndIfNoneMatch(IfNoneMatch);
    private EntityTagCondition? IfNoneMatch => EntityTagCondition.Parse(Request.Headers.IfNoneMatch);

    /// <summary>An If-Match / If-None-Match header that is not <c>*</c> or a list of entity tags: 400.</summary>
    private bool Malformed(out IActionResult result)
    {
        var header = EntityTagCondition.Parse(Request.Headers.IfMatch) is { Malformed: true } ? "If-Match" : IfNoneMatch is { Malformed: true } ? "If-None-Match" : null;
        result = header is null ? null! : Problem(
            title: $"{header}请求头格式无效：应为 * 或以逗号分隔的实体标签，例如 \"74312\" (the {header} header is not an entity-tag list)",
            statusCode: 400, type: null);
        if (header is not null) ErrorCodes.Set(HttpContext, ErrorCodes.MalformedPrecondition);
        return header is not null;
    }

    private ObjectResult PreconditionFailed()
    {
        ErrorCodes.Set(HttpContext, ErrorCodes.PreconditionFailed);
        return Problem(title: "该表在您读取之后已在别处（其他页面、其他设备或其他人）修改过，请重新读取后再改 (the sheet changed since you read it)",
            statusCode: StatusCodes.Status412PreconditionFailed);
    }

    private async Task<JsonDocument?> ReadDocumentAsync()
    {
        try
        {
            return await JsonDocument.ParseAsync(Request.Body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private IActionResult Answer(SheetOutcome outcome)
    {
        switch (outcome)
        {
            case SheetOutcome.Done done:
                Response.Headers.ETag = SheetETag.Format(done.Sheet.Version);
                return done.Created ? Created(done.Sheet) : Ok(done.Sheet);
            case SheetOutcome.InvalidEntries invalid:
                return BadRequest(new ProblemDetails
                {
                    Title = $"评分表有{invalid.Problems.Count}处错误，未保存任何内容，请逐条修改 (the sheet has {invalid.Problems.Count} problems; nothing was stored)",
                    Status = 400,
                    Extensions = { ["code"] = "InvalidEntries", ["problems"] = invalid.Problems.Select(p => new { kind = p.Kind.ToString(), p.ItemCode, field = CamelCase(p.Field), p.Message }).ToArray() },
                });
            case SheetOutcome.InvalidFields fields:
                return this.InvalidFields(fields.Errors);
            case SheetOutcome.Conflict conflict:
                return Problem(title: conflict.Message, statusCode: StatusCodes.Status409Conflict);
            case SheetOutcome.Forbidden:
                return Forbid();
            case SheetOutcome.PreconditionRequired:
                return Problem(title: "修改评分表须带If-Match请求头（取自读取时的ETag），以免覆盖他人的修改 (If-Match is required)",
                    statusCode: StatusCodes.Status428PreconditionRequired);
            case SheetOutcome.PreconditionFailed failed:
                Response.Headers.ETag = SheetETag.Format(failed.Current);
                return PreconditionFailed();
            default:
                return this.EntityNotFound("评分表", null);
        }
    }
}

/// <summary>The top-level members of sheet write bodies, as the JSON spells them.</summary>
public static class SheetMembers
{
    /// <summary>POST and PUT: <see cref="SheetWrite"/>.</summary>
    public static readonly IReadOnlyList<string> Whole = ["villageId", "month", "kind", "note", "vetoes", "entries"];

    /// <summary>PATCH: <see cref="SheetPatch"/>.</summary>
    public static readonly IReadOnlyList<string> Patch = ["note", "vetoes", "entries"];

    /// <summary>Members a GET answers (the sheet's properties and navigations) that no write changes directly.</summary>
    public static readonly IReadOnlySet<string> ReadOnly = typeof(Evaluation).GetProperties()
        .Select(p => char.ToLowerInvariant(p.Name[0]) + p.Name[1..])
        .Where(n => !Patch.Contains(n))
        .ToHashSet(StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// The sheet's ETag is its row version (PostgreSQL xmin), as a strong tag: <c>"1234"</c>. Every change of the sheet, its
/// entries or its evidence updates the row, so the tag is a strong validator of the sheet. The same value is the
/// payload's <c>@odata.etag</c> (<see cref="Infrastructure.OData.RowVersionETagHandler"/>).
/// </summary>
public static class SheetETag
{
    public static Microsoft.Net.Http.Headers.EntityTagHeaderValue Tag(uint version) => EntityTagCondition.RowVersionTag(version);

    public static string Format(uint version) => Tag(version).ToString();
}
