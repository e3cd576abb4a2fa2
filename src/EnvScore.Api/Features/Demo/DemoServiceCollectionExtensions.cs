namespace EnvScore.Api.Features.Demo;

public static class DemoServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddEnvScoreDemo(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<DemoOptions>(builder.Configuration.GetSection("Demo"));
        builder.Services.AddScoped<DemoSeeder>();
        builder.Services.AddScoped<DemoMonths>();
        return builder;
    }
}
