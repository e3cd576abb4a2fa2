using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.OData.Results;
using Microsoft.AspNetCore.OData.Query;
using Microsoft.OData;
using Microsoft.OData.Edm;

namespace EnvScore.Api.Infrastructure.OData;

/// <summary>
/// [EnableQuery] with the limits every EnvScore entity set shares, so that no query can run away.
/// A request over a limit gets 400 with an OData error naming the limit (code <c>InvalidQuery</c>); a construct EnvScore
/// does not evaluate gets 400 naming it (code <c>UnsupportedQuery</c>, <see cref="QueryRules"/>).
/// </summary>
public sealed class EnvScoreQueryAttribute : EnableQueryAttribute
{
    public const int DefaultPageSize = 100;

    /// <summary>The largest $skip accepted (docs/api.md).</summary>
    public const int DocumentedMaxSkip = 1_000_000;

    public EnvScoreQueryAttribute()
    {
        PageSize = DefaultPageSize;        // server-driven paging: @odata.nextLink
        MaxTop = DefaultPageSize;
        MaxSkip = DocumentedMaxSkip;
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
        try
        {
            base.OnActionExecuting(context);
        }
        catch (Exception e) when (QueryFaults.DescribeWhileApplying(e, context.HttpContext.Request.Query.ContainsKey("$apply")) is { } message)
        {
            context.Result = CannotEvaluate(context.HttpContext, e, message);
            return;
        }
        context.Result = Sanitize(context.Result, context.HttpContext.Request);
    }

    /// <summary>
    /// The stock filter applies the query; then everything the serializer would otherwise evaluate lazily — after the
    /// 200 and its headers have been sent — is evaluated here, where a failure can still be answered: a result that is still
    /// an <see cref="IQueryable"/> ($apply, a result the page size did not materialize; at most a page, 100 rows) is read
    /// into a list, and the <c>$count=true</c> total (<c>ODataFeature().TotalCountFunc</c>) is computed. A query the data
    /// cannot answer (<see cref="QueryFaults"/>: a PostgreSQL data exception such as an overflow or a negative substring
    /// length, an untranslatable expression) is a 400 <c>UnsupportedQuery</c> with a complete body, never a 500 and never a
    /// 200 cut off mid-body.
    /// </summary>
    public override void OnActionExecuted(ActionExecutedContext context)
    {
        try
        {
            base.OnActionExecuted(context);
            Evaluate(context);
        }
        catch (Exception e) when (QueryFaults.DescribeWhileApplying(e, context.HttpContext.Request.Query.ContainsKey("$apply")) is { } message)
        {
            context.Result = CannotEvaluate(context.HttpContext, e, message);
            return;
        }
        context.Result = Sanitize(context.Result, context.HttpContext.Request);
    }

    private static void Evaluate(ActionExecutedContext context)
    {
        if (context.Result is ObjectResult { Value: IQueryable query } result && result.StatusCode is null or >= 200 and < 300)
        {
            var rows = (System.Collections.IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(query.ElementType))!;
            foreach (var row in query) rows.Add(row);
            result.Value = Queryable.AsQueryable(rows); // same element type, so the serializer sees the same shape
        }
        var feature = Microsoft.AspNetCore.OData.Extensions.HttpContextExtensions.ODataFeature(context.HttpContext);
        if (feature.TotalCount is null && feature.TotalCountFunc is { } count) feature.TotalCount = count();
    }

    private static BadRequestObjectResult CannotEvaluate(HttpContext http, Exception exception, string message)
    {
        http.RequestServices.GetService<ILogger<EnvScoreQueryAttribute>>()?.LogWarning(exception,
            "Refused {Method} {Path}{Query} with 400 UnsupportedQuery", http.Request.Method, http.Request.Path, http.Request.QueryString);
        Errors.ErrorCodes.Set(http, Errors.ErrorCodes.UnsupportedQuery);
        return new BadRequestObjectResult(new ODataError { Code = Errors.ErrorCodes.UnsupportedQuery, Message = message });
    }

    private static IActionResult? Sanitize(IActionResult? result, HttpRequest request)
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
        var addressed = Microsoft.AspNetCore.OData.Extensions.HttpContextExtensions.ODataFeature(request.HttpContext).Path?.LastSegment?.EdmType switch
        {
            IEdmCollectionType c => c.ElementType.Definition as IEdmStructuredType,
            var t => t as IEdmStructuredType,
        };
        var (code, text) = Translate(message, request.Query, addressed);
        return new BadRequestObjectResult(new ODataError { Code = code, Message = text });
    }

    private const string Limits = "每页最多100条、$expand最多2层、表达式最多100个节点、$orderby最多5项";

    /// <summary>
    /// The OData library's English refusal, said in Chinese with a short English gloss; the library's own text never
    /// leaves (it names CLR types and internals). Constructs EnvScore does not evaluate are <c>UnsupportedQuery</c>.
    /// </summary>
    /// <param name="message">The library's English message.</param>
    /// <param name="query">The request's query options, to name the option a refusal is about when the library does not
    /// (an unknown property in $select, $orderby, $filter or $expand; an enumeration literal; an unterminated string).</param>
    /// <param name="addressed">The entity type the request reads, whose properties an enumeration literal is compared with.</param>
    public static (string Code, string Message) Translate(string message, IQueryCollection? query = null, IEdmStructuredType? addressed = null)
    {
        if (ErrorsChinese(message)) return (Errors.ErrorCodes.InvalidQuery, message.Contains("超出限制", StringComparison.Ordinal) ? message : $"查询超出限制或无效：{message}");
        System.Text.RegularExpressions.Match m;
        if ((m = Rx(@"The limit of '(\d+)' for (\w+) query has been exceeded(?:.*?incoming request is '(\d+)')?")).Success)
        {
            // The documented limit (docs/api.md), not the library's: a $skip beyond Int32 is refused by the parser "over 2147483647".
            var option = m.Groups[2].Value.ToLowerInvariant();
            var limit = option switch { "skip" => DocumentedMaxSkip, "top" => DefaultPageSize, _ => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) };
            return (Errors.ErrorCodes.InvalidQuery, $"查询超出限制：${option}不能超过{limit}" +
                (m.Groups[3].Success ? $"（请求为{m.Groups[3].Value}）" : "") +
                $"，应为0到{limit}之间的整数；更多的行请按@odata.nextLink翻页 (${option} is limited to {limit})");
        }
        if ((m = Rx(@"Invalid value '(.*?)' for \$(top|skip) query option found")).Success)
        {
            var option = m.Groups[2].Value;
            var limit = option == "skip" ? DocumentedMaxSkip : DefaultPageSize;
            return (Errors.ErrorCodes.InvalidQuery, $"查询选项${option}必须是0到{limit}之间的整数，实际为\"{Shown(m.Groups[1].Value)}\"" +
                (option == "top" ? "；更多的行请按@odata.nextLink翻页" : "") + $" (${option} must be an integer from 0 to {limit})");
        }
        if ((m = Rx(@"'(.*?)' is not a valid count option")).Success)
            return (Errors.ErrorCodes.InvalidQuery, $"查询选项$count应为true或false，实际为\"{Shown(m.Groups[1].Value)}\" ($count must be true or false)");
        if ((m = Rx(@"(?:Custom )?[Qq]uery (?:option|parameter) '(\$[^']*)'.*?not supported")).Success)
            return (Errors.ErrorCodes.InvalidQuery, $"不认识的查询选项{Shown(m.Groups[1].Value)}：以$开头的查询选项只能是{KnownOptions}（小写）；自己的参数请不要以$开头 (unknown query option)");
        if ((m = Rx(@"The string '(.*)' is not a valid enumeration type constant")).Success)
            return (Errors.ErrorCodes.InvalidQuery, EnumLiteral(m.Groups[1].Value, query, addressed));
        if ((m = Rx(@"unterminated string literal at position (\d+) in '(.*)'")).Success)
            return (Errors.ErrorCodes.InvalidQuery, $"{Where(In(query, m.Groups[2].Value))}的字符串缺少结尾的单引号：\"{Shown(m.Groups[2].Value)}\"第{m.Groups[1].Value}个字符起的字符串没有结束。" +
                "字符串写在一对单引号中（name eq '李庄社区'），其中的单引号写两遍（'O''Brien'） (unterminated string literal)");
        if ((m = Rx(@"Query option '(\w+)' is not allowed")).Success)
            return (Errors.ErrorCodes.UnsupportedQuery, m.Groups[1].Value.Equals("SkipToken", StringComparison.OrdinalIgnoreCase)
                ? "不支持查询选项$skiptoken：翻页请直接请求回答中的@odata.nextLink，或用$skip与$top ($skiptoken is not supported)"
                : $"不支持查询选项${m.Groups[1].Value.ToLowerInvariant()} (query option ${m.Groups[1].Value.ToLowerInvariant()} is not supported)");
        if ((m = Rx(@"incompatible types.*?operand types '([^']+)' and '([^']+)' for operator kind '(\w+)'")).Success)
            return (Errors.ErrorCodes.UnsupportedQuery, $"运算符{Operator(m.Groups[3].Value)}不能用于{Type(m.Groups[1].Value)}与{Type(m.Groups[2].Value)}之间；" +
                (IsEnum(m.Groups[1].Value) || IsEnum(m.Groups[2].Value)
                    ? "枚举属性（如 tier、status、kind）只能用 eq、ne 与带类型的取值比较，例如 tier eq EnvScore.Tier'Rectify'"
                    : "两边须为同一类型：数字不加引号（id eq 1），字符串加单引号（name eq '李庄社区'），时刻如 publishedAt gt 2026-11-01T00:00:00Z") +
                " (operator on incompatible types)");
        if ((m = Rx(@"Could not find a property named '([^']+)' on type '([^']+)'")).Success)
            return (Errors.ErrorCodes.InvalidQuery, $"{Where(In(query, m.Groups[1].Value, word: true))}中的属性{m.Groups[1].Value}不存在于{Type(m.Groups[2].Value)}；可用的属性见 $metadata (no such property)");
        if ((m = Rx(@"An unknown function with name '([^']+)' was found")).Success)
            return (Errors.ErrorCodes.UnsupportedQuery, $"不支持函数{m.Groups[1].Value}；支持的函数见 docs/api.md (unknown function)");
        if ((m = Rx(@"The query specified in the URI is not valid\. (.*)")).Success && !m.Groups[1].Value.StartsWith("The query specified", StringComparison.Ordinal))
            return Translate(m.Groups[1].Value, query, addressed);
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
        // "Syntax error at position 8 in '…'", "Expression expected at position 11 in '…'" and the like.
        if ((m = Rx(@"at position (\d+) in '(.*)'\.?$")).Success)
            return (Errors.ErrorCodes.InvalidQuery, $"查询语法错误：{(In(query, m.Groups[2].Value) is { } o ? $"查询选项{o.ToLowerInvariant()}的" : "")}\"{m.Groups[2].Value}\"的第{m.Groups[1].Value}个字符附近；写法见 docs/api.md (syntax error at position {m.Groups[1].Value})");
        return (Errors.ErrorCodes.InvalidQuery, $"查询无效或超出限制（{Limits}）；写法见 docs/api.md (the query is invalid or over a limit)");

        System.Text.RegularExpressions.Match Rx(string pattern, bool ignoreCase = false) =>
            System.Text.RegularExpressions.Regex.Match(message, pattern, System.Text.RegularExpressions.RegexOptions.Singleline | System.Text.RegularExpressions.RegexOptions.CultureInvariant
                | (ignoreCase ? System.Text.RegularExpressions.RegexOptions.IgnoreCase : 0));
    }

    /// <summary>
    /// Our own refusal (it starts with Chinese), not the library's English one — which may quote the user's Chinese text
    /// (tier eq '示范', a $search term) and must still be translated.
    /// </summary>
    private static bool ErrorsChinese(string message) =>
        message.TrimStart() is { Length: > 0 } text && (Errors.ErrorCodes.IsChinese(text[..1]) || text[0] is '“' or '【' or '（');

    /// <summary>The system query options EnvScore reads (any other name starting with $ is refused, naming this list).</summary>
    public const string KnownOptions = "$filter、$select、$expand、$orderby、$top、$skip、$count、$search、$apply、$format";

    /// <summary>A value from the request as quoted back: at most 60 characters.</summary>
    private static string Shown(string text) => text.Length > 60 ? text[..60] + "…" : text;

    /// <summary>
    /// The query option whose value holds <paramref name="fragment"/> (as a whole word when <paramref name="word"/>), e.g.
    /// "$select"; null when none does or the request is unknown. The library's messages do not say which option they are about.
    /// </summary>
    private static string? In(IQueryCollection? query, string fragment, bool word = false)
    {
        if (query is null || fragment.Length == 0) return null;
        foreach (var (key, values) in query)
        {
            if (!key.StartsWith('$')) continue;
            var value = values.ToString();
            if (word ? System.Text.RegularExpressions.Regex.IsMatch(value, $@"(?<![\w.]){System.Text.RegularExpressions.Regex.Escape(fragment)}(?!\w)")
                     : value.Contains(fragment, StringComparison.Ordinal))
                return key;
        }
        return null;
    }

    /// <summary>"查询选项$filter" for an option, "查询" when it is not known: messages start with Chinese.</summary>
    private static string Where(string? option) => option is null ? "查询" : $"查询选项{option.ToLowerInvariant()}";

    /// <summary>
    /// "The string 'X' is not a valid enumeration type constant": the literal is not a member (tier eq 'Nonsense'), or its
    /// qualifying type is not the enumeration's (Wrong.Tier'Rectify'). Said with the members of the enumeration the literal
    /// is compared with (found by the property before eq/ne in the request), and the two accepted spellings.
    /// </summary>
    private static string EnumLiteral(string literal, IQueryCollection? query, IEdmStructuredType? addressed)
    {
        var qualified = System.Text.RegularExpressions.Regex.Match(literal, @"^([\w.]+)'(.*)'$");
        var (typeName, member) = qualified.Success ? (qualified.Groups[1].Value, qualified.Groups[2].Value) : ((string?)null, literal);
        var option = In(query, literal);
        // The enumeration: the property compared with the literal (…tier eq 'X', tier ne EnvScore.Tier'X'), else the named type.
        Microsoft.OData.Edm.IEdmEnumType? type = null;
        string? property = null;
        if (query is not null && option is not null)
        {
            var compared = System.Text.RegularExpressions.Regex.Match(query[option].ToString(),
                $@"(\w+)\s+(?:eq|ne)\s+{System.Text.RegularExpressions.Regex.Escape(literal.StartsWith('\'') ? literal : (typeName is null ? $"'{literal}'" : literal))}",
                System.Text.RegularExpressions.RegexOptions.IgnoreCase);
            if (compared.Success)
            {
                property = compared.Groups[1].Value;
                type = addressed?.FindProperty(property)?.Type?.Definition as IEdmEnumType
                       ?? ServedModel.Value.SchemaElements.OfType<IEdmStructuredType>()
                           .Select(t => t.FindProperty(property)?.Type?.Definition).OfType<IEdmEnumType>().FirstOrDefault();
            }
        }
        var named = typeName is null ? null : ServedModel.Value.FindDeclaredType(typeName) as Microsoft.OData.Edm.IEdmEnumType;
        type ??= named;
        if (type is null)
            return $"{Where(option)}中的枚举取值\"{Shown(literal)}\"无效：" + (typeName is not null ? $"没有名为{typeName}的枚举类型；" : "") +
                   "枚举的取值与写法见 $metadata，例如 tier eq 'Rectify' 或 tier eq EnvScore.Tier'Rectify' (not a valid enumeration value)";
        var members = string.Join("、", type.Members.Select(x => $"\"{x.Name}\""));
        var example = type.Members.First().Name;
        var subject = property ?? $"枚举{type.Name}";
        var cause = typeName is not null && named is null
            ? $"类型名{typeName}不对，应为{type.FullName()}"
            : $"\"{Shown(member)}\"不是{subject}的取值，应为{members}之一（区分大小写）";
        return $"{Where(option)}中的枚举取值\"{Shown(literal)}\"无效：{cause}；写作 {property ?? "属性"} eq '{example}' 或 {property ?? "属性"} eq {type.FullName()}'{example}' (not a member of {type.FullName()})";
    }

    private static string Type(string edm) => edm switch
    {
        "Edm.String" => "字符串",
        "Edm.Int32" or "Edm.Int64" or "Edm.Int16" or "Edm.Byte" => "整数",
        "Edm.Decimal" or "Edm.Double" or "Edm.Single" => "数字",
        "Edm.Boolean" => "布尔值",
        "Edm.DateTimeOffset" => "时间",
        "Edm.Date" => "日期",
        var t => ServedModel.Value.FindDeclaredType(t) switch
        {
            Microsoft.OData.Edm.IEdmEnumType e => $"枚举{e.Name}",
            Microsoft.OData.Edm.IEdmEntityType e => $"实体类型{e.Name}",
            Microsoft.OData.Edm.IEdmComplexType c => $"复杂类型{c.Name}",
            _ => t,
        },
    };

    private static bool IsEnum(string edm) => ServedModel.Value.FindDeclaredType(edm) is Microsoft.OData.Edm.IEdmEnumType;

    /// <summary>The model served at /odata/$metadata, for naming the types in the library's messages.</summary>
    private static readonly Lazy<Microsoft.OData.Edm.IEdmModel> ServedModel = new(ODataServiceCollectionExtensions.BuildModel);

    private static string Operator(string kind) => kind switch
    {
        "GreaterThan" => "gt", "GreaterThanOrEqual" => "ge", "LessThan" => "lt", "LessThanOrEqual" => "le",
        "Equal" => "eq", "NotEqual" => "ne", "Add" => "add", "Subtract" => "sub", "Multiply" => "mul",
        "Divide" => "div", "Modulo" => "mod", "And" => "and", "Or" => "or", "Has" => "has", var k => k,
    };
}
