using System.Net;
using System.Security.Claims;
using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Computation;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Features.Publication;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Rules;
using EnvScore.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EnvScore.Browser.Tests;

/// <summary>The service on real Kestrel at 127.0.0.1 (a browser needs a socket), on its own fresh database.</summary>
public sealed class KestrelFactory : EnvScoreFactory
{
    public string BaseUrl { get; private set; } = "";

    /// <summary>Webhook retries without a wait between posts (the fake clock would hold a backoff forever).</summary>
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Notifications:RetryDelay"] = "00:00:00" };

    /// <summary>Starts Kestrel once (after the fixture's database exists) and returns the base address.</summary>
    public string Start()
    {
        if (BaseUrl.Length > 0) return BaseUrl;
        UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        StartServer();
        return BaseUrl = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
    }

    public async Task<RuleSet> RulesAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<EnvScoreDbContext>();
        var record = await db.RuleSets.AsNoTracking().SingleAsync(r => r.Status == RuleSetStatus.Active);
        return RuleSetLoader.Parse(record.Source).RuleSet!;
    }

    /// <summary>
    /// Aug–Oct 2026 computed and published (straight through the services), so that the village trend
    /// chart has history; every village's sheet differs a little from month to month.
    /// </summary>
    public async Task SeedHistoryAsync()
    {
        var rules = await RulesAsync();
        var occurrence = rules.Items.OfType<PerOccurrenceItem>().First();
        await using var scope = Services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<EnvScoreDbContext>();
        var record = await db.RuleSets.AsNoTracking().SingleAsync(r => r.Status == RuleSetStatus.Active);
        var villages = await db.Villages.AsNoTracking().Include(v => v.Township).OrderBy(v => v.Code).ToListAsync();
        var districtId = villages[0].Township!.DistrictId;
        var admin = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "admin"), new Claim(ClaimTypes.Role, Roles.DistrictAdmin), new Claim(ScopeClaims.DistrictId, districtId.ToString())], "test"));
        foreach (var month in new[] { new EvaluationMonth(2026, 8), new EvaluationMonth(2026, 9), new EvaluationMonth(2026, 10) })
        {
            var at = new DateTimeOffset(month.Year, month.Month, 25, 2, 0, 0, TimeSpan.Zero);
            for (var i = 0; i < villages.Count; i++)
            {
                var v = villages[i];
                var entries = FullMarks(rules);
                entries.Add(new EvaluationEntry { ItemCode = occurrence.Code, Count = (i * 7 + month.Month * 3) % 6 });
                if ((i + month.Month) % 9 == 0) entries.Add(new EvaluationEntry { ItemCode = rules.Items.OfType<PerOccurrenceItem>().Skip(1).First().Code, Count = 5 + i % 4 });
                db.Evaluations.Add(new Evaluation
                {
                    VillageId = v.Id, TownshipId = v.TownshipId, DistrictId = districtId, Month = month.Key, Kind = EvaluationKind.Self, RuleSetId = record.Id,
                    CreatedAt = at, CreatedBy = "seed", UpdatedAt = at, UpdatedBy = "seed", Entries = entries,
                }.WithHistory(EvaluationStatus.Locked, at, "seed", at));
            }
            await db.SaveChangesAsync();
            var computed = await sp.GetRequiredService<MonthlyComputation>().RunAsync(districtId, month, "seed");
            Assert.Equal(ComputationStatus.Succeeded, Assert.IsType<ComputationOutcome.Completed>(computed).Run.Status);
            Assert.IsType<PublicationOutcome.Published>(await sp.GetRequiredService<PublicationService>()
                .PublishAsync(admin, month, new PublishRequest(null, null, null, null), CancellationToken.None));
        }
    }

    public static List<EvaluationEntry> FullMarks(RuleSet rules) => rules.Items.Select(i => i switch
    {
        LevelsItem l => new EvaluationEntry { ItemCode = i.Code, Level = l.Levels.OrderBy(x => x.Deduction).First().Code },
        PassFailItem => new EvaluationEntry { ItemCode = i.Code, Passed = true },
        _ => null,
    }).OfType<EvaluationEntry>().ToList();
}

