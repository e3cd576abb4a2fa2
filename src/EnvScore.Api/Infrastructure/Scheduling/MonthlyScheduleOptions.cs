using EnvScore.Domain.Calendar;
using Quartz;

namespace EnvScore.Api.Infrastructure.Scheduling;

/// <summary>The "Scheduling" configuration section. Cron expressions are Quartz's (seconds first), in Asia/Shanghai.</summary>
public sealed class MonthlyScheduleOptions
{
    public const string Section = "Scheduling";

    /// <summary>Run the Quartz scheduler in this process (any number of instances may: the store is clustered).</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>Township deadline: lock the previous month's drafts, record missing villages. Default the 5th, 18:00.</summary>
    public string DeadlineCron { get; set; } = "0 0 18 5 * ?";
    /// <summary>Compute the previous month for every district. Default the 10th, 20:00.</summary>
    public string ComputeCron { get; set; } = "0 0 20 10 * ?";

    /// <summary>
    /// The township deadline of a month: the first firing of <see cref="DeadlineCron"/> after the month
    /// ends. Submissions up to this instant count as on time.
    /// </summary>
    public DateTimeOffset DeadlineOf(EvaluationMonth month) =>
        CronExpression.Parse(DeadlineCron).WithTimeZone(ChinaTime.Zone).GetNextValidTimeAfter(ChinaTime.StartOf(month.Next()))
        ?? throw new InvalidOperationException($"Scheduling:DeadlineCron \"{DeadlineCron}\" never fires");
}
