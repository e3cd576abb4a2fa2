using EnvScore.Domain.Organisation;
using Microsoft.AspNetCore.Mvc;

namespace EnvScore.Api.Infrastructure.Errors;

/// <summary>The few error shapes controllers return: ProblemDetails with Chinese titles (English in brackets).</summary>
public static class ControllerErrorExtensions
{
    public static IActionResult InvalidFields(this ControllerBase controller, IDictionary<string, string[]> errors) =>
        controller.ValidationProblem(new ValidationProblemDetails(errors)
        {
            Title = "提交的数据有误，请按提示修改 (the request has invalid fields)",
            Status = StatusCodes.Status400BadRequest,
        });

    public static IActionResult UnreadableBody(this ControllerBase controller) =>
        controller.Problem(title: "请求体无法解析：应为JSON对象，字段名与类型见 $metadata (the body could not be read)", statusCode: 400);

    public static IActionResult DuplicateCode(this ControllerBase controller, DivisionCode code) =>
        controller.Problem(title: $"区划代码\"{code}\"已存在 (a unit with this code already exists)", statusCode: StatusCodes.Status409Conflict);
}
