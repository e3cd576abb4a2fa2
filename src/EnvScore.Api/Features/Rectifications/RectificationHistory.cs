using System.Text.Json;
using EnvScore.Api.Features.Audit;
using EnvScore.Api.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Rectifications;

/// <summary>What happened at one step of a problem's loop.</summary>
public enum HistoryStepKind
{
    /// <summary>整改上报: the township reported a fix (note, the after-photos added since the previous fix).</summary>
    Fix,
    /// <summary>复核未通过: sent back, with the reason.</summary>
    Rejected,
    /// <summary>复核通过、销号.</summary>
    Closed,
}

/// <summary>One step: when, who, the note or reason, and (for a fix) the photos it brought.</summary>
public sealed record HistoryStep(HistoryStepKind Kind, DateTimeOffset At, string By, string? Note, IReadOnlyList<RectificationPhoto> Photos);

/// <summary>
/// A problem's whole loop in order — every fix with its photos, every review with its verdict and reason — read from the
/// stored structured records: the audit rows of its transitions (<c>Rectification.ReportFix</c>, <c>.Reject</c>,
/// <c>.Close</c>, each with the problem as it stood after, <see cref="RectificationService.Snapshot"/>) and its photo
/// rows. A fix's photos are the after-photos of its round (<see cref="RectificationPhoto.FixRound"/> = the snapshot's
/// rejectCount + 1), stamped when they were uploaded. A problem moved without
/// audit rows (the demo ledger, written directly) shows the row's own last fix and review.
/// </summary>
public static class RectificationHistory
{
    private static readonly string[] Actions = ["Rectification.ReportFix", "Rectification.Reject", "Rectification.Close"];

    public static async Task<IReadOnlyList<HistoryStep>> ForAsync(EnvScoreDbContext db, Rectification problem, CancellationToken ct)
    {
        var id = problem.Id;
        var rows = await db.AuditLog.FromSql($"""
            SELECT * FROM audit_log
            WHERE district_id = {problem.DistrictId} AND action = ANY({Actions}) AND (after ->> 'rectificationId')::int = {id}
            """).AsNoTracking().OrderBy(a => a.At).ThenBy(a => a.Id).ToListAsync(ct);
        var steps = new List<HistoryStep>();
        var fixes = 0;
        foreach (var row in rows)
        {
            using var json = JsonDocument.Parse(row.After!);
            var after = json.RootElement;
            string? Text(string name) => after.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            switch (row.Action)
            {
                case "Rectification.ReportFix":
                    // The round this fix reported: the rejections before it + 1 (its snapshot's rejectCount); its photos
                    // are the after-photos stamped with that round when they were uploaded — whether in the same post
                    // as the report (the page's one form) or before it.
                    var round = after.TryGetProperty("rejectCount", out var rc) && rc.ValueKind == JsonValueKind.Number ? rc.GetInt32() + 1 : fixes + 1;
                    fixes++;
                    steps.Add(new HistoryStep(HistoryStepKind.Fix, row.At, row.UserName, Text("fixNote"), PhotosOf(problem, round)));
                    break;
                case "Rectification.Reject":
                    steps.Add(new HistoryStep(HistoryStepKind.Rejected, row.At, row.UserName, Text("reviewNote"), []));
                    break;
                default:
                    steps.Add(new HistoryStep(HistoryStepKind.Closed, row.At, row.UserName, Text("reviewNote"), []));
                    break;
            }
        }
        if (steps.Count > 0) return steps;
        // No audit rows (written directly): the row's own last fix and review.
        if (problem.FixedAt is { } fixedAt)
            steps.Add(new HistoryStep(HistoryStepKind.Fix, fixedAt, problem.FixedBy ?? "", problem.FixNote,
                // The last fix: the current round's, unless a rejection has since opened the next one.
                PhotosOf(problem, problem.State == RectificationState.Open && problem.RejectCount > 0 ? problem.RejectCount : problem.RejectCount + 1)));
        if (problem.ReviewedAt is { } reviewedAt)
            steps.Add(new HistoryStep(problem.State == RectificationState.Closed ? HistoryStepKind.Closed : HistoryStepKind.Rejected,
                reviewedAt, problem.ReviewedBy ?? "", problem.ReviewNote, []));
        return steps;
    }

    /// <summary>The after-photos of one fix round, in upload order.</summary>
    private static List<RectificationPhoto> PhotosOf(Rectification problem, int round) =>
        problem.Photos.Where(p => p.Kind == RectificationPhotoKind.After && p.FixRound == round).OrderBy(p => p.UploadedAt).ThenBy(p => p.Id).ToList();
}
