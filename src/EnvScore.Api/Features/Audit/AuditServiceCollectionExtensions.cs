namespace EnvScore.Api.Features.Audit;

public static class AuditServiceCollectionExtensions
{
    /// <summary>Reading the audit trail (the writer, <see cref="AuditWriter"/>, is registered with the sheets it audits).</summary>
    public static IHostApplicationBuilder AddEnvScoreAudit(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<AuditQuery>();
        return builder;
    }
}
