using EnvScore.Domain.Rules;

namespace EnvScore.Api.Features.Evaluations;

/// <summary>
/// The order in which a sheet shows its items — the sections' items (sub-sections included, <see cref="RuleSet.Items"/>),
/// then the bonus items, then the vetoes — so that every list of problems (the API's <c>problems</c>, the page's list)
/// reads top to bottom like the form, not in the order the checks found them.
/// </summary>
public static class SheetOrder
{
    /// <summary>
    /// <paramref name="values"/> sorted by the position of their item code on the sheet (stable: a code's own problems keep
    /// their order); values without a code, or with a code the sheet does not have, come last in their original order.
    /// </summary>
    public static List<T> Sort<T>(RuleSet rules, IEnumerable<T> values, Func<T, string?> code)
    {
        var position = Positions(rules);
        return values.Select((v, i) => (v, i)).OrderBy(x => code(x.v) is { } c && position.TryGetValue(c, out var p) ? p : int.MaxValue)
            .ThenBy(x => x.i).Select(x => x.v).ToList();
    }

    /// <summary>Item code → position on the sheet (0 = first).</summary>
    public static Dictionary<string, int> Positions(RuleSet rules)
    {
        var position = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var c in rules.Items.Select(i => i.Code).Concat(rules.Bonus.Items.Select(b => b.Code)).Concat(rules.Vetoes.Select(v => v.Code)))
            position.TryAdd(c, position.Count);
        return position;
    }
}
