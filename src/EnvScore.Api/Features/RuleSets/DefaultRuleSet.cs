using EnvScore.Api.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.RuleSets;

/// <summary>The shipped default sheet (scoring-rules/six-disorders-six-cleanups.yaml, embedded).</summary>
public class DefaultRuleSet(EnvScoreDbContext db, RuleSetStore store, ILogger<DefaultRuleSet> log)
{
    public const string FileName = "six-disorders-six-cleanups.yaml";

    public static string Yaml { get; } = ReadEmbedded();

    /// <summary>Every district without any rule set gets the default sheet, active from its effectiveFrom month.</summary>
    public async Task EnsureForAllDistrictsAsync(CancellationToken ct = default)
    {
        var bare = await db.Districts.Where(d => !db.RuleSets.Any(r => r.DistrictId == d.Id)).Select(d => d.Id).ToListAsync(ct);
        foreach (var districtId in bare)
        {
            var outcome = await store.ImportAsync(districtId, Yaml, FileName, "system", ct);
            if (outcome is not RuleSetWrite.Created { RuleSet: var record })
                throw new InvalidOperationException($"The default rule set could not be imported: {outcome}");
            if (await store.ActivateAsync(record, null, "system", ct) is RuleSetWrite.Conflict c)
                throw new InvalidOperationException($"The default rule set could not be activated: {c.Message}");
            log.LogInformation("Default rule set {Code} v{Version} imported and active for district {District}", record.Code, record.Version, districtId);
        }
    }

    private static string ReadEmbedded()
    {
        using var stream = typeof(DefaultRuleSet).Assembly.GetManifestResourceStream(FileName)
            ?? throw new InvalidOperationException($"{FileName} is not embedded in the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

public static class RuleSetsServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddEnvScoreRuleSets(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMemoryCache();
        builder.Services.AddScoped<RuleSetStore>();
        builder.Services.AddScoped<DefaultRuleSet>();
        return builder;
    }
}
