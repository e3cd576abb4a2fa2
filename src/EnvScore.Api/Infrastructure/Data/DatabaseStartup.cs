using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Demo;
using EnvScore.Api.Features.RuleSets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EnvScore.Api.Infrastructure.Data;

public static class DatabaseStartup
{
    /// <summary>Applies migrations, ensures roles and, when asked, loads the demo district.</summary>
    public static async Task PrepareDatabaseAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        await sp.GetRequiredService<EnvScoreDbContext>().Database.MigrateAsync(ct);
        await sp.GetRequiredService<AccountProvisioner>().EnsureRolesAsync();
        await InterruptedRuns.RecoverAsync(sp.GetRequiredService<EnvScoreDbContext>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(InterruptedRuns)), ct);

        var demo = sp.GetRequiredService<IOptions<DemoOptions>>().Value;
        if (demo.Seed)
        {
            var password = string.IsNullOrEmpty(demo.Password) ? DemoSeeder.GeneratePassword() : demo.Password;
            if (await sp.GetRequiredService<DemoSeeder>().SeedIfEmptyAsync(password, ct) && string.IsNullOrEmpty(demo.Password))
                Console.WriteLine($"演示账户密码 (demo password): {password}");
        }
        await sp.GetRequiredService<DefaultRuleSet>().EnsureForAllDistrictsAsync(ct);
        if (demo.Seed && demo.SampleMonths > 0) await sp.GetRequiredService<DemoMonths>().AddAsync(demo.SampleMonths, ct);
    }
}
