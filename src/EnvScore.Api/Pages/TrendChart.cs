using System.Globalization;
using System.Net;
using System.Text;
using EnvScore.Api.Features.Publication;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Scoring;
using Microsoft.AspNetCore.Html;

namespace EnvScore.Api.Pages;

/// <summary>
/// A server-rendered SVG line chart of a village's monthly score, tier-coloured. Every point carries its
/// score and tier as visible text, so it reads without hovering, printed, and without script.
/// </summary>
public static class TrendChart
{
    private const int W = 760, H = 280, Left = 44, Right = 16, Top = 28, Bottom = 64;

    public static IHtmlContent Render(IReadOnlyList<PublishedVillageResult> trend, EvaluationMonth last, int months, string labelledBy)
    {
        var slots = Enumerable.Range(0, months).Select(i => last.AddMonths(i - (months - 1))).ToList();
        var byMonth = trend.ToDictionary(t => t.Month);
        var min = trend.Count == 0 ? 60m : Math.Min(60m, Math.Floor(trend.Min(t => t.FinalScore) / 10m) * 10m);
        const decimal max = 100m;
        double X(int i) => Left + (W - Left - Right) * (i + 0.5) / slots.Count;
        double Y(decimal v) => Top + (double)((max - Math.Clamp(v, min, max)) / (max - min)) * (H - Top - Bottom);
        static string N(double d) => d.ToString("0.#", CultureInfo.InvariantCulture);
        static string E(string s) => WebUtility.HtmlEncode(s);
        static string Color(Tier t) => t switch { Tier.Demonstration => "#1e7b34", Tier.Upgrade => "#b07400", _ => "#a4161a" };

        var points = slots.Select((s, i) => (i, r: byMonth.GetValueOrDefault(s.Key))).Where(p => p.r is not null).ToList();
        var svg = new StringBuilder();
        svg.Append($"<svg class=\"chart\" id=\"trend-chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-labelledby=\"{E(labelledBy)} trend-desc\">");
        svg.Append("<desc id=\"trend-desc\">")
            .Append(E(points.Count == 0 ? "暂无已发布的得分" : string.Join("；", points.Select(p => $"{slots[p.i].ToChinese()} {Web.Score(p.r!.FinalScore)}分 {p.r.Tier.ToChinese()}"))))
            .Append("</desc>");
        for (var v = min; v <= max; v += 10)
            svg.Append($"<line x1=\"{Left}\" x2=\"{W - Right}\" y1=\"{N(Y(v))}\" y2=\"{N(Y(v))}\" stroke=\"#e3e7ed\"/>")
               .Append($"<text x=\"{Left - 6}\" y=\"{N(Y(v) + 4)}\" text-anchor=\"end\" font-size=\"11\" fill=\"#5a6472\">{v:0}</text>");
        if (points.Count > 1)
            svg.Append($"<polyline fill=\"none\" stroke=\"#0b5394\" stroke-width=\"2\" points=\"{string.Join(" ", points.Select(p => $"{N(X(p.i))},{N(Y(p.r!.FinalScore))}"))}\"/>");
        for (var i = 0; i < slots.Count; i++)
        {
            var s = slots[i];
            var label = s.Month == 1 || i == 0 ? $"{s.Year}年{s.Month}月" : $"{s.Month}月";
            svg.Append($"<text x=\"{N(X(i))}\" y=\"{H - Bottom + 18}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#1d2430\">{E(label)}</text>");
            if (byMonth.GetValueOrDefault(s.Key) is { } r)
                svg.Append($"<circle cx=\"{N(X(i))}\" cy=\"{N(Y(r.FinalScore))}\" r=\"5\" fill=\"{Color(r.Tier)}\"/>")
                   .Append($"<text x=\"{N(X(i))}\" y=\"{N(Y(r.FinalScore) - 9)}\" text-anchor=\"middle\" font-size=\"12\" font-weight=\"bold\" fill=\"#1d2430\">{E(Web.Score(r.FinalScore))}</text>")
                   .Append($"<text x=\"{N(X(i))}\" y=\"{H - Bottom + 38}\" text-anchor=\"middle\" font-size=\"12\" font-weight=\"bold\" fill=\"{Color(r.Tier)}\">{E(r.Tier.ToChinese())}</text>");
            else
                svg.Append($"<text x=\"{N(X(i))}\" y=\"{H - Bottom + 38}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#9aa5b4\">未发布</text>");
        }
        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }
}
