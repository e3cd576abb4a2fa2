using System.Security.Claims;
using System.Text.Json.Nodes;
using EnvScore.Api.Features.Audit;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Api.Infrastructure.Faults;
using EnvScore.Api.Infrastructure.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace EnvScore.Api.Features.Evaluations;

/// <summary>
/// The one writer of sheets. Every change of a stored sheet — the API (<see cref="EvaluationService"/>), the sheet page,
/// the spreadsheet import, photos (<see cref="EvidenceService"/>), the deadline job and the district's corrections of a
/// published month — runs through it: one transaction, the sheet rows locked first (<c>SELECT … FOR UPDATE</c>, in id
/// order so that writers of several rows never deadlock), the ETag (<c>If-Match</c>, PostgreSQL <c>xmin</c>) compared
/// under the lock, the change applied by the aggregate's own transitions (<see cref="Evaluation.Submit"/>,
/// <see cref="Evaluation.Return"/>, <see cref="Evaluation.LockAtDeadline"/>, <see cref="Evaluation.EditRefusal"/>), one audit
/// row per changed sheet with its before and after (<see cref="AuditWriter.Snapshot(Evaluation)"/>), and a change that
/// changes nothing storing nothing (same ETag, no audit row). Results stamps follow the result tables (triggers), not sheets.
/// </summary>
public sealed class SheetWriter(EnvScoreDbContext db, AuditWriter audit, TimeProvider time)
{
    /// <summary>Starts the transaction a multi-sheet write (the import, the deadline job) runs in.</summary>
    public Task<IDbContextTransaction> BeginAsync(CancellationToken ct) => db.Database.BeginTransactionAsync(ct);

    /// <summary>
    /// Locks sheet rows for the rest of the current transaction (<c>SELECT … FOR UPDATE</c>), in id order. Every writer of
    /// a sheet takes this lock before reading the row it changes and comparing its version.
    /// </summary>
    public Task LockAsync(IReadOnlyCollection<int> ids, CancellationToken ct)
    {
        var array = ids.ToArray();
        return db.Database.ExecuteSqlAsync($"SELECT 1 FROM evaluations WHERE id = ANY({array}) ORDER BY id FOR UPDATE", ct);
    }

    /// <summary>
    /// Records a change of <paramref name="sheet"/> made in the current unit of work: false (and nothing recorded) when its
    /// snapshot equals <paramref name="before"/>; otherwise stamps who and when, and adds the audit row
    /// (<paramref name="action"/>, e.g. <c>Evaluation.Submit</c>) whose after side may carry <paramref name="annotate"/>'s
    /// extra members (a correction's reason). A new sheet (<paramref name="before"/> null) is always a change.
    /// </summary>
    public bool Record(string userName, string action, Evaluation sheet, string? before, Action<JsonObject>? annotate = null)
    {
        var after = AuditWriter.Snapshot(sheet);
        if (before is not null && after == before) return false;
        sheet.UpdatedAt = time.GetUtcNow();
        sheet.UpdatedBy = userName;
        if (annotate is not null)
        {
            var node = JsonNode.Parse(after)!.AsObject();
            annotate(node);
            after = node.ToJsonString();
        }
        audit.Record(userName, action, sheet, before, after);
        return true;
    }

    /// <summary>
    /// Records a change of state alone (the deadline's lock), whose audit row says only the status before and after —
    /// the content did not change, and the sheet's entries need not be loaded for it.
    /// </summary>
    public void RecordTransition(string userName, string action, Evaluation sheet, EvaluationStatus before)
    {
        sheet.UpdatedAt = time.GetUtcNow();
        sheet.UpdatedBy = userName;
        audit.Record(userName, action, sheet, AuditWriter.Snapshot(new { status = before.ToString() }),
            AuditWriter.Snapshot(new { status = sheet.Status.ToString() }));
    }

    /// <summary>
    /// One sheet, one transaction: lock, load (as visible to <paramref name="user"/>: 404 otherwise), check that the user
    /// may make this change to this sheet (<paramref name="authorized"/>: role and scope; 403), require and compare If-Match
    /// (428/412), apply <paramref name="change"/> (a non-null answer refuses and stores nothing), then record and commit.
    /// <paramref name="onChanged"/> adds what belongs to the same change (a correction's record) only when the sheet changed.
    /// </summary>
    public async Task<SheetOutcome> ChangeAsync(ClaimsPrincipal user, int id, EntityTagCondition? ifMatch, string action, Func<Evaluation, bool> authorized,
        Func<Evaluation, Task<SheetOutcome?>> change, CancellationToken ct, Action<JsonObject>? annotate = null, Action<Evaluation>? onChanged = null)
    {
        await using var tx = await BeginAsync(ct);
        // Lock the row first: concurrent writers queue here and then see a changed version.
        await LockAsync([id], ct);
        var locked = await db.Evaluations.VisibleTo(user)
            .Include(e => e.Entries).Include(e => e.Evidence).AsSplitQuery().SingleOrDefaultAsync(e => e.Id == id, ct);
        if (locked is null) return new SheetOutcome.NotFound();
        if (!authorized(locked)) return new SheetOutcome.Forbidden();
        if (ifMatch is null) return new SheetOutcome.PreconditionRequired();
        if (!ifMatch.IfMatch(SheetETag.Tag(locked.Version))) return new SheetOutcome.PreconditionFailed(locked.Version);

        var before = AuditWriter.Snapshot(locked);
        if (await change(locked) is { } refused) return refused;
        // A write that changes nothing stores nothing: same ETag, no audit row (the transaction is rolled back unused).
        if (!Record(user.Identity!.Name!, action, locked, before, annotate)) return new SheetOutcome.Done(locked);
        onChanged?.Invoke(locked);
        await db.SaveChangesAsync(ct);
        FaultPoint.Reach(FaultPoint.SheetSaveBeforeCommit);
        await tx.CommitAsync(ct);
        return new SheetOutcome.Done(locked);
    }

    /// <summary>Adds a new sheet with its audit row in one transaction; false when the village's sheet of that month and kind exists.</summary>
    public async Task<bool> CreateAsync(string userName, Evaluation sheet, CancellationToken ct)
    {
        await using var tx = await BeginAsync(ct);
        db.Evaluations.Add(sheet);
        if (!await db.TrySaveUniqueAsync(ct)) return false;
        Record(userName, "Evaluation.Create", sheet, before: null);
        await db.SaveChangesAsync(ct);
        FaultPoint.Reach(FaultPoint.SheetSaveBeforeCommit);
        await tx.CommitAsync(ct);
        return true;
    }
}
