using EnvScore.Domain.Rules;

namespace EnvScore.Api.Features.Rectifications;

/// <summary>
/// What a rule set says about rectification (its optional <c>rectification</c> block, <see cref="RectificationPolicy"/>,
/// scoring-rules/README.md): how many days a problem has (整改时限; per item, else the sheet's default, else 7) and
/// whether self-evaluation deductions become problems too.
/// </summary>
public static class RectificationDeadlines
{
    public static int DaysFor(RuleSet rules, string itemCode) => rules.Rectification.DaysFor(itemCode);

    public static bool IncludesSelfEvaluation(RuleSet rules) => rules.Rectification.IncludeSelfEvaluation;
}
