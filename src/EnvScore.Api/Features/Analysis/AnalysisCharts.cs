using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Html;

namespace EnvScore.Api.Features.Analysis;

/// <summary>
/// Server-rendered SVG charts for the analysis page, drawn for a phone first: a 360-unit-wide viewBox that scales to
/// its card's width (<c>width:100%</c>, at most 560 px; never wider than the card, so the page does not scroll
/// sideways on a 390 px phone) with 13-unit text, which is ≥ 11 px at the narrowest card (about 320 px). Each bar's
/// label sits on its own line(s) above the bar — a label longer than the chart's width wraps onto a further line instead
/// of being cut off — and the value text sits at the bar's end inside the viewBox. Every chart carries a text
/// description (<c>desc</c>) with all its numbers.
/// </summary>
public static class AnalysisCharts
{
    private const int W = 360, Pad = 8, Font = 13, Line = 17, BarH = 14;
    /// <summary>Room kept for the value text (e.g. "扣164分", "+12.5分") at a bar's end.</summary>
    private const int ValueRoom = 64;

    /// <summary>Horizontal bars: label above, bar, value text at the bar's end. Negative values draw leftwards from a middle axis.</summary>
    public static IHtmlContent Bars(string id, string labelledBy, IReadOnlyList<(string Label, decimal Value, string ValueText)> bars, string color = "#a4161a")
    {
        static string N(double d) => d.ToString("0.#", CultureInfo.InvariantCulture);
        static string E(string s) => WebUtility.HtmlEncode(s);
        var signed = bars.Any(b => b.Value < 0);
        var max = bars.Count == 0 ? 1m : Math.Max(bars.Max(b => Math.Abs(b.Value)), 0.01m);
        var labels = bars.Select(b => Wrap(b.Label, W - 2 * Pad)).ToList();
        var h = Pad * 2 + (bars.Count == 0 ? 30 : labels.Sum(l => l.Count * Line + BarH + 8));
        double axis = signed ? W / 2.0 : Pad, span = signed ? W / 2.0 - Pad - ValueRoom : W - Pad - ValueRoom;
        var svg = new StringBuilder();
        // The inline style beats the phone rule for wide trend charts (.chart { min-width:560px }) in site.css.
        svg.Append($"<svg class=\"chart bars\" style=\"max-width:560px;min-width:0\" id=\"{E(id)}\" viewBox=\"0 0 {W} {h}\" role=\"img\" aria-labelledby=\"{E(labelledBy)} {E(id)}-desc\">");
        svg.Append($"<desc id=\"{E(id)}-desc\">").Append(E(bars.Count == 0 ? "暂无数据" : string.Join("；", bars.Select(b => $"{b.Label} {b.ValueText}")))).Append("</desc>");
        var text = $"style=\"font-size:{Font}px\" fill=\"#1f2933\"";
        if (bars.Count == 0) svg.Append($"<text x=\"{Pad}\" y=\"{Pad + 20}\" {text.Replace("#1f2933", "#5a6472")}>暂无数据</text>");
        var y = Pad;
        for (var i = 0; i < bars.Count; i++)
        {
            var (_, value, valueText) = bars[i];
            foreach (var line in labels[i])
            {
                y += Line;
                svg.Append($"<text x=\"{Pad}\" y=\"{y - 4}\" {text}>{E(line)}</text>");
            }
            var len = (double)(Math.Abs(value) / max) * span;
            var x = value < 0 ? axis - len : axis;
            svg.Append($"<rect x=\"{N(x)}\" y=\"{y + 1}\" width=\"{N(Math.Max(len, 1))}\" height=\"{BarH}\" fill=\"{(value < 0 ? "#1e7b34" : color)}\"/>");
            var tx = value < 0 ? x - 4 : x + len + 4;
            svg.Append($"<text x=\"{N(tx)}\" y=\"{y + BarH - 1}\" text-anchor=\"{(value < 0 ? "end" : "start")}\" {text}>{E(valueText)}</text>");
            y += BarH + 8;
        }
        if (signed) svg.Append($"<line x1=\"{N(axis)}\" x2=\"{N(axis)}\" y1=\"{Pad}\" y2=\"{h - Pad}\" stroke=\"#5a6472\"/>");
        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }

    /// <summary>
    /// Splits a label into lines no wider than <paramref name="width"/> units at <see cref="Font"/>-unit text, estimating a
    /// CJK or full-width character as one em and any other as 0.6 em (a conservative estimate for the sans-serif fonts
    /// the pages use).
    /// </summary>
    internal static List<string> Wrap(string label, double width)
    {
        var lines = new List<string>();
        var current = new StringBuilder();
        double used = 0;
        foreach (var ch in label)
        {
            var w = (ch >= 0x2E80 || ch is '（' or '）' or '·') ? Font : Font * 0.6;
            if (used + w > width && current.Length > 0)
            {
                lines.Add(current.ToString().TrimEnd());
                current.Clear();
                used = 0;
                if (ch == ' ') continue;
            }
            current.Append(ch);
            used += w;
        }
        if (current.Length > 0) lines.Add(current.ToString());
        return lines.Count == 0 ? [""] : lines;
    }
}
