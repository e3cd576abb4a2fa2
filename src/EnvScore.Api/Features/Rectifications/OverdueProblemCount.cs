using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Scoring;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace EnvScore.Api.Features.Rectifications;

/// <summary>
/// The count behind the clause 每处逾期未整改问题扣X分 (<c>overdueProblems</c>, issue #17): for a village and a month M,
/// the number of its problems that were <b>overdue and still not rectified at the end of M</b> — the one definition
/// (docs/rectification.md, "The count for the clause"), decided by <see cref="CountsAt"/>, read for a set of districts by
/// <see cref="CountAsync(NpgsqlConnection, IReadOnlyCollection{int}, EvaluationMonth, int?, CancellationToken)"/> and fed
/// into <see cref="SheetEntries.OverdueProblems"/> by the monthly computation, the what-if and the sheet preview.
/// </summary>
/// <remarks>
/// With E = the first instant of month M+1 in Asia/Shanghai, a problem counts when
/// <list type="number">
/// <item>it was found before E (<see cref="Rectification.FoundAt"/> &lt; E);</item>
/// <item>its deadline day has ended by E (<see cref="Rectification.Deadline"/> ≤ the last day of M);</item>
/// <item>it was 待整改 at E: the last transition before E was a rejection (复核未通过), or there was none. A fix reported
///   before E (已整改待复核) or a close (已销号) before E means it does not count, in time or late.</item>
/// </list>
/// The transitions are those the audit log keeps (<c>Rectification.ReportFix</c>, <c>.Reject</c>, <c>.Close</c>, each
/// written in the transaction of the change, with its instant), together with the row's own last ones
/// (<see cref="Rectification.FixedAt"/>, <see cref="Rectification.ReviewedAt"/>, <see cref="Rectification.ClosedAt"/>,
/// for problems written without the audit log such as the demo ledger). Nothing here reads the current state, so once
/// M has ended, recomputing M gives the same count whatever happens to the problems later; computed before the end of
/// M it is the count as known at that moment.
/// </remarks>
public static class OverdueProblemCount
{
    /// <summary>A transition of the loop: 报告整改, 复核未通过, 销号.</summary>
    public enum Step { ReportFix, Reject, Close }

    public readonly record struct Transition(DateTimeOffset At, Step Step);

    /// <summary>What the count reads of a problem: when it was found, its deadline day and its transitions (any order).</summary>
    public sealed record Problem(int Id, int VillageId, DateTimeOffset FoundAt, DateOnly Deadline, IReadOnlyList<Transition> Transitions);

    /// <summary>E: the first instant of the month after <paramref name="month"/>, Asia/Shanghai.</summary>
    public static DateTimeOffset EndOf(EvaluationMonth month) => ChinaTime.StartOf(month.Next());

    /// <summary>The last calendar day of the month.</summary>
    public static DateOnly LastDayOf(EvaluationMonth month) => month.Next().FirstDay.AddDays(-1);

    /// <summary>The reference: does the problem count as overdue and not rectified at the end of <paramref name="month"/>?</summary>
    public static bool CountsAt(Problem problem, EvaluationMonth month)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var end = EndOf(month);
        if (problem.FoundAt >= end || problem.Deadline > LastDayOf(month)) return false;
        Transition? last = null;
        foreach (var t in problem.Transitions)
            if (t.At < end && (last is null || t.At >= last.Value.At)) last = t;
        return last is null || last.Value.Step == Step.Reject;
    }

    /// <summary>The row's own last transitions: its last fix, its last review (a close when it is the close, else a rejection), its close.</summary>
    public static IEnumerable<Transition> FromRow(DateTimeOffset? fixedAt, DateTimeOffset? reviewedAt, DateTimeOffset? closedAt)
    {
        if (fixedAt is { } f) yield return new(f, Step.ReportFix);
        if (reviewedAt is { } r && reviewedAt != closedAt) yield return new(r, Step.Reject);
        if (closedAt is { } c) yield return new(c, Step.Close);
    }

    private const string ProblemsSql = """
        SELECT r.id, r.village_id, r.found_at, r.deadline, r.fixed_at, r.reviewed_at, r.closed_at
        FROM rectifications r
        WHERE r.district_id = ANY(@districts) AND (@village IS NULL OR r.village_id = @village)
          AND r.found_at < @end AND r.deadline <= @last AND (r.closed_at IS NULL OR r.closed_at >= @end)
        """;

    // Only a narrowing of what CountsAt decides (a problem closed before E is never counted); the decision stays in C#.
    private const string TransitionsSql = """
        SELECT (a.after ->> 'rectificationId')::int, a.at, a.action
        FROM audit_log a
        WHERE a.district_id = ANY(@districts) AND a.at < @end
          AND a.action IN ('Rectification.ReportFix', 'Rectification.Reject', 'Rectification.Close')
          AND (a.after ->> 'rectificationId')::int = ANY(@ids)
        """;

    /// <summary>
    /// Counts per village id (villages without a counted problem are absent: 0) of <paramref name="districts"/>, or of
    /// one village, for <paramref name="month"/>. Runs on <paramref name="conn"/> (in its transaction, if any).
    /// </summary>
    public static async Task<Dictionary<int, int>> CountAsync(NpgsqlConnection conn, IReadOnlyCollection<int> districts, EvaluationMonth month,
        int? villageId, CancellationToken ct)
    {
        var end = EndOf(month);
        var rows = new List<(int Id, int Village, DateTimeOffset Found, DateOnly Deadline, List<Transition> Steps)>();
        await using (var cmd = new NpgsqlCommand(ProblemsSql, conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter("districts", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = districts.ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter("village", NpgsqlDbType.Integer) { Value = (object?)villageId ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("end", NpgsqlDbType.TimestampTz) { Value = end.UtcDateTime });
            cmd.Parameters.Add(new NpgsqlParameter("last", NpgsqlDbType.Date) { Value = LastDayOf(month) });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                DateTimeOffset? At(int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);
                rows.Add((r.GetInt32(0), r.GetInt32(1), r.GetFieldValue<DateTimeOffset>(2), r.GetFieldValue<DateOnly>(3), [.. FromRow(At(4), At(5), At(6))]));
            }
        }
        var counts = new Dictionary<int, int>();
        if (rows.Count == 0) return counts;
        var byId = rows.ToDictionary(x => x.Id, x => x.Steps);
        await using (var cmd = new NpgsqlCommand(TransitionsSql, conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter("districts", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = districts.ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter("end", NpgsqlDbType.TimestampTz) { Value = end.UtcDateTime });
            cmd.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = byId.Keys.ToArray() });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var step = r.GetString(2) switch
                {
                    "Rectification.ReportFix" => Step.ReportFix,
                    "Rectification.Reject" => Step.Reject,
                    _ => Step.Close,
                };
                byId[r.GetInt32(0)].Add(new(r.GetFieldValue<DateTimeOffset>(1), step));
            }
        }
        foreach (var x in rows)
            if (CountsAt(new Problem(x.Id, x.Village, x.Found, x.Deadline, x.Steps), month))
                counts[x.Village] = counts.GetValueOrDefault(x.Village) + 1;
        return counts;
    }

    /// <summary>The count of one village for a month, on the context's connection (what-if, sheet preview).</summary>
    public static async Task<int> CountAsync(EnvScoreDbContext db, int districtId, int villageId, EvaluationMonth month, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var counts = await CountAsync((NpgsqlConnection)db.Database.GetDbConnection(), [districtId], month, villageId, ct);
            return counts.GetValueOrDefault(villageId);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The counts of every village of a district for a month, on the context's connection (what-if).</summary>
    public static async Task<Dictionary<int, int>> CountAsync(EnvScoreDbContext db, int districtId, EvaluationMonth month, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            return await CountAsync((NpgsqlConnection)db.Database.GetDbConnection(), [districtId], month, null, ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
