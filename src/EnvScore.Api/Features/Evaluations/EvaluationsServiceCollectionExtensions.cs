using EnvScore.Api.Features.Audit;

namespace EnvScore.Api.Features.Evaluations;

public static class EvaluationsServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddEnvScoreEvaluations(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<Calendar.CalendarDefaults>(builder.Configuration.GetSection("Calendar"));
        builder.Services.AddScoped<Calendar.CalendarService>();
        builder.Services.AddScoped<AuditWriter>();
        builder.Services.AddScoped<SheetWriter>();
        builder.Services.AddScoped<EvaluationService>();
        builder.Services.AddScoped<EvidenceService>();
        builder.Services.AddScoped<Spreadsheets.TownshipImport>();
        builder.Services.AddSingleton<Spreadsheets.SpreadsheetImportHooks>();
        return builder;
    }
}
