using EnvScore.Api.Features.Computation;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Features.Rectifications;
using EnvScore.Api.Tests.Computation;
using EnvScore.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EnvScore.Api.Tests.Rectifications;

/// <summary>
/// After the monthly computation, one problem per deduction of a counted district spot-check (from the structured
/// findings); self-evaluation deductions only when the rule set asks (the default sheet does not). Hand values from the
/// default sheet: L02 乱堆乱放 5分, 1分 per 处 — 3 found → 3 points deducted.
/// </summary>
public class RectificationIntakeTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    [Fact]
    public async Task District_check_deductions_become_problems_once()
    {
        var (districtId, _, rules) = await ComputationData.ContextAsync(factory);
        var village = ComputationData.Village(0, 0);
        var submitted = factory.Clock.GetUtcNow().AddDays(-12); // 2026-10-29
        await ComputationData.AddSheetAsync(factory, village, 202610, EvaluationKind.Self, EvaluationStatus.Locked,
            ComputationData.Entries(rules, [("L07", 2)]), submitted);
        await ComputationData.AddSheetAsync(factory, village, 202610, EvaluationKind.District, EvaluationStatus.Locked,
            ComputationData.Entries(rules, [("L02", 3)]), submitted);

        for (var run = 0; run < 2; run++) // a recomputation adds nothing twice
        {
            await using var scope = factory.Services.CreateAsyncScope();
            var outcome = await scope.ServiceProvider.GetRequiredService<MonthlyComputation>()
                .RunAsync(districtId, Domain.Calendar.EvaluationMonth.FromKey(202610), "admin");
            Assert.Equal(ComputationStatus.Succeeded, Assert.IsType<ComputationOutcome.Completed>(outcome).Run.Status);
        }

        var problems = await ComputationData.WithDbAsync(factory, db => db.Set<Rectification>().AsNoTracking().Where(r => r.Month == 202610).ToListAsync());
        var problem = Assert.Single(problems); // L07 of the self-evaluation is not a problem on the default sheet
        Assert.Equal("L02", problem.ItemCode);
        Assert.Equal("乱堆乱放", problem.ItemTitle);
        Assert.Equal(3m, problem.Points);
        Assert.Equal(3, problem.Count);
        Assert.Equal(RectificationSource.DistrictCheck, problem.Source);
        Assert.Equal(RectificationState.Open, problem.State);
        Assert.Equal(new DateOnly(2026, 11, 17), problem.Deadline); // computed 2026-11-10 (Asia/Shanghai) + 7 days
        Assert.Contains("3处", problem.Description);
        var audited = await ComputationData.WithDbAsync(factory, db => db.AuditLog.CountAsync(a => a.Action == "Rectification.FromComputation"));
        Assert.Equal(1, audited);
    }
}
