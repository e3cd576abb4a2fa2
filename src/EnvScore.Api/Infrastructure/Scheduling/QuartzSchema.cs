namespace EnvScore.Api.Infrastructure.Scheduling;

/// <summary>
/// The Quartz 4.7.3 PostgreSQL job-store schema (quartz-tables-postgres.sql, extracted from Quartz.dll).
/// The EF migration "Computation" applies it, so Quartz only validates the schema at start.
/// </summary>
public static class QuartzSchema
{
    /// <summary>Quartz's default prefix; unquoted, so PostgreSQL folds QRTZ_ and qrtz_ to the same names.</summary>
    public const string TablePrefix = "qrtz_";

    public static readonly string[] Tables =
    [
        "qrtz_job_details", "qrtz_triggers", "qrtz_simple_triggers", "qrtz_cron_triggers", "qrtz_simprop_triggers",
        "qrtz_blob_triggers", "qrtz_calendars", "qrtz_paused_trigger_grps", "qrtz_paused_job_grps", "qrtz_fired_triggers",
        "qrtz_scheduler_state", "qrtz_locks", "qrtz_execution_history", "qrtz_misfire_history", "qrtz_job_status",
    ];

    /// <summary>The script's statements with the prefix substituted (the script separates them with a "--;;" line).</summary>
    public static IEnumerable<string> Statements()
    {
        using var stream = typeof(QuartzSchema).Assembly.GetManifestResourceStream("quartz-tables-postgres.sql")
            ?? throw new InvalidOperationException("quartz-tables-postgres.sql is not embedded");
        using var reader = new StreamReader(stream);
        var script = reader.ReadToEnd().Replace("\r\n", "\n");
        foreach (var piece in script.Split("\n--;;\n"))
        {
            var sql = string.Join('\n', piece.Split('\n').Where(l => !l.TrimStart().StartsWith("--", StringComparison.Ordinal))).Trim();
            if (sql.Length > 0) yield return sql.Replace("{0}", TablePrefix).Replace("{1}", TablePrefix);
        }
    }
}
