using System.Text.Json;
using System.Text.Json.Nodes;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Features.Rectifications;
using EnvScore.Domain.Calendar;

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
    private static readonly HashSet<string> Identity =
        ["id", "villageId", "month", "kind", "entries", "evidence", "rectificationId", "evaluationId", "photos"];

    /// <summary>The Chinese name of every field the audit snapshots hold (<see cref="AuditWriter.Snapshot"/> of a sheet,
    /// <see cref="RectificationService.Snapshot"/> of a problem); the raw-record view and the change summary both read it.</summary>
    internal static readonly IReadOnlyDictionary<string, string> Labels = new Dictionary<string, string>
    {
        ["id"] = "编号", ["villageId"] = "村编号", ["month"] = "月份", ["kind"] = "类别", ["status"] = "状态", ["note"] = "备注",
        ["vetoes"] = "一票否决", ["returnReason"] = "退回原因", ["correctionReason"] = "更正原因", ["entries"] = "评分项",
        ["evidence"] = "证据照片", ["itemCode"] = "评分项代码", ["notApplicable"] = "不适用", ["count"] = "数量", ["level"] = "档次",
        ["failedSamples"] = "不合格样本数", ["passed"] = "是否合格", ["zeroConditions"] = "不得分情形", ["clauses"] = "细则",
        ["code"] = "细则代码", ["yes"] = "是否", ["percent"] = "百分比", ["numerator"] = "分子", ["denominator"] = "分母",
        ["fileName"] = "文件名", ["fixRound"] = "第几次整改上报", ["size"] = "大小（字节）", ["sha256"] = "校验值（SHA-256）", ["capturedAt"] = "拍摄时间",
        ["rectificationId"] = "问题编号", ["clauseCode"] = "细则代码", ["points"] = "扣分", ["description"] = "问题描述",
        ["location"] = "位置", ["source"] = "来源", ["state"] = "整改状态", ["deadline"] = "整改时限", ["fixNote"] = "整改说明",
        ["reviewNote"] = "复核意见", ["rejectCount"] = "复核未通过次数", ["evaluationId"] = "评分表编号", ["photos"] = "照片",
        ["revision"] = "版次", ["title"] = "标题", ["reason"] = "更正原因", ["villages"] = "村数",
    };

    /// <param name="itemTitle">The sheet's item titles by code, so that a change reads "乱堆乱放（L02）" rather than "L02"; null: codes only.</param>
    public static IReadOnlyList<AuditChange> Between(string? beforeJson, string? afterJson, Func<string, string?>? itemTitle = null)
    {
        var before = Parse(beforeJson);
        var after = Parse(afterJson);
        if (before is null && after is null) return [];
        if (before is null && after!["revision"] is not null)
            return [new AuditChange(AuditChangeKind.Added, after["correctionReason"] is not null ? "更正" : "通报",
                After: after["correctionReason"] is { } r ? $"第{after["revision"]}版，原因：{(string?)r}" : $"第{after["revision"]}版")];
        if (before is null && after!["rectificationId"] is not null)
            return [new AuditChange(AuditChangeKind.Added, "整改问题", After: Display("description", after["description"]))];
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
        if (before["photos"] is JsonArray oldPhotos && after["photos"] is JsonArray newPhotos)
            ComparePhotos(oldPhotos, newPhotos, changes);
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

    private static void ComparePhotos(JsonArray before, JsonArray after, List<AuditChange> changes)
    {
        var old = ByKey(before, "id");
        var now = ByKey(after, "id");
        string Name(JsonObject p) => $"{Display("kind", p["kind"])}照片";
        foreach (var (_, p) in now.Where(x => !old.ContainsKey(x.Key))) changes.Add(new AuditChange(AuditChangeKind.Added, Name(p), After: (string?)p["fileName"]));
        foreach (var (_, p) in old.Where(x => !now.ContainsKey(x.Key))) changes.Add(new AuditChange(AuditChangeKind.Removed, $"{Name(p)}{(string?)p["fileName"]}"));
    }

    /// <summary>
    /// A snapshot as a reader reads it: one line per field, "字段：值", with the Chinese field names and values of the
    /// summary; lists one element per line, indented. Null for no snapshot; the text itself when it is not JSON.
    /// </summary>
    public static string? Render(string? json)
    {
        if (json is null) return null;
        JsonNode? root;
        try { root = JsonNode.Parse(json); }
        catch (JsonException) { return json; }
        var text = new System.Text.StringBuilder();
        Write(text, root, "", 0);
        return text.ToString().TrimEnd();
    }

    private static void Write(System.Text.StringBuilder text, JsonNode? node, string key, int depth)
    {
        var indent = new string(' ', depth * 2);
        switch (node)
        {
            case JsonObject o when key != "clauses":
                foreach (var (k, v) in o)
                {
                    if (v is JsonArray { Count: > 0 } or JsonObject) { text.Append(indent).Append(Label(k)).AppendLine("："); Write(text, v, k, depth + 1); }
                    else text.Append(indent).Append(Label(k)).Append('：').AppendLine(Display(k, v));
                }
                break;
            case JsonArray a:
                var n = 0;
                foreach (var element in a)
                {
                    n++;
                    if (element is JsonObject child && key != "clauses") { text.Append(indent).Append(n).AppendLine("."); Write(text, child, key, depth + 1); }
                    else text.Append(indent).Append(n).Append(". ").AppendLine(Display(key, element));
                }
                break;
            default:
                text.Append(indent).AppendLine(Display(key, node));
                break;
        }
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

    private static string Text(string key, string s) => key switch
    {
        _ when s.Length == 0 => "空",
        "status" when Enum.TryParse<EvaluationStatus>(s, out var status) => EvaluationService.StatusName(status),
        "kind" when Enum.TryParse<EvaluationKind>(s, out var kind) => EvaluationService.KindName(kind),
        "kind" when Enum.TryParse<RectificationPhotoKind>(s, out var photo) => photo == RectificationPhotoKind.Before ? "整改前" : "整改后",
        "state" when Enum.TryParse<RectificationState>(s, out var state) => RectificationRules.StateName(state),
        "source" when Enum.TryParse<RectificationSource>(s, out var source) => RectificationRules.SourceName(source),
        "capturedAt" when DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var at)
            => TimeZoneInfo.ConvertTime(at, ChinaTime.Zone).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
        _ => s,
    };

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
        JsonValue v when v.TryGetValue<string>(out var s) => Text(key, s),
        JsonValue v when key == "month" && v.TryGetValue<int>(out var m) && m is > 190000 and < 300000 => EvaluationMonth.FromKey(m).ToChinese(),
        _ => node.ToJsonString(),
    };

    private static JsonObject? Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        try { return JsonNode.Parse(json) as JsonObject; }
        catch (JsonException) { return null; }
    }
}
