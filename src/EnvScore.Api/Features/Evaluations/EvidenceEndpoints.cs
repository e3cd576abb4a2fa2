using EnvScore.Api.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Evaluations;

/// <summary>
/// Photos as evidence: upload to a sheet (or one of its items) and remove — the rules are <see cref="EvidenceService"/>'s,
/// shared with the sheet page — and download by those who may read the sheet.
/// </summary>
public static class EvidenceEndpoints
{
    public static IEndpointRouteBuilder MapEvidence(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/evaluations/{id:int}/evidence", async (int id, IFormFile? file, string? itemCode, HttpContext http,
            EvidenceService evidence, CancellationToken ct) =>
        {
            // One photo per request: a second file would otherwise be dropped silently (issue #15). The sheet page's form
            // sends several at once through EvidenceService directly.
            if (http.Request.HasFormContentType && http.Request.Form.Files.Count > 1)
            {
                Infrastructure.Errors.ErrorCodes.Set(http, EvidenceService.TooManyFilesCode);
                return Results.Problem(
                    title: $"一次只能上传一张照片：本次请求带了{http.Request.Form.Files.Count}个文件，未保存任何照片；请每张照片单独上传（表单字段\"file\"） (one photo per request; nothing was stored)",
                    statusCode: StatusCodes.Status400BadRequest,
                    extensions: new Dictionary<string, object?> { ["code"] = EvidenceService.TooManyFilesCode });
            }
            var outcome = await evidence.AddAsync(http.User, id, file is null ? [] : [file], itemCode, ct);
            switch (outcome)
            {
                case EvidenceOutcome.Added { Files: [var added] } outcomeAdded:
                {
                    var body = new { added.Id, added.EvaluationId, added.ItemCode, added.FileName, added.ContentType, added.Size, added.Sha256 };
                    // The same photo again (a retry): 200 with the stored one, nothing stored twice.
                    return outcomeAdded.Repeated > 0 ? Results.Ok(body) : Results.Created($"/api/evidence/{added.Id}", body);
                }
                case EvidenceOutcome.Refused { Status: 404 }: return Results.NotFound();
                case EvidenceOutcome.Refused { Status: 403 }: return Results.Forbid();
                case EvidenceOutcome.Refused refused: return Results.Problem(title: refused.Title, statusCode: refused.Status);
                default: throw new InvalidOperationException("one file in, one file out");
            }
        }).RequireAuthorization().DisableAntiforgery();

        app.MapDelete("/api/evidence/{id:int}", async (int id, HttpContext http, EvidenceService evidence, CancellationToken ct) =>
            await evidence.RemoveAsync(http.User, id, ct) switch
            {
                EvidenceOutcome.Removed => Results.NoContent(),
                EvidenceOutcome.Refused { Status: 404 } => Results.NotFound(),
                EvidenceOutcome.Refused { Status: 403 } => Results.Forbid(),
                EvidenceOutcome.Refused refused => Results.Problem(title: refused.Title, statusCode: refused.Status),
                _ => throw new InvalidOperationException("unknown outcome"),
            }).RequireAuthorization();

        app.MapGet("/api/evidence/{id:int}", async (int id, HttpContext http, EnvScoreDbContext db, CancellationToken ct) =>
        {
            var found = await db.EvidenceFiles.AsNoTracking()
                .Where(f => f.Id == id && db.Evaluations.VisibleTo(http.User).Any(e => e.Id == f.EvaluationId))
                .Select(f => new { f.ContentType, f.Content!.Bytes })
                .SingleOrDefaultAsync(ct);
            // Served under a generated .jpg/.png name with its verified type (nosniff on every response), never the
            // uploaded name: an upload called report.html is still only ever an image (issue #21).
            return found is null ? Results.NotFound() : Results.File(found.Bytes, found.ContentType, $"evidence-{id}{ImageCheck.Extension(found.ContentType)}");
        }).RequireAuthorization();

        return app;
    }
}
