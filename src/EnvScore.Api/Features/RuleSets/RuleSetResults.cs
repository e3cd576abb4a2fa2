using Microsoft.AspNetCore.Mvc;

namespace EnvScore.Api.Features.RuleSets;

/// <summary>Turns a <see cref="RuleSetWrite"/> into the HTTP answer — one mapping for the OData controller and the file endpoints.</summary>
public static class RuleSetResults
{
    public static IResult From(RuleSetWrite outcome) => outcome switch
    {
        RuleSetWrite.Created c => Results.Created($"/odata/RuleSets({c.RuleSet.Id})", Summary(c.RuleSet)),
        RuleSetWrite.Unchanged u => Results.Ok(Summary(u.RuleSet)),
        RuleSetWrite.Updated u => Results.Ok(Summary(u.RuleSet)),
        RuleSetWrite.Invalid i => Results.Json(InvalidProblem(i), statusCode: 400, contentType: "application/problem+json"),
        RuleSetWrite.Conflict c => Results.Problem(title: c.Message, statusCode: StatusCodes.Status409Conflict),
        _ => Results.NotFound(),
    };

    public static object Summary(RuleSetRecord r) => new
    {
        r.Id, r.DistrictId, r.Code, r.Version, r.Title, Status = r.Status.ToString(), r.EffectiveFromMonth, r.ContentHash,
    };

    public static ProblemDetails InvalidProblem(RuleSetWrite.Invalid invalid) => new()
    {
        Title = $"评分细则文件有{invalid.Problems.Count}处错误，请逐条修改 (the rule-set file has {invalid.Problems.Count} problems)",
        Status = 400,
        Extensions =
        {
            ["problems"] = invalid.Problems.Select(p => new { kind = p.Kind.ToString(), p.Message, p.File, p.Line, p.Column, p.ItemCode }).ToArray(),
        },
    };
}
