namespace EnvScore.Domain.Calendar;

/// <summary>Asia/Shanghai: the zone in which months begin and deadlines fall.</summary>
public static class ChinaTime
{
    public static TimeZoneInfo Zone { get; } = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    /// <summary>The evaluation month that contains the instant, in Asia/Shanghai.</summary>
    public static EvaluationMonth MonthOf(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, Zone);
        return new EvaluationMonth(local.Year, local.Month);
    }

    /// <summary>The instant at which a wall-clock time in Asia/Shanghai occurs (China has no DST).</summary>
    public static DateTimeOffset At(DateOnly date, TimeOnly time) =>
        new(date.ToDateTime(time), Zone.GetUtcOffset(date.ToDateTime(time)));

    /// <summary>The instant the month begins, in Asia/Shanghai.</summary>
    public static DateTimeOffset StartOf(EvaluationMonth month) => At(month.FirstDay, TimeOnly.MinValue);
}
