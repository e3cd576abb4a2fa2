using System.Net;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Api.Features.Computation;
using EnvScore.Domain.Calendar;
using EnvScore.Testing;
using Microsoft.Extensions.DependencyInjection;
using static EnvScore.Api.Tests.Computation.ComputationData;

namespace EnvScore.Api.Tests.Analysis;

/// <summary>
/// Found by a fresh user: the what-if of a draft in which L01 乱搭乱建 became a levels item answered 422 "有N张评分表与该细则不符"
/// without naming the item. Now the answer names the item (code and name), the kinds before and after, what the draft
/// expects, and the sheets concerned, in Chinese with machine-readable codes. Expected texts are written by hand.
/// </summary>
public sealed class WhatIfKindChangeTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    public const string PerOccurrenceL01 = """
              - code: L01
                title: 乱搭乱建
                kind: perOccurrence
                points: 5
                deductionEach: 2
                unit: 处
        """;

    public const string LevelsL01 = """
              - code: L01
                title: 乱搭乱建
                kind: levels
                points: 5
                levels:
                  - code: A
                    name: 无违章搭建
                    deduction: 0
                  - code: B
                    name: 有违章搭建
                    deduction: 5
        """;

    /// <summary>The active sheet with L01 turned into a levels item, as version 2 (a draft of the district).</summary>
    public static string KindChangedDraft(string activeSource)
    {
        var yaml = activeSource.Replace("version: 1\n", "version: 2\n").Replace("effectiveFrom: \"2026-01\"", "effectiveFrom: \"2026-10\"");
        var start = yaml.IndexOf("      - code: L01\n", StringComparison.Ordinal);
        var end = yaml.IndexOf("      - code: L02\n", StringComparison.Ordinal);
        Assert.True(start > 0 && end > start, "the default sheet has L01 before L02");
        return yaml[..start] + LevelsL01.Replace("\r", "") + "\n" + yaml[end..];
    }

    [Fact]
    public async Task A_kind_change_is_named_with_the_item_and_what_is_expected()
    {
        const int Oct = 202610;
        var (districtId, active, rules) = await ContextAsync(factory);
        var at = new DateTimeOffset(2026, 10, 30, 0, 0, 0, TimeSpan.Zero);
        await AddSheetAsync(factory, Village(0, 0), Oct, EvaluationKind.Self, EvaluationStatus.Submitted, Entries(rules, [("L01", 1)]), at);
        await AddSheetAsync(factory, Village(0, 1), Oct, EvaluationKind.Self, EvaluationStatus.Submitted, Entries(rules, [("L01", 2), ("L02", 1)]), at);
        await using (var scope = factory.Services.CreateAsyncScope())
            Assert.IsType<ComputationOutcome.Completed>(await scope.ServiceProvider.GetRequiredService<MonthlyComputation>()
                .RunAsync(districtId, EvaluationMonth.FromKey(Oct), "test"));
        int draftId;
        await using (var scope = factory.Services.CreateAsyncScope())
            draftId = Assert.IsType<RuleSetWrite.Created>(await scope.ServiceProvider.GetRequiredService<RuleSetStore>()
                .ImportAsync(districtId, KindChangedDraft(active.Source), "draft.yaml", "admin")).RuleSet.Id;

        var admin = await factory.ClientForAsync("admin");
        var answer = await (await admin.GetAsync($"/api/what-if/{draftId}/2026-10")).ExpectAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("SheetsDoNotFit", answer.GetProperty("code").GetString());
        var title = answer.GetProperty("title").GetString()!;
        Assert.Contains("评分项L01（乱搭乱建）的类型已由“每处扣分”改为“分档扣分”", title);
        var problems = answer.GetProperty("problems").EnumerateArray().ToList();
        var kind = problems[0];
        Assert.Equal("ItemKindChanged", kind.GetProperty("code").GetString());
        Assert.Equal("L01", kind.GetProperty("itemCode").GetString());
        Assert.Equal("乱搭乱建", kind.GetProperty("itemName").GetString());
        Assert.Equal("PerOccurrence", kind.GetProperty("kindBefore").GetString());
        Assert.Equal("Levels", kind.GetProperty("kindNow").GetString());
        Assert.Equal("一个等级（A=无违章搭建、B=有违章搭建）", kind.GetProperty("expected").GetString());
        Assert.Equal("level", kind.GetProperty("field").GetString());
        Assert.StartsWith("评分项L01（乱搭乱建）的类型已由“每处扣分”改为“分档扣分”：评分表按原类型填的是处数，试算的细则要求一个等级（A=无违章搭建、B=有违章搭建）。",
            kind.GetProperty("message").GetString());
        Assert.Equal(2, kind.GetProperty("sheets").GetArrayLength());
        // Every other problem names its item too (code and name), never an anonymous line.
        Assert.All(problems.Skip(1), p =>
        {
            Assert.False(string.IsNullOrEmpty(p.GetProperty("code").GetString()));
            if (p.GetProperty("itemCode").GetString() is { } code)
                Assert.StartsWith($"评分项{code}（{p.GetProperty("itemName").GetString()}）", p.GetProperty("message").GetString());
        });
    }
}
