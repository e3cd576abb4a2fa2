namespace EnvScore.Api.Infrastructure.Scheduling;

/// <summary>The "Scheduling" configuration section. Cron expressions are Quartz's (seconds first), in Asia/Shanghai.</summary>
public sealed class MonthlyScheduleOptions
{
    public const string Section = "Scheduling";

    /// <summary>Run the Quartz scheduler in this process (any number of instances may: the store is clustered).</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>
    /// When the deadline job looks for work: every hour on the hour. Each district's month calendar (its
    /// override or the defaults) decides whether the township deadline has passed, so an admin who moves
    /// a deadline moves the locking with it; the job is idempotent, so looking often costs little.
    /// </summary>
    public string DeadlineCron { get; set; } = "0 0 * * * ?";
    /// <summary>When the compute job looks for work: every hour at :30; it computes a month once its calendar's ComputeAt has passed.</summary>
    public string ComputeCron { get; set; } = "0 30 * * * ?";
    /// <summary>
    /// Districts computed together in one transaction by the compute job (set-based: the fixed cost of a
    /// computation is paid once per batch, not per district; docs/performance.md). A batch that fails for a
    /// reason other than a district's own invalid sheets fails all its districts, which the next hourly
    /// firing retries.
    /// </summary>
    public int ComputeBatchDistricts { get; set; } = 500;
    /// <summary>
    /// Batches computed at the same time (each its own transaction and connections). Two keep both cores of a
    /// small server busy — one batch's SQL runs on one PostgreSQL backend while the next is scored in .NET.
    /// </summary>
    public int ComputeParallelBatches { get; set; } = 2;
}
