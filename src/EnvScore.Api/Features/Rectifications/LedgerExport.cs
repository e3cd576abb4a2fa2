using EnvScore.Api.Infrastructure.Data;
using EnvScore.Api.Infrastructure.Errors;
using EnvScore.Domain.Calendar;
using Microsoft.EntityFrameworkCore;
using OfficeOpenXml;
using OfficeOpenXml.Style;

namespace EnvScore.Api.Features.Rectifications;

/// <summary>
/// 整改台账 as the offices file it (EPPlus 4.5.3.3; no System.Drawing: widths are set, never auto-fitted, photos are links):
/// 序号, 村, 问题, 发现时间, 整改时限, 整改情况, 复核人, 销号时间, 整改前照片, 整改后照片. The rows are the ledger page's
/// (<see cref="RectificationLedger.Filtered"/>, same query parameters), so a user downloads exactly what they may read.
/// <c>GET /api/rectifications/ledger.xlsx?m=2026-11&amp;t=1&amp;state=Open&amp;overdue=true&amp;source=Round&amp;item=L01</c>.
/// </summary>
public static class LedgerExport
{
    public const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    public static readonly string[] Headers = ["序号", "村", "问题", "发现时间", "整改时限", "整改情况", "复核人", "销号时间", "整改前照片", "整改后照片"];

    public static IEndpointRouteBuilder MapLedgerExport(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/rectifications/ledger.xlsx", async (string? m, string? t, string? state, string? item, string? source, string? overdue,
            HttpContext http, RectificationLedger ledger, EnvScoreDbContext db, Pages.PeopleNames names, CancellationToken ct) =>
        {
            int? month = null;
            if (!string.IsNullOrEmpty(m))
            {
                if (!MonthInput.TryRead(m, out var parsed)) return MonthInput.Problem(http, "m", m);
                month = parsed.Key;
            }
            RectificationState? st = null;
            RectificationSource? src = null;
            if (!string.IsNullOrEmpty(state))
            {
                if (!Enum.TryParse<RectificationState>(state, true, out var s)) return Refuse(http, "state", state, "Open、AwaitingReview或Closed");
                st = s;
            }
            if (!string.IsNullOrEmpty(source))
            {
                if (!Enum.TryParse<RectificationSource>(source, true, out var sr)) return Refuse(http, "source", source, "DistrictCheck、SelfEvaluation或Round");
                src = sr;
            }
            // The page's filter form sends every field, empty ones as "": empty means "any".
            int? township = null;
            if (!string.IsNullOrWhiteSpace(t))
            {
                if (!int.TryParse(t, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
                    return Refuse(http, "t", t, "乡镇编号（整数）");
                township = id;
            }
            bool? late = null;
            if (!string.IsNullOrWhiteSpace(overdue))
            {
                if (!bool.TryParse(overdue, out var o)) return Refuse(http, "overdue", overdue, "true或false");
                late = o;
            }
            var filter = new LedgerFilter(month, township, st, string.IsNullOrWhiteSpace(item) ? null : item.Trim(), src, late);
            var rows = await ledger.Filtered(http.User, filter).Include(r => r.Photos)
                .OrderBy(r => r.TownshipId).ThenBy(r => r.FoundAt).ThenBy(r => r.Id).Take(10_000).ToListAsync(ct);
            var villageIds = rows.Select(r => r.VillageId).Distinct().ToList();
            var villages = await db.Villages.AsNoTracking().Where(v => villageIds.Contains(v.Id)).ToDictionaryAsync(v => v.Id, v => v.Name, ct);
            await names.LoadAsync(rows.Select(r => r.ReviewedBy), ct);
            var baseUrl = $"{http.Request.Scheme}://{http.Request.Host}";
            var bytes = Write(rows, villages, names.Of, baseUrl, ledger.Today);
            return Results.File(bytes, XlsxType, $"整改台账{(month is { } k ? "-" + EvaluationMonth.FromKey(k) : "")}.xlsx");
        }).RequireAuthorization();
        return app;
    }

    private static IResult Refuse(HttpContext http, string field, string value, string expected)
    {
        ErrorCodes.Set(http, ErrorCodes.InvalidRequest);
        return Results.Problem(title: $"参数{field}的值“{value}”无效，应为{expected} ({field} is not valid)", statusCode: 400);
    }

    /// <summary>The workbook: one sheet, a title row, the header row, one row per problem; photos as hyperlinks to the API.</summary>
    public static byte[] Write(IReadOnlyList<Rectification> rows, IReadOnlyDictionary<int, string> villages, Func<string?, string> person,
        string baseUrl, DateOnly today)
    {
        using var package = new ExcelPackage();
        var ws = package.Workbook.Worksheets.Add("整改台账");
        ws.Cells[1, 1].Value = "整改台账";
        ws.Cells[1, 1, 1, Headers.Length].Merge = true;
        ws.Cells[1, 1].Style.Font.Bold = true;
        ws.Cells[1, 1].Style.Font.Size = 14;
        ws.Cells[1, 1].Style.HorizontalAlignment = ExcelHorizontalAlignment.Center;
        for (var c = 0; c < Headers.Length; c++)
        {
            ws.Cells[2, c + 1].Value = Headers[c];
            ws.Cells[2, c + 1].Style.Font.Bold = true;
        }
        var row = 3;
        foreach (var r in rows)
        {
            ws.Cells[row, 1].Value = row - 2;
            ws.Cells[row, 2].Value = villages.GetValueOrDefault(r.VillageId, "");
            ws.Cells[row, 3].Value = $"{r.ItemTitle}：{r.Description}{(r.Location is null ? "" : $"（{r.Location}）")}";
            ws.Cells[row, 4].Value = Local(r.FoundAt);
            ws.Cells[row, 5].Value = r.Deadline.ToString("yyyy-MM-dd");
            ws.Cells[row, 6].Value = RectificationRules.StateName(r.State)
                + (RectificationRules.IsOverdue(r, today) ? "（逾期）" : "")
                + (r.FixNote is null ? "" : $"：{r.FixNote}");
            ws.Cells[row, 7].Value = r.ReviewedBy is null ? "" : person(r.ReviewedBy);
            ws.Cells[row, 8].Value = r.ClosedAt is { } closed ? Local(closed) : "";
            Photos(ws.Cells[row, 9], r, RectificationPhotoKind.Before, baseUrl);
            Photos(ws.Cells[row, 10], r, RectificationPhotoKind.After, baseUrl);
            row++;
        }
        ws.Cells[2, 1, Math.Max(2, row - 1), Headers.Length].Style.WrapText = true;
        foreach (var (col, width) in new[] { (1, 6.0), (2, 14.0), (3, 40.0), (4, 17.0), (5, 12.0), (6, 30.0), (7, 12.0), (8, 17.0), (9, 40.0), (10, 40.0) })
            ws.Column(col).Width = width;
        ws.View.FreezePanes(3, 1);
        return package.GetAsByteArray();
    }

    /// <summary>Every photo's address, one per line; the cell links to the first.</summary>
    private static void Photos(ExcelRange cell, Rectification r, RectificationPhotoKind kind, string baseUrl)
    {
        var urls = r.Photos.Where(p => p.Kind == kind).OrderBy(p => p.UploadedAt).ThenBy(p => p.Id)
            .Select(p => $"{baseUrl}/api/rectification-photos/{p.Id}").ToList();
        if (urls.Count == 0) return;
        cell.Hyperlink = new Uri(urls[0]);
        cell.Value = string.Join("\n", urls);
    }

    private static string Local(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, ChinaTime.Zone).ToString("yyyy-MM-dd HH:mm");
}
