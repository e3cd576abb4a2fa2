using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Core.Infrastructure;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace EnvScore.Api.Pages;

/// <summary>
/// A page that answers 404 (no such village, sheet or rule set) or 400 (an expired form: the antiforgery token no longer
/// matches) gets a Chinese page in the site's layout with the way back — never the API's JSON problem details.
/// Refusals (403) already go to <c>/denied</c> through the cookie handler.
/// </summary>
public sealed class StatusPageFilter : IAsyncAlwaysRunResultFilter
{
    /// <summary>What the status page shows: the status code, a heading and one sentence.</summary>
    public sealed record StatusView(int Status, string Title, string Text);

    public Task OnResultExecutionAsync(ResultExecutingContext context, ResultExecutionDelegate next)
    {
        StatusView? view = context.Result switch
        {
            IAntiforgeryValidationFailedResult => new(400, "页面已过期", "表单已过期或来自其他页面，未保存任何内容。请返回上一页，刷新后重新填写提交。"),
            NotFoundResult or NotFoundObjectResult => new(404, "找不到该页面", "要查看的村（社区）、评分表或记录不存在，可能链接有误或已被删除。"),
            StatusCodeResult { StatusCode: 404 } => new(404, "找不到该页面", "要查看的内容不存在，可能链接有误或已被删除。"),
            BadRequestResult or BadRequestObjectResult => new(400, "请求有误", "提交的内容无法识别，未保存任何内容。请返回上一页重新填写。"),
            _ => null,
        };
        if (view is not null)
            context.Result = new PartialViewResult
            {
                ViewName = "_Status", StatusCode = view.Status,
                ViewData = new ViewDataDictionary<StatusView>(new EmptyModelMetadataProvider(), new ModelStateDictionary()) { Model = view },
            };
        return next();
    }
}
