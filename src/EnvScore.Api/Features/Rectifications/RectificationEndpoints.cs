using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Api.Infrastructure.Errors;
using EnvScore.Api.Infrastructure.Http;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Rectifications;

/// <summary>
/// Photos of a problem: <c>POST /api/rectifications/{id}/photos?kind=before|after</c> (multipart, one or more
/// <c>file</c> parts, optional form field <c>capturedAt</c>) and <c>GET /api/rectification-photos/{id}</c> for those who
/// may read the problem. The rules are <see cref="RectificationService"/>'s and <see cref="RectificationRules"/>'.
/// </summary>
public static class RectificationEndpoints
{
    public static IEndpointRouteBuilder MapRectificationEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/rectifications/{id:int}/photos", async (int id, string? kind, HttpContext http, RectificationService service, CancellationToken ct) =>
        {
            if (!http.Request.HasFormContentType)
                return Problem(http, 415, ErrorCodes.UnsupportedMediaType, "请以multipart/form-data上传照片，字段名为file (upload photos as multipart/form-data, field \"file\")");
            var photoKind = kind?.ToLowerInvariant() switch
            {
                "before" => RectificationPhotoKind.Before, "after" => RectificationPhotoKind.After, _ => (RectificationPhotoKind?)null,
            };
            if (photoKind is null)
                return Problem(http, 400, ErrorCodes.InvalidRequest, $"参数kind应为before（整改前）或after（整改后），实际为“{kind}” (kind must be before or after)");
            var form = await http.Request.ReadFormAsync(ct);
            var captured = form["capturedAt"].FirstOrDefault();
            var uploads = new List<PhotoUpload>();
            foreach (var file in form.Files.GetFiles("file")) uploads.Add(await PhotoUpload.FromAsync(file, captured, ct));
            if (uploads.Count == 0)
                return Problem(http, 400, RectificationRules.CodeNoPhoto, "请在表单字段file中上传照片 (upload the photo in form field \"file\")");
            return await service.AddPhotosAsync(http.User, id, photoKind.Value, uploads, ct) switch
            {
                RectificationOutcome.Done done => Results.Ok(new
                {
                    done.Problem.Id, State = done.Problem.State.ToString(),
                    Photos = done.Problem.Photos.Select(p => new { p.Id, Kind = p.Kind.ToString(), p.FileName, p.ContentType, p.Size, p.CapturedAt }),
                }).WithETag(http, done.Problem.Version),
                RectificationOutcome.Refused { Why: var why } => Problem(http, why.Status, why.Code, why.Message),
                RectificationOutcome.Invalid invalid => Results.ValidationProblem(invalid.Errors, title: "提交的数据有误，请按提示修改 (the request has invalid fields)"),
                _ => throw new InvalidOperationException("unknown outcome"),
            };
        }).RequireAuthorization().DisableAntiforgery();

        app.MapGet("/api/rectification-photos/{id:int}", async (int id, HttpContext http, EnvScoreDbContext db, CancellationToken ct) =>
        {
            var found = await db.Set<RectificationPhoto>().AsNoTracking()
                .Where(p => p.Id == id && db.Set<Rectification>().VisibleTo(http.User, db.Publications).Any(r => r.Id == p.RectificationId))
                .Select(p => new { p.ContentType, p.Content!.Bytes })
                .SingleOrDefaultAsync(ct);
            return found is null
                ? Problem(http, 404, ErrorCodes.NotFound, $"编号为{id}的照片不存在或您无权查看 (not found)")
                : Results.File(found.Bytes, found.ContentType, $"rectification-{id}{ImageCheck.Extension(found.ContentType)}");
        }).RequireAuthorization();
        return app;
    }

    private static IResult Problem(HttpContext http, int status, string code, string title)
    {
        ErrorCodes.Set(http, code);
        return Results.Problem(title: title, statusCode: status);
    }

    private static IResult WithETag(this IResult result, HttpContext http, uint version)
    {
        http.Response.Headers.ETag = EntityTagCondition.RowVersionTag(version).ToString();
        return result;
    }
}
