using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;

namespace EnvScore.Api.Features.Computation;

/// <summary>
/// The SQL fragments of <see cref="MonthlyComputation"/> that restate a rule of the domain, one per rule, so that the
/// computation runs exactly the text an agreement test (CombinationSqlAgreementTests) pins to its C# reference:
/// the self/district combination and the inflation flag (<see cref="ScoreCombiner.Combine"/>, policy
/// <see cref="CombinationPolicy"/>), and the consequence runs (<see cref="ConsequenceEvaluator.Evaluate"/>, policy
/// <see cref="ConsequencePolicy"/>). Each method takes SQL expressions (column names) and returns an expression;
/// no user input ever goes into them.
/// </summary>
internal static class CombinationSql
{
    /// <summary>
    /// The final score of a village with a counted self-evaluation (<see cref="CombinedScore.Final"/>): the self total
    /// when <paramref name="district"/> is NULL (no district check), else 四舍五入(self × selfWeight + district ×
    /// districtWeight, 2) — PostgreSQL's round(numeric, 2) rounds halves away from zero, as <see cref="Points.Round"/>.
    /// Totals are numeric(7,2) (cmp_sheet.total); the result has scale 2.
    /// </summary>
    public static string Final(string self, string district, string selfWeight, string districtWeight) =>
        $"CASE WHEN {district} IS NULL THEN {self} ELSE round({self} * {selfWeight} + {district} * {districtWeight}, 2) END";

    /// <summary>self − district (<see cref="CombinedScore.Gap"/>); NULL when either is NULL.</summary>
    public static string Gap(string self, string district) => $"({self} - {district})";

    /// <summary>
    /// 自评虚高 (<see cref="CombinedScore.Inflated"/>): self − district &gt; threshold, strictly; false when there is no
    /// district check (or no self-evaluation).
    /// </summary>
    public static string Inflated(string self, string district, string threshold) =>
        $"coalesce({Gap(self, district)} > {threshold}, false)";

    /// <summary>
    /// Months running in the same tier, this one included: the previous month's run + 1 when the previous month's
    /// tier (stored name, NULL when the village has no row that month) equals this month's tier name, else 1 — the
    /// inductive form of a run in <see cref="ConsequenceEvaluator"/> (a month without a row ends the run).
    /// </summary>
    public static string RunLength(string previousTierName, string previousRun, string tierName) =>
        $"CASE WHEN {previousTierName} = {tierName} THEN {previousRun} + 1 ELSE 1 END";

    /// <summary>
    /// 约谈 (<see cref="ConsequenceFlags.Interview"/>): the tier (number, <see cref="Tier"/> value) is 整治 and the run is at
    /// least <see cref="ConsequencePolicy.InterviewAfterRectifyMonths"/> (NULL = never).
    /// </summary>
    public static string Interview(string tier, string runLength, string interviewAfter) =>
        $"({interviewAfter} IS NOT NULL AND {tier} = {(int)Tier.Rectify} AND {runLength} >= {interviewAfter})";

    /// <summary>
    /// Reward (<see cref="ConsequenceFlags.Reward"/>): the tier is 示范 and the run is at least
    /// <see cref="ConsequencePolicy.RewardAfterDemonstrationMonths"/> (NULL = never).
    /// </summary>
    public static string Reward(string tier, string runLength, string rewardAfter) =>
        $"({rewardAfter} IS NOT NULL AND {tier} = {(int)Tier.Demonstration} AND {runLength} >= {rewardAfter})";
}
