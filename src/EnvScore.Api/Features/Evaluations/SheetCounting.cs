using EnvScore.Api.Infrastructure.Data;

namespace EnvScore.Api.Features.Evaluations;

/// <summary>
/// Which sheets count for a month's result: a sheet that was submitted and is now Submitted or Locked (a returned
/// sheet does not count, whatever its first submission said). One rule, with its SQL twin for the set-wide
/// statements (deadline, staging); <c>SheetCountingAgreementTests</c> pins the twin to this reference.
/// </summary>
public static class SheetCounting
{
    /// <summary>The reference.</summary>
    public static bool Counts(EvaluationStatus status, DateTimeOffset? submittedAt) =>
        submittedAt is not null && status is EvaluationStatus.Submitted or EvaluationStatus.Locked;

    /// <summary>The same rule for EF queries (translated by EF): the sheets of <paramref name="query"/> that count.</summary>
    public static IQueryable<Evaluation> ThatCount(this IQueryable<Evaluation> query) =>
        query.Where(e => e.SubmittedAt != null && (e.Status == EvaluationStatus.Submitted || e.Status == EvaluationStatus.Locked));

    /// <summary>The same rule as an SQL predicate over the <c>evaluations</c> row aliased <paramref name="alias"/>.</summary>
    public static string Sql(string alias) =>
        $"({alias}.submitted_at IS NOT NULL AND {alias}.status IN ({SqlNames.Literal(EvaluationStatus.Submitted)}, {SqlNames.Literal(EvaluationStatus.Locked)}))";
}
