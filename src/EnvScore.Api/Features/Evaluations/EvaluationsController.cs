using System.Text.Json;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Api.Infrastructure.Errors;
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
/// If-Match with the sheet's ETag (W/"version").
/// </summary>
[Authorize]
public class EvaluationsController(EnvScoreDbContext db, EvaluationService sheets) : ODataController
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [EnvScoreQuery]
    public IQueryable<Evaluation> Get() => db.Evaluations.AsNoTracking().VisibleTo(User);

    [EnvScoreQuery]
    public async Task<IActionResult> Get(int key, CancellationToken ct)
    {
        var query = db.Evaluations.AsNoTracking().VisibleTo(User).Where(e => e.Id == key);
        var version = await query.Select(e => (uint?)e.Version).SingleOrDefaultAsync(ct);
        if (version is null) return NotFound();
        Response.Headers.ETag = SheetETag.Format(version.Value);
        return Ok(SingleResult.Create(query));
    }

    public async Task<IActionResult> Post(CancellationToken ct) =>
        await ReadAsync<SheetWrite>() is { } write ? Answer(await sheets.CreateAsync(User, write, ct)) : this.UnreadableBody();

    public async Task<IActionResult> Put(int key, CancellationToken ct) =>
        await ReadAsync<SheetWrite>() is { } write ? Answer(await sheets.ReplaceAsync(User, key, IfMatch, write, ct)) : this.UnreadableBody();

    public async Task<IActionResult> Patch(int key, CancellationToken ct) =>
        await ReadAsync<SheetPatch>() is { } patch ? Answer(await sheets.PatchAsync(User, key, IfMatch, patch, ct)) : this.UnreadableBody();

    [HttpPost]
    public async Task<IActionResult> Submit(int key, CancellationToken ct) => Answer(await sheets.SubmitAsync(User, key, IfMatch, ct));

    [HttpPost]
    public async Task<IActionResult> Return(int key, ODataActionParameters? parameters, CancellationToken ct) =>
        Answer(await sheets.ReturnAsync(User, key, IfMatch, parameters?.GetValueOrDefault("reason") as string, ct));

    /// <summary>Field names as the JSON body spells them (the engine names the C# properties).</summary>
    private static string? CamelCase(string? field) => string.IsNullOrEmpty(field) ? field : char.ToLowerInvariant(field[0]) + field[1..];

    private uint? IfMatch => SheetETag.Parse(Request.Headers.IfMatch);

    private async Task<T?> ReadAsync<T>() where T : class
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(Request.Body, Json);
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
                    Extensions = { ["problems"] = invalid.Problems.Select(p => new { kind = p.Kind.ToString(), p.ItemCode, field = CamelCase(p.Field), p.Message }).ToArray() },
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
                return Problem(title: "该表已被他人修改，请重新读取后再改 (the sheet changed since you read it)",
                    statusCode: StatusCodes.Status412PreconditionFailed);
            default:
                return NotFound();
        }
    }
}

/// <summary>The sheet's ETag is its row version: W/"1234".</summary>
public static class SheetETag
{
    public static string Format(uint version) => $"W/\"{version}\"";

    public static uint? Parse(string? header)
    {
        var text = header?.Trim();
        if (string.IsNullOrEmpty(text)) return null;
        if (text.StartsWith("W/", StringComparison.Ordinal)) text = text[2..];
        return uint.TryParse(text.Trim('"'), out var v) ? v : 0; // unparsable → never matches → 412
    }
}
