using EnvScore.Domain.Scoring;

namespace EnvScore.Api.Features.Evaluations;

/// <summary>The outcome of a sheet operation; the controller turns it into the HTTP answer.</summary>
public abstract record SheetOutcome
{
    public sealed record Done(Evaluation Sheet, bool Created = false) : SheetOutcome;
    /// <summary>Entries the engine's validator rejected — every problem, nothing stored.</summary>
    public sealed record InvalidEntries(IReadOnlyList<EntryProblem> Problems) : SheetOutcome;
    public sealed record InvalidFields(Dictionary<string, string[]> Errors) : SheetOutcome;
    /// <summary>A state or time conflict (409): locked, submitted, past the deadline, duplicate.</summary>
    public sealed record Conflict(string Message) : SheetOutcome;
    public sealed record Forbidden : SheetOutcome;
    public sealed record NotFound : SheetOutcome;
    /// <summary>If-Match absent (428).</summary>
    public sealed record PreconditionRequired : SheetOutcome;
    /// <summary>If-Match stale (412).</summary>
    public sealed record PreconditionFailed(uint Current) : SheetOutcome;
}
