using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace EnvScore.Api.Infrastructure.Errors;

/// <summary>
/// Every problem a controller returns carries a machine-readable <c>code</c> (issue #15). A ProblemDetails built by hand
/// (<c>BadRequest(new ProblemDetails …)</c>, <c>ValidationProblem(new ValidationProblemDetails …)</c>) does not pass
/// through the problem-details customisation, so this adds what it would have: the code set on the request
/// (<see cref="ErrorCodes.Set"/>), else <c>InvalidField</c> for field problems (<c>errors</c>), else the status's code
/// (<see cref="ErrorCodes.ForStatus"/>: 400 InvalidRequest, 404 NotFound, 409 Conflict…), and the <c>traceId</c>.
/// </summary>
public sealed class ProblemCodeFilter : IAlwaysRunResultFilter
{
    public void OnResultExecuting(ResultExecutingContext context)
    {
        if (context.Result is not ObjectResult { Value: ProblemDetails problem } result) return;
        var status = problem.Status ?? result.StatusCode ?? context.HttpContext.Response.StatusCode;
        problem.Status ??= status;
        if (!problem.Extensions.TryGetValue("code", out var code) || code is not string { Length: > 0 })
            problem.Extensions["code"] = Code(context.HttpContext, problem, status);
        problem.Extensions.TryAdd("traceId", context.HttpContext.TraceIdentifier);
    }

    public void OnResultExecuted(ResultExecutedContext context) { }

    /// <summary>The code a problem without one gets: the request's, else InvalidField for field problems, else the status's.</summary>
    public static string Code(HttpContext http, ProblemDetails problem, int status)
    {
        var set = ErrorCodes.For(http, status);
        if (set != ErrorCodes.ForStatus(status)) return set;
        return status == 400 && problem is HttpValidationProblemDetails ? ErrorCodes.InvalidField : set;
    }
}
