using EnvScore.Api.Infrastructure.Errors;
using EnvScore.Api.Features.Accounts;
using EnvScore.Domain.Calendar;

namespace EnvScore.Api.Features.Analysis;

/// <summary>
/// <c>GET /api/analysis/{districtId}/{yyyy-MM}?months=6</c> (DistrictAdmin, DistrictInspector of that district): the
/// <see cref="DistrictAnalysis"/> of the <c>months</c> (1–24) computed months ending with the given one, as JSON.
/// <c>GET /api/what-if/{ruleSetId}/{yyyy-MM}</c> (DistrictAdmin of the rule set's district): <see cref="WhatIfResult"/>;
/// 422 with every sheet that does not fit the rule set; 404 for an unknown rule set, another district's rule set (the same answer: ids are not revealed) or an uncomputed month.
/// </summary>
public static class AnalysisEndpoints
{
    public static IHostApplicationBuilder AddEnvScoreAnalysis(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<AnalysisService>();
        builder.Services.AddScoped<WhatIfService>();
        return builder;
    }

    public static IEndpointRouteBuilder MapAnalysis(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/analysis/{districtId:int}/{month}", async (int districtId, string month, int? months, HttpContext http, AnalysisService analysis, CancellationToken ct) =>
        {
            if (!MonthInput.TryRead(month, out var m)) return MonthInput.Problem(http, "month", month);
            if (months is < 1 or > AnalysisService.MaxMonths)
                return Results.Problem(title: $"months应为1到{AnalysisService.MaxMonths}之间的整数，实际为{months} (months must be 1..{AnalysisService.MaxMonths})", statusCode: 400);
            if (http.User.DistrictId() != districtId) return Results.Forbid();
            return Results.Ok(await analysis.ForDistrictAsync(districtId, m, months ?? 6, ct));
        }).RequireAuthorization(p => p.RequireRole(Roles.DistrictAdmin, Roles.DistrictInspector));

        // What-if of a rule change: reads only (GET), DistrictAdmin of the rule set's district.
        app.MapGet("/api/what-if/{ruleSetId:int}/{month}", async (int ruleSetId, string month, HttpContext http, WhatIfService whatIf, CancellationToken ct) =>
        {
            if (!MonthInput.TryRead(month, out var m)) return MonthInput.Problem(http, "month", month);
            return await whatIf.RunAsync(http.User, ruleSetId, m, ct) switch
            {
                WhatIfOutcome.Done d => Results.Ok(d.Result),
                WhatIfOutcome.Invalid i => Unfit(http, i),
                WhatIfOutcome.NotFound n => Results.Problem(title: n.Message, statusCode: 404),
                _ => throw new InvalidOperationException("unknown what-if outcome"),
            };
        }).RequireAuthorization(p => p.RequireRole(Roles.DistrictAdmin));
        return app;
    }

    /// <summary>The code of a what-if refused because sheets do not fit the tried rule set (422); each problem has its own code.</summary>
    public const string CodeSheetsDoNotFit = "SheetsDoNotFit";

    /// <summary>422 naming the first item in the title and every problem (item code and name, cause, expectation, sheets) in <c>problems</c>.</summary>
    private static IResult Unfit(HttpContext http, WhatIfOutcome.Invalid invalid)
    {
        ErrorCodes.Set(http, CodeSheetsDoNotFit);
        return Results.Problem(title: WhatIfTitle(invalid), statusCode: 422,
            extensions: new Dictionary<string, object?> { ["code"] = CodeSheetsDoNotFit, ["problems"] = invalid.Problems });
    }

    /// <summary>"有3张评分表与该细则不符，无法试算：评分项L01（乱搭乱建）的类型已由…" (the API's title and the page's heading).</summary>
    public static string WhatIfTitle(WhatIfOutcome.Invalid invalid)
    {
        var first = invalid.Problems[0].Message;
        var gloss = first.LastIndexOf(" (", StringComparison.Ordinal);
        if (gloss > 0) first = first[..gloss];
        var more = invalid.Problems.Count > 1 ? $"（另有{invalid.Problems.Count - 1}个问题，见problems）" : "";
        return $"有{invalid.SheetCount}张评分表与该细则不符，无法试算：{first}{more} (sheets do not fit the rule set)";
    }
}
