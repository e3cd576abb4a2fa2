using System.Security.Cryptography;
using EnvScore.Api.Features.Audit;
using EnvScore.Api.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Evaluations;

/// <summary>Photos as evidence: upload to a sheet (or one of its items), download by those who may read the sheet.</summary>
public static class EvidenceEndpoints
{
    public const long MaxBytes = 5 * 1024 * 1024;

    public static IEndpointRouteBuilder MapEvidence(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/evaluations/{id:int}/evidence", async (int id, IFormFile? file, string? itemCode, HttpContext http,
            EnvScoreDbContext db, AuditWriter audit, TimeProvider time, CancellationToken ct) =>
        {
            var user = http.User;
            var sheet = await db.Evaluations.VisibleTo(user).Include(e => e.Entries).Include(e => e.Evidence).AsSplitQuery()
                .SingleOrDefaultAsync(e => e.Id == id, ct);
            if (sheet is null) return Results.NotFound();
            if (!user.CanWrite(sheet.Kind, sheet.TownshipId, sheet.DistrictId)) return Results.Forbid();
            if (sheet.Status is EvaluationStatus.Submitted or EvaluationStatus.Locked)
                return Results.Problem(title: $"该表{EvaluationService.StatusName(sheet.Status)}，不能再添加照片 (the sheet is read-only)", statusCode: 409);
            if (file is null || file.Length == 0)
                return Results.Problem(title: "请在表单字段\"file\"中上传照片 (upload the photo in form field \"file\")", statusCode: 400);
            if (file.Length > MaxBytes)
                return Results.Problem(title: $"照片不能超过{MaxBytes / 1024 / 1024}MB，实际为{file.Length / 1024.0 / 1024.0:0.0}MB (photo too large)", statusCode: 413);

            var bytes = new byte[file.Length];
            await using (var stream = file.OpenReadStream()) await stream.ReadExactlyAsync(bytes, ct);
            if (Sniff(bytes) is not { } contentType)
                return Results.Problem(title: $"\"{file.FileName}\"不是JPEG或PNG图片（按文件内容判断，而非扩展名） (only JPEG or PNG, judged by content)", statusCode: 415);
            var code = string.IsNullOrWhiteSpace(itemCode) ? null : itemCode.Trim();
            if (code is not null && !await db.RuleSets.AnyAsync(r => r.Id == sheet.RuleSetId && r.Items.Any(i => i.Code == code), ct))
                return Results.Problem(title: $"评分细则中没有编号为\"{code}\"的评分项 (unknown item)", statusCode: 400);

            var before = AuditWriter.Snapshot(sheet);
            var evidence = new EvidenceFile
            {
                ItemCode = code, FileName = Path.GetFileName(file.FileName), ContentType = contentType, Size = bytes.Length,
                Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)), UploadedAt = time.GetUtcNow(),
                UploadedBy = user.Identity!.Name!, Content = new EvidenceContent { Bytes = bytes },
            };
            sheet.Evidence.Add(evidence);
            sheet.UpdatedAt = time.GetUtcNow();
            sheet.UpdatedBy = user.Identity!.Name!;
            audit.Record(user.Identity!.Name!, "Evidence.Add", sheet, before, AuditWriter.Snapshot(sheet));
            await db.SaveChangesAsync(ct);
            return Results.Created($"/api/evidence/{evidence.Id}", new
            {
                evidence.Id, evidence.EvaluationId, evidence.ItemCode, evidence.FileName, evidence.ContentType, evidence.Size, evidence.Sha256,
            });
        }).RequireAuthorization().DisableAntiforgery();

        app.MapGet("/api/evidence/{id:int}", async (int id, HttpContext http, EnvScoreDbContext db, CancellationToken ct) =>
        {
            var found = await db.EvidenceFiles.AsNoTracking()
                .Where(f => f.Id == id && db.Evaluations.VisibleTo(http.User).Any(e => e.Id == f.EvaluationId))
                .Select(f => new { f.FileName, f.ContentType, f.Content!.Bytes })
                .SingleOrDefaultAsync(ct);
            return found is null ? Results.NotFound() : Results.File(found.Bytes, found.ContentType, found.FileName);
        }).RequireAuthorization();

        return app;
    }

    /// <summary>The content type by magic bytes, never by name.</summary>
    public static string? Sniff(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]) ? "image/jpeg"
        : bytes.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) ? "image/png"
        : null;
}
