using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EnvScore.Api.Features.Calendar;

/// <summary>
/// Defaults for a month M, as wall-clock times in Asia/Shanghai: submission opens on day
/// <see cref="OpensDay"/> of M; the township deadline, district-check deadline and computation fall in
/// month M+1 on the configured days and times (e.g. the 5th 18:00, the 10th 18:00, the 10th 20:00).
/// </summary>
public sealed class CalendarDefaults
{
    public int OpensDay { get; set; } = 1;
    public int TownshipDeadlineDay { get; set; } = 5;
    public TimeOnly TownshipDeadlineTime { get; set; } = new(18, 0);
    public int DistrictCheckDeadlineDay { get; set; } = 10;
    public TimeOnly DistrictCheckDeadlineTime { get; set; } = new(18, 0);
    public int ComputeDay { get; set; } = 10;
    public TimeOnly ComputeTime { get; set; } = new(20, 0);
}

public class CalendarService(EnvScoreDbContext db, IOptions<CalendarDefaults> defaults)
{
    /// <summary>The month's calendar: the district's stored override, else the defaults.</summary>
    public async Task<MonthCalendar> ForMonthAsync(int districtId, EvaluationMonth month, CancellationToken ct = default) =>
        await db.Calendars.AsNoTracking().SingleOrDefaultAsync(c => c.DistrictId == districtId && c.Month == month.Key, ct)
        ?? Default(districtId, month);

    /// <summary>The month's calendars of many districts in one query (the scheduled jobs' batch).</summary>
    public async Task<Dictionary<int, MonthCalendar>> ForMonthAsync(IReadOnlyCollection<int> districtIds, EvaluationMonth month, CancellationToken ct = default)
    {
        var overrides = await db.Calendars.AsNoTracking()
            .Where(c => districtIds.Contains(c.DistrictId) && c.Month == month.Key)
            .ToDictionaryAsync(c => c.DistrictId, ct);
        return districtIds.Distinct().ToDictionary(d => d, d => overrides.GetValueOrDefault(d) ?? Default(d, month));
    }

    public MonthCalendar Default(int districtId, EvaluationMonth month)
    {
        var d = defaults.Value;
        var next = month.Next();
        return new MonthCalendar
        {
            DistrictId = districtId,
            Month = month.Key,
            OpensAt = ChinaTime.At(new DateOnly(month.Year, month.Month, d.OpensDay), TimeOnly.MinValue).ToUniversalTime(),
            TownshipDeadline = ChinaTime.At(new DateOnly(next.Year, next.Month, d.TownshipDeadlineDay), d.TownshipDeadlineTime).ToUniversalTime(),
            DistrictCheckDeadline = ChinaTime.At(new DateOnly(next.Year, next.Month, d.DistrictCheckDeadlineDay), d.DistrictCheckDeadlineTime).ToUniversalTime(),
            ComputeAt = ChinaTime.At(new DateOnly(next.Year, next.Month, d.ComputeDay), d.ComputeTime).ToUniversalTime(),
            IsOverride = false,
        };
    }

    /// <summary>
    /// Whether a month may be computed at <paramref name="now"/>, by the month alone: null when it may (it has started —
    /// before its township deadline a computation is a preview of what has been submitted), else why not, in Chinese with
    /// an English gloss: a month that has not started yet. The rule <c>POST /odata/ComputationRuns/Compute</c> applies
    /// (400 with this sentence) and the page <c>/admin</c> asks before it offers 立即计算; <c>ComputeOfferTests</c> pins the
    /// page's offer to the API's answer. A published month and a running
    /// computation are refused by <c>MonthlyComputation.RunAsync</c> (409), which the page shows from the publication.
    /// </summary>
    public static string? WhyNotComputable(EvaluationMonth month, DateTimeOffset now)
    {
        var current = ChinaTime.MonthOf(now);
        return month > current
            ? $"{month.ToChinese()}尚未开始，不能计算（当前为{current.ToChinese()}） (a future month cannot be computed)"
            : null;
    }

    /// <summary>Field errors of a calendar (order of the instants); empty when valid.</summary>
    public static Dictionary<string, string[]> Validate(MonthCalendar c)
    {
        var errors = new Dictionary<string, string[]>();
        if (c.TownshipDeadline <= c.OpensAt)
            errors["townshipDeadline"] = ["乡镇截止时间应晚于开放时间 (the township deadline must be after opening)"];
        if (c.DistrictCheckDeadline < c.TownshipDeadline)
            errors["districtCheckDeadline"] = ["区级抽查截止时间不应早于乡镇截止时间 (the district check deadline must not precede the township deadline)"];
        if (c.ComputeAt < c.DistrictCheckDeadline)
            errors["computeAt"] = ["计算时间不应早于区级抽查截止时间 (computation must not precede the district check deadline)"];
        return errors;
    }
}
