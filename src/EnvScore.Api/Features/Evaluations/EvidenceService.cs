using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using EnvScore.Api.Features.Audit;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Evaluations;

/// <summary>The outcome of an evidence upload or removal; the endpoints and the sheet page turn it into their answers.</summary>
public abstract record EvidenceOutcome
{
    /// <param name="Files">The photos as stored, in the order sent.</param>
    /// <param name="Repeated">How many of them were already on the sheet for the same item (same bytes): a retry after a
    /// lost answer, or the same photo chosen twice, stores nothing again and answers with the stored photo.</param>
    public sealed record Added(IReadOnlyList<EvidenceFile> Files, int Repeated = 0) : EvidenceOutcome;
    public sealed record Removed(EvidenceFile File) : EvidenceOutcome;
    /// <summary>Nothing stored. <paramref name="Status"/> is the API's status (404, 403, 409, 400, 413, 415); every message names its file.</summary>
    public sealed record Refused(int Status, IReadOnlyList<string> Messages) : EvidenceOutcome
    {
        public string Title => Messages.Count == 0 ? "" : Messages[0];
    }
}

/// <summary>
/// Photos as evidence for a sheet (optionally one of its items). The one place for the rules — who may add,
/// in which status, until the sheet's deadline, JPEG/PNG by content, size — shared by <c>POST /api/evaluations/{id}/evidence</c> and the
/// sheet page's plain form. Several photos are checked first and stored together or not at all. A photo is removed
/// under the same rules (who may write the sheet, not once it is submitted or locked, within the sheet's window), audited.
/// </summary>
public class EvidenceService(EnvScoreDbContext db, SheetWriter writer, EvaluationService sheets, TimeProvider time)
{
    public const long MaxBytes = 5 * 1024 * 1024;

    /// <summary>The longest display name stored for a photo, in characters (longer names keep their start and extension).</summary>
    public const int MaxFileNameLength = 100;

    /// <summary>The code of a refused upload that carried more than one file (<c>POST /api/evaluations/{id}/evidence</c>).</summary>
    public const string TooManyFilesCode = "TooManyFiles";

    public async Task<EvidenceOutcome> AddAsync(ClaimsPrincipal user, int evaluationId, IReadOnlyList<IFormFile> files, string? itemCode, CancellationToken ct)
    {
        // The sheet writer's lock: a photo never reaches a sheet submitted (or locked) while it was being checked.
        await using var tx = await writer.BeginAsync(ct);
        await writer.LockAsync([evaluationId], ct);
        var (sheet, refused) = await WritableSheetAsync(user, evaluationId, "该表不存在 (no such sheet)", "添加", ct);
        if (refused is not null) return refused;
        // A browser sends an unnamed, empty part when no file was chosen.
        var chosen = files.Where(f => f.Length > 0 || !string.IsNullOrEmpty(f.FileName)).ToList();
        if (chosen.Count == 0) return Refuse(400, "请在表单字段\"file\"中上传照片 (upload the photo in form field \"file\")");

        var code = string.IsNullOrWhiteSpace(itemCode) ? null : itemCode.Trim();
        if (code is not null && !await db.RuleSets.AnyAsync(r => r.Id == sheet.RuleSetId && r.Items.Any(i => i.Code == code), ct))
            return Refuse(400, $"评分细则中没有编号为\"{code}\"的评分项 (unknown item)");

        // Check every file before storing any: one bad file stores nothing.
        var accepted = new List<(string Name, string ContentType, byte[] Bytes)>();
        var problems = new List<(int Status, string Message)>();
        foreach (var file in chosen)
        {
            var name = DisplayName(file.FileName, "image/jpeg"); // for messages; the stored name is cleaned the same way
            if (file.Length == 0) { problems.Add((400, $"\"{name}\"是空文件 (empty file)")); continue; }
            if (file.Length > MaxBytes)
            {
                problems.Add((413, string.Create(CultureInfo.InvariantCulture,
                    $"照片过大：\"{name}\"为{file.Length / 1024.0 / 1024.0:0.0}MB，上限{MaxBytes / 1024 / 1024}MB (photo too large)")));
                continue;
            }
            var bytes = new byte[file.Length];
            await using (var stream = file.OpenReadStream()) await stream.ReadExactlyAsync(bytes, ct);
            if (ImageCheck.Verify(bytes) is not { } image)
            {
                problems.Add((415, Sniff(bytes) is null
                    ? $"\"{name}\"不是JPEG或PNG图片（按文件内容判断，而非扩展名） (only JPEG or PNG, judged by content)"
                    : $"\"{name}\"不是完整有效的JPEG或PNG图片（文件已损坏或夹带了其他内容），请重新拍摄或导出后上传 (not a whole, valid image)"));
                continue;
            }
            accepted.Add((DisplayName(file.FileName, image.ContentType), image.ContentType, image.Bytes));
        }
        if (problems.Count > 0) return new EvidenceOutcome.Refused(problems[0].Status, [.. problems.Select(p => p.Message)]);

        var userName = user.Identity!.Name!;
        var now = time.GetUtcNow();
        var before = AuditWriter.Snapshot(sheet);
        // The same bytes for the same item are one photo: a client's retry after a lost answer (or the same photo chosen
        // twice) is answered with the stored photo and stores nothing again.
        var stored = new List<EvidenceFile>();
        var repeated = 0;
        foreach (var a in accepted)
        {
            var sha = Convert.ToHexStringLower(SHA256.HashData(a.Bytes));
            if (sheet.Evidence.FirstOrDefault(e => e.Sha256 == sha && e.ItemCode == code) is { } same) { stored.Add(same); repeated++; continue; }
            var evidence = new EvidenceFile
            {
                ItemCode = code, FileName = a.Name, ContentType = a.ContentType, Size = a.Bytes.Length, Sha256 = sha, UploadedAt = now,
                UploadedBy = userName, Content = new EvidenceContent { Bytes = a.Bytes },
            };
            sheet.Evidence.Add(evidence);
            stored.Add(evidence);
        }
        if (repeated == stored.Count) return new EvidenceOutcome.Added(stored, repeated);
        writer.Record(userName, "Evidence.Add", sheet, before);
        EnvScore.Api.Infrastructure.Faults.FaultPoint.ReachAtCommit(EnvScore.Api.Infrastructure.Faults.FaultPoint.EvidenceAtCommit);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct); // one transaction: the photos and the audit entry together, or nothing
        return new EvidenceOutcome.Added(stored, repeated);
    }

    public async Task<EvidenceOutcome> RemoveAsync(ClaimsPrincipal user, int evidenceId, CancellationToken ct)
    {
        var evaluationId = await db.EvidenceFiles.Where(f => f.Id == evidenceId).Select(f => (int?)f.EvaluationId).SingleOrDefaultAsync(ct);
        await using var tx = await writer.BeginAsync(ct);
        await writer.LockAsync([evaluationId ?? 0], ct);
        var (sheet, refused) = await WritableSheetAsync(user, evaluationId ?? 0, "该照片不存在 (no such photo)", "删除", ct);
        if (refused is not null) return refused;

        var userName = user.Identity!.Name!;
        var before = AuditWriter.Snapshot(sheet);
        // Under the lock: a photo removed by a concurrent request is gone, not a failure.
        if (sheet.Evidence.SingleOrDefault(f => f.Id == evidenceId) is not { } file) return Refuse(404, "该照片不存在 (no such photo)");
        sheet.Evidence.Remove(file);
        db.EvidenceFiles.Remove(file); // its content goes with it (cascade)
        writer.Record(userName, "Evidence.Remove", sheet, before);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new EvidenceOutcome.Removed(file);
    }

    /// <summary>
    /// The sheet, if the user may change its photos now: visible (else 404), writable by the user (403), not submitted
    /// or locked (409), within the sheet's window — photos follow the sheet's own deadline (409). Messages name the
    /// action (<paramref name="verb"/>: 添加 or 删除).
    /// </summary>
    private async Task<(Evaluation Sheet, EvidenceOutcome.Refused? Refused)> WritableSheetAsync(ClaimsPrincipal user, int evaluationId,
        string notFound, string verb, CancellationToken ct)
    {
        var sheet = await db.Evaluations.VisibleTo(user).Include(e => e.Entries).Include(e => e.Evidence).AsSplitQuery()
            .SingleOrDefaultAsync(e => e.Id == evaluationId, ct);
        if (sheet is null) return (null!, Refuse(404, notFound));
        if (!user.CanWrite(sheet.Kind, sheet.TownshipId, sheet.DistrictId))
            return (sheet, Refuse(403, $"无权{verb}该表的照片 (not allowed)"));
        if (sheet.EditRefusal() is not null)
            return (sheet, Refuse(409, $"该表{EvaluationService.StatusName(sheet.Status)}，不能再{verb}照片 (the sheet is read-only)"));
        if (await sheets.WindowConflict(sheet.DistrictId, EvaluationMonth.FromKey(sheet.Month), sheet.Kind, ct) is SheetOutcome.Conflict closed)
            return (sheet, Refuse(409, closed.Message));
        return (sheet, null);
    }

    /// <summary>
    /// The name a photo is listed under, cleaned of what a client may send (issue #21): the last segment of any path
    /// (<c>/</c> or <c>\</c>), without control characters or <c>&lt;&gt;:"/\|?*</c>, whitespace trimmed (and leading
    /// dots), at most <see cref="MaxFileNameLength"/> characters keeping the extension; when nothing is left, 照片 with the
    /// extension of the verified content (照片.jpg, 照片.png). The name is only shown; photos are served under generated names.
    /// </summary>
    public static string DisplayName(string? uploaded, string contentType)
    {
        var name = uploaded ?? "";
        // A path's last segment; when that is empty or only junk (a name ending in a separator), the whole is cleaned.
        var cut = name.LastIndexOfAny(['/', '\\']);
        if (cut >= 0 && Clean(name[(cut + 1)..]).Length > 0) name = name[(cut + 1)..];
        name = Clean(name);
        if (name.Length > MaxFileNameLength)
        {
            var extension = Path.GetExtension(name);
            if (extension.Length is 0 or > 10) extension = "";
            name = name[..(MaxFileNameLength - extension.Length)].TrimEnd() + extension;
        }
        return name.Length == 0 ? "照片" + ImageCheck.Extension(contentType) : name;

        static string Clean(string text)
        {
            var kept = new System.Text.StringBuilder(text.Length);
            foreach (var c in text)
                if (!char.IsControl(c) && c is not ('<' or '>' or ':' or '"' or '/' or '\\' or '|' or '?' or '*')
                    && char.GetUnicodeCategory(c) is not (UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate))
                    kept.Append(c);
            return kept.ToString().Trim().TrimStart('.').Trim();
        }
    }

    /// <summary>The content type by magic bytes, never by name.</summary>
    public static string? Sniff(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]) ? "image/jpeg"
        : bytes.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) ? "image/png"
        : null;

    private static EvidenceOutcome.Refused Refuse(int status, string message) => new(status, [message]);
}
