using EnvScore.Domain.Calendar;
using Microsoft.AspNetCore.Mvc;

namespace EnvScore.Api.Infrastructure.Errors;

/// <summary>
/// The one way the API reads a month it is given — a route segment (<c>/api/analysis/1/2026-11</c>), a query
/// (<c>?month=2026-11</c>), a function parameter (<c>ForMonth(month='2026-11')</c>) or a body member
/// (<c>"month": "2026-12"</c>, <c>"fromMonth": "2027-01"</c>): the documented form is <c>"yyyy-MM"</c>
/// (<see cref="EvaluationMonth.TryParse"/> also reads 2026-1, 202611 and 2026年11月), 2000-01 to 2999-12.
/// Anything else is answered 400 with code <see cref="ErrorCodes.InvalidMonth"/> in the field-problem shape, naming the
/// field and what it held: <c>{"code":"InvalidMonth","errors":{"month":["month应为\"yyyy-MM\"格式的月份…，实际为\"2026-13\" …"]}}</c>.
/// A body member of the wrong JSON type (<c>"month": {}</c>) stays <c>InvalidJson</c> like every other member.
/// </summary>
public static class MonthInput
{
    /// <summary>The Chinese message (English gloss in brackets) for a field that does not hold a month.</summary>
    public static string Message(string field, string? given) =>
        $"{field}应为\"yyyy-MM\"格式的月份（如\"2026-11\"，2000-01至2999-12），实际为{Shown(given)} ({field} must be a \"yyyy-MM\" month)";

    private static string Shown(string? given) => given is null ? "空" : $"\"{(given.Length > 40 ? given[..40] + "…" : given)}\"";

    /// <summary>True with the month when <paramref name="text"/> is one; false otherwise (answer with <see cref="Problem(HttpContext,string,string?)"/>).</summary>
    public static bool TryRead(string? text, out EvaluationMonth month) => EvaluationMonth.TryParse(text, out month);

    /// <summary>400 <c>InvalidMonth</c> naming the field, for minimal APIs.</summary>
    public static IResult Problem(HttpContext http, string field, string? given)
    {
        ErrorCodes.Set(http, ErrorCodes.InvalidMonth);
        var message = Message(field, given);
        return Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: Title(message),
            extensions: new Dictionary<string, object?> { ["code"] = ErrorCodes.InvalidMonth });
    }

    /// <summary>400 <c>InvalidMonth</c> naming the field, for controllers.</summary>
    public static IActionResult Problem(ControllerBase controller, string field, string? given) =>
        controller.InvalidFields(new Dictionary<string, string[]> { [field] = [Message(field, given)] }, ErrorCodes.InvalidMonth, Title(Message(field, given)));

    private static string Title(string message)
    {
        var gloss = message.LastIndexOf(" (", StringComparison.Ordinal);
        return (gloss > 0 ? message[..gloss] : message) + " (invalid month)";
    }
}
