using EnvScore.Api.Features.Evaluations;
using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;

namespace EnvScore.Api.Features.Analysis;

/// <summary>
/// Why the what-if cannot score some sheets, one entry per item and cause (never one anonymous line per sheet):
/// <c>code</c> — <see cref="ItemKindChanged"/> when the item's kind in the tried rule set differs from the kind the sheet
/// was filled in under (its bound rule set), else the engine's <see cref="EntryProblemKind"/> name (<c>UnknownItem</c>,
/// <c>UnknownLevel</c> …); the item's code and name; <c>message</c> (Chinese: the item, what changed, what the tried
/// rule set expects and what to do, then an English gloss in brackets); <c>expected</c> (Chinese: what an entry of the
/// item must hold under the tried rule set) and <c>field</c> (the entry member that holds it: count, level,
/// failedSamples, passed, clauses; null when the ledger counts it); <c>kindBefore</c>/<c>kindNow</c> (ItemKind names,
/// for ItemKindChanged); <c>sheets</c> (the villages' sheets concerned, e.g. "东村（自评）").
/// </summary>
public sealed record WhatIfProblem(string Code, string? ItemCode, string? ItemName, string? KindBefore, string? KindNow, string Message,
    string? Expected, string? Field, IReadOnlyList<string> Sheets);

/// <summary>Collects <see cref="WhatIfProblem"/>s while the what-if scores sheets.</summary>
public sealed class WhatIfProblems(RuleSet tried)
{
    public const string ItemKindChanged = "ItemKindChanged";

    private readonly Dictionary<(string Code, string? Item, string Message), (WhatIfProblem Problem, List<string> Sheets)> byCause = [];
    private readonly Dictionary<string, ScoringItem> triedItems = tried.Items.GroupBy(i => i.Code).ToDictionary(g => g.Key, g => g.First());

    public int Count => byCause.Count;

    /// <summary>The problems of one sheet: <paramref name="before"/> is the rule set it was filled in under (null if unknown).</summary>
    public void Add(string sheet, RuleSet? before, IEnumerable<EvaluationEntry> entries, IReadOnlyList<EntryProblem> invalid)
    {
        var beforeItems = before?.Items.GroupBy(i => i.Code).ToDictionary(g => g.Key, g => g.First()) ?? [];
        var entered = entries.Select(e => e.ItemCode).ToHashSet(StringComparer.Ordinal);
        var kindChanged = new HashSet<string>(StringComparer.Ordinal);
        // An item the sheet filled in whose kind changed: one problem that says so, whatever the engine's wording.
        foreach (var code in entered)
        {
            if (!beforeItems.TryGetValue(code, out var old) || !triedItems.TryGetValue(code, out var now) || old.Kind == now.Kind) continue;
            kindChanged.Add(code);
            var expected = Expected(now);
            Add(sheet, new WhatIfProblem(ItemKindChanged, code, now.Title, old.Kind.ToString(), now.Kind.ToString(),
                $"评分项{code}（{now.Title}）的类型已由“{KindName(old.Kind)}”改为“{KindName(now.Kind)}”：评分表按原类型填的是{Filled(old)}，" +
                $"试算的细则要求{expected}。已填的数据不能换算成新类型：如要试算，请在草稿中保留该项原来的类型，或把新类型的评分项换一个编码 " +
                $"(item {code} changed kind from {old.Kind} to {now.Kind}; entries need \"{Field(now) ?? "nothing"}\")",
                expected, Field(now), []));
        }
        foreach (var p in invalid)
        {
            if (p.ItemCode is { } c && kindChanged.Contains(c)) continue;
            var name = p.ItemCode is null ? null : triedItems.GetValueOrDefault(p.ItemCode)?.Title ?? beforeItems.GetValueOrDefault(p.ItemCode)?.Title;
            var item = p.ItemCode is null ? null : triedItems.GetValueOrDefault(p.ItemCode);
            var head = p.ItemCode is null ? "" : $"评分项{p.ItemCode}{(name is null ? "" : $"（{name}）")}：";
            Add(sheet, new WhatIfProblem(p.Kind.ToString(), p.ItemCode, name, null, null, head + p.Message,
                item is null ? null : Expected(item), item is null ? null : Field(item), []));
        }
    }

    private void Add(string sheet, WhatIfProblem problem)
    {
        var key = (problem.Code, problem.ItemCode, problem.Message);
        if (!byCause.TryGetValue(key, out var found)) byCause[key] = found = (problem, []);
        if (!found.Sheets.Contains(sheet)) found.Sheets.Add(sheet);
    }

    /// <summary>Kind changes first, then by item code.</summary>
    public IReadOnlyList<WhatIfProblem> List() => byCause.Values
        .Select(v => v.Problem with { Sheets = v.Sheets })
        .OrderBy(p => p.Code == ItemKindChanged ? 0 : 1).ThenBy(p => p.ItemCode, StringComparer.Ordinal).ThenBy(p => p.Code, StringComparer.Ordinal)
        .ToList();

    public static string KindName(ItemKind kind) => kind switch
    {
        ItemKind.PerOccurrence => "每处扣分",
        ItemKind.Levels => "分档扣分",
        ItemKind.Sampled => "抽样扣分",
        ItemKind.PassFail => "达标与否",
        ItemKind.OverdueProblems => "逾期未整改问题",
        ItemKind.Clauses => "多条细则",
        _ => kind.ToString(),
    };

    /// <summary>What an entry of the item holds, in Chinese (no API field names: pages show it as it is).</summary>
    public static string Expected(ScoringItem item) => item switch
    {
        PerOccurrenceItem p => $"发现的{p.Unit}数（不小于0的整数）",
        LevelsItem l => $"一个等级（{string.Join("、", l.Levels.Select(x => $"{x.Code}={x.Name}"))}）",
        SampledItem s => $"不合格的样本数（0至{s.Samples}）",
        PassFailItem => "是否达标（是或否）",
        OverdueProblemsItem => "不填写，由整改台账自动计数",
        ClauseItem c => $"每条细则一项输入（{string.Join("、", c.Clauses.Select(x => x.Code))}）",
        _ => "见评分细则",
    };

    /// <summary>The entry member (API) that holds the item's input; null when nothing is entered.</summary>
    public static string? Field(ScoringItem item) => item.Kind switch
    {
        ItemKind.PerOccurrence => "count",
        ItemKind.Levels => "level",
        ItemKind.Sampled => "failedSamples",
        ItemKind.PassFail => "passed",
        ItemKind.Clauses => "clauses",
        _ => null,
    };

    private static string Filled(ScoringItem item) => item switch
    {
        PerOccurrenceItem p => $"{p.Unit}数",
        LevelsItem => "等级",
        SampledItem => "不合格样本数",
        PassFailItem => "是否达标",
        OverdueProblemsItem => "台账计数",
        _ => "各条细则",
    };
}
