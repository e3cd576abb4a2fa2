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
        MonthInput.TryRead(month, out var m)
            ? Ok(await calendars.ForMonthAsync(districtId, m, ct))
            : MonthInput.Problem(this, "month", month);

    /// <summary>
    /// Creates or replaces the admin's district's calendar for a month (upsert by month). The body is read here rather
    /// than by the OData reader, because the entity's <c>month</c> is the yyyymm integer while a write takes the
    /// documented <c>"yyyy-MM"</c> (or that integer, so that a GET answer can be posted back): see <see cref="CalendarWrite"/>.
    /// </summary>
    [Authorize(Roles = Roles.DistrictAdmin)]
    public async Task<IActionResult> Post(CancellationToken ct)
    {
        var (write, problem) = await CalendarWrite.ReadAsync(this, ct);
        if (write is null) return problem!;
        if (User.DistrictId() is not { } district) return Forbid();
        if (write.DistrictId is { } asked && asked != 0 && asked != district) return Forbid();
        if (!MonthInput.TryRead(write.Month, out var month)) return MonthInput.Problem(this, "month", write.Month);
        var missing = write.Missing();
        if (missing.Count > 0) return this.InvalidFields(missing);
        var calendar = new MonthCalendar
        {
            DistrictId = district, Month = month.Key, OpensAt = write.OpensAt!.Value, TownshipDeadline = write.TownshipDeadline!.Value,
            DistrictCheckDeadline = write.DistrictCheckDeadline!.Value, ComputeAt = write.ComputeAt!.Value,
        };
        var errors = CalendarService.Validate(calendar);
        if (errors.Count > 0) return this.InvalidFields(errors);

        var stored = await db.Calendars.SingleOrDefaultAsync(c => c.DistrictId == district && c.Month == month.Key, ct);
        if (stored is null) db.Calendars.Add(stored = new MonthCalendar { DistrictId = district, Month = month.Key });
        stored.OpensAt = calendar.OpensAt.ToUniversalTime();
        stored.TownshipDeadline = calendar.TownshipDeadline.ToUniversalTime();
        stored.DistrictCheckDeadline = calendar.DistrictCheckDeadline.ToUniversalTime();
        stored.ComputeAt = calendar.ComputeAt.ToUniversalTime();
        stored.IsOverride = true;
        await db.SaveChangesAsync(ct);
        return Created(stored);
    }
}
