using System.Security.Claims;
using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Computation;
using EnvScore.Api.Features.Publication;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Rules;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Demo;

/// <summary>
/// Sample history for the demo: submitted self-evaluations (and a few district checks) for the last
/// complete months, then the deadline, the computation and (all but the latest month) publication, so
/// that rankings and trends have something to show. Deterministic (seeded by village and month); only for an empty demo district.
/// </summary>
public class DemoMonths(EnvScoreDbContext db, RuleSetStore ruleSets, DeadlineProcessor deadline, MonthlyComputation computation,
    PublicationService publication, TimeProvider time, ILogger<DemoMonths> log)
{
    public async Task AddAsync(int months, CancellationToken ct = default)
    {
        var district = await db.Districts.AsNoTracking().SingleAsync(d => d.Code == DemoDistrict.Code, ct);
        if (await db.Evaluations.AnyAsync(e => e.DistrictId == district.Id, ct)) return;
        var current = ChinaTime.MonthOf(time.GetUtcNow());
        var villages = await db.Villages.AsNoTracking().Include(v => v.Township)
            .Where(v => v.Township!.DistrictId == district.Id).OrderBy(v => v.Id).ToListAsync(ct);

        for (var back = months; back >= 1; back--)
        {
            var month = current.AddMonths(-back);
            var record = await ruleSets.ResolveAsync(district.Id, month, ct);
            if (record is null) continue;
            var rules = ruleSets.Parse(record);
            var submittedAt = ChinaTime.At(new DateOnly(month.Next().Year, month.Next().Month, 3), new TimeOnly(16, 0)).ToUniversalTime();
            foreach (var village in villages)
            {
                var random = new Random(village.Id * 1000 + month.Month);
                if (random.NextDouble() < 0.04) continue; // a few villages never submit
                db.Evaluations.Add(Sheet(village.Id, village.TownshipId, district.Id, month, record.Id, EvaluationKind.Self, rules, random, submittedAt, strictness: 0));
                if (random.NextDouble() < 0.15) // district spot-checks find a little more
                    db.Evaluations.Add(Sheet(village.Id, village.TownshipId, district.Id, month, record.Id, EvaluationKind.District, rules, random, submittedAt, strictness: 1));
            }
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            await deadline.RunAsync(district.Id, month, ct);
            await computation.RunAsync(district.Id, month, "system:demo", ct);
            // Earlier months are published so the public pages have content; the latest is left for the admin to review and publish.
            if (back > 1) await publication.PublishAsync(DemoAdmin(district.Id), month, new PublishRequest(null, null, null, null), ct);
            log.LogInformation("Demo month {Month} loaded and computed{Published}", month, back > 1 ? " and published" : "");
        }
        await DemoLedger.ShapeAsync(db, district.Id, time, ct);
    }

    private static ClaimsPrincipal DemoAdmin(int districtId) => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.Name, "system:demo"), new Claim(ClaimTypes.Role, Roles.DistrictAdmin),
        new Claim(ScopeClaims.DistrictId, districtId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ], "demo"));

    private static Evaluation Sheet(int villageId, int townshipId, int districtId, EvaluationMonth month, int ruleSetId,
        EvaluationKind kind, RuleSet rules, Random random, DateTimeOffset submittedAt, int strictness) => new Evaluation
    {
        VillageId = villageId, TownshipId = townshipId, DistrictId = districtId, Month = month.Key, Kind = kind, RuleSetId = ruleSetId,
        CreatedAt = submittedAt, CreatedBy = "system:demo", UpdatedAt = submittedAt, UpdatedBy = "system:demo",
        Vetoes = kind == EvaluationKind.Self && random.NextDouble() < 0.01 && rules.Vetoes.Count > 0 ? [rules.Vetoes[0].Code] : [],
        Entries = [.. rules.Items.Select(item => Entry(item, random, strictness))],
    }.WithHistory(EvaluationStatus.Submitted, submittedAt, "system:demo");

    /// <summary>Most items clean, a long tail of findings; district checks are a little stricter.</summary>
    private static EvaluationEntry Entry(ScoringItem item, Random random, int strictness)
    {
        if (item.MayBeNotApplicable && random.NextDouble() < 0.08) return new EvaluationEntry { ItemCode = item.Code, NotApplicable = true };
        var roll = random.NextDouble() - strictness * 0.08;
        var findings = roll < 0.03 ? 3 : roll < 0.10 ? 2 : roll < 0.25 ? 1 : 0;
        return item switch
        {
            PerOccurrenceItem => new EvaluationEntry { ItemCode = item.Code, Count = findings },
            SampledItem s => new EvaluationEntry { ItemCode = item.Code, FailedSamples = Math.Min(findings, s.Samples) },
            LevelsItem l => new EvaluationEntry { ItemCode = item.Code, Level = l.Levels.OrderBy(v => v.Deduction).ElementAt(Math.Min(findings, l.Levels.Count - 1)).Code },
            _ => new EvaluationEntry { ItemCode = item.Code, Passed = findings < 2 },
        };
    }
}
