using System.Net;
using EnvScore.Api.Features.Organisation;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Testing;
using Microsoft.Extensions.DependencyInjection;
using static EnvScore.Api.Tests.Computation.ComputationData;

namespace EnvScore.Api.Tests.Analysis;

/// <summary>
/// Another district's rule set is answered on the what-if API and page exactly like a rule set that does not exist
/// (probe 7: "只能试算本区的评分细则" for one, "没有编号为…" for the other revealed which ids other districts hold).
/// Real HTTP against PostgreSQL; the expected sentences are written by hand.
/// </summary>
public sealed class WhatIfAccessTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    [Fact]
    public async Task Another_districts_rule_set_is_answered_like_a_missing_one_on_the_api_and_the_page()
    {
        var (_, active, _) = await ContextAsync(factory);
        int foreign;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<EnvScore.Api.Infrastructure.Data.EnvScoreDbContext>();
            var other = new District { Code = "410205000000", Name = "禹王台区" };
            db.Districts.Add(other);
            await db.SaveChangesAsync();
            foreign = Assert.IsType<RuleSetWrite.Created>(await scope.ServiceProvider.GetRequiredService<RuleSetStore>()
                .ImportAsync(other.Id, active.Source, "other.yaml", "other-admin")).RuleSet.Id;
        }
        var missing = foreign + 1000;
        var admin = await factory.ClientForAsync("admin");

        var a = await (await admin.GetAsync($"/api/what-if/{foreign}/2026-10")).ExpectAsync(HttpStatusCode.NotFound);
        var b = await (await admin.GetAsync($"/api/what-if/{missing}/2026-10")).ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal($"本区没有编号为{foreign}的评分细则。 (no such rule set in your district)", a.GetProperty("title").GetString());
        Assert.Equal($"本区没有编号为{missing}的评分细则。 (no such rule set in your district)", b.GetProperty("title").GetString());

        var pageA = await admin.GetStringAsync($"/admin/whatif?id={foreign}&m=2026-10");
        var pageB = await admin.GetStringAsync($"/admin/whatif?id={missing}&m=2026-10");
        Assert.Contains($"本区没有编号为{foreign}的评分细则。请在下面选择一版本区的评分细则。", pageA);
        Assert.Contains($"本区没有编号为{missing}的评分细则。请在下面选择一版本区的评分细则。", pageB);
        Assert.DoesNotContain("只能试算本区", pageA);
        // The rule-set API's own lookups answer the same way (404 for both).
        Assert.Equal((await admin.GetAsync($"/api/rule-sets/{missing}/source")).StatusCode, (await admin.GetAsync($"/api/rule-sets/{foreign}/source")).StatusCode);
    }
}
