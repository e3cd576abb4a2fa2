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
        // $format: JSON is the only representation; anything else is refused rather than silently answered as JSON.
        if (context.HttpContext.Request.Query.TryGetValue("$format", out var format)
            && !format.ToString().StartsWith("json", StringComparison.OrdinalIgnoreCase)
            && !format.ToString().StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            Errors.ErrorCodes.Set(context.HttpContext, Errors.ErrorCodes.NotAcceptable);
            context.Result = new ObjectResult(new ODataError
            {
                Code = Errors.ErrorCodes.NotAcceptable,
                Message = $"不支持的格式$format={format}：本服务只提供JSON，请去掉$format或写$format=json (only JSON is supported)",
            }) { StatusCode = StatusCodes.Status406NotAcceptable };
            return;
        }
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
        var (code, text) = Translate(message);
        return new BadRequestObjectResult(new ODataError { Code = code, Message = text });
    }

    private const string Limits = "每页最多100条、$expand最多2层、表达式最多100个节点、$orderby最多5项";

    /// <summary>
    /// The OData library's English refusal, said in Chinese with a short English gloss; the library's own text never
    /// leaves (it names CLR types and internals). Constructs EnvScore does not evaluate are <c>UnsupportedQuery</c>.
    /// </summary>
    public static (string Code, string Message) Translate(string message)
    {
        if (ErrorsChinese(message)) return (Errors.ErrorCodes.InvalidQuery, message.Contains("超出限制", StringComparison.Ordinal) ? message : $"查询超出限制或无效：{message}");
        System.Text.RegularExpressions.Match m;
        if ((m = Rx(@"The limit of '(\d+)' for (\w+) query has been exceeded(?:.*?incoming request is '(\d+)')?")).Success)
            return (Errors.ErrorCodes.InvalidQuery, $"查询超出限制：${m.Groups[2].Value.ToLowerInvariant()}不能超过{m.Groups[1].Value}" +
                (m.Groups[3].Success ? $"（请求为{m.Groups[3].Value}）" : "") +
                $"；更多的行请按@odata.nextLink翻页 (${m.Groups[2].Value.ToLowerInvariant()} is limited to {m.Groups[1].Value})");
        if ((m = Rx(@"Query option '(\w+)' is not allowed")).Success)
            return (Errors.ErrorCodes.UnsupportedQuery, m.Groups[1].Value.Equals("SkipToken", StringComparison.OrdinalIgnoreCase)
                ? "不支持查询选项$skiptoken：翻页请直接请求回答中的@odata.nextLink，或用$skip与$top ($skiptoken is not supported)"
                : $"不支持查询选项${m.Groups[1].Value.ToLowerInvariant()} (query option ${m.Groups[1].Value.ToLowerInvariant()} is not supported)");
        if ((m = Rx(@"incompatible types.*?operand types '([^']+)' and '([^']+)' for operator kind '(\w+)'")).Success)
            return (Errors.ErrorCodes.UnsupportedQuery, $"运算符{Operator(m.Groups[3].Value)}不能用于{Type(m.Groups[1].Value)}与{Type(m.Groups[2].Value)}之间；" +
                "枚举属性（如 tier、status、kind）只能用 eq、ne、in 与带类型的取值比较，例如 tier eq EnvScore.Tier'Rectify' (operator on incompatible types)");
        if ((m = Rx(@"Could not find a property named '([^']+)' on type '([^']+)'")).Success)
            return (Errors.ErrorCodes.InvalidQuery, $"属性{m.Groups[1].Value}不存在于{Type(m.Groups[2].Value)}；可用的属性见 $metadata (no such property)");
        if ((m = Rx(@"An unknown function with name '([^']+)' was found")).Success)
            return (Errors.ErrorCodes.UnsupportedQuery, $"不支持函数{m.Groups[1].Value}；支持的函数见 docs/api.md (unknown function)");
        if ((m = Rx(@"The query specified in the URI is not valid\. (.*)")).Success && !m.Groups[1].Value.StartsWith("The query specified", StringComparison.Ordinal))
            return Translate(m.Groups[1].Value);
        if (message.Contains("any/all", StringComparison.OrdinalIgnoreCase) || message.Contains("MaxAnyAllExpressionDepth", StringComparison.Ordinal))
            return (Errors.ErrorCodes.InvalidQuery, "查询超出限制：any/all最多嵌套2层 (any/all nesting is limited to 2)");
        if (Rx(@"orderby", true).Success && Rx(@"exceed|limit|maximum", true).Success)
            return (Errors.ErrorCodes.InvalidQuery, "查询超出限制：$orderby最多5项 ($orderby is limited to 5 clauses)");
        if (message.Contains("node count", StringComparison.OrdinalIgnoreCase) || message.Contains("MaxNodeCount", StringComparison.Ordinal))
            return (Errors.ErrorCodes.InvalidQuery, "查询超出限制：表达式最多100个节点（运算、函数与取值） (the expression is limited to 100 nodes)");
        if (message.Contains("MaxExpansionDepth", StringComparison.Ordinal) || message.Contains("expansion depth", StringComparison.OrdinalIgnoreCase))
            return (Errors.ErrorCodes.InvalidQuery, "查询超出限制：$expand最多2层 ($expand is limited to depth 2)");
        if (message.Contains("target of an invocation", StringComparison.Ordinal) || message.Contains("overflow", StringComparison.OrdinalIgnoreCase))
            return (Errors.ErrorCodes.UnsupportedQuery, "查询无法执行：其中的常量或运算超出范围（如整数溢出）。请改小数值，支持的写法见 docs/api.md (the query cannot be evaluated)");
        if ((m = Rx(@"Syntax error at position (\d+) in '([^']*)'")).Success)
            return (Errors.ErrorCodes.InvalidQuery, $"查询语法错误：\"{m.Groups[2].Value}\"的第{m.Groups[1].Value}个字符附近；写法见 docs/api.md (syntax error at position {m.Groups[1].Value})");
        return (Errors.ErrorCodes.InvalidQuery, $"查询无效或超出限制（{Limits}）；写法见 docs/api.md (the query is invalid or over a limit)");

        System.Text.RegularExpressions.Match Rx(string pattern, bool ignoreCase = false) =>
            System.Text.RegularExpressions.Regex.Match(message, pattern, System.Text.RegularExpressions.RegexOptions.Singleline | System.Text.RegularExpressions.RegexOptions.CultureInvariant
                | (ignoreCase ? System.Text.RegularExpressions.RegexOptions.IgnoreCase : 0));
    }

    private static bool ErrorsChinese(string message) => Errors.ErrorCodes.IsChinese(message);

    private static string Type(string edm) => edm switch
    {
        "Edm.String" => "字符串",
        "Edm.Int32" or "Edm.Int64" or "Edm.Int16" or "Edm.Byte" => "整数",
        "Edm.Decimal" or "Edm.Double" or "Edm.Single" => "数字",
        "Edm.Boolean" => "布尔值",
        "Edm.DateTimeOffset" => "时间",
        "Edm.Date" => "日期",
        var t when t.StartsWith("EnvScore.", StringComparison.Ordinal) => $"枚举{t["EnvScore.".Length..]}",
        var t => t,
    };

    private static string Operator(string kind) => kind switch
    {
        "GreaterThan" => "gt", "GreaterThanOrEqual" => "ge", "LessThan" => "lt", "LessThanOrEqual" => "le",
        "Equal" => "eq", "NotEqual" => "ne", "Add" => "add", "Subtract" => "sub", "Multiply" => "mul",
        "Divide" => "div", "Modulo" => "mod", "And" => "and", "Or" => "or", "Has" => "has", var k => k,
    };
}
