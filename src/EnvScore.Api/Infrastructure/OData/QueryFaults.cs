using Microsoft.OData;
using Npgsql;

namespace EnvScore.Api.Infrastructure.OData;

/// <summary>
/// Which exceptions mean "this query cannot be evaluated over these rows" (the client's query, not a server failure), and
/// what to tell the client, in Chinese. One place for the rule, used by <see cref="EnvScoreQueryAttribute"/> (where the
/// query is applied, run and counted, before the response starts) and by <c>RequestExceptionHandler</c> (the net under it).
/// <list type="bullet">
/// <item>A PostgreSQL data exception, SQLSTATE class 22 (PostgreSQL manual, Appendix A): numeric overflow 22003, invalid
///   substring length 22011, division by zero 22012, invalid text representation 22P02, and the rest of the class.</item>
/// <item>A LINQ expression EF Core "could not be translated".</item>
/// <item>An <see cref="ODataException"/> (the OData library refusing the query).</item>
/// </list>
/// </summary>
public static class QueryFaults
{
    /// <summary>The Chinese message (with an English gloss) for a query fault anywhere in the exception's chain; null otherwise.</summary>
    public static string? Describe(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException { SqlState: var state } when state.StartsWith("22", StringComparison.Ordinal):
                    return Message(state switch
                    {
                        "22003" => "数值超出范围（如整数溢出：id add 2147483647）",
                        "22011" => "substring的长度或起点无效（长度不能为负）",
                        "22012" => "除数为零",
                        "22P02" => "文本不能转换为所需的类型",
                        _ => "运算或函数对现有数据无意义",
                    });
                case InvalidOperationException when e.Message.Contains("could not be translated", StringComparison.Ordinal):
                    return Message("其中的运算或函数组合不能在数据库中执行");
                case ODataException:
                    return Message("查询无效");
            }
        }
        return null;
    }

    /// <summary>The message for an exception raised while the OData layer applied the query (binding a constant, a conversion).</summary>
    /// <remarks>
    /// With <c>$apply</c>, the other options apply to its result (OData Data Aggregation 4.0 §3.1: $apply is evaluated
    /// first), whose only properties are the grouping properties and the aggregate aliases; AspNetCoreOData parses them
    /// against the entity type and fails binding (an <see cref="ArgumentException"/> "Instance property … is not defined
    /// for type …Wrapper"): said as what to write instead.
    /// </remarks>
    public static string? DescribeWhileApplying(Exception exception, bool hasApply = false)
    {
        if (Describe(exception) is { } message) return message;
        // Only the query attribute calls this, while the OData layer applies the query (the action has already run):
        // an ArgumentException there with $apply is the binding failure above, no stack trace needs reading.
        if (hasApply && exception is ArgumentException) return AfterApply;
        for (var e = exception; e is not null; e = e.InnerException)
        {
            // The library or the SQL translation has no way to evaluate a construct: said as unsupported, not as a range fault.
            if (e is NotImplementedException or NotSupportedException) return Message("其中的写法本服务无法执行");
            if (e is OverflowException or FormatException or InvalidCastException) return Message("其中的常量或运算超出范围或类型不符");
        }
        return null;
    }

    public const string AfterApply =
        "查询不受支持：$filter、$orderby在$apply之后执行，只能引用$apply结果中的属性（分组属性与聚合别名）；要先筛选再聚合，请把条件写进$apply，" +
        "例如 $apply=filter(id gt 3)/aggregate($count as n) ($filter and $orderby apply to the result of $apply)";

    private static string Message(string cause) =>
        $"查询无法执行：{cause}。请改小数值或改正参数，支持的写法见 docs/api.md (the query cannot be evaluated)";
}
