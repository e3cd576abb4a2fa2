using System.Text.Json;
using System.Text.Json.Serialization;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Infrastructure.Errors;
using Microsoft.AspNetCore.Mvc;

namespace EnvScore.Api.Features.Calendar;

/// <summary>
/// The body of <c>POST /odata/Calendars</c>: <c>month</c> as <c>"2026-12"</c> (documented) or the yyyymm integer a GET
/// answers (<c>202612</c>); the four instants as ISO 8601 with an offset (<c>"2026-12-01T00:00:00+08:00"</c>). <c>id</c>,
/// <c>districtId</c> (must be the admin's own, or 0) and <c>isOverride</c> are accepted so that a calendar read with GET
/// can be posted back, and otherwise ignored. Numbers are JSON numbers; a member of the wrong JSON type or one the
/// calendar does not have is 400 <c>InvalidJson</c> naming it; a month that is not one is 400 <c>InvalidMonth</c>.
/// </summary>
public sealed record CalendarWrite
{
    public int? Id { get; init; }
    public int? DistrictId { get; init; }
    [JsonConverter(typeof(MonthTextConverter))]
    public string? Month { get; init; }
    public DateTimeOffset? OpensAt { get; init; }
    public DateTimeOffset? TownshipDeadline { get; init; }
    public DateTimeOffset? DistrictCheckDeadline { get; init; }
    public DateTimeOffset? ComputeAt { get; init; }
    public bool? IsOverride { get; init; }

    private static readonly string[] Members = ["id", "districtId", "month", "opensAt", "townshipDeadline", "districtCheckDeadline", "computeAt", "isOverride"];

    /// <summary>Each instant the body left out, named with what it should hold.</summary>
    public Dictionary<string, string[]> Missing()
    {
        var errors = new Dictionary<string, string[]>();
        void Need(string field, string label, DateTimeOffset? value)
        {
            if (value is null) errors[field] = [$"请填写{label}（{field}），应为带时区的时间字符串，如\"2026-12-01T00:00:00+08:00\" ({field} is required)"];
        }
        Need("opensAt", "开放填报时间", OpensAt);
        Need("townshipDeadline", "乡镇提交截止时间", TownshipDeadline);
        Need("districtCheckDeadline", "区级抽查截止时间", DistrictCheckDeadline);
        Need("computeAt", "计划计算时间", ComputeAt);
        return errors;
    }

    /// <summary>The body (kept by <see cref="ControlCharacterGuard"/>, else read here), or the 400 naming what could not be read.</summary>
    public static async Task<(CalendarWrite? Write, IActionResult? Problem)> ReadAsync(ControllerBase controller, CancellationToken ct)
    {
        var http = controller.HttpContext;
        JsonDocument? document = null;
        try
        {
            document = http.Items[ODataBodyErrors.BodyKey] is byte[] bytes
                ? JsonDocument.Parse(bytes)
                : await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: ct);
        }
        catch (JsonException)
        {
        }
        using (document)
        {
            if (document is not { RootElement.ValueKind: JsonValueKind.Object }) return (null, controller.UnreadableBody());
            foreach (var member in document.RootElement.EnumerateObject())
            {
                if (member.Name.Contains('@') || Members.Contains(member.Name, StringComparer.OrdinalIgnoreCase)) continue;
                return (null, controller.InvalidFields(new Dictionary<string, string[]>
                {
                    [member.Name] = [$"字段{member.Name}不存在；可写的字段：{string.Join("、", Members)} (unknown field)"],
                }, ErrorCodes.InvalidJson));
            }
            var (write, field, message) = SheetJson.Read<CalendarWrite>(document.RootElement);
            if (write is not null) return (write, null);
            if (field is null) return (null, controller.UnreadableBody());
            return (null, controller.InvalidFields(new Dictionary<string, string[]> { [field] = [message!] }, ErrorCodes.InvalidJson, JsonFieldErrors.TitleFor(message!)));
        }
    }
}
