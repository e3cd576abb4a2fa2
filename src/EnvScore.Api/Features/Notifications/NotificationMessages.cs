using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EnvScore.Api.Features.Rectifications;
using EnvScore.Domain.Calendar;

namespace EnvScore.Api.Features.Notifications;

/// <summary>A message before it has a robot: a title, Markdown lines and a site path (e.g. <c>/work/problems/12</c>).</summary>
public sealed record NotificationMessage(string Title, string Text, string? Link);

/// <summary>A township's villages that have not submitted their self-evaluation (for <see cref="NotificationMessages.SheetsDue"/>).</summary>
public sealed record TownshipMissing(string Township, IReadOnlyList<string> Villages);

/// <summary>An overdue problem as the daily message lists it.</summary>
public sealed record OverdueLine(string Township, string Village, string ItemTitle, DateOnly Deadline);

/// <summary>
/// The words of every message (Chinese, short: the township and village names and a link path). One place: the outbox
/// stores what these return, the payload adds the robot's envelope. Lists are cut at <see cref="MaxLines"/> lines
/// ("……等共N个"), so a message stays far below 企业微信's 4096 bytes.
/// </summary>
public static class NotificationMessages
{
    public const int MaxLines = 10, MaxNames = 15;

    public static NotificationMessage ProblemReported(Rectification p, string township, string village) => new(
        $"新整改问题：{township}{village}",
        $"**{township} {village}**\n评分项：{p.ItemTitle}\n问题：{p.Description}{(p.Location is { } l ? $"\n位置：{l}" : "")}\n整改时限：{p.Deadline:yyyy-MM-dd}",
        $"/work/problems/{p.Id}");

    public static NotificationMessage FixAwaitingReview(Rectification p, string township, string village) => new(
        $"已整改待复核：{township}{village}",
        $"**{township} {village}**\n评分项：{p.ItemTitle}\n问题：{p.Description}{(p.FixNote is { } n ? $"\n整改说明：{n}" : "")}\n请区级督查员现场复核。",
        $"/work/problems/{p.Id}");

    public static NotificationMessage ProblemsFromComputation(EvaluationMonth month, IReadOnlyList<(string Township, int Count)> perTownship)
    {
        var total = perTownship.Sum(t => t.Count);
        var lines = string.Join("\n", perTownship.Select(t => $"- {t.Township}：{t.Count}个"));
        return new($"{month.ToChinese()}区级抽查新增整改问题{total}个", $"{lines}\n请各乡镇按时限整改。", $"/work/problems?m={month}");
    }

    public static NotificationMessage DailyOverdue(DateOnly today, IReadOnlyList<OverdueLine> overdue)
    {
        var text = new StringBuilder();
        foreach (var o in overdue.Take(MaxLines))
            text.Append($"- {o.Township} {o.Village}：{o.ItemTitle}（时限{o.Deadline:M月d日}，逾期{today.DayNumber - o.Deadline.DayNumber}天）\n");
        if (overdue.Count > MaxLines) text.Append($"……等共{overdue.Count}个\n");
        text.Append("请相关乡镇尽快整改。");
        return new($"逾期未整改问题{overdue.Count}个（{today:M月d日}）", text.ToString(), "/work/problems?overdue=true");
    }

    public static NotificationMessage SheetsDue(EvaluationMonth month, DateTimeOffset deadline, IReadOnlyList<TownshipMissing> missing)
    {
        var local = TimeZoneInfo.ConvertTime(deadline, ChinaTime.Zone);
        var text = new StringBuilder();
        foreach (var t in missing)
        {
            var names = string.Join("、", t.Villages.Take(MaxNames)) + (t.Villages.Count > MaxNames ? "等" : "");
            text.Append($"- **{t.Township}**：{t.Villages.Count}个未提交（{names}）\n");
        }
        text.Append("请尚未提交的乡镇抓紧填报并提交。");
        return new($"{month.ToChinese()}自评将于{local:M月d日HH:mm}截止，{missing.Sum(t => t.Villages.Count)}个村（社区）未提交",
            text.ToString(), $"/admin/sheets?m={month}");
    }

    public static NotificationMessage Test(string district) => new(
        "测试消息", $"这是{district}农村人居环境月评比系统的测试消息。收到即表示推送地址配置正确。", "/admin/notifications");
}

/// <summary>
/// The robots' envelopes and answers.
/// 企业微信群机器人 (WeCom): <c>{"msgtype":"markdown","markdown":{"content":"### 标题\n正文\n[查看](链接)"}}</c>;
/// 钉钉自定义机器人 (DingTalk): <c>{"msgtype":"markdown","markdown":{"title":"标题","text":"### 标题\n正文\n[查看](链接)"}}</c>,
/// with the custom keyword (security setting 自定义关键词) put in front of title and text as 【关键词】 when the message does
/// not already contain it. Both answer HTTP 200 with <c>{"errcode":0,"errmsg":"ok"}</c>; a non-zero errcode is a failure.
/// The link is the site address (<c>Notifications:SiteUrl</c>) + the path when configured, else the path alone.
/// </summary>
public static class RobotPayload
{
    public static string Json(RobotFlavour flavour, string? keyword, NotificationMessage m, string? siteUrl)
    {
        var title = m.Title;
        var link = m.Link is null ? "" : string.IsNullOrEmpty(siteUrl) ? $"\n\n链接：{m.Link}" : $"\n\n[查看详情]({siteUrl.TrimEnd('/')}{m.Link})";
        var body = $"{m.Text}{link}";
        if (flavour == RobotFlavour.DingTalk && !string.IsNullOrEmpty(keyword) && !(title + body).Contains(keyword))
            title = $"【{keyword}】{title}";
        var markdown = $"### {title}\n{body}";
        var inner = flavour == RobotFlavour.WeCom
            ? new JsonObject { ["content"] = markdown }
            : new JsonObject { ["title"] = title, ["text"] = markdown };
        return new JsonObject { ["msgtype"] = "markdown", ["markdown"] = inner }.ToJsonString(Options);
    }

    private static readonly JsonSerializerOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Null when the robot took the message (2xx and errcode 0 or no errcode); else the reason, short and Chinese.</summary>
    public static string? Failure(int status, string answer)
    {
        var shortAnswer = answer.Length > 300 ? answer[..300] + "…" : answer;
        if (status is < 200 or > 299) return $"HTTP {status}：{shortAnswer}";
        try
        {
            using var json = JsonDocument.Parse(answer);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("errcode", out var code)
                && !(code.ValueKind == JsonValueKind.Number && code.GetInt64() == 0))
                return $"机器人返回错误码{code}：{(json.RootElement.TryGetProperty("errmsg", out var msg) ? msg.ToString() : "")}";
        }
        catch (JsonException) { /* a 2xx without JSON: taken as delivered */ }
        return null;
    }
}
