using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.OData.Results;
using Microsoft.AspNetCore.OData.Query;
using Microsoft.OData;

namespace EnvScore.Api.Infrastructure.OData;

/// <summary>
/// [EnableQuery] with the limits every EnvScore entity set shares, so that no query can run away.
/// A request over a limit gets 400 with an OData error naming the limit (code <c>InvalidQuery</c>); a construct EnvScore
/// does not evaluate gets 400 naming it (code <c>UnsupportedQuery</c>, <see cref="QueryRules"/>).
/// </summary>
public sealed class EnvScoreQueryAttribute : EnableQueryAttribute
{
    public const int DefaultPageSize = 100;

    public EnvScoreQueryAttribute()
    {
        PageSize = DefaultPageSize;        // server-driven paging: @odata.nextLink
        MaxTop = DefaultPageSize;
        MaxSkip = 1_000_000;
        MaxNodeCount = 100;
        MaxExpansionDepth = 2;
        MaxAnyAllExpressionDepth = 2;
        MaxOrderByNodeCount = 5;
        HandleNullPropagation = HandleNullPropagationOption.False; // SQL handles nulls; keeps queries translatable
    }

    /// <summary>Longest $apply accepted, and most operators/function calls in it (the bound MaxNodeCount gives $filter).</summary>
    public const int MaxApplyLength = 2000;

    /// <summary>
    /// The stock checks, then EnvScore's (<see cref="QueryRules"/>: unsupported functions, operators, $search); and $apply,
    /// which MaxNodeCount does not cover (issue #21), bounded in length and operators/calls like $filter.
    /// </summary>
    public override void ValidateQuery(HttpRequest request, ODataQueryOptions queryOptions)
    {
        if (queryOptions.RawValues.Apply is { } apply)
        {
            if (apply.Length > MaxApplyLength)
                throw new ODataException($"$apply超过{MaxApplyLength}个字符 ($apply longer than {MaxApplyLength} characters)");
            var nodes = ApplyNodes.Matches(apply).Count;
            if (nodes > MaxNodeCount)
                throw new ODataException($"$apply含{nodes}个运算或函数，超过{MaxNodeCount}个 ($apply has {nodes} operators or calls, more than {MaxNodeCount})");
        }
        QueryRules.Validate(queryOptions); // first among the parsing checks: its refusals name the construct in Chinese
        base.ValidateQuery(request, queryOptions);
    }

    private static readonly System.Text.RegularExpressions.Regex ApplyNodes = new(
        @"\b(eq|ne|gt|ge|lt|le|and|or|not|has|in|add|sub|mul|div|mod|with|as)\b|\(|,",
        System.Text.RegularExpressions.RegexOptions.Compiled | System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>
    /// The stock 400 carries the exception's stack trace in "innererror": answer with the message
    /// only, led by Chinese for the users.
    /// </summary>
    public override void OnActionExecuting(ActionExecutingContext context)
    {
        base.OnActionExecuting(context);
        context.Result = Sanitize(context.Result);
    }

    public override void OnActionExecuted(ActionExecutedContext context)
    {
        base.OnActionExecuted(context);
        context.Result = Sanitize(context.Result);
    }

    private static IActionResult? Sanitize(IActionResult? result)
    {
        // The attribute reports a rejected query as a SerializableError that carries the exception.
        var message = result switch
        {
            BadRequestObjectResult { Value: SerializableError e } =>
                (e.TryGetValue("ExceptionMessage", out var m) ? m : e.GetValueOrDefault("Message")) as string,
            ODataErrorResult r => r.Error.Message,
            _ => null,
        };
        if (message is null) return result;
        if (message.StartsWith(QueryRules.Marker, StringComparison.Ordinal))
            return new BadRequestObjectResult(new ODataError
            {
                Code = Errors.ErrorCodes.UnsupportedQuery,
                Message = "查询不受支持：" + message[QueryRules.Marker.Length..],
            });
        return new BadRequestObjectResult(new ODataError
        {
            Code = Errors.ErrorCodes.InvalidQuery,
            Message = $"查询无效或超出限制（每页最多{DefaultPageSize}条、$expand最多2层、表达式最多100个节点、$orderby最多5项）：{message}",
        });
    }
}
