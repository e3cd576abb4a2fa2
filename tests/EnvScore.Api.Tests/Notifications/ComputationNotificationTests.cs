using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EnvScore.Api.Features.Computation;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Tests.Computation;
using EnvScore.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EnvScore.Api.Tests.Notifications;

/// <summary>Problems the monthly computation creates from district checks: one message per district, once (a recomputation adds none).</summary>
public class ComputationNotificationTests(NotificationFactory factory) : IClassFixture<NotificationFactory>
{
    [Fact]
    public async Task District_check_problems_are_announced_once_with_counts_per_township()
    {
        await factory.EnsureAsync();
        var admin = await factory.ClientForAsync("admin");
        await (await admin.PutAsJsonAsync($"/api/notifications/{factory.DistrictId}/webhook", new { url = factory.Robot.Url, flavour = "WeCom" })).ExpectAsync(HttpStatusCode.OK);
        var (districtId, _, rules) = await ComputationData.ContextAsync(factory);
        var submitted = factory.Clock.GetUtcNow().AddDays(-12);
        // 水稻乡: two villages with district-check deductions (L02 3处; L01 1处 and L02 1处); 杏花营镇: one (L02 2处).
        foreach (var (village, found) in new[]
                 {
                     (ComputationData.Village(0, 0), new[] { ("L02", 3) }), (ComputationData.Village(0, 1), new[] { ("L01", 1), ("L02", 1) }),
                     (ComputationData.Village(2, 0), new[] { ("L02", 2) }),
                 })
        {
            await ComputationData.AddSheetAsync(factory, village, 202610, EvaluationKind.Self, EvaluationStatus.Locked, ComputationData.Entries(rules, []), submitted);
            await ComputationData.AddSheetAsync(factory, village, 202610, EvaluationKind.District, EvaluationStatus.Locked, ComputationData.Entries(rules, found), submitted);
        }
        for (var run = 0; run < 2; run++)
        {
            await using var scope = factory.Services.CreateAsyncScope();
            var outcome = await scope.ServiceProvider.GetRequiredService<MonthlyComputation>().RunAsync(districtId, Domain.Calendar.EvaluationMonth.FromKey(202610), "admin");
            Assert.Equal(ComputationStatus.Succeeded, Assert.IsType<ComputationOutcome.Completed>(outcome).Run.Status);
        }
        Assert.Equal(1, await factory.SendAsync());
        var content = JsonDocument.Parse(Assert.Single(factory.Robot.Accepted)).RootElement.GetProperty("markdown").GetProperty("content").GetString();
        Assert.Equal("### 2026年10月区级抽查新增整改问题4个\n- 水稻乡：3个\n- 杏花营镇：1个\n请各乡镇按时限整改。\n\n链接：/work/problems?m=2026-10", content);
    }
}
