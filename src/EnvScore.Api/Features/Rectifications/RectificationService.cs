using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using EnvScore.Api.Features.Audit;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Features.Notifications;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Api.Infrastructure.Http;
using EnvScore.Domain.Calendar;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Rectifications;

/// <summary>What a client sends to report a problem from a round (JSON, camelCase).</summary>
public sealed record RectificationWrite(int VillageId, string? ItemCode, string? Description, string? Location);

/// <summary>
/// A photo as it arrives: its name, its bytes (already bounded by the caller to <see cref="RectificationService.MaxPhotoBytes"/> + 1)
/// and the capture time the client sent (ISO 8601 with offset, or "yyyy-MM-ddTHH:mm" Asia/Shanghai; may be empty).
/// </summary>
public sealed record PhotoUpload(string FileName, byte[] Bytes, string? CapturedAt)
{
    /// <summary>Reads a form file, at most <see cref="RectificationService.MaxPhotoBytes"/> + 1 bytes (more is refused as too large).</summary>
    public static async Task<PhotoUpload> FromAsync(IFormFile file, string? capturedAt, CancellationToken ct)
    {
        var length = (int)Math.Min(file.Length, RectificationService.MaxPhotoBytes + 1);
        var bytes = new byte[length];
        await using (var stream = file.OpenReadStream()) await stream.ReadExactlyAsync(bytes, ct);
        return new PhotoUpload(Path.GetFileName(file.FileName), bytes, capturedAt);
    }
}

/// <summary>The outcome of a write; the controller, the photo endpoint and the pages turn it into their answers.</summary>
public abstract record RectificationOutcome
{
    public sealed record Done(Rectification Problem, bool Created = false) : RectificationOutcome;
    public sealed record Refused(RectificationRefusal Why) : RectificationOutcome;
    /// <summary>Fields in error (400), every one named; nothing stored.</summary>
    public sealed record Invalid(Dictionary<string, string[]> Errors) : RectificationOutcome;
    /// <summary>If-Match stale (412): the current version.</summary>
    public sealed record PreconditionFailed(uint Current) : RectificationOutcome;
}

/// <summary>
/// The rectification loop's writes: report a problem (an inspector's round), add before/after photos, report the fix,
/// close or reject it. Each runs in one transaction with the problem's row locked (SELECT … FOR UPDATE) and writes its
/// audit row in the same unit of work; transitions need If-Match with the problem's ETag (its xmin), like sheets. Who may
/// do what is <see cref="RectificationRules"/>'s.
/// </summary>
public class RectificationService(EnvScoreDbContext db, RuleSetStore ruleSets, AuditWriter audit, TimeProvider time, NotificationOutbox outbox)
{
    public const long MaxPhotoBytes = 5 * 1024 * 1024;
    public const int MaxPhotosPerUpload = 10;

    private IQueryable<Rectification> Problems => db.Set<Rectification>();

    /// <summary>
    /// An inspector's round: village, an item of the rule set in force this month, description, optional location and
    /// before-photos (stored with the problem or, if one is bad, nothing is). The deadline is today (Asia/Shanghai) plus
    /// the rule set's days for the item.
    /// </summary>
    public async Task<RectificationOutcome> CreateAsync(ClaimsPrincipal user, RectificationWrite write, IReadOnlyList<PhotoUpload> photos, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var village = await db.Villages.AsNoTracking().Include(v => v.Township).SingleOrDefaultAsync(v => v.Id == write.VillageId, ct);
        if (village is null) errors["villageId"] = [$"村（社区）编号{write.VillageId}不存在，请从列表中选择 (village not found)"];
        else if (!village.IsActive) errors["villageId"] = [$"{village.Name}已停用 (the village is inactive)"];
        if (village is not null && !RectificationRules.MayCreate(user, village.Township!.DistrictId))
            return Refuse(403, "Forbidden", "只有本区的区级督查员可以上报巡查问题 (only a district inspector of the district reports problems)");
        var description = write.Description?.Trim();
        if (string.IsNullOrEmpty(description)) errors["description"] = ["请填写问题描述 (a description is required)"];
        else if (description.Length > RectificationRules.MaxTextLength) errors["description"] = [$"问题描述不能超过{RectificationRules.MaxTextLength}字 (too long)"];
        var location = write.Location?.Trim();
        if (location?.Length > 200) errors["location"] = ["位置不能超过200字 (too long)"];
        var code = write.ItemCode?.Trim();
        if (string.IsNullOrEmpty(code)) errors["itemCode"] = ["请选择评分项 (an item is required)"];
        if (errors.Count > 0) return new RectificationOutcome.Invalid(errors);

        var now = time.GetUtcNow();
        var month = ChinaTime.MonthOf(now);
        var districtId = village!.Township!.DistrictId;
        var record = await ruleSets.ResolveAsync(districtId, month, ct);
        if (record is null) return Refuse(409, "NoRuleSet", $"{month.ToChinese()}没有启用的评分细则，无法选择评分项 (no rule set in force)");
        var rules = ruleSets.Parse(record);
        var item = rules.Items.FirstOrDefault(i => i.Code == code);
        if (item is null)
            return new RectificationOutcome.Invalid(new() { ["itemCode"] = [$"{month.ToChinese()}的评分细则中没有编号为“{code}”的评分项 (unknown item)"] });

        var (accepted, refused) = CheckPhotos(photos, now);
        if (refused is not null) return refused;

        var problem = new Rectification
        {
            VillageId = village.Id, TownshipId = village.TownshipId, DistrictId = districtId, Month = month.Key, RuleSetId = record.Id,
            ItemCode = item.Code, ItemTitle = item.Title, Description = description!, Location = string.IsNullOrEmpty(location) ? null : location,
            Source = RectificationSource.Round, State = RectificationState.Open, FoundAt = now, FoundBy = user.Identity!.Name!,
            Deadline = RectificationRules.DeadlineFor(now, RectificationDeadlines.DaysFor(rules, item.Code)), UpdatedAt = now,
        };
        problem.Photos.AddRange(accepted.Select(p => Photo(p, RectificationPhotoKind.Before, user, now)));
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Add(problem);
        await db.SaveChangesAsync(ct); // the id, for the audit row
        audit.Record(user.Identity!.Name!, "Rectification.Create", problem.TownshipId, problem.DistrictId, null, Snapshot(problem));
        await outbox.ProblemReportedAsync(problem, ct); // the webhook message commits (or rolls back) with the problem
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new RectificationOutcome.Done(problem, Created: true);
    }

    /// <summary>Before-photos (inspector) or after-photos (township secretary) while the problem is 待整改; all or nothing.</summary>
    public Task<RectificationOutcome> AddPhotosAsync(ClaimsPrincipal user, int id, RectificationPhotoKind kind, IReadOnlyList<PhotoUpload> photos, CancellationToken ct) =>
        ModifyAsync(user, id, ifMatch: null, requireIfMatch: false,
            kind == RectificationPhotoKind.Before ? RectificationAction.AddBeforePhoto : RectificationAction.AddAfterPhoto,
            kind == RectificationPhotoKind.Before ? "Rectification.BeforePhoto" : "Rectification.AfterPhoto", (problem, now) =>
            {
                var (accepted, refused) = CheckPhotos(photos, now);
                if (refused is not null) return refused;
                if (accepted.Count == 0) return Refuse(400, RectificationRules.CodeNoPhoto, "请选择要上传的照片 (no photo)");
                return Keep(problem, kind, accepted, user, now);
            }, ct);

    /// <summary>
    /// Adds checked photos of <paramref name="kind"/> to the problem, or refuses them all: an after-photo whose bytes are a
    /// before-photo's or an earlier (rejected) fix's is refused (<see cref="RectificationRules.RefuseReusedAfterPhoto"/>).
    /// The same bytes as a photo of this kind that still counts are that photo: a phone's retry after a lost answer (or
    /// the same photo chosen twice) stores nothing again. An after-photo is stamped with the fix round it belongs to.
    /// </summary>
    private static RectificationOutcome? Keep(Rectification problem, RectificationPhotoKind kind,
        List<(PhotoUpload Upload, string ContentType, byte[] Bytes, DateTimeOffset? CapturedAt)> accepted, ClaimsPrincipal user, DateTimeOffset now)
    {
        var fresh = new List<RectificationPhoto>();
        foreach (var photo in accepted.Select(p => Photo(p, kind, user, now)))
        {
            if (kind == RectificationPhotoKind.After)
            {
                if (RectificationRules.RefuseReusedAfterPhoto(problem, photo.Sha256, photo.FileName) is { } why) return new RectificationOutcome.Refused(why);
                photo.FixRound = RectificationRules.CurrentFixRound(problem);
            }
            if (problem.Photos.Any(x => x.Kind == kind && x.Sha256 == photo.Sha256 && RectificationRules.IsCurrent(problem, x))
                || fresh.Any(x => x.Sha256 == photo.Sha256)) continue;
            fresh.Add(photo);
        }
        problem.Photos.AddRange(fresh);
        return null;
    }

    /// <summary>报告整改: 待整改 → 已整改待复核, with a note; needs an after-photo since the last rejection.</summary>
    public Task<RectificationOutcome> ReportFixAsync(ClaimsPrincipal user, int id, EntityTagCondition? ifMatch, string? note, CancellationToken ct) =>
        ModifyAsync(user, id, ifMatch, requireIfMatch: true, RectificationAction.ReportFix, "Rectification.ReportFix", (problem, now) =>
        {
            if (TooLong(note, "note") is { } invalid) return invalid;
            problem.State = RectificationState.AwaitingReview;
            problem.FixedAt = now;
            problem.FixedBy = user.Identity!.Name;
            problem.FixNote = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
            return null;
        }, ct);

    /// <summary>
    /// The fix page's one step: after-photos and 报告整改 together, in one transaction (both or neither), under If-Match.
    /// With no photo it is <see cref="ReportFixAsync"/> (an after-photo uploaded earlier may satisfy the rule).
    /// </summary>
    public Task<RectificationOutcome> FixWithPhotosAsync(ClaimsPrincipal user, int id, EntityTagCondition? ifMatch, IReadOnlyList<PhotoUpload> photos,
        string? note, CancellationToken ct) =>
        ModifyAsync(user, id, ifMatch, requireIfMatch: true, RectificationAction.AddAfterPhoto, "Rectification.ReportFix", (problem, now) =>
        {
            if (TooLong(note, "note") is { } invalid) return invalid;
            var (accepted, refused) = CheckPhotos(photos, now);
            if (refused is not null) return refused;
            if (Keep(problem, RectificationPhotoKind.After, accepted, user, now) is { } reused) return reused;
            if (RectificationRules.Decide(user, RectificationAction.ReportFix, problem) is { } why) return new RectificationOutcome.Refused(why);
            problem.State = RectificationState.AwaitingReview;
            problem.FixedAt = now;
            problem.FixedBy = user.Identity!.Name;
            problem.FixNote = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
            return null;
        }, ct);

    /// <summary>复核通过、销号: 已整改待复核 → 已销号.</summary>
    public Task<RectificationOutcome> CloseAsync(ClaimsPrincipal user, int id, EntityTagCondition? ifMatch, string? note, CancellationToken ct) =>
        ModifyAsync(user, id, ifMatch, requireIfMatch: true, RectificationAction.Close, "Rectification.Close", (problem, now) =>
        {
            if (TooLong(note, "note") is { } invalid) return invalid;
            problem.State = RectificationState.Closed;
            problem.ReviewedAt = now;
            problem.ReviewedBy = user.Identity!.Name;
            problem.ReviewNote = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
            problem.ClosedAt = now;
            problem.ClosedBy = user.Identity!.Name;
            return null;
        }, ct);

    /// <summary>复核未通过: 已整改待复核 → 待整改, with a reason; the deadline stays (an overdue problem stays overdue).</summary>
    public Task<RectificationOutcome> RejectAsync(ClaimsPrincipal user, int id, EntityTagCondition? ifMatch, string? reason, CancellationToken ct) =>
        ModifyAsync(user, id, ifMatch, requireIfMatch: true, RectificationAction.Reject, "Rectification.Reject", (problem, now) =>
        {
            if (string.IsNullOrWhiteSpace(reason))
                return new RectificationOutcome.Invalid(new() { ["reason"] = ["复核未通过须填写原因 (a reason is required)"] });
            if (TooLong(reason, "reason") is { } invalid) return invalid;
            problem.State = RectificationState.Open;
            problem.ReviewedAt = now;
            problem.ReviewedBy = user.Identity!.Name;
            problem.ReviewNote = reason.Trim();
            problem.RejectCount++;
            return null;
        }, ct);

    private async Task<RectificationOutcome> ModifyAsync(ClaimsPrincipal user, int id, EntityTagCondition? ifMatch, bool requireIfMatch,
        RectificationAction action, string auditAction, Func<Rectification, DateTimeOffset, RectificationOutcome?> change, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM rectifications WHERE id = {id} FOR UPDATE", ct);
        var problem = await Problems.VisibleTo(user, db.Publications).Include(r => r.Photos).SingleOrDefaultAsync(r => r.Id == id, ct);
        if (problem is null) return NotFound(id);
        if (RectificationRules.Decide(user, action, problem) is { } why) return new RectificationOutcome.Refused(why);
        if (requireIfMatch)
        {
            if (ifMatch is null)
                return Refuse(428, "PreconditionRequired", "整改操作须带If-Match请求头（取自读取时的ETag），以免覆盖他人的操作 (If-Match is required)");
            if (!ifMatch.IfMatch(EntityTagCondition.RowVersionTag(problem.Version))) return new RectificationOutcome.PreconditionFailed(problem.Version);
        }
        var now = time.GetUtcNow();
        var before = Snapshot(problem);
        var stateBefore = problem.State;
        if (change(problem, now) is { } refused) return refused;
        // A change that changes nothing (a repeated photo) stores nothing: same ETag, no audit row, no message.
        if (Snapshot(problem) == before) return new RectificationOutcome.Done(problem);
        problem.UpdatedAt = now;
        // Stored first, so that the audit row names the new photos by their ids (the history reads them from it).
        await db.SaveChangesAsync(ct);
        audit.Record(user.Identity!.Name!, auditAction, problem.TownshipId, problem.DistrictId, before, Snapshot(problem));
        await outbox.TransitionAsync(problem, stateBefore, ct); // 已整改待复核 → webhook message, in this transaction
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new RectificationOutcome.Done(problem);
    }

    /// <summary>Every photo checked before any is kept: size (413), JPEG/PNG by content (415), capture time (400).</summary>
    private static (List<(PhotoUpload Upload, string ContentType, byte[] Bytes, DateTimeOffset? CapturedAt)> Accepted, RectificationOutcome? Refused)
        CheckPhotos(IReadOnlyList<PhotoUpload> photos, DateTimeOffset now)
    {
        var accepted = new List<(PhotoUpload, string, byte[], DateTimeOffset?)>();
        var chosen = photos.Where(p => p.Bytes.Length > 0 || !string.IsNullOrEmpty(p.FileName)).ToList();
        if (chosen.Count > MaxPhotosPerUpload)
            return (accepted, Refuse(400, "TooManyPhotos", $"一次最多上传{MaxPhotosPerUpload}张照片 (at most {MaxPhotosPerUpload} photos)"));
        foreach (var p in chosen)
        {
            if (p.Bytes.Length == 0) return (accepted, Refuse(400, RectificationRules.CodeNoPhoto, $"“{p.FileName}”是空文件 (empty file)"));
            if (p.Bytes.Length > MaxPhotoBytes)
                return (accepted, Refuse(413, RectificationRules.CodePhotoTooLarge,
                    $"照片“{p.FileName}”超过{MaxPhotoBytes / 1024 / 1024}MB，请压缩后再上传 (photo too large)"));
            if (ImageCheck.Verify(p.Bytes) is not { } image)
                return (accepted, Refuse(415, RectificationRules.CodeNotAnImage,
                    $"“{p.FileName}”不是完整有效的JPEG或PNG图片（按文件内容判断），请重新拍摄 (only whole JPEG or PNG images)"));
            DateTimeOffset? captured = image.ContentType == "image/jpeg" ? ExifDate.Read(image.Bytes) : null;
            if (captured is null && !string.IsNullOrWhiteSpace(p.CapturedAt))
            {
                if (ParseCapturedAt(p.CapturedAt.Trim()) is not { } client)
                    return (accepted, new RectificationOutcome.Invalid(new()
                    {
                        ["capturedAt"] = [$"拍摄时间“{p.CapturedAt}”格式无效，应为如2026-11-10T09:30或带时区的ISO 8601时间 (capture time is not a date-time)"],
                    }));
                if (client > now.AddMinutes(5))
                    return (accepted, new RectificationOutcome.Invalid(new() { ["capturedAt"] = ["拍摄时间晚于当前时间，请检查手机时间 (capture time is in the future)"] }));
                captured = client;
            }
            accepted.Add((p, image.ContentType, image.Bytes, captured));
        }
        return (accepted, null);
    }

    private static DateTimeOffset? ParseCapturedAt(string text)
    {
        if (DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK"],
                CultureInfo.InvariantCulture, DateTimeStyles.None, out var withZone) && (text.EndsWith('Z') || text.Contains('+') || text.LastIndexOf('-') > 9))
            return withZone;
        if (DateTime.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss"],
                CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            return ChinaTime.At(DateOnly.FromDateTime(local), TimeOnly.FromDateTime(local));
        return null;
    }

    private static RectificationPhoto Photo((PhotoUpload Upload, string ContentType, byte[] Bytes, DateTimeOffset? CapturedAt) p,
        RectificationPhotoKind kind, ClaimsPrincipal user, DateTimeOffset now) => new()
    {
        Kind = kind, FileName = p.Upload.FileName.Length > 255 ? p.Upload.FileName[..255] : p.Upload.FileName, ContentType = p.ContentType,
        Size = p.Bytes.Length, Sha256 = Convert.ToHexStringLower(SHA256.HashData(p.Bytes)), CapturedAt = p.CapturedAt?.ToUniversalTime(),
        UploadedAt = now, UploadedBy = user.Identity!.Name!, Content = new RectificationPhotoContent { Bytes = p.Bytes },
    };

    private static RectificationOutcome? TooLong(string? text, string field) =>
        text?.Trim().Length > RectificationRules.MaxTextLength
            ? new RectificationOutcome.Invalid(new() { [field] = [$"不能超过{RectificationRules.MaxTextLength}字 (too long)"] })
            : null;

    public static RectificationOutcome.Refused NotFound(int id) =>
        Refuse(404, "NotFound", $"编号为{id}的整改问题不存在或您无权查看 (not found)");

    private static RectificationOutcome.Refused Refuse(int status, string code, string message) => new(new RectificationRefusal(status, code, message));

    /// <summary>The state of a problem as the audit log keeps it (no photo bytes).</summary>
    public static string Snapshot(Rectification r) => Audit.AuditWriter.Snapshot(new
    {
        RectificationId = r.Id, r.VillageId, r.Month, r.ItemCode, r.ClauseCode, r.Count, r.Points, r.Description, r.Location,
        Source = r.Source.ToString(), State = r.State.ToString(), r.Deadline, r.FixNote, r.ReviewNote, r.RejectCount, r.EvaluationId,
        Photos = r.Photos.Select(p => new { p.Id, Kind = p.Kind.ToString(), p.FixRound, p.FileName, p.Size, p.Sha256, p.CapturedAt }),
    });
}
