using EnvScore.Api.Infrastructure.Scheduling;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EnvScore.Api.Features.Computation;

public static class ComputationServiceCollectionExtensions
{
    /// <summary>The monthly computation, the deadline step, their Quartz schedule and the results cache policy.</summary>
    public static IHostApplicationBuilder AddEnvScoreComputation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<MonthlyComputation>();
        builder.Services.AddScoped<DeadlineProcessor>();
        // A published month is recomputed only while its correction is open (Features/Publication).
        builder.Services.AddScoped<IMonthPublicationGuard, Publication.PublicationGuard>();
        // Results for signed-in users, keyed by scope and the district's results stamp (UseOutputCache runs after authorization).
        builder.Services.AddSingleton<ResultsStampReader>();
        builder.Services.AddOutputCache(o => o.AddPolicy(ComputedResultsCachePolicy.Name, new ComputedResultsCachePolicy()));
        builder.AddEnvScoreScheduling();
        return builder;
    }
}
