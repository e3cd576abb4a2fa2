using EnvScore.Domain.Organisation;
using Microsoft.AspNetCore.Mvc;

namespace EnvScore.Api.Infrastructure.Errors;

/// <summary>The few error shapes controllers return: ProblemDetails with Chinese titles (English in brackets).</summary>
public static class ControllerErrorExtensions
{
    /// <summary>400 <c>InvalidField</c> (or the code set on the request) with <c>errors: {field: [message]}</c>.</summary>
    public static IActionResult InvalidFields(this ControllerBase controller, IDictionary<string, string[]> errors, string code = ErrorCodes.InvalidField, string? title = null)
    {
        ErrorCodes.Set(controller.HttpContext, code);
        return controller.ValidationProblem(new ValidationProblemDetails(errors)
        {
            Title = title ?? "提交的数据有误，请按提示修改 (the request has invalid fields)",
            Status = StatusCodes.Status400BadRequest,
            Extensions = { ["code"] = code },
        });
    }

    /// <summary>
    /// 413 <c>PayloadTooLarge</c> when the body was over the server's limit (<see cref="BodyTooLarge"/>); otherwise
    /// 400 <c>InvalidJson</c> for a body the binder could not read: naming the first field that does not fit the addressed
    /// OData type (<see cref="ODataBodyErrors"/>) in the field-problem shape, else saying the body is not a JSON object.
    /// </summary>
    public static IActionResult UnreadableBody(this ControllerBase controller)
    {
        if (BodyTooLarge.In(controller.ModelState)) return BodyTooLarge.Result(controller); // over the size limit, not unreadable
        ErrorCodes.Set(controller.HttpContext, ErrorCodes.InvalidJson);
        if (ODataBodyErrors.Find(controller.HttpContext) is { } field)
            return controller.ValidationProblem(new ValidationProblemDetails(new Dictionary<string, string[]> { [field.Field] = [field.Message] })
            {
                Title = JsonFieldErrors.TitleFor(field.Message), Status = 400, Extensions = { ["code"] = ErrorCodes.InvalidJson },
            });
        return controller.Problem(title: "请求体无法解析：应为UTF-8编码的JSON对象，字段名与类型见 $metadata (the body could not be read)", statusCode: 400);
    }

    /// <summary>404 naming what was looked for: "编号为7的评分表不存在或您无权查看".</summary>
    public static IActionResult EntityNotFound(this ControllerBase controller, string what, object? key) =>
        controller.Problem(title: key is null
            ? $"{what}不存在或您无权查看 (not found)"
            : $"编号为{key}的{what}不存在或您无权查看 (not found)", statusCode: StatusCodes.Status404NotFound);

    public static IActionResult DuplicateCode(this ControllerBase controller, DivisionCode code) =>
        controller.Problem(title: $"区划代码\"{code}\"已存在 (a unit with this code already exists)", statusCode: StatusCodes.Status409Conflict);
}
