using System.Linq.Expressions;
using EnvScore.Api.Features.Computation;
using EnvScore.Api.Features.Organisation;
using EnvScore.Api.Features.Publication;
using Microsoft.AspNetCore.OData.Query.Expressions;
using Microsoft.OData;
using Microsoft.OData.UriParser;

namespace EnvScore.Api.Infrastructure.OData;

/// <summary>
/// What <c>$search</c> looks in (OData 4.01 Part 2 §5.1.7): the names and division codes people look for.
/// A search term matches an entity when one of its <b>names contains</b> the term or one of its <b>codes starts with</b> it
/// (<c>$search=水稻</c> finds 水稻乡 and its villages' results; <c>$search=410271001</c> the units under that code).
/// Terms combine with <c>AND</c> (also juxtaposition), <c>OR</c>, <c>NOT</c> and parentheses; <c>"…"</c> is one term.
/// Entity sets not listed here refuse <c>$search</c> with a 400 (<see cref="QueryRules"/>), never ignore it.
/// </summary>
public static class SearchRules
{
    private sealed record Fields(string EntitySet, LambdaExpression[] Names, LambdaExpression[] Codes);

    private static readonly Dictionary<Type, Fields> Searchable = new()
    {
        [typeof(District)] = new("Districts", [Of<District>(d => d.Name)], [Of<District>(d => d.Code)]),
        [typeof(Township)] = new("Townships", [Of<Township>(t => t.Name)], [Of<Township>(t => t.Code)]),
        [typeof(Village)] = new("Villages", [Of<Village>(v => v.Name)], [Of<Village>(v => v.Code)]),
        [typeof(VillageResult)] = new("VillageResults",
            [Of<VillageResult>(r => r.Village!.Name), Of<VillageResult>(r => r.Village!.Township!.Name)],
            [Of<VillageResult>(r => r.Village!.Code)]),
        [typeof(TownshipResult)] = new("TownshipResults", [Of<TownshipResult>(r => r.Township!.Name)], [Of<TownshipResult>(r => r.Township!.Code)]),
        [typeof(PublishedVillageResult)] = new("PublishedVillageResults",
            [Of<PublishedVillageResult>(r => r.VillageName), Of<PublishedVillageResult>(r => r.TownshipName)],
            [Of<PublishedVillageResult>(r => r.VillageCode)]),
        [typeof(PublishedTownshipResult)] = new("PublishedTownshipResults",
            [Of<PublishedTownshipResult>(r => r.TownshipName)], [Of<PublishedTownshipResult>(r => r.TownshipCode)]),
    };

    private static LambdaExpression Of<T>(Expression<Func<T, string>> selector) => selector;

    public static bool IsSearchable(Type type) => Searchable.ContainsKey(type);

    public static string Describe() => string.Join("、", Searchable.Values.Select(f => f.EntitySet));

    /// <summary><c>entity =&gt; bool</c> for one search term over <paramref name="parameter"/>'s type.</summary>
    public static Expression Term(ParameterExpression parameter, string term)
    {
        if (!Searchable.TryGetValue(parameter.Type, out var fields))
            throw new ODataException($"{QueryRules.Marker}$search 不适用于此实体集 ($search is not supported here)");
        var value = Expression.Property(Expression.Constant(new SearchTerm(term)), nameof(SearchTerm.Value)); // a parameter, not SQL text
        var contains = typeof(string).GetMethod(nameof(string.Contains), [typeof(string)])!;
        var startsWith = typeof(string).GetMethod(nameof(string.StartsWith), [typeof(string)])!;
        Expression? any = null;
        foreach (var name in fields.Names) any = Or(any, NotNullAnd(Rebind(name, parameter), e => Expression.Call(e, contains, value)));
        foreach (var code in fields.Codes) any = Or(any, NotNullAnd(Rebind(code, parameter), e => Expression.Call(e, startsWith, value)));
        return any!;
    }

    private sealed record SearchTerm(string Value);

    private static Expression Or(Expression? left, Expression right) => left is null ? right : Expression.OrElse(left, right);

    private static Expression NotNullAnd(Expression e, Func<Expression, Expression> test) =>
        Expression.AndAlso(Expression.NotEqual(e, Expression.Constant(null, typeof(string))), test(e));

    private static Expression Rebind(LambdaExpression selector, ParameterExpression parameter) =>
        new Replace(selector.Parameters[0], parameter).Visit(selector.Body);

    private sealed class Replace(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : node;
    }
}

/// <summary>Binds <c>$search</c> with <see cref="SearchRules"/> (registered in the OData route services).</summary>
public sealed class EnvScoreSearchBinder : QueryBinder, ISearchBinder
{
    public Expression BindSearch(SearchClause searchClause, QueryBinderContext context)
    {
        var body = Bind(searchClause.Expression, context.CurrentParameter);
        return Expression.Lambda(body, context.CurrentParameter);
    }

    private static Expression Bind(SingleValueNode node, ParameterExpression parameter) => node switch
    {
        SearchTermNode term => SearchRules.Term(parameter, term.Text),
        BinaryOperatorNode { OperatorKind: BinaryOperatorKind.And } b => Expression.AndAlso(Bind(b.Left, parameter), Bind(b.Right, parameter)),
        BinaryOperatorNode { OperatorKind: BinaryOperatorKind.Or } b => Expression.OrElse(Bind(b.Left, parameter), Bind(b.Right, parameter)),
        UnaryOperatorNode { OperatorKind: UnaryOperatorKind.Not } u => Expression.Not(Bind(u.Operand, parameter)),
        _ => throw new ODataException($"{QueryRules.Marker}无法理解的 $search 表达式 (unsupported $search expression)"),
    };
}
