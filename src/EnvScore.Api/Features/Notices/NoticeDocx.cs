using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using EnvScore.Domain.Scoring;
using A = DocumentFormat.OpenXml.Drawing;
using DW = DocumentFormat.OpenXml.Drawing.Wordprocessing;
using PIC = DocumentFormat.OpenXml.Drawing.Pictures;

namespace EnvScore.Api.Features.Notices;

/// <summary>
/// Writes a <see cref="Notice"/> as a .docx in the layout of GB/T 9704-2012 (党政机关公文格式): A4 (210×297 mm), margins
/// top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (版心 156×225 mm), 22 lines of 28 characters (3号, exact line
/// pitch 28.95 pt); title 方正小标宋简体 2号 centred; body 仿宋_GB2312 3号 with a first-line indent of two characters;
/// level-1 headings 黑体, level-2 楷体_GB2312; tables 仿宋 小四 (not snapped to the line grid); page numbers 「— 1 —」 宋体 4号 in the footer, odd pages
/// on the right and even pages on the left, one character in. Font names carry an <c>altName</c> in the font table
/// (仿宋_GB2312 → 仿宋, 楷体_GB2312 → 楷体, 方正小标宋简体 → 宋体) and the GB2312 charset, so Word and WPS pick an installed
/// face where the GB fonts are missing. Annexes (附件1 district ranking, 附件2 per township) follow the signature.
/// </summary>
public static class NoticeDocx
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    public const string TitleFont = "方正小标宋简体", BodyFont = "仿宋_GB2312", HeadingFont = "黑体", SubheadingFont = "楷体_GB2312", PageNumberFont = "宋体";
    private const string LatinFont = "Times New Roman";
    /// <summary>Half-points: 2号 22 pt, 3号 16 pt, 4号 14 pt, 小四 12 pt.</summary>
    private const int Size2 = 44, Size3 = 32, Size4 = 28, SizeSmall4 = 24;
    /// <summary>Twips: 225 mm of type area / 22 lines.</summary>
    private const int LinePitch = 579;
    /// <summary>Twips: 156 mm.</summary>
    private const int TextWidth = 8844;

    public static byte[] Write(Notice notice)
    {
        using var stream = new MemoryStream();
        using (var doc = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            doc.PackageProperties.Title = notice.Title;
            doc.PackageProperties.Creator = notice.Signature;
            doc.PackageProperties.Language = "zh-CN";
            var main = doc.AddMainDocumentPart();
            AddStyles(main);
            AddFontTable(main);
            var settings = main.AddNewPart<DocumentSettingsPart>();
            settings.Settings = new Settings(new DefaultTabStop { Val = 420 }, new EvenAndOddHeaders(), new CharacterSpacingControl { Val = CharacterSpacingValues.CompressPunctuation });
            var oddFooter = AddFooter(main, JustificationValues.Right);
            var evenFooter = AddFooter(main, JustificationValues.Left);
            var body = new Body();
            new Writer(main, body).Notice(notice);
            body.Append(new SectionProperties(
                new FooterReference { Type = HeaderFooterValues.Default, Id = oddFooter },
                new FooterReference { Type = HeaderFooterValues.Even, Id = evenFooter },
                new PageSize { Width = 11906, Height = 16838 },
                new PageMargin { Top = 2098, Bottom = 1984, Left = 1587, Right = 1474, Header = 851, Footer = 1247, Gutter = 0 },
                new PageNumberType { Start = 1 },
                new DocGrid { Type = DocGridValues.Lines, LinePitch = LinePitch }));
            main.Document = new Document(body);
        }
        return stream.ToArray();
    }

    private static void AddStyles(MainDocumentPart main)
    {
        var part = main.AddNewPart<StyleDefinitionsPart>();
        part.Styles = new Styles(
            new DocDefaults(
                new RunPropertiesDefault(new RunPropertiesBaseStyle(
                    new RunFonts { Ascii = LatinFont, HighAnsi = LatinFont, EastAsia = BodyFont, ComplexScript = LatinFont, Hint = FontTypeHintValues.EastAsia },
                    new FontSize { Val = Size3.ToString() }, new FontSizeComplexScript { Val = Size3.ToString() },
                    new Languages { Val = "en-US", EastAsia = "zh-CN" })),
                new ParagraphPropertiesDefault(new ParagraphPropertiesBaseStyle(
                    new SpacingBetweenLines { Line = LinePitch.ToString(), LineRule = LineSpacingRuleValues.Exact, Before = "0", After = "0" }))),
            new Style(new StyleName { Val = "Normal" }, new PrimaryStyle()) { Type = StyleValues.Paragraph, StyleId = "Normal", Default = true },
            new Style(new StyleName { Val = "Table Grid" }, new BasedOn { Val = "TableNormal" },
                new StyleTableProperties(new TableBorders(
                    new TopBorder { Val = BorderValues.Single, Size = 4 }, new LeftBorder { Val = BorderValues.Single, Size = 4 },
                    new BottomBorder { Val = BorderValues.Single, Size = 4 }, new RightBorder { Val = BorderValues.Single, Size = 4 },
                    new InsideHorizontalBorder { Val = BorderValues.Single, Size = 4 }, new InsideVerticalBorder { Val = BorderValues.Single, Size = 4 })))
            { Type = StyleValues.Table, StyleId = "TableGrid" },
            new Style(new StyleName { Val = "Normal Table" }, new UIPriority { Val = 99 }, new SemiHidden(),
                new StyleTableProperties(new TableCellMarginDefault(
                    new TopMargin { Width = "0", Type = TableWidthUnitValues.Dxa }, new TableCellLeftMargin { Width = 108, Type = TableWidthValues.Dxa },
                    new BottomMargin { Width = "0", Type = TableWidthUnitValues.Dxa }, new TableCellRightMargin { Width = 108, Type = TableWidthValues.Dxa })))
            { Type = StyleValues.Table, StyleId = "TableNormal", Default = true });
    }

    private static void AddFontTable(MainDocumentPart main)
    {
        var part = main.AddNewPart<FontTablePart>();
        static Font F(string name, string alt, string panose) => new(
            new AltName { Val = alt }, new Panose1Number { Val = panose }, new FontCharSet { Val = "86" },
            new FontFamily { Val = FontFamilyValues.Modern }, new Pitch { Val = FontPitchValues.Fixed }) { Name = name };
        part.Fonts = new Fonts(
            F(BodyFont, "仿宋", "02010609030101010101"),
            F(SubheadingFont, "楷体", "02010609030101010101"),
            F(TitleFont, "宋体", "02000000000000000000"),
            F(HeadingFont, "SimHei", "02010609060101010101"),
            F(PageNumberFont, "SimSun", "02010600030101010101"),
            new Font(new Panose1Number { Val = "02020603050405020304" }, new FontCharSet { Val = "00" },
                new FontFamily { Val = FontFamilyValues.Roman }, new Pitch { Val = FontPitchValues.Variable }) { Name = LatinFont });
    }

    private static string AddFooter(MainDocumentPart main, JustificationValues side)
    {
        var part = main.AddNewPart<FooterPart>();
        RunProperties Props() => new(new RunFonts { Ascii = PageNumberFont, HighAnsi = PageNumberFont, EastAsia = PageNumberFont },
            new FontSize { Val = Size4.ToString() }, new FontSizeComplexScript { Val = Size4.ToString() });
        var indent = side == JustificationValues.Right ? new Indentation { Right = "280" } : new Indentation { Left = "280" };
        part.Footer = new Footer(new Paragraph(
            new ParagraphProperties(new SnapToGrid { Val = false }, new SpacingBetweenLines { Line = "240", LineRule = LineSpacingRuleValues.Auto }, indent, new Justification { Val = side }),
            new Run(Props(), new Text("— ") { Space = SpaceProcessingModeValues.Preserve }),
            new SimpleField(new Run(Props(), new Text("1"))) { Instruction = " PAGE " },
            new Run(Props(), new Text(" —") { Space = SpaceProcessingModeValues.Preserve })));
        return main.GetIdOfPart(part);
    }

    private sealed class Writer(MainDocumentPart main, Body body)
    {
        private uint _pictureId;

        public void Notice(Notice n)
        {
            if (n.Preview) Para("【审核预览·未发布，不得对外公开】", font: HeadingFont, align: JustificationValues.Center, indent: false);
            Title(n.Title);
            if (n.Revision is > 1) Para($"（第{n.Revision}版·更正）", font: SubheadingFont, align: JustificationValues.Center, indent: false);
            Blank();
            Para(n.Addressees, indent: false);
            foreach (var p in Lines(n.Opening)) Para(p);

            var h = 0;
            if (n.Correction is { } c)
            {
                Heading(++h, "更正说明");
                Para($"本通报为第{n.Revision?.ToString() ?? "（待发布）"}版，替代第{c.ReplacesRevision}版。更正原因：{c.Reason}");
                if (c.CorrectedSheets.Count > 0) Para("更正的评分表：" + string.Join("；", c.CorrectedSheets) + "。");
                if (c.Changes.Count == 0) Para("各村（社区）得分和类别均无变化。");
                else
                {
                    Para($"更正后得分或类别变化的村（社区）共{c.Changes.Count}个，其余村（社区）排名相应调整：");
                    Table(["村（社区）", "乡镇", "原得分", "现得分", "原类别", "现类别", "原排名", "现排名"], [18, 16, 11, 11, 11, 11, 11, 11],
                        c.Changes.Select(x => new[] { x.VillageName, x.TownshipName, NoticeComposer.Number(x.OldScore), NoticeComposer.Number(x.NewScore),
                            x.OldTier.ToChinese(), x.NewTier.ToChinese(), x.OldRank.ToString(), x.NewRank.ToString() }));
                }
            }

            Heading(++h, "总体情况");
            foreach (var p in n.Summary) Para(p);

            Heading(++h, "乡镇（农场、街道）排名");
            Table(["排名", "乡镇（农场、街道）", "平均得分", "村数", "示范", "提升", "整治"], [10, 30, 15, 10, 11, 12, 12],
                n.TownshipRanking.Select(t => new[] { t.Rank.ToString(), t.TownshipName, NoticeComposer.Number(t.MeanScore), t.VillageCount.ToString(),
                    t.Demonstration.ToString(), t.Upgrade.ToString(), t.Rectify.ToString() }));
            Para("全区各村（社区）排名见附件1，各乡（镇、农场、街道）村（社区）排名见附件2。");

            Heading(++h, "红榜和黑榜");
            Subheading(1, "红榜");
            ListTable(n.RedList, "本月无村（社区）列入红榜。");
            Subheading(2, "黑榜");
            ListTable(n.BlackList, "本月无村（社区）列入黑榜。");

            Heading(++h, "存在的主要问题");
            if (n.Problems.Count == 0) Para("本月各村（社区）均无扣分项。");
            var k = 0;
            foreach (var p in n.Problems)
            {
                Subheading(++k, $"{p.ItemTitle}（{p.Section}）");
                Para($"涉及{p.VillageCount}个村（社区），共扣{NoticeComposer.Number(p.PointsLost)}分：{string.Join("、", p.Villages)}。");
                foreach (var photo in p.Photos) Photo(photo);
            }

            Heading(++h, "奖惩情况");
            var cons = n.Consequences;
            Para(cons.InterviewRule ?? "评分细则未规定约谈条件。");
            Para(cons.Interviews.Count == 0 ? "本月无村（社区）达到约谈条件。"
                : "本月达到约谈条件的：" + string.Join("；", cons.Interviews.Select(e => $"{e.TownshipName}{e.VillageName}（{e.Reason}）")) + "。");
            Para(cons.RewardRule ?? "评分细则未规定奖励条件。");
            Para(cons.Rewards.Count == 0 ? "本月无村（社区）达到奖励条件。"
                : "本月给予奖励的：" + string.Join("；", cons.Rewards.Select(e => $"{e.TownshipName}{e.VillageName}（{e.Reason}）")) + "。");

            foreach (var p in Lines(n.Closing)) Para(p);
            Blank();
            Para($"附件：1．{n.Month.ToChinese()}份全区村（社区）评比排名", indent: true);
            Para($"2．{n.Month.ToChinese()}份各乡（镇、农场、街道）村（社区）评比排名", indentLeft: 1600);
            Blank();
            Blank();
            Para(n.Signature, align: JustificationValues.Right, indent: false, rightChars: 4);
            Para($"{n.Date.Year}年{n.Date.Month}月{n.Date.Day}日", align: JustificationValues.Right, indent: false, rightChars: 4);

            Para("附件1", font: HeadingFont, indent: false, keepNext: true, pageBreakBefore: true);
            Title($"{n.Month.ToChinese()}份全区村（社区）评比排名");
            Table(["排名", "升降", "村（社区）", "乡镇（农场、街道）", "得分", "类别", "备注"], [9, 10, 22, 22, 10, 9, 18],
                n.DistrictRanking.Select(v => new[] { v.DistrictRank.ToString(), Movement(v.Movement), v.VillageName, v.TownshipName,
                    NoticeComposer.Number(v.Score), v.Tier.ToChinese(), string.Join("、", v.Flags) }));

            Para("附件2", font: HeadingFont, indent: false, keepNext: true, pageBreakBefore: true);
            Title($"{n.Month.ToChinese()}份各乡（镇、农场、街道）村（社区）评比排名");
            foreach (var t in n.TownshipRanking)
            {
                Para($"{t.TownshipName}（第{t.Rank}名，平均得分{NoticeComposer.Number(t.MeanScore)}分）", font: SubheadingFont, indent: false, keepNext: true);
                Table(["乡镇内排名", "区级排名", "村（社区）", "得分", "类别", "备注"], [14, 12, 28, 12, 10, 24],
                    t.Villages.Select(v => new[] { v.TownshipRank.ToString(), v.DistrictRank.ToString(), v.VillageName, NoticeComposer.Number(v.Score),
                        v.Tier.ToChinese(), string.Join("、", v.Flags) }));
            }
        }

        private static string Movement(int? m) => m switch { null => "—", 0 => "持平", > 0 => $"↑{m}", _ => $"↓{-m}" };

        private static IEnumerable<string> Lines(string text) => text.Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        private static RunProperties Font(string eastAsia, int size, bool bold = false)
        {
            var props = new RunProperties(new RunFonts { Ascii = LatinFont, HighAnsi = LatinFont, EastAsia = eastAsia, Hint = FontTypeHintValues.EastAsia });
            if (bold) props.Append(new Bold());
            props.Append(new FontSize { Val = size.ToString() }, new FontSizeComplexScript { Val = size.ToString() });
            return props;
        }

        private void Title(string text) => body.Append(new Paragraph(
            new ParagraphProperties(new KeepNext(), new SpacingBetweenLines { Line = "700", LineRule = LineSpacingRuleValues.Exact, Before = "0", After = "300" },
                new Justification { Val = JustificationValues.Center }),
            new Run(Font(TitleFont, Size2), new Text(text))));

        private void Heading(int number, string text) =>
            Para($"{Chinese(number)}、{text}", font: HeadingFont, keepNext: true);

        private void Subheading(int number, string text) =>
            Para($"（{Chinese(number)}）{text}", font: SubheadingFont, keepNext: true);

        private void Blank() => body.Append(new Paragraph());

        private void Para(string text, string font = BodyFont, JustificationValues? align = null, bool indent = true, bool keepNext = false,
            int rightChars = 0, int indentLeft = 0, bool pageBreakBefore = false)
        {
            var props = new ParagraphProperties();
            if (keepNext) props.Append(new KeepNext());
            if (pageBreakBefore) props.Append(new PageBreakBefore());
            if (indent || rightChars > 0 || indentLeft > 0)
            {
                var ind = new Indentation();
                if (indent) { ind.FirstLineChars = 200; ind.FirstLine = "640"; }
                if (rightChars > 0) { ind.RightChars = rightChars * 100; ind.Right = (rightChars * 320).ToString(); }
                if (indentLeft > 0) ind.Left = indentLeft.ToString();
                props.Append(ind);
            }
            props.Append(new Justification { Val = align ?? JustificationValues.Both });
            body.Append(new Paragraph(props, new Run(Font(font, Size3), new Text(text) { Space = SpaceProcessingModeValues.Preserve })));
        }

        private void ListTable(IReadOnlyList<NoticeListEntry> entries, string none)
        {
            if (entries.Count == 0) { Para(none); return; }
            Table(["村（社区）", "乡镇（农场、街道）", "得分", "理由"], [20, 22, 10, 48],
                entries.Select(e => new[] { e.VillageName, e.TownshipName, NoticeComposer.Number(e.Score), e.Reason }));
        }

        /// <summary>A bordered table in 仿宋 4号, single line spacing, the header row repeated on every page; widths in percent of the type area.</summary>
        private void Table(string[] headers, int[] percents, IEnumerable<string[]> rows)
        {
            var widths = percents.Select(p => TextWidth * p / 100).ToArray();
            var table = new Table(new TableProperties(
                new TableStyle { Val = "TableGrid" },
                new TableWidth { Width = TextWidth.ToString(), Type = TableWidthUnitValues.Dxa },
                new TableJustification { Val = TableRowAlignmentValues.Center },
                new TableLayout { Type = TableLayoutValues.Fixed },
                new TableLook { Val = "04A0", FirstRow = true, NoVerticalBand = true }));
            table.Append(new TableGrid(widths.Select(w => new GridColumn { Width = w.ToString() })));
            table.Append(Row(headers, widths, header: true));
            foreach (var r in rows) table.Append(Row(r, widths, header: false));
            body.Append(table);
            body.Append(new Paragraph(new ParagraphProperties(new SnapToGrid { Val = false }, new SpacingBetweenLines { Line = "240", LineRule = LineSpacingRuleValues.Auto })));
        }

        private static TableRow Row(string[] cells, int[] widths, bool header)
        {
            var row = new TableRow();
            row.Append(header ? new TableRowProperties(new CantSplit(), new TableHeader()) : new TableRowProperties(new CantSplit()));
            for (var i = 0; i < cells.Length; i++)
                row.Append(new TableCell(
                    new TableCellProperties(new TableCellWidth { Width = widths[i].ToString(), Type = TableWidthUnitValues.Dxa },
                        new TableCellVerticalAlignment { Val = TableVerticalAlignmentValues.Center }),
                    new Paragraph(new ParagraphProperties(new SnapToGrid { Val = false },
                            new SpacingBetweenLines { Line = "280", LineRule = LineSpacingRuleValues.Auto, Before = "60", After = "60" },
                            new Justification { Val = header || cells[i].Length <= 6 ? JustificationValues.Center : JustificationValues.Left }),
                        new Run(Font(header ? HeadingFont : BodyFont, SizeSmall4), new Text(cells[i] ?? "") { Space = SpaceProcessingModeValues.Preserve }))));
            return row;
        }

        /// <summary>A photo at most 8 cm wide and 6 cm high (aspect kept), centred, with its caption under it in 楷体.</summary>
        private void Photo(NoticePhoto photo)
        {
            var part = main.AddImagePart(photo.ContentType == "image/png" ? ImagePartType.Png : ImagePartType.Jpeg);
            using (var s = new MemoryStream(photo.Bytes)) part.FeedData(s);
            const long MaxWidth = 8 * 360000L, MaxHeight = 6 * 360000L;
            var scale = Math.Min((double)MaxWidth / photo.Width, (double)MaxHeight / photo.Height);
            long cx = (long)(photo.Width * scale), cy = (long)(photo.Height * scale);
            var id = ++_pictureId;
            var drawing = new Drawing(new DW.Inline(
                new DW.Extent { Cx = cx, Cy = cy },
                new DW.EffectExtent { LeftEdge = 0L, TopEdge = 0L, RightEdge = 0L, BottomEdge = 0L },
                new DW.DocProperties { Id = id, Name = $"照片{id}", Description = photo.Caption },
                new DW.NonVisualGraphicFrameDrawingProperties(new A.GraphicFrameLocks { NoChangeAspect = true }),
                new A.Graphic(new A.GraphicData(new PIC.Picture(
                        new PIC.NonVisualPictureProperties(new PIC.NonVisualDrawingProperties { Id = id, Name = $"photo{id}" }, new PIC.NonVisualPictureDrawingProperties()),
                        new PIC.BlipFill(new A.Blip { Embed = main.GetIdOfPart(part) }, new A.Stretch(new A.FillRectangle())),
                        new PIC.ShapeProperties(new A.Transform2D(new A.Offset { X = 0L, Y = 0L }, new A.Extents { Cx = cx, Cy = cy }),
                            new A.PresetGeometry(new A.AdjustValueList()) { Preset = A.ShapeTypeValues.Rectangle })))
                    { Uri = "http://schemas.openxmlformats.org/drawingml/2006/picture" }))
            { DistanceFromTop = 0U, DistanceFromBottom = 0U, DistanceFromLeft = 0U, DistanceFromRight = 0U });
            body.Append(new Paragraph(new ParagraphProperties(new KeepNext(), new SnapToGrid { Val = false }, new SpacingBetweenLines { Line = "240", LineRule = LineSpacingRuleValues.Auto, Before = "120" },
                new Justification { Val = JustificationValues.Center }), new Run(drawing)));
            body.Append(new Paragraph(new ParagraphProperties(new SnapToGrid { Val = false }, new SpacingBetweenLines { Line = "300", LineRule = LineSpacingRuleValues.Auto, After = "120" },
                new Justification { Val = JustificationValues.Center }), new Run(Font(SubheadingFont, Size4), new Text(photo.Caption))));
        }

        /// <summary>一, 二, … 九十九 (headings).</summary>
        public static string Chinese(int n)
        {
            const string digits = "零一二三四五六七八九";
            if (n < 10) return digits[n].ToString();
            if (n < 20) return "十" + (n % 10 == 0 ? "" : digits[n % 10].ToString());
            return digits[n / 10] + "十" + (n % 10 == 0 ? "" : digits[n % 10].ToString());
        }
    }
}
