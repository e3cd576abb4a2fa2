using EnvScore.Api.Infrastructure.Errors;
using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Api.Infrastructure.Http;
using EnvScore.Api.Infrastructure.OData;
using EnvScore.Domain.Calendar;
using EnvScore.Spreadsheets.Bulletins;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OData.Routing.Controllers;
using Microsoft.EntityFrameworkCore;
using Microsoft.OData.ModelBuilder;

namespace EnvScore.Api.Features.Publication;

public static class PublicationModel
{
    public static void Register(ODataConventionModelBuilder model)
    {
        var publication = model.EntitySet<Publication>("Publications").EntityType;
        // The open correction is internal work in progress, not published data.
        publication.Ignore(p => p.CorrectionOpen);
        publication.Ignore(p => p.CorrectionReason);
        publication.Ignore(p => p.CorrectionOpenedAt);
        publication.Ignore(p => p.CorrectionOpenedBy);
        model.EntitySet<PublicationRevision>("PublicationRevisions");
        model.EntitySet<PublishedVillageResult>("PublishedVillageResults").EntityType.HasKey(r => r.RevisionId).HasKey(r => r.VillageId);
        model.EntitySet<PublishedTownshipResult>("PublishedTownshipResults").EntityType.HasKey(r => r.RevisionId).HasKey(r => r.TownshipId);
    }
}

/// <summary>Published bulletins are public: anyone may read every revision and its frozen rows (a visitor who is not signed in through <see cref="PublicReads"/>).</summary>
[AllowAnonymous]
public class PublicationsController(EnvScoreDbContext db, PublicReads reads) : ODataController
{
    [EnvScoreQuery]
    public IQueryable<Publication> Get() => reads.For(User, db).Set<Publication>().AsNoTracking();
}

[AllowAnonymous]
public class PublicationRevisionsController(EnvScoreDbContext db, PublicReads reads) : ODataController
{
    [EnvScoreQuery]
    public IQueryable<PublicationRevision> Get() => reads.For(User, db).Set<PublicationRevision>().AsNoTracking();
}

[AllowAnonymous]
public class PublishedVillageResultsController(EnvScoreDbContext db, PublicReads reads) : ODataController
{
    [EnvScoreQuery]
    public IQueryable<PublishedVillageResult> Get() => reads.For(User, db).Set<PublishedVillageResult>().AsNoTracking();
}

[AllowAnonymous]
public class PublishedTownshipResultsController(EnvScoreDbContext db, PublicReads reads) : ODataController
{
    [EnvScoreQuery]
    public IQueryable<PublishedTownshipResult> Get() => reads.For(User, db).Set<PublishedTownshipResult>().AsNoTracking();
}

public static class PublicationEndpoints
{
    public static IHostApplicationBuilder AddEnvScorePublication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<PublicationService>();
        builder.Services.AddScoped<BulletinFactory>();
        return builder;
    }

    public static IEndpointRouteBuilder MapPublication(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/publications").RequireAuthorization(p => p.RequireRole(Roles.DistrictAdmin));

        admin.MapPost("/{month}/publish", async (string month, PublishRequest? request, HttpContext http, PublicationService service, CancellationToken ct) =>
            EvaluationMonth.TryParse(month, out var m)
                ? Answer(await service.PublishAsync(http.User, m, request ?? new PublishRequest(null, null, null, null), ct))
                : BadMonth(http, month));

        admin.MapPost("/{month}/corrections", async (string month, CorrectionRequest? request, HttpContext http, PublicationService service, CancellationToken ct) =>
            EvaluationMonth.TryParse(month, out var m) ? Answer(await service.OpenCorrectionAsync(http.User, m, request?.Reason, ct)) : BadMonth(http, month));

        admin.MapPut("/sheets/{id:int}", async (int id, SheetCorrectionRequest request, HttpContext http, PublicationService service, CancellationToken ct) =>
            Answer(await service.CorrectSheetAsync(http.User, id, EntityTagCondition.Parse(http.Request.Headers.IfMatch)?.AndIfNoneMatch(EntityTagCondition.Parse(http.Request.Headers.IfNoneMatch)), request, ct), http));

        // Published revisions are public; the file is built from the frozen rows every time (same rows → same content),
        // read through PublicReads like the public pages (xlsx here, the docx through NoticeService.RevisionAsync).
        // ?format=docx: the notice (通报) as an official document (Features/Notices); default xlsx.
        app.MapGet("/api/bulletins/{districtId:int}/{month}/{revision:int}", async (int districtId, string month, int revision, string? format,
            HttpContext http, PublicReads reads, BulletinFactory bulletins, Notices.NoticeService notices, CancellationToken ct) =>
        {
            // Anonymous and published data only: every read goes through PublicReads (a standby when configured).
            if (!EvaluationMonth.TryParse(month, out var m)) return BadMonth(http, month);
            if (BadFormat(ref format) is { } bad) return bad;
            if (format == "docx") return await Notices.NoticeEndpoints.RevisionDocxAsync(districtId, m, revision, notices, ct);
            var found = await reads.Db.Set<PublicationRevision>().AsNoTracking()
                .SingleOrDefaultAsync(r => r.DistrictId == districtId && r.Month == m.Key && r.Number == revision, ct);
            if (found is null) return Results.NotFound();
            var bytes = BulletinWriter.Write(await bulletins.FromRevisionAsync(found, ct));
            return Results.File(bytes, BulletinFactory.XlsxType, $"{m.ToChinese()}月评比通报-第{revision}版.xlsx");
        }).AllowAnonymous();

        app.MapGet("/api/bulletins/{districtId:int}/{month}/preview", async (int districtId, string month, string? format, HttpContext http,
            BulletinFactory bulletins, Notices.NoticeService notices, TimeProvider time, CancellationToken ct) =>
        {
            if (!EvaluationMonth.TryParse(month, out var m)) return BadMonth(http, month);
            if (BadFormat(ref format) is { } bad) return bad;
            if (http.User.DistrictId() != districtId) return Results.Forbid();
            var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), ChinaTime.Zone).DateTime);
            if (format == "docx") return await Notices.NoticeEndpoints.PreviewDocxAsync(districtId, m, today, notices, ct);
            if (await bulletins.PreviewAsync(districtId, m, today, ct) is not { } bulletin)
                return Results.Problem(title: $"{m.ToChinese()}尚未计算，没有可预览的通报 (not computed)", statusCode: 404);
            return Results.File(BulletinWriter.Write(bulletin), BulletinFactory.XlsxType, $"{m.ToChinese()}月评比通报-预览.xlsx");
        }).RequireAuthorization(p => p.RequireRole(Roles.DistrictAdmin, Roles.DistrictInspector));

        return app;
    }

    /// <summary>
    /// Reads <c>?format=</c> as the endpoint's words, in any letter case and without surrounding blanks (DOCX, Docx, " xlsx"):
    /// <paramref name="format"/> becomes "xlsx" (also when absent or empty) or "docx"; anything else is a 400 naming both.
    /// </summary>
    private static IResult? BadFormat(ref string? format)
    {
        var given = format;
        format = string.IsNullOrWhiteSpace(given) ? "xlsx" : given.Trim().ToLowerInvariant();
        return format is "xlsx" or "docx" ? null : Results.Problem(title: $"格式应为\"xlsx\"（表格）或\"docx\"（通报文件），实际为\"{given}\" (format must be xlsx or docx)", statusCode: 400);
    }

    private static IResult BadMonth(HttpContext http, string month) => MonthInput.Problem(http, "month", month);

    private static IResult Answer(PublicationOutcome outcome, HttpContext? http = null) => outcome switch
    {
        PublicationOutcome.Published p => Results.Created($"/odata/PublicationRevisions({p.Revision.Id})", new
        {
            p.Revision.Id, p.Revision.Number, p.Revision.Month, p.Revision.Title, p.Revision.Date, p.Revision.Reason,
            p.Revision.ComputationRunId, villageCount = p.Revision.Villages.Count,
        }),
        PublicationOutcome.CorrectionOpened o => Results.Ok(new { o.Publication.Id, o.Publication.Month, o.Publication.LatestRevision, correctionOpen = true, reason = o.Publication.CorrectionReason }),
        PublicationOutcome.SheetCorrected s => WithETag(http!, s.Sheet.Version, Results.Ok(new { s.Sheet.Id, status = s.Sheet.Status.ToString() })),
        PublicationOutcome.Invalid i => Results.ValidationProblem(i.Errors, title: "提交的数据有误，请按提示修改 (the request has invalid fields)"),
        PublicationOutcome.Conflict c => Results.Problem(title: c.Message, statusCode: 409),
        PublicationOutcome.Forbidden => Results.Forbid(),
        PublicationOutcome.InvalidSheet { Outcome: SheetOutcome.InvalidEntries e } => Results.Problem(
            title: $"评分表有{e.Problems.Count}处错误，未保存任何内容，请逐条修改 (the sheet has {e.Problems.Count} problems; nothing was stored)",
            statusCode: 400, extensions: new Dictionary<string, object?> { ["problems"] = e.Problems.Select(p => new { kind = p.Kind.ToString(), p.ItemCode, p.Field, p.Message }).ToArray() }),
        PublicationOutcome.InvalidSheet { Outcome: SheetOutcome.PreconditionRequired } => Results.Problem(
            title: "修改评分表须带If-Match请求头（取自读取时的ETag），以免覆盖他人的修改 (If-Match is required)", statusCode: 428),
        PublicationOutcome.InvalidSheet { Outcome: SheetOutcome.PreconditionFailed f } => WithETag(http!, f.Current,
            Results.Problem(title: "该表已被他人修改，请重新读取后再改 (the sheet changed since you read it)", statusCode: 412)),
        _ => Results.NotFound(),
    };

    private static IResult WithETag(HttpContext http, uint version, IResult result)
    {
        http.Response.Headers.ETag = SheetETag.Format(version);
        return result;
    }
}
