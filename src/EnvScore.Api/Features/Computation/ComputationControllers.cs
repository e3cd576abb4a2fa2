using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Api.Infrastructure.OData;
using EnvScore.Domain.Calendar;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OData.Formatter;
using Microsoft.AspNetCore.OData.Routing.Controllers;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Computation;

[Authorize]
public class ComputationRunsController(EnvScoreDbContext db, MonthlyComputation computation, TimeProvider time) : ODataController
{
    [EnvScoreQuery]
    public IQueryable<ComputationRun> Get() => db.ComputationRuns.AsNoTracking().VisibleTo(User);

    /// <summary>
    /// Computes a month of the admin's district now, in the request, and answers with the finished run
    /// (status Succeeded or Failed). 409 when the month is being computed or is published.
    /// </summary>
    [HttpPost, Authorize(Roles = Roles.DistrictAdmin)]
    public async Task<IActionResult> Compute(ODataActionParameters? parameters)
    {
        if (User.DistrictId() is not { } district) return Forbid();
        var text = parameters?.TryGetValue("month", out var value) == true ? value as string : null;
        if (!EvaluationMonth.TryParse(text, out var month))
            return Problem(title: $"month格式应为\"yyyy-MM\"，实际为\"{text}\" (month must be yyyy-MM)", statusCode: 400);
        if (Calendar.CalendarService.WhyNotComputable(month, time.GetUtcNow()) is { } notYet)
            return Problem(title: notYet, statusCode: 400);

        // Not tied to the request's cancellation: a client that goes away must not roll back a finished computation.
        return await computation.RunAsync(district, month, User.Identity?.Name ?? "?", CancellationToken.None) switch
        {
            ComputationOutcome.Completed c => Ok(c.Run),
            ComputationOutcome.AlreadyRunning r => Problem(title: r.Message, statusCode: 409),
            ComputationOutcome.Published p => Problem(title: p.Message, statusCode: 409),
            _ => throw new InvalidOperationException("unknown outcome"),
        };
    }
}

/// <summary>
/// Served from the output cache while the district's results are unchanged (<see cref="ComputedResultsCachePolicy"/>);
/// a miss with the plain options is read by <see cref="LeanResultsReadAttribute"/>, anything else by the stock query path.
/// </summary>
[Authorize]
public class VillageResultsController(EnvScoreDbContext db) : ODataController, ILeanReadSource
{
    [LeanResultsRead, EnvScoreQuery, OutputCache(PolicyName = ComputedResultsCachePolicy.Name)]
    public IQueryable<VillageResult> Get() => db.VillageResults.AsNoTracking().VisibleTo(User, db.Publications);

    IQueryable ILeanReadSource.LeanSource() => Get();
}

[Authorize]
public class TownshipResultsController(EnvScoreDbContext db) : ODataController, ILeanReadSource
{
    [LeanResultsRead, EnvScoreQuery, OutputCache(PolicyName = ComputedResultsCachePolicy.Name)]
    public IQueryable<TownshipResult> Get() => db.TownshipResults.AsNoTracking().VisibleTo(User, db.Publications);

    IQueryable ILeanReadSource.LeanSource() => Get();
}
