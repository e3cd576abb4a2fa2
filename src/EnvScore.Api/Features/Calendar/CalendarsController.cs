using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Api.Infrastructure.Errors;
using EnvScore.Api.Infrastructure.OData;
using EnvScore.Domain.Calendar;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OData.Formatter;
using Microsoft.AspNetCore.OData.Routing.Controllers;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Calendar;

/// <summary>Month calendars: stored overrides are listed; ForMonth gives the effective calendar (override or defaults).</summary>
[Authorize]
public class CalendarsController(EnvScoreDbContext db, CalendarService calendars) : ODataController
{
    /// <summary>The overrides of the caller's own district only (a secretary's: their township's district).</summary>
    [EnvScoreQuery]
    public IQueryable<MonthCalendar> Get()
    {
        var district = User.DistrictId();
        var township = User.TownshipId();
        if (district is null && township is null) return db.Calendars.Where(c => false);
        return db.Calendars.AsNoTracking().Where(c => c.DistrictId == district
            || (township != null && db.Townships.Any(t => t.Id == township && t.DistrictId == c.DistrictId)));
    }

    [HttpGet]
    public async Task<IActionResult> ForMonth([FromODataUri] int districtId, [FromODataUri] string month, CancellationToken ct) =>
        EvaluationMonth.TryParse(month, out var m)
            ? Ok(await calendars.ForMonthAsync(districtId, m, ct))
            : Problem(title: $"月份格式应为\"yyyy-MM\"，实际为\"{month}\" (month must be yyyy-MM)", statusCode: 400);

    /// <summary>Creates or replaces the admin's district's calendar for a month (upsert by month).</summary>
    [Authorize(Roles = Roles.DistrictAdmin)]
    public async Task<IActionResult> Post([FromBody] MonthCalendar? calendar, CancellationToken ct)
    {
        if (calendar is null) return this.UnreadableBody();
        if (User.DistrictId() is not { } district) return Forbid();
        if (calendar.DistrictId != 0 && calendar.DistrictId != district) return Forbid();
        var errors = CalendarService.Validate(calendar);
        if (calendar.Month < 200001 || calendar.Month % 100 is < 1 or > 12)
            errors["month"] = [$"month应为yyyymm格式的整数（如202611），实际为{calendar.Month} (month must be yyyymm)"];
        if (errors.Count > 0) return this.InvalidFields(errors);

        var stored = await db.Calendars.SingleOrDefaultAsync(c => c.DistrictId == district && c.Month == calendar.Month, ct);
        if (stored is null) db.Calendars.Add(stored = new MonthCalendar { DistrictId = district, Month = calendar.Month });
        stored.OpensAt = calendar.OpensAt.ToUniversalTime();
        stored.TownshipDeadline = calendar.TownshipDeadline.ToUniversalTime();
        stored.DistrictCheckDeadline = calendar.DistrictCheckDeadline.ToUniversalTime();
        stored.ComputeAt = calendar.ComputeAt.ToUniversalTime();
        stored.IsOverride = true;
        await db.SaveChangesAsync(ct);
        return Created(stored);
    }
}
