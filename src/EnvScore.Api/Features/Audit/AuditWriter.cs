using System.Text.Json;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Infrastructure.Data;

namespace EnvScore.Api.Features.Audit;

/// <summary>Adds audit rows to the same unit of work as the change they record (saved together or not at all).</summary>
public class AuditWriter(EnvScoreDbContext db, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public void Record(string user, string action, Evaluation evaluation, string? before, string? after) =>
        db.AuditLog.Add(new AuditEntry
        {
            At = time.GetUtcNow(), UserName = user, Action = action, EvaluationId = evaluation.Id == 0 ? null : evaluation.Id,
            TownshipId = evaluation.TownshipId, DistrictId = evaluation.DistrictId, Before = before, After = after,
        });

    /// <summary>A change of something other than a sheet (a rectification problem), scoped to its township and district.</summary>
    public void Record(string user, string action, int? townshipId, int? districtId, string? before, string? after) =>
        db.AuditLog.Add(new AuditEntry
        {
            At = time.GetUtcNow(), UserName = user, Action = action, TownshipId = townshipId, DistrictId = districtId, Before = before, After = after,
        });

    /// <summary>Any other audit snapshot (a publication, an opened correction) in the audit log's one JSON form.</summary>
    public static string Snapshot(object value) => JsonSerializer.Serialize(value, Json);

    /// <summary>The state of a sheet as the audit log keeps it (no bytes of evidence).</summary>
    public static string Snapshot(Evaluation e) => JsonSerializer.Serialize(new
    {
        e.Id, e.VillageId, e.Month, Kind = e.Kind.ToString(), Status = e.Status.ToString(), e.Note, e.Vetoes, e.ReturnReason,
        Entries = e.Entries.OrderBy(x => x.ItemCode, StringComparer.Ordinal).Select(x => new
        {
            x.ItemCode, x.NotApplicable, x.Count, x.Level, x.FailedSamples, x.Passed, x.ZeroConditions, x.Note,
            // Clause inputs (细则): an import or save that changes only a clause is a change (and is audited as one).
            Clauses = (x.Clauses ?? []).OrderBy(c => c.Code, StringComparer.Ordinal)
                .Select(c => new { c.Code, c.Count, c.Level, c.Yes, c.Percent, c.Numerator, c.Denominator }),
        }),
        Evidence = e.Evidence.Select(x => new { x.Id, x.ItemCode, x.FileName, x.Size, x.Sha256 }),
    }, Json);
}
