namespace EnvScore.Api.Infrastructure.Errors;

public static class ErrorsServiceCollectionExtensions
{
    /// <summary>Every error leaves as ProblemDetails; stack traces never leave the process.</summary>
    public static IHostApplicationBuilder AddEnvScoreErrors(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            ctx.ProblemDetails.Extensions["traceId"] = ctx.HttpContext.TraceIdentifier;
            if (ctx.ProblemDetails.Status == StatusCodes.Status500InternalServerError)
                ctx.ProblemDetails.Title = "服务器内部错误，请稍后重试或联系管理员 (internal server error)";
        });
        return builder;
    }

    public static WebApplication UseEnvScoreErrors(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}
