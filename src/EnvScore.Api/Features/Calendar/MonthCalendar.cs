namespace EnvScore.Api.Features.Calendar;

/// <summary>
/// A district's calendar for one evaluation month (all instants UTC; shown in Asia/Shanghai). Months
/// without a stored row use the configured defaults (see <see cref="CalendarDefaults"/>).
/// </summary>
public class MonthCalendar
{
    public int Id { get; set; }
    public int DistrictId { get; set; }
    /// <summary>yyyymm.</summary>
    public int Month { get; set; }
    public DateTimeOffset OpensAt { get; set; }
    public DateTimeOffset TownshipDeadline { get; set; }
    public DateTimeOffset DistrictCheckDeadline { get; set; }
    public DateTimeOffset ComputeAt { get; set; }
    /// <summary>False for a computed default that is not stored.</summary>
    public bool IsOverride { get; set; }
}
