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
/// rows. A fix's photos are the after-photos its snapshot lists that the previous fix's did not. A problem moved without
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
        var photos = problem.Photos.ToDictionary(p => p.Id);
        var steps = new List<HistoryStep>();
        var seenAfter = new HashSet<int>();
        foreach (var row in rows)
        {
            using var json = JsonDocument.Parse(row.After!);
            var after = json.RootElement;
            string? Text(string name) => after.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            switch (row.Action)
            {
                case "Rectification.ReportFix":
                    var afterIds = after.TryGetProperty("photos", out var list)
                        ? list.EnumerateArray().Where(p => p.GetProperty("kind").GetString() == nameof(RectificationPhotoKind.After))
                            .Select(p => p.GetProperty("id").GetInt32()).ToList()
                        : [];
                    var brought = afterIds.Where(seenAfter.Add).Where(photos.ContainsKey).Select(p => photos[p])
                        .OrderBy(p => p.UploadedAt).ThenBy(p => p.Id).ToList();
                    steps.Add(new HistoryStep(HistoryStepKind.Fix, row.At, row.UserName, Text("fixNote"), brought));
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
                problem.Photos.Where(p => p.Kind == RectificationPhotoKind.After).OrderBy(p => p.UploadedAt).ThenBy(p => p.Id).ToList()));
        if (problem.ReviewedAt is { } reviewedAt)
            steps.Add(new HistoryStep(problem.State == RectificationState.Closed ? HistoryStepKind.Closed : HistoryStepKind.Rejected,
                reviewedAt, problem.ReviewedBy ?? "", problem.ReviewNote, []));
        return steps;
    }
}
