using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Html;

namespace EnvScore.Api.Features.Analysis;

/// <summary>
/// Server-rendered SVG charts for the analysis page, drawn for a phone first: a 360-unit-wide viewBox shown at most
/// 560 px wide, so 12-unit labels are at least 11 px on a 390 px phone. Each bar's label sits on its own line above the
/// bar; every chart carries a text description (<c>desc</c>) with all its numbers.
/// </summary>
public static class AnalysisCharts
{
    private const int W = 360, Row = 38, Pad = 8;

    /// <summary>Horizontal bars: label above, bar, value text at the bar's end. Negative values draw leftwards from a middle axis.</summary>
    public static IHtmlContent Bars(string id, string labelledBy, IReadOnlyList<(string Label, decimal Value, string ValueText)> bars, string color = "#a4161a")
    {
        static string N(double d) => d.ToString("0.#", CultureInfo.InvariantCulture);
        static string E(string s) => WebUtility.HtmlEncode(s);
        var signed = bars.Any(b => b.Value < 0);
        var max = bars.Count == 0 ? 1m : Math.Max(bars.Max(b => Math.Abs(b.Value)), 0.01m);
        var h = Pad * 2 + Math.Max(1, bars.Count) * Row;
        double axis = signed ? W / 2.0 : Pad, span = signed ? W / 2.0 - 60 : W - Pad - 70;
        var svg = new StringBuilder();
        svg.Append($"<svg class=\"chart\" style=\"max-width:560px\" id=\"{E(id)}\" viewBox=\"0 0 {W} {h}\" role=\"img\" aria-labelledby=\"{E(labelledBy)} {E(id)}-desc\">");
        svg.Append($"<desc id=\"{E(id)}-desc\">").Append(E(bars.Count == 0 ? "暂无数据" : string.Join("；", bars.Select(b => $"{b.Label} {b.ValueText}")))).Append("</desc>");
        if (bars.Count == 0) svg.Append($"<text x=\"{Pad}\" y=\"{Pad + 20}\" font-size=\"13\" fill=\"#5a6472\">暂无数据</text>");
        for (var i = 0; i < bars.Count; i++)
        {
            var (label, value, text) = bars[i];
            var y = Pad + i * Row;
            var len = (double)(Math.Abs(value) / max) * span;
            var x = value < 0 ? axis - len : axis;
            svg.Append($"<text x=\"{Pad}\" y=\"{y + 13}\" font-size=\"12\" fill=\"#1f2933\">{E(label)}</text>");
            svg.Append($"<rect x=\"{N(x)}\" y=\"{y + 18}\" width=\"{N(Math.Max(len, 1))}\" height=\"14\" fill=\"{(value < 0 ? "#1e7b34" : color)}\"/>");
            var tx = value < 0 ? x - 4 : x + len + 4;
            svg.Append($"<text x=\"{N(tx)}\" y=\"{y + 30}\" font-size=\"12\" text-anchor=\"{(value < 0 ? "end" : "start")}\" fill=\"#1f2933\">{E(text)}</text>");
        }
        if (signed) svg.Append($"<line x1=\"{N(axis)}\" x2=\"{N(axis)}\" y1=\"{Pad}\" y2=\"{h - Pad}\" stroke=\"#5a6472\"/>");
        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }
}
