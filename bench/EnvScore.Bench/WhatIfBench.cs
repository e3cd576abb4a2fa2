using System.Diagnostics;
using System.Security.Claims;
using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Analysis;
using EnvScore.Api.Features.Computation;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Domain.Calendar;
using Microsoft.Extensions.DependencyInjection;

namespace EnvScore.Bench;

/// <summary>
/// The cost of the what-if (<see cref="WhatIfService"/>) over a computed month: each district's counted sheets re-scored
/// with the rule set in force (the compiled path), tiered and compared with the stored results, one district after
/// another as an admin would ask. With the same rules nothing may change: the run also counts villages whose
/// what-if tier or rank differs from the stored one (expected 0) — a consistency check of the what-if path at scale.
/// Run after <c>generate</c> and <c>compute</c>; not run by tests.
/// </summary>
public static class WhatIfBench
{
    public static async Task<int> RunAsync(string cs, EvaluationMonth month, int limit)
    {
        await using var host = new ProductHost(cs);
        host.Start();
        int[] districts;
        await using (var scope = host.Scope())
            districts = await scope.ServiceProvider.GetRequiredService<DeadlineProcessor>().DistrictIdsAsync(CancellationToken.None);
        if (limit > 0) districts = districts.Take(limit).ToArray();
        Console.WriteLine($"what-if: {districts.Length:N0} district(s), month {month}");
        long villages = 0, changed = 0, failed = 0;
        var watch = Stopwatch.StartNew();
        foreach (var district in districts)
        {
            await using var scope = host.Scope();
            var ruleSet = await scope.ServiceProvider.GetRequiredService<RuleSetStore>().ResolveAsync(district, month);
            if (ruleSet is null) { failed++; continue; }
            var admin = new ClaimsPrincipal(new ClaimsIdentity(
                [new Claim(ClaimTypes.Name, "bench"), new Claim(ClaimTypes.Role, Roles.DistrictAdmin), new Claim(ScopeClaims.DistrictId, district.ToString())], "bench"));
            switch (await scope.ServiceProvider.GetRequiredService<WhatIfService>().RunAsync(admin, ruleSet.Id, month, CancellationToken.None))
            {
                case WhatIfOutcome.Done d:
                    villages += d.Result.Villages.Count;
                    changed += d.Result.Villages.Count(v => v.NewTier != v.Tier || v.NewDistrictRank != v.DistrictRank || v.NewFinalScore != v.FinalScore);
                    break;
                default: failed++; break;
            }
        }
        watch.Stop();
        Console.WriteLine($"| districts | villages | wall time (s) | villages/s | differing from stored | failed |");
        Console.WriteLine($"| {districts.Length:N0} | {villages:N0} | {watch.Elapsed.TotalSeconds:F1} | {villages / Math.Max(watch.Elapsed.TotalSeconds, 0.001):N0} | {changed:N0} | {failed:N0} |");
        return changed == 0 && failed == 0 ? 0 : 1;
    }
}
