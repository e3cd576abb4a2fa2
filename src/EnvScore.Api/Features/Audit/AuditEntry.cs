namespace EnvScore.Api.Features.Audit;

/// <summary>
/// One recorded change (who, when, what, before, after). Append-only: a database trigger refuses
/// UPDATE and DELETE on the table.
/// </summary>
public class AuditEntry
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public required string UserName { get; set; }
    /// <summary>e.g. Evaluation.Create, Evaluation.Update, Evaluation.Submit, Evaluation.Return, Evaluation.Lock, Evidence.Add, Evidence.Remove.</summary>
    public required string Action { get; set; }
    public int? EvaluationId { get; set; }
    public int? TownshipId { get; set; }
    public int? DistrictId { get; set; }
    /// <summary>JSON of the state before (null for a creation).</summary>
    public string? Before { get; set; }
    /// <summary>JSON of the state after (null for a deletion).</summary>
    public string? After { get; set; }
}
