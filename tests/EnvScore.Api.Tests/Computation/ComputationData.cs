using EnvScore.Api.Features.Demo;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Rules;
using EnvScore.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EnvScore.Api.Tests.Computation;

/// <summary>Sheets written straight into the database (the submission endpoints are another feature).</summary>
public static class ComputationData
{
    public static string Village(int township, int index) => DemoDistrict.VillageCode(DemoDistrict.Townships[township], index);

    /// <summary>Full marks: the best level of every levels item, passed for every passFail item, nothing found elsewhere.</summary>
    public static List<EvaluationEntry> FullMarks(RuleSet rules) => rules.Items.Select(i => i switch
    {
        LevelsItem l => new EvaluationEntry { ItemCode = i.Code, Level = l.Levels.OrderBy(x => x.Deduction).First().Code },
        PassFailItem => new EvaluationEntry { ItemCode = i.Code, Passed = true },
        _ => null,
    }).OfType<EvaluationEntry>().ToList();

    /// <summary>Full marks plus the given occurrence counts (perOccurrence items), N/A items and zero-if conditions.</summary>
    public static List<EvaluationEntry> Entries(RuleSet rules, (string Item, int Count)[]? counts = null, string[]? notApplicable = null,
        (string Item, string Condition)[]? zero = null)
    {
        var entries = FullMarks(rules);
        foreach (var (item, count) in counts ?? []) entries.Add(new EvaluationEntry { ItemCode = item, Count = count });
        foreach (var item in notApplicable ?? []) entries.Add(new EvaluationEntry { ItemCode = item, NotApplicable = true });
        foreach (var (item, condition) in zero ?? []) entries.Add(new EvaluationEntry { ItemCode = item, ZeroConditions = [condition] });
        return entries;
    }

    public static async Task<(int DistrictId, RuleSetRecord RuleSet, RuleSet Rules)> ContextAsync(EnvScoreFactory factory)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<EnvScoreDbContext>();
        var district = await db.Districts.SingleAsync(d => d.Code == DemoDistrict.Code);
        var record = await db.RuleSets.AsNoTracking().SingleAsync(r => r.DistrictId == district.Id && r.Status == RuleSetStatus.Active);
        return (district.Id, record, RuleSetLoader.Parse(record.Source).RuleSet!);
    }

    public static async Task AddSheetAsync(EnvScoreFactory factory, string villageCode, int month, EvaluationKind kind, EvaluationStatus status,
        List<EvaluationEntry> entries, DateTimeOffset? submittedAt, params string[] vetoes)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<EnvScoreDbContext>();
        var village = await db.Villages.Include(v => v.Township).SingleAsync(v => v.Code == villageCode);
        var ruleSet = await db.RuleSets.SingleAsync(r => r.DistrictId == village.Township!.DistrictId && r.Status == RuleSetStatus.Active);
        var now = factory.Clock.GetUtcNow();
        db.Evaluations.Add(new Evaluation
        {
            VillageId = village.Id, TownshipId = village.TownshipId, DistrictId = village.Township!.DistrictId, Month = month, Kind = kind,
            RuleSetId = ruleSet.Id, Vetoes = [.. vetoes], CreatedAt = now, CreatedBy = "test", UpdatedAt = now, UpdatedBy = "test",
            Entries = entries.Select(e => new EvaluationEntry
            {
                ItemCode = e.ItemCode, NotApplicable = e.NotApplicable, Count = e.Count, Level = e.Level, FailedSamples = e.FailedSamples,
                Passed = e.Passed, ZeroConditions = [.. e.ZeroConditions],
            }).ToList(),
        }.WithHistory(status, submittedAt, submittedAt is null ? null : "test", status == EvaluationStatus.Locked ? now : null));
        await db.SaveChangesAsync();
    }

    public static async Task<T> WithDbAsync<T>(EnvScoreFactory factory, Func<EnvScoreDbContext, Task<T>> action)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<EnvScoreDbContext>());
    }
}
