using Microsoft.AspNetCore.OData.Query;
using Microsoft.OData;
using Microsoft.OData.Edm;
using Microsoft.OData.UriParser;
using Microsoft.OData.UriParser.Aggregation;

namespace EnvScore.Api.Infrastructure.OData;

/// <summary>
/// What EnvScore's OData queries may contain beyond what the stock validator checks, decided before EF Core sees the
/// query. Each refusal is an <see cref="ODataException"/> with a Chinese message naming the construct and what to use
/// instead; <see cref="EnvScoreQueryAttribute"/> answers it as a 400 OData error (code <c>UnsupportedQuery</c>).
/// <list type="bullet">
/// <item>Canonical functions (OData 4.01 Part 2 §5.1.1): only those in <see cref="SupportedFunctions"/> — the ones that
///   translate to PostgreSQL with OData's meaning. <c>matchesPattern</c>, <c>time</c>, <c>fractionalseconds</c>,
///   <c>totaloffsetminutes</c>, <c>totalseconds</c>, <c>date</c>, <c>mindatetime</c>, <c>maxdatetime</c>, <c>cast</c>, <c>isof</c>, geo functions and the rest are refused.</item>
/// <item><c>has</c>: only on enumerations declared as flags (EnvScore has none: tier, status… are single values; use <c>eq</c>/<c>in</c>).</item>
/// <item><c>gt</c>/<c>ge</c>/<c>lt</c>/<c>le</c> and <c>$orderby</c> on enumerations: refused (stored by name, so the database
///   would order them alphabetically rather than by member value).</item>
/// <item><c>div</c>, <c>mod</c>: the divisor must be a non-zero literal (a column divisor can be zero in some row).</item>
/// <item><c>in</c> on enumerations (AspNetCore.OData cannot bind enum lists): use <c>eq … or eq …</c>.</item>
/// <item>Numeric literals beyond the decimal range.</item>
/// <item><c>$search</c>: only where <see cref="SearchRules"/> defines what it searches.</item>
/// </list>
/// The rules apply to <c>$filter</c>, <c>$orderby</c>, <c>$apply</c> and the options nested in <c>$expand</c>.
/// </summary>
public static class QueryRules
{
    public const string Marker = "【不支持】";

    /// <summary>Canonical functions EnvScore evaluates (lower case, as the URI parser names them).</summary>
    public static readonly IReadOnlySet<string> SupportedFunctions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "contains", "startswith", "endswith", "length", "indexof", "substring", "tolower", "toupper", "trim", "concat",
        "year", "month", "day", "hour", "minute", "second", "now",
        "round", "floor", "ceiling",
    };

    [ThreadStatic] private static IEdmModel? _model;

    public static void Validate(ODataQueryOptions options)
    {
        _model = options.Context.Model;
        if (options.Filter?.FilterClause is { } filter) Visit(filter.Expression);
        if (options.OrderBy?.OrderByClause is { } orderBy) VisitOrderBy(orderBy);
        if (options.Apply?.ApplyClause is { } apply) VisitApply(apply.Transformations);
        if (options.SelectExpand?.SelectExpandClause is { } selectExpand) VisitSelectExpand(selectExpand);
        if (options.Search is not null)
        {
            var type = options.Context.ElementClrType;
            if (type is null || !SearchRules.IsSearchable(type))
                throw Refuse($"$search 不适用于此实体集；可搜索的实体集：{SearchRules.Describe()}。请改用 $filter，例如 contains(name,'村') " +
                             "($search is not supported here)");
        }
    }

    private static ODataException Refuse(string message) => new(Marker + message);

    private static void VisitOrderBy(OrderByClause? clause)
    {
        for (var c = clause; c is not null; c = c.ThenBy)
        {
            if (IsEnum(c.Expression))
                throw Refuse("不能按枚举属性（如 tier、status、kind）排序：它们按名称存储，顺序没有意义；请按 districtRank、finalScore 等排序，" +
                             "或用 $filter=tier eq EnvScore.Tier'Rectify' 分组查看 (cannot order by an enumeration)");
            Visit(c.Expression);
        }
    }

    /// <summary>EnvScore stores enumerations by name (text), so ordering them would be alphabetical, not OData's member order.</summary>
    private static bool IsEnum(SingleValueNode? node) => node switch
    {
        ConvertNode c => IsEnum(c.Source),
        _ => node?.TypeReference?.Definition is IEdmEnumType,
    };

    private static void VisitSelectExpand(SelectExpandClause clause)
    {
        foreach (var item in clause.SelectedItems)
        {
            switch (item)
            {
                case ExpandedNavigationSelectItem expand:
                    if (expand.FilterOption is { } f) Visit(f.Expression);
                    VisitOrderBy(expand.OrderByOption);
                    if (expand.SearchOption is not null)
                        throw Refuse("$expand 中不支持 $search，请改用 $filter ($search inside $expand is not supported)");
                    if (expand.ApplyOption is { } a) VisitApply(a.Transformations);
                    if (expand.SelectAndExpand is { } nested) VisitSelectExpand(nested);
                    break;
                case PathSelectItem path:
                    if (path.FilterOption is { } pf) Visit(pf.Expression);
                    VisitOrderBy(path.OrderByOption);
                    if (path.SearchOption is not null)
                        throw Refuse("$select 中不支持 $search ($search inside $select is not supported)");
                    break;
            }
        }
    }

    private static void VisitApply(IEnumerable<TransformationNode> transformations)
    {
        foreach (var t in transformations)
        {
            switch (t)
            {
                case FilterTransformationNode f: Visit(f.FilterClause.Expression); break;
                case GroupByTransformationNode g:
                    foreach (var group in g.GroupingProperties) VisitGrouping(group);
                    if (g.ChildTransformations is { } child) VisitApply([child]);
                    break;
                case AggregateTransformationNode a:
                    foreach (var e in a.AggregateExpressions.OfType<AggregateExpression>()) Visit(e.Expression);
                    break;
                case ComputeTransformationNode c:
                    foreach (var e in c.Expressions) Visit(e.Expression);
                    break;
                case ExpandTransformationNode x: VisitSelectExpand(x.ExpandClause); break;
            }
        }
    }

    private static void VisitGrouping(GroupByPropertyNode group)
    {
        if (group.Expression is { } e) Visit(e);
        foreach (var child in group.ChildTransformations) VisitGrouping(child);
    }

    private static void Visit(QueryNode? node)
    {
        switch (node)
        {
            case null: return;
            case BinaryOperatorNode b:
                if (b.OperatorKind == BinaryOperatorKind.Has)
                {
                    var enumType = (b.Left.TypeReference?.Definition ?? b.Right.TypeReference?.Definition) as IEdmEnumType;
                    if (enumType is not { IsFlags: true })
                        throw Refuse($"运算符 has 只适用于标志（Flags）枚举，{enumType?.Name ?? "该属性"}不是；请改用 eq 或 in，" +
                                     $"例如 tier eq EnvScore.Tier'Rectify' (operator has needs a flags enumeration)");
                }
                if (b.OperatorKind is BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual
                        or BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual
                    && (IsEnum(b.Left) || IsEnum(b.Right)))
                    throw Refuse("枚举属性（如 tier、status、kind）只能用 eq、ne、in 比较，不能比较大小；排名请用 districtRank 等数值属性 " +
                                 "(enumerations compare with eq/ne/in only)");
                if (b.OperatorKind is BinaryOperatorKind.Divide or BinaryOperatorKind.Modulo && !IsNonZeroLiteral(b.Right))
                    throw Refuse("除法与取余（div、mod）的除数须为非零的数值常量 (the divisor must be a non-zero literal)");
                Visit(b.Left);
                Visit(b.Right);
                return;
            case UnaryOperatorNode u: Visit(u.Operand); return;
            case ConstantNode { Value: double or float } k when Math.Abs(Convert.ToDouble(k.Value, System.Globalization.CultureInfo.InvariantCulture)) > (double)decimal.MaxValue:
                throw Refuse($"数值 {k.LiteralText} 超出范围（绝对值须小于7.9×10²⁸） (number out of range)");
            case ConvertNode c: Visit(c.Source); return;
            case SingleValueFunctionCallNode f:
                CheckFunction(f.Name);
                foreach (var p in f.Parameters) Visit(p);
                return;
            case CollectionFunctionCallNode cf:
                CheckFunction(cf.Name);
                foreach (var p in cf.Parameters) Visit(p);
                return;
            case SingleResourceFunctionCallNode rf:
                CheckFunction(rf.Name);
                foreach (var p in rf.Parameters) Visit(p);
                return;
            case CollectionResourceFunctionCallNode crf:
                CheckFunction(crf.Name);
                foreach (var p in crf.Parameters) Visit(p);
                return;
            case LambdaNode l:
                Visit(l.Source);
                Visit(l.Body);
                return;
            case InNode i:
                if (IsEnum(i.Left))
                    throw Refuse("枚举属性不支持 in，请用 eq 与 or 组合，例如 tier eq EnvScore.Tier'Upgrade' or tier eq EnvScore.Tier'Rectify' " +
                                 "(in is not supported on enumerations)");
                Visit(i.Left);
                Visit(i.Right);
                return;
            case CountNode n:
                Visit(n.Source);
                if (n.FilterClause is { } nf) Visit(nf.Expression);
                if (n.SearchClause is not null) throw Refuse("$count 中不支持 $search ($search inside $count is not supported)");
                return;
            case SingleValuePropertyAccessNode p:
                CheckQueryable(p.Property);
                Visit(p.Source);
                return;
            case CollectionPropertyAccessNode cp:
                CheckQueryable(cp.Property);
                Visit(cp.Source);
                return;
            case SingleComplexNode sc: Visit(sc.Source); return;
            case CollectionComplexNode cc: Visit(cc.Source); return;
            case SingleNavigationNode sn: Visit(sn.Source); return;
            case CollectionNavigationNode cn: Visit(cn.Source); return;
            case SingleResourceCastNode rc: Visit(rc.Source); return;
            case CollectionResourceCastNode crc: Visit(crc.Source); return;
            case SingleValueOpenPropertyAccessNode:
            case CollectionOpenPropertyAccessNode:
                throw Refuse("不支持开放属性 (open properties are not supported)");
        }
    }

    /// <summary>Properties a feature's model marks not filterable/sortable (e.g. JSON documents, the row version) are read-only for queries.</summary>
    private static void CheckQueryable(IEdmProperty property)
    {
        var restrictions = _model?.GetAnnotationValue<Microsoft.OData.ModelBuilder.Annotations.QueryableRestrictionsAnnotation>(property)?.Restrictions;
        if (restrictions is { NotFilterable: true } or { NotSortable: true })
            throw Refuse($"属性 {property.Name} 只能读取，不能用于筛选、排序或分组（$filter、$orderby、$apply） (property {property.Name} cannot be queried)");
    }

    private static void CheckFunction(string name)
    {
        if (SupportedFunctions.Contains(name)) return;
        var hint = name.ToLowerInvariant() switch
        {
            "matchespattern" => "；按名称的一部分查找请用 contains(name,'…')、startswith 或 $search",
            "time" or "fractionalseconds" or "totaloffsetminutes" or "date" =>
                "；时间请直接与带时区的时刻比较，例如 publishedAt ge 2026-11-01T00:00:00+08:00，或用 year/month/day/hour/minute/second",
            "totalseconds" => "；请直接比较时长",
            "mindatetime" or "maxdatetime" => "；请直接写时刻常量，例如 publishedAt gt 0001-01-01T00:00:00Z",
            "cast" or "isof" => "；各属性类型固定，无需转换",
            _ => "",
        };
        throw Refuse($"不支持函数 {name}(){hint}。支持的函数：{string.Join("、", SupportedFunctions.Order())} (function {name} is not supported)");
    }

    private static bool IsNonZeroLiteral(SingleValueNode node) => node switch
    {
        ConstantNode { Value: var v } => v switch
        {
            int i => i != 0, long l => l != 0, decimal d => d != 0, double x => x != 0 && double.IsFinite(x),
            float f => f != 0 && float.IsFinite(f), short s => s != 0, byte by => by != 0, sbyte sb => sb != 0,
            _ => false,
        },
        ConvertNode c => IsNonZeroLiteral(c.Source),
        _ => false,
    };
}
