using EnvScore.Api.Features.Rectifications;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Demo;

/// <summary>
/// A realistic ledger (整改台账) for the demo, after the sample months are computed (the computation has already made one
/// problem per district spot-check deduction): each problem is dated to its month's computation day (the 10th of the next
/// month) and moved deterministically through the loop — most closed within days, some fixed and waiting for review, some
/// rejected once and open again, the rest still open, which are overdue for the older months. Photos are tiny generated
/// images. Written directly (demo data, user system:demo), not audited as user actions.
/// </summary>
public static class DemoLedger
{
    public const string User = "system:demo";

    /// <summary>A 4×3 green PNG (the same bytes the tests use), valid by <see cref="Evaluations.ImageCheck"/>.</summary>
    private static readonly byte[] Photo = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAYAAAC09K7GAAAAK0lEQVR4AUzIwQkAQAgDwcWWrrjUYCvXpBpfBgbCxvuqK5gpweayIQXm0AAAAP//9wZwUQAAAAZJREFUAwDPyg1TQ7j4qwAAAABJRU5ErkJggg==");

    public static async Task ShapeAsync(EnvScoreDbContext db, int districtId, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var problems = await db.Set<Rectification>().Include(r => r.Photos).Where(r => r.DistrictId == districtId).OrderBy(r => r.Id).ToListAsync(ct);
        foreach (var r in problems)
        {
            var month = EvaluationMonth.FromKey(r.Month).Next();
            var found = ChinaTime.At(new DateOnly(month.Year, month.Month, 10), new TimeOnly(20, 0)).ToUniversalTime();
            if (found > now) found = now;
            r.FoundAt = found;
            r.Deadline = RectificationRules.DeadlineFor(found, 7);
            r.Photos.Add(NewPhoto(RectificationPhotoKind.Before, found));
            var roll = new Random(r.Id).Next(100);
            var fixedAt = found.AddDays(2 + roll % 4);
            if (fixedAt > now || roll >= 85) continue; // still open (overdue once the deadline has passed)
            r.Photos.Add(NewPhoto(RectificationPhotoKind.After, fixedAt));
            (r.State, r.FixedAt, r.FixedBy, r.FixNote) = (RectificationState.AwaitingReview, fixedAt, User, "已按要求整改，附整改后照片");
            var reviewedAt = fixedAt.AddDays(1);
            if (reviewedAt > now || roll >= 75) continue; // waiting for review
            if (roll >= 65)
            {
                (r.State, r.ReviewedAt, r.ReviewedBy, r.ReviewNote, r.RejectCount) = (RectificationState.Open, reviewedAt, "inspector", "现场复核仍有问题，请彻底整改", 1);
                continue; // rejected once, open again
            }
            (r.State, r.ReviewedAt, r.ReviewedBy, r.ReviewNote, r.ClosedAt, r.ClosedBy) =
                (RectificationState.Closed, reviewedAt, "inspector", "现场复核合格", reviewedAt, "inspector");
        }
        await db.SaveChangesAsync(ct);
    }

    private static RectificationPhoto NewPhoto(RectificationPhotoKind kind, DateTimeOffset at) => new()
    {
        Kind = kind, FixRound = kind == RectificationPhotoKind.After ? 1 : null, // the demo's problems are fixed once
        FileName = kind == RectificationPhotoKind.Before ? "整改前.png" : "整改后.png", ContentType = "image/png", Size = Photo.Length,
        Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Photo)), CapturedAt = at, UploadedAt = at, UploadedBy = User,
        Content = new RectificationPhotoContent { Bytes = Photo },
    };
}
