using System.Text.Json;
using System.Text.Json.Nodes;
using EnvScore.Api.Features.Evaluations;

namespace EnvScore.Api.Features.Audit;

public enum AuditChangeKind { Added, Changed, Removed }

/// <summary>One difference between the before and after snapshots of a sheet, with display values in Chinese.</summary>
public sealed record AuditChange(AuditChangeKind Kind, string Subject, string? Before = null, string? After = null)
{
    public override string ToString() => Kind switch
    {
        AuditChangeKind.Added => After is { Length: > 0 } a ? $"新增{Subject}（{a}）" : $"新增{Subject}",
        AuditChangeKind.Removed => $"删除{Subject}",
        _ => $"{Subject}：{Before}→{After}",
    };
}

/// <summary>
/// What an audit row changed: the differences between its before and after JSON (<see cref="AuditWriter.Snapshot"/>,
/// or the partial <c>{"status": …}</c> of a deadline lock). Top-level fields present on both sides are compared
/// (status, note, vetoes, return reason); entries are matched by item code (added, removed, each differing field);
/// evidence by id. A creation (no before) is one "new sheet" change.
/// </summary>
public static class AuditChanges
{
    private static readonly HashSet<string> Identity = ["id", "villageId", "month", "kind", "entries", "evidence"];

    private static readonly Dictionary<string, string> Labels = new()
    {
        ["status"] = "状态", ["note"] = "备注", ["vetoes"] = "一票否决", ["returnReason"] = "退回原因", ["correctionReason"] = "更正原因",
        ["notApplicable"] = "不适用", ["count"] = "数量", ["level"] = "档次", ["failedSamples"] = "不合格样本数",
        ["passed"] = "是否合格", ["zeroConditions"] = "不得分情形", ["clauses"] = "细则",
    };

    /// <param name="itemTitle">The sheet's item titles by code, so that a change reads "乱堆乱放（L02）" rather than "L02"; null: codes only.</param>
    public static IReadOnlyList<AuditChange> Between(string? beforeJson, string? afterJson, Func<string, string?>? itemTitle = null)
    {
        var before = Parse(beforeJson);
        var after = Parse(afterJson);
        if (before is null && after is null) return [];
        if (before is null)
        {
            var entries = after!["entries"] is JsonArray a ? a.Count : 0;
            var status = after["status"] is { } s ? $"，{Display("status", s)}" : "";
            return [new AuditChange(AuditChangeKind.Added, "评分表", After: $"{entries}项{status}")];
        }
        if (after is null) return [new AuditChange(AuditChangeKind.Removed, "评分表")];

        var changes = new List<AuditChange>();
        foreach (var (key, value) in before)
        {
            if (Identity.Contains(key) || !after.TryGetPropertyValue(key, out var other)) continue;
            // A change that reads the same (null → "" is "空→空") is no change to a reader.
            if (!JsonNode.DeepEquals(value, other) && Display(key, value) != Display(key, other))
                changes.Add(new AuditChange(AuditChangeKind.Changed, Label(key), Display(key, value), Display(key, other)));
        }
        // Facts only the after side carries (a district correction's reason): said as they are.
        foreach (var (key, value) in after)
            if (!Identity.Contains(key) && !before.ContainsKey(key) && !IsEmpty(value))
                changes.Insert(0, new AuditChange(AuditChangeKind.Added, Label(key), After: Display(key, value)));
        if (before["entries"] is JsonArray oldEntries && after["entries"] is JsonArray newEntries)
            CompareEntries(oldEntries, newEntries, changes, Item(itemTitle));
        if (before["evidence"] is JsonArray oldEvidence && after["evidence"] is JsonArray newEvidence)
            CompareEvidence(oldEvidence, newEvidence, changes, Item(itemTitle));
        return changes;
    }

    /// <summary>The first <paramref name="max"/> changes joined by "；", then how many more; "无变化" when none.</summary>
    public static string Summary(IReadOnlyList<AuditChange> changes, int max = 6) =>
        changes.Count == 0 ? "无变化"
        : string.Join("；", changes.Take(max)) + (changes.Count > max ? $"；……共{changes.Count}处" : "");

    /// <summary>"乱堆乱放（L02）" when the title is known, else the code.</summary>
    private static Func<string, string> Item(Func<string, string?>? itemTitle) =>
        code => itemTitle?.Invoke(code) is { Length: > 0 } title ? $"{title}（{code}）" : code;

    private static void CompareEntries(JsonArray before, JsonArray after, List<AuditChange> changes, Func<string, string> item)
    {
        var old = ByKey(before, "itemCode");
        var now = ByKey(after, "itemCode");
        foreach (var (code, entry) in now)
        {
            if (!old.TryGetValue(code, out var previous)) { changes.Add(new AuditChange(AuditChangeKind.Added, $"评分项{item(code)}", After: Values(entry))); continue; }
            foreach (var (key, value) in entry)
            {
                if (key == "itemCode") continue;
                var was = previous[key];
                if (!JsonNode.DeepEquals(was, value))
                    changes.Add(new AuditChange(AuditChangeKind.Changed, $"{item(code)} {Label(key)}", Display(key, was), Display(key, value)));
            }
        }
        foreach (var code in old.Keys.Where(c => !now.ContainsKey(c)))
            changes.Add(new AuditChange(AuditChangeKind.Removed, $"评分项{item(code)}"));
    }

    private static void CompareEvidence(JsonArray before, JsonArray after, List<AuditChange> changes, Func<string, string> item)
    {
        var old = ByKey(before, "id");
        var now = ByKey(after, "id");
        string Name(JsonObject e) => (string?)e["fileName"] + (e["itemCode"] is { } code ? $"，{item((string)code!)}" : "");
        foreach (var (id, e) in now.Where(x => !old.ContainsKey(x.Key))) changes.Add(new AuditChange(AuditChangeKind.Added, "证据照片", After: Name(e)));
        foreach (var (id, e) in old.Where(x => !now.ContainsKey(x.Key))) changes.Add(new AuditChange(AuditChangeKind.Removed, $"证据照片{Name(e)}"));
    }

    private static Dictionary<string, JsonObject> ByKey(JsonArray array, string key) =>
        array.OfType<JsonObject>().Where(o => o[key] is not null)
            .GroupBy(o => o[key]!.ToJsonString()).ToDictionary(g => g.Key.Trim('"'), g => g.Last(), StringComparer.Ordinal);

    /// <summary>The values an added entry holds, e.g. "数量 3" or "档次 A" (empty values left out).</summary>
    private static string Values(JsonObject entry) => string.Join("，", entry
        .Where(p => p.Key != "itemCode" && !IsEmpty(p.Value))
        .Select(p => $"{Label(p.Key)} {Display(p.Key, p.Value)}"));

    private static bool IsEmpty(JsonNode? node) => node switch
    {
        null => true,
        JsonArray a => a.Count == 0,
        JsonValue v when v.TryGetValue<bool>(out var b) => !b,
        _ => false,
    };

    private static string Label(string key) => Labels.GetValueOrDefault(key, key);

    private static string Display(string key, JsonNode? node) => node switch
    {
        null => "空",
        JsonArray { Count: 0 } => "空",
        JsonArray a => string.Join("、", a.Select(x => Display(key, x))),
        // A clause input: its code and the one value it holds, e.g. "c=5", "a=是", "r=160/200".
        JsonObject o when key == "clauses" => $"{(string?)o["code"]}=" + (o["numerator"] is { } n && o["denominator"] is { } d
            ? $"{n.ToJsonString()}/{d.ToJsonString()}"
            : string.Join("", o.Where(p => p.Key != "code" && p.Value is not null).Select(p => Display(p.Key, p.Value)))),
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "是" : "否",
        JsonValue v when v.TryGetValue<string>(out var s) => key == "status" && Enum.TryParse<EvaluationStatus>(s, out var status)
            ? EvaluationService.StatusName(status) : s.Length == 0 ? "空" : s,
        _ => node.ToJsonString(),
    };

    private static JsonObject? Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        try { return JsonNode.Parse(json) as JsonObject; }
        catch (JsonException) { return null; }
    }
}
