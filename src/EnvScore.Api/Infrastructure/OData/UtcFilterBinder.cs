using System.Linq.Expressions;
using Microsoft.AspNetCore.OData.Query.Expressions;
using Microsoft.OData.UriParser;

namespace EnvScore.Api.Infrastructure.OData;

/// <summary>
/// Date-time-offset literals in <c>$filter</c> may carry any offset (<c>2026-11-01T00:00:00+08:00</c>, the local time users
/// think in); PostgreSQL's timestamptz stores instants and Npgsql accepts only offset 0. The same instant in UTC is bound
/// instead, so the comparison means what the literal says. Applies to single literals and <c>in (…)</c> lists.
/// </summary>
public sealed class UtcFilterBinder : FilterBinder
{
    public override Expression BindConstantNode(ConstantNode constantNode, QueryBinderContext context) =>
        base.BindConstantNode(ToUtc(constantNode), context);

    public override Expression BindCollectionConstantNode(CollectionConstantNode node, QueryBinderContext context)
    {
        if (!node.Collection.Any(c => c.Value is DateTimeOffset { Offset.Ticks: not 0 })) return base.BindCollectionConstantNode(node, context);
        var utc = node.Collection.Select(ToUtc).Select(c => c.Value).ToList();
        return base.BindCollectionConstantNode(new CollectionConstantNode(utc, node.LiteralText, node.CollectionType), context);
    }

    private static ConstantNode ToUtc(ConstantNode node) =>
        node.Value is DateTimeOffset { Offset.Ticks: not 0 } value
            ? new ConstantNode(value.ToUniversalTime(), node.LiteralText, node.TypeReference)
            : node;
}
