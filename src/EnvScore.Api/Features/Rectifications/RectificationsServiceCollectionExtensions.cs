namespace EnvScore.Api.Features.Rectifications;

/// <summary>The rectification loop (整改闭环, issue #17) composed into the host: services, then endpoints.</summary>
public static class RectificationsServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddRectifications(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<RectificationService>();
        builder.Services.AddScoped<RectificationLedger>();
        return builder;
    }

    public static IEndpointRouteBuilder MapRectifications(this IEndpointRouteBuilder app)
    {
        app.MapRectificationEndpoints();
        app.MapLedgerExport();
        return app;
    }
}
