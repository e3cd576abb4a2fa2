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

namespace EnvScore.Api.Features.Rectifications;

/// <summary>
/// Problems over OData. Reads are scoped in the query (<see cref="RectificationRules.VisibleTo"/>). POST creates a
/// problem from a round (JSON <see cref="RectificationWrite"/>); photos go to <c>POST /api/rectifications/{id}/photos</c>.
/// Transitions are actions with If-Match (the ETag of the problem, a strong tag <c>"xmin"</c>): ReportFix, Close, Reject.
/// There is no PUT, PATCH or DELETE: a problem changes only through its transitions.
/// </summary>
[Authorize]
public class RectificationsController(EnvScoreDbContext db, RectificationService service, TimeProvider time) : ODataController
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict };

    [EnvScoreQuery]
    public IQueryable<Rectification> Get() => db.Set<Rectification>().AsNoTracking().VisibleTo(User, db.Publications);

    [EnvScoreQuery]
    public async Task<IActionResult> Get(int key, CancellationToken ct)
    {
        var query = db.Set<Rectification>().AsNoTracking().VisibleTo(User, db.Publications).Where(r => r.Id == key);
        var version = await query.Select(r => (uint?)r.Version).SingleOrDefaultAsync(ct);
        if (version is null) return Answer(RectificationService.NotFound(key));
        var tag = EntityTagCondition.RowVersionTag(version.Value);
        Response.Headers.ETag = tag.ToString();
        if (EntityTagCondition.Parse(Request.Headers.IfNoneMatch) is { Malformed: false } ifNoneMatch && !ifNoneMatch.IfNoneMatch(tag))
            return StatusCode(StatusCodes.Status304NotModified);
        return Ok(SingleResult.Create(query));
    }

    /// <summary>GET /odata/Rectifications/Overdue(): open problems past their deadline (today in Asia/Shanghai).</summary>
    [HttpGet, EnvScoreQuery]
    public IQueryable<Rectification> Overdue() =>
        db.Set<Rectification>().AsNoTracking().VisibleTo(User, db.Publications).Overdue(RectificationRules.Today(time));

    public async Task<IActionResult> Post(CancellationToken ct)
    {
        RectificationWrite? write;
        try { write = await JsonSerializer.DeserializeAsync<RectificationWrite>(Request.Body, Json, ct); }
        catch (JsonException) { write = null; }
        return write is null ? this.UnreadableBody() : Answer(await service.CreateAsync(User, write, [], ct));
    }

    [HttpPost]
    public async Task<IActionResult> ReportFix(int key, ODataActionParameters? parameters, CancellationToken ct) =>
        Malformed(out var bad) ? bad : Answer(await service.ReportFixAsync(User, key, IfMatch, Text(parameters, "note"), ct));

    [HttpPost]
    public async Task<IActionResult> Close(int key, ODataActionParameters? parameters, CancellationToken ct) =>
        Malformed(out var bad) ? bad : Answer(await service.CloseAsync(User, key, IfMatch, Text(parameters, "note"), ct));

    [HttpPost]
    public async Task<IActionResult> Reject(int key, ODataActionParameters? parameters, CancellationToken ct) =>
        Malformed(out var bad) ? bad : Answer(await service.RejectAsync(User, key, IfMatch, Text(parameters, "reason"), ct));

    private static string? Text(ODataActionParameters? parameters, string name) => parameters?.GetValueOrDefault(name) as string;

    private EntityTagCondition? IfMatch => EntityTagCondition.Parse(Request.Headers.IfMatch);

    private bool Malformed(out IActionResult result)
    {
        var malformed = IfMatch is { Malformed: true };
        result = null!;
        if (!malformed) return false;
        ErrorCodes.Set(HttpContext, ErrorCodes.MalformedPrecondition);
        result = Problem(title: "If-Match请求头格式无效：应为 * 或以逗号分隔的实体标签，例如 \"74312\" (the If-Match header is not an entity-tag list)", statusCode: 400);
        return true;
    }

    private IActionResult Answer(RectificationOutcome outcome)
    {
        switch (outcome)
        {
            case RectificationOutcome.Done done:
                Response.Headers.ETag = EntityTagCondition.RowVersionTag(done.Problem.Version).ToString();
                return done.Created ? Created(done.Problem) : Ok(done.Problem);
            case RectificationOutcome.Invalid invalid:
                return this.InvalidFields(invalid.Errors);
            case RectificationOutcome.PreconditionFailed failed:
                Response.Headers.ETag = EntityTagCondition.RowVersionTag(failed.Current).ToString();
                ErrorCodes.Set(HttpContext, ErrorCodes.PreconditionFailed);
                return Problem(title: "该问题已被他人处理，请重新读取后再操作 (the problem changed since you read it)", statusCode: 412);
            case RectificationOutcome.Refused { Why: var why }:
                ErrorCodes.Set(HttpContext, why.Code);
                return Problem(title: why.Message, statusCode: why.Status);
            default:
                throw new InvalidOperationException("unknown outcome");
        }
    }
}
