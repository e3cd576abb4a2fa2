using EnvScore.Api.Infrastructure.Scheduling;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EnvScore.Api.Features.Computation;

public static class ComputationServiceCollectionExtensions
{
    /// <summary>The monthly computation, the deadline step and their Quartz schedule.</summary>
    public static IHostApplicationBuilder AddEnvScoreComputation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<MonthlyComputation>();
        builder.Services.AddScoped<DeadlineProcessor>();
        // Publication (a later feature) registers its own guard; TryAdd keeps this default out of its way.
        builder.Services.TryAddScoped<IMonthPublicationGuard, NoPublicationYet>();
        builder.AddEnvScoreScheduling();
        return builder;
    }
}
