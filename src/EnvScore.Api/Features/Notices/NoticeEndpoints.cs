using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Notices;

/// <summary>
/// The notice (通报) as .docx — reached through the bulletin addresses with <c>?format=docx</c> (see
/// <see cref="Publication.PublicationEndpoints"/>) — and its template: <c>GET /api/notice-templates/{districtId}</c>
/// (district roles of that district; <c>?version=n</c> for an earlier one) and <c>PUT /api/notice-templates/{districtId}</c>
/// <c>{addressees, opening, closing, signature}</c> (DistrictAdmin of that district) → 201 with the new version.
/// </summary>
public static class NoticeEndpoints
{
    public static IHostApplicationBuilder AddEnvScoreNotices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<NoticeService>();
        builder.Services.AddScoped<INoticePhotoSource, EvidencePhotoSource>();
        return builder;
    }

    public static IEndpointRouteBuilder MapNotices(this IEndpointRouteBuilder app)
    {
        var templates = app.MapGroup("/api/notice-templates");
        templates.MapGet("/{districtId:int}", async (int districtId, int? version, HttpContext http, EnvScoreDbContext db, NoticeService notices, CancellationToken ct) =>
        {
            if (http.User.DistrictId() != districtId) return Results.Forbid();
            var template = version is { } v
                ? await db.Set<NoticeTemplate>().AsNoTracking().SingleOrDefaultAsync(t => t.DistrictId == districtId && t.Version == v, ct)
                  ?? (v == 0 ? NoticeTemplate.Default(districtId) : null)
                : await notices.TemplateAtAsync(districtId, null, ct);
            return template is null ? Results.Problem(title: $"没有第{version}版通报模板 (no such template version)", statusCode: 404) : Results.Ok(Dto(template));
        }).RequireAuthorization(p => p.RequireRole(Roles.DistrictAdmin, Roles.DistrictInspector));

        templates.MapPut("/{districtId:int}", async (int districtId, NoticeTemplateRequest? request, HttpContext http, NoticeService notices, TimeProvider time, CancellationToken ct) =>
            await notices.SaveTemplateAsync(http.User, districtId, request ?? new NoticeTemplateRequest(null, null, null, null), time.GetUtcNow(), ct) switch
            {
                NoticeTemplateOutcome.Saved s => Results.Created($"/api/notice-templates/{districtId}?version={s.Template.Version}", Dto(s.Template)),
                NoticeTemplateOutcome.Invalid i => Results.ValidationProblem(i.Errors, title: "通报模板有误，请按提示修改 (the template has invalid fields)"),
                NoticeTemplateOutcome.Conflict c => Results.Problem(title: c.Message, statusCode: 409),
                _ => Results.Forbid(),
            }).RequireAuthorization(p => p.RequireRole(Roles.DistrictAdmin));
        return app;
    }

    private static object Dto(NoticeTemplate t) => new { t.DistrictId, t.Version, t.Addressees, t.Opening, t.Closing, t.Signature, t.CreatedAt, t.CreatedBy };

    /// <summary>The .docx of a published revision (anyone), or null when there is none.</summary>
    public static async Task<IResult> RevisionDocxAsync(int districtId, EvaluationMonth month, int revision, NoticeService notices, CancellationToken ct) =>
        await notices.RevisionAsync(districtId, month, revision, ct) is { } notice
            ? Results.File(NoticeDocx.Write(notice), NoticeDocx.ContentType, $"{month.ToChinese()}月评比通报-第{revision}版.docx")
            : Results.NotFound();

    /// <summary>The .docx preview of the working results (the caller has checked the district).</summary>
    public static async Task<IResult> PreviewDocxAsync(int districtId, EvaluationMonth month, DateOnly today, NoticeService notices, CancellationToken ct) =>
        await notices.PreviewAsync(districtId, month, today, ct) is { } notice
            ? Results.File(NoticeDocx.Write(notice), NoticeDocx.ContentType, $"{month.ToChinese()}月评比通报-预览.docx")
            : Results.Problem(title: $"{month.ToChinese()}尚未计算，没有可预览的通报 (not computed)", statusCode: 404);
}
