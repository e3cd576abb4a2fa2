using System.Drawing;
using System.Globalization;
using EnvScore.Domain.Scoring;
using OfficeOpenXml;
using OfficeOpenXml.Style;

namespace EnvScore.Spreadsheets.Bulletins;

/// <summary>
/// Writes the month's bulletin workbook: 区级排名, 乡镇排名, one sheet per township, 红黑榜, 扣分明细 —
/// styled for A4 landscape printing. All text goes through <see cref="SafeCells"/>.
/// </summary>
public static class BulletinWriter
{
    public const string DistrictSheet = "区级排名";
    public const string TownshipSheet = "乡镇排名";
    public const string ListsSheet = "红黑榜";
    public const string DeductionsSheet = "扣分明细";

    public static readonly Color DemonstrationFill = Color.FromArgb(0xC6, 0xEF, 0xCE);
    public static readonly Color UpgradeFill = Color.FromArgb(0xFF, 0xEB, 0x9C);
    public static readonly Color RectifyFill = Color.FromArgb(0xFF, 0xC7, 0xCE);
    private static readonly Color HeaderFill = Color.FromArgb(0xD9, 0xE1, 0xF2);

    private const string ScoreFormat = "0.00";

    public static byte[] Write(Bulletin bulletin)
    {
        using var ms = new MemoryStream();
        Write(bulletin, ms);
        return ms.ToArray();
    }

    public static void Write(Bulletin bulletin, Stream output)
    {
        using var package = new ExcelPackage();
        var wb = package.Workbook;
        WriteDistrict(wb.Worksheets.Add(DistrictSheet), bulletin);
        WriteTownships(wb.Worksheets.Add(TownshipSheet), bulletin);
        var used = new HashSet<string>(wb.Worksheets.Select(w => w.Name)) { ListsSheet, DeductionsSheet };
        foreach (var township in bulletin.DistrictRanking.GroupBy(r => r.TownshipCode).OrderBy(g => g.Min(r => r.Rank)))
        {
            var name = UniqueSheetName(township.First().TownshipName, used);
            WriteOneTownship(wb.Worksheets.Add(name), bulletin, township.ToList());
        }
        WriteLists(wb.Worksheets.Add(ListsSheet), bulletin);
        WriteDeductions(wb.Worksheets.Add(DeductionsSheet), bulletin);
        wb.Properties.Title = bulletin.Title;
        package.SaveAs(output);
    }

    // ------------------------------------------------------------------ sheets

    private static readonly (string Header, double Width)[] RankingColumns =
    [
        ("排名", 7), ("升降", 8), ("村（社区）", 16), ("代码", 15), ("所属乡镇", 14), ("得分", 9), ("类别", 8), ("乡镇内排名", 10), ("标记", 24),
    ];

    private static void WriteDistrict(ExcelWorksheet ws, Bulletin b)
    {
        var row = Title(ws, b, "区级排名", RankingColumns);
        foreach (var r in b.DistrictRanking.OrderBy(r => r.Rank)) RankingRow(ws, row++, r);
        Finish(ws, RankingColumns.Length, row - 1);
    }

    private static void WriteOneTownship(ExcelWorksheet ws, Bulletin b, List<DistrictRankingRow> rows)
    {
        var row = Title(ws, b, $"{rows[0].TownshipName} 村（社区）排名", RankingColumns);
        foreach (var r in rows.OrderBy(r => r.TownshipRank ?? r.Rank).ThenBy(r => r.Rank)) RankingRow(ws, row++, r);
        Finish(ws, RankingColumns.Length, row - 1);
    }

    private static void RankingRow(ExcelWorksheet ws, int row, DistrictRankingRow r)
    {
        ws.Cells[row, 1].Value = r.Rank;
        ws.Cells[row, 2].Value = Movement(r.Movement);
        SafeCells.SetText(ws.Cells[row, 3], r.VillageName);
        ws.Cells[row, 4].Value = r.VillageCode.Value;
        SafeCells.SetText(ws.Cells[row, 5], r.TownshipName);
        Score(ws.Cells[row, 6], r.Score);
        TierCell(ws.Cells[row, 7], r.Tier);
        ws.Cells[row, 8].Value = r.TownshipRank;
        SafeCells.SetText(ws.Cells[row, 9], r.Flags is { Count: > 0 } f ? string.Join("、", f) : null);
    }

    private static readonly (string, double)[] TownshipColumns =
    [
        ("排名", 7), ("升降", 8), ("乡镇", 16), ("代码", 15), ("平均分", 9), ("村数", 7), ("示范", 7), ("提升", 7), ("整治", 7),
    ];

    private static void WriteTownships(ExcelWorksheet ws, Bulletin b)
    {
        var row = Title(ws, b, "乡镇排名", TownshipColumns);
        foreach (var t in b.TownshipRanking.OrderBy(t => t.Rank))
        {
            ws.Cells[row, 1].Value = t.Rank;
            ws.Cells[row, 2].Value = Movement(t.Movement);
            SafeCells.SetText(ws.Cells[row, 3], t.TownshipName);
            ws.Cells[row, 4].Value = t.TownshipCode.Value;
            Score(ws.Cells[row, 5], t.AverageScore);
            ws.Cells[row, 6].Value = t.VillageCount;
            ws.Cells[row, 7].Value = t.DemonstrationCount;
            ws.Cells[row, 8].Value = t.UpgradeCount;
            ws.Cells[row, 9].Value = t.RectifyCount;
            if (t.DemonstrationCount > 0) Fill(ws.Cells[row, 7], DemonstrationFill);
            if (t.UpgradeCount > 0) Fill(ws.Cells[row, 8], UpgradeFill);
            if (t.RectifyCount > 0) Fill(ws.Cells[row, 9], RectifyFill);
            row++;
        }
        Finish(ws, TownshipColumns.Length, row - 1);
    }

    private static readonly (string, double)[] ListColumns =
    [
        ("序号", 7), ("村（社区）", 16), ("代码", 15), ("所属乡镇", 14), ("得分", 9), ("事由", 60),
    ];

    private static void WriteLists(ExcelWorksheet ws, Bulletin b)
    {
        var row = Title(ws, b, "红黑榜", ListColumns);
        row = ListBlock(ws, row, "红榜（示范）", b.RedList, DemonstrationFill);
        row = ListBlock(ws, row + 1, "黑榜（整治）", b.BlackList, RectifyFill);
        Finish(ws, ListColumns.Length, row - 1);
    }

    private static int ListBlock(ExcelWorksheet ws, int row, string caption, IReadOnlyList<ListEntry> entries, Color fill)
    {
        var head = ws.Cells[row, 1, row, ListColumns.Length];
        head.Merge = true;
        ws.Cells[row, 1].Value = caption;
        head.Style.Font.Bold = true;
        Fill(head, fill);
        row++;
        if (entries.Count == 0)
        {
            ws.Cells[row, 1, row, ListColumns.Length].Merge = true;
            ws.Cells[row, 1].Value = "（无）";
            return row + 1;
        }
        for (var i = 0; i < entries.Count; i++, row++)
        {
            var e = entries[i];
            ws.Cells[row, 1].Value = i + 1;
            SafeCells.SetText(ws.Cells[row, 2], e.VillageName);
            ws.Cells[row, 3].Value = e.VillageCode.Value;
            SafeCells.SetText(ws.Cells[row, 4], e.TownshipName);
            Score(ws.Cells[row, 5], e.Score);
            SafeCells.SetText(ws.Cells[row, 6], e.Reason);
            ws.Cells[row, 6].Style.WrapText = true;
        }
        return row;
    }

    private static readonly (string, double)[] DeductionColumns =
    [
        ("村（社区）", 16), ("代码", 15), ("所属乡镇", 14), ("得分", 9), ("类别", 12), ("项目", 16), ("分值", 8), ("说明", 60),
    ];

    private static void WriteDeductions(ExcelWorksheet ws, Bulletin b)
    {
        var row = Title(ws, b, "扣分明细", DeductionColumns);
        foreach (var v in b.Deductions)
        {
            // Village columns repeat on every line, so a filtered or cut-up printout stays readable.
            var lines = v.Lines.Count > 0 ? v.Lines : [new DeductionLine("", "", "", 0, "无扣分")];
            foreach (var line in lines)
            {
                SafeCells.SetText(ws.Cells[row, 1], v.VillageName);
                ws.Cells[row, 2].Value = v.VillageCode.Value;
                SafeCells.SetText(ws.Cells[row, 3], v.TownshipName);
                Score(ws.Cells[row, 4], v.Score);
                SafeCells.SetText(ws.Cells[row, 5], line.SectionTitle);
                SafeCells.SetText(ws.Cells[row, 6], line.ItemTitle);
                if (line.ItemCode.Length > 0)
                {
                    ws.Cells[row, 7].Value = line.Points;
                    ws.Cells[row, 7].Style.Numberformat.Format = "+0.##;-0.##;0";
                }
                SafeCells.SetText(ws.Cells[row, 8], line.Explanation);
                ws.Cells[row, 8].Style.WrapText = true;
                row++;
            }
        }
        Finish(ws, DeductionColumns.Length, row - 1);
    }

    // ------------------------------------------------------------------ shared layout

    /// <summary>Title, date (and foreword), header row; returns the first data row.</summary>
    private static int Title(ExcelWorksheet ws, Bulletin b, string subtitle, (string Header, double Width)[] columns)
    {
        var last = columns.Length;
        ws.Cells[1, 1, 1, last].Merge = true;
        SafeCells.SetText(ws.Cells[1, 1], $"{b.Title} — {subtitle}");
        ws.Cells[1, 1].Style.Font.Size = 16;
        ws.Cells[1, 1].Style.Font.Bold = true;
        ws.Cells[1, 1].Style.HorizontalAlignment = ExcelHorizontalAlignment.Center;
        ws.Row(1).Height = 30;

        ws.Cells[2, 1, 2, last].Merge = true;
        var date = $"{b.Date.Year}年{b.Date.Month}月{b.Date.Day}日";
        SafeCells.SetText(ws.Cells[2, 1], b.IssuedBy is null ? date : $"{b.IssuedBy}　{date}");
        ws.Cells[2, 1].Style.HorizontalAlignment = ExcelHorizontalAlignment.Right;

        var header = 3;
        if (!string.IsNullOrWhiteSpace(b.Foreword))
        {
            ws.Cells[3, 1, 3, last].Merge = true;
            SafeCells.SetText(ws.Cells[3, 1], b.Foreword);
            ws.Cells[3, 1].Style.WrapText = true;
            ws.Cells[3, 1].Style.VerticalAlignment = ExcelVerticalAlignment.Top;
            // No AutoFit on Linux: estimate the height from the text length and the merged width.
            var charsPerLine = Math.Max(20, columns.Sum(c => c.Width) * 0.9);
            ws.Row(3).Height = Math.Min(400, 16 * Math.Ceiling(b.Foreword.Length * 2 / charsPerLine + 1));
            header = 4;
        }

        for (var i = 0; i < last; i++)
        {
            ws.Cells[header, i + 1].Value = columns[i].Header;
            ws.Column(i + 1).Width = columns[i].Width;
        }
        var h = ws.Cells[header, 1, header, last];
        h.Style.Font.Bold = true;
        h.Style.HorizontalAlignment = ExcelHorizontalAlignment.Center;
        h.Style.WrapText = true;
        Fill(h, HeaderFill);
        ws.PrinterSettings.RepeatRows = new ExcelAddress($"${header}:${header}");
        ws.View.FreezePanes(header + 1, 1);
        return header + 1;
    }

    private static void Finish(ExcelWorksheet ws, int lastColumn, int lastRow)
    {
        var header = ws.PrinterSettings.RepeatRows.Start.Row;
        var table = ws.Cells[header, 1, Math.Max(lastRow, header), lastColumn];
        var border = table.Style.Border;
        border.Top.Style = border.Bottom.Style = border.Left.Style = border.Right.Style = ExcelBorderStyle.Thin;
        table.Style.VerticalAlignment = ExcelVerticalAlignment.Center;

        var p = ws.PrinterSettings;
        p.PaperSize = ePaperSize.A4;
        p.Orientation = eOrientation.Landscape;
        p.FitToPage = true;
        p.FitToWidth = 1;
        p.FitToHeight = 0; // as many pages tall as needed
        p.HorizontalCentered = true;
        p.TopMargin = p.BottomMargin = 0.6m;
        p.LeftMargin = p.RightMargin = 0.5m;
        ws.HeaderFooter.OddFooter.CenteredText = $"第 {ExcelHeaderFooter.PageNumber} 页，共 {ExcelHeaderFooter.NumberOfPages} 页";
    }

    private static void TierCell(ExcelRange cell, Tier tier)
    {
        cell.Value = tier.ToChinese();
        cell.Style.HorizontalAlignment = ExcelHorizontalAlignment.Center;
        Fill(cell, TierFill(tier));
    }

    public static Color TierFill(Tier tier) => tier switch
    {
        Tier.Demonstration => DemonstrationFill,
        Tier.Upgrade => UpgradeFill,
        _ => RectifyFill,
    };

    private static void Fill(ExcelRange range, Color color)
    {
        range.Style.Fill.PatternType = ExcelFillStyle.Solid;
        range.Style.Fill.BackgroundColor.SetColor(color);
    }

    private static void Score(ExcelRange cell, decimal score)
    {
        cell.Value = score;
        cell.Style.Numberformat.Format = ScoreFormat;
    }

    private static string Movement(int? m) => m switch
    {
        null => "新",
        0 => "—",
        > 0 => "↑" + m.Value.ToString(CultureInfo.InvariantCulture),
        _ => "↓" + (-m.Value).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Excel sheet names: ≤ 31 chars, none of []:*?/\, unique case-insensitively.</summary>
    internal static string UniqueSheetName(string name, HashSet<string> used)
    {
        var clean = new string(name.Select(c => c is '[' or ']' or ':' or '*' or '?' or '/' or '\\' ? '_' : c).ToArray()).Trim('\'', ' ');
        if (clean.Length == 0) clean = "乡镇";
        if (clean.Length > 31) clean = clean[..31];
        var candidate = clean;
        for (var i = 2; used.Any(u => string.Equals(u, candidate, StringComparison.OrdinalIgnoreCase)); i++)
        {
            var suffix = $"({i})";
            candidate = (clean.Length + suffix.Length > 31 ? clean[..(31 - suffix.Length)] : clean) + suffix;
        }
        used.Add(candidate);
        return candidate;
    }
}
