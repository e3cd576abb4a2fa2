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
        // A published month is recomputed only while its correction is open (Features/Publication).
        builder.Services.AddScoped<IMonthPublicationGuard, Publication.PublicationGuard>();
        builder.AddEnvScoreScheduling();
        return builder;
    }
}
