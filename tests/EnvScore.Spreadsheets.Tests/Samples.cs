using EnvScore.Domain.Calendar;
using EnvScore.Domain.Organisation;
using EnvScore.Spreadsheets.Templates;
using OfficeOpenXml;

namespace EnvScore.Spreadsheets.Tests;

/// <summary>A small scoring sheet covering every item kind, and helpers to fill templates like a user would.</summary>
internal static class Samples
{
    public static readonly EvaluationMonth Month = new(2026, 11);
    public static readonly DivisionCode District = DivisionCode.Parse("410171000000");
    public static readonly DivisionCode Township = DivisionCode.Parse("410171001000");
    public static readonly DivisionCode OtherTownship = DivisionCode.Parse("410171002000");
    public static readonly DivisionCode Hezhai = DivisionCode.Parse("410171001001");
    public static readonly DivisionCode Shuanghepu = DivisionCode.Parse("410171001002");
    public static readonly DivisionCode Zhangwan = DivisionCode.Parse("410171001003");

    public static TemplateScope TownshipScope => TemplateScope.ForTownship(District, "示范区", Township, "水稻乡");
    public static TemplateScope DistrictScope => TemplateScope.ForDistrict(District, "示范区");

    public static TemplateLayout Layout(int version = 1, EvaluationMonth? month = null) => new()
    {
        RuleSetCode = "HJ-2026",
        RuleSetVersion = version,
        Month = month ?? Month,
        Title = "农村人居环境月评比自评表",
        Sections =
        [
            new("六乱治理",
            [
                new TemplateItem
                {
                    Code = "L01", Title = "乱堆乱放", Kind = ItemKind.PerOccurrence, MaxPoints = 5, Unit = "处",
                    RuleText = "每发现一处扣1分，共计5分，扣完为止；有露天焚烧垃圾、秸秆现象，此项不得分",
                    ZeroConditions = [new("Z1", "露天焚烧垃圾、秸秆")],
                },
                new TemplateItem
                {
                    Code = "L02", Title = "乱搭乱建", Kind = ItemKind.PerOccurrence, MaxPoints = 5, Unit = "处",
                    RuleText = "每发现一处扣1分，共计5分，扣完为止", BlankMeansZero = true,
                },
            ]),
            new("六清行动",
            [
                new TemplateItem
                {
                    Code = "Q01", Title = "清塘沟", Kind = ItemKind.PerOccurrence, MaxPoints = 5, Unit = "处",
                    RuleText = "坑塘沟渠有垃圾、漂浮物，每处扣1分，扣完为止", MayBeNotApplicable = true,
                },
            ]),
            new("长效机制",
            [
                new TemplateItem
                {
                    Code = "M01", Title = "户厕使用", Kind = ItemKind.Sampled, MaxPoints = 10, Unit = "户", SampleSize = 5, Bounds = new(0, 5),
                    RuleText = "随机走访5户农户，每有一户卫生厕所不能正常使用扣2分，共计10分",
                },
                new TemplateItem
                {
                    Code = "M02", Title = "积分制管理", Kind = ItemKind.Levels, MaxPoints = 5,
                    RuleText = "未执行积分制扣5分；已执行但未按时评比扣4分；已评比未张贴公示扣3分",
                    Levels = [new("A", "已执行并公示"), new("B", "已评比未张贴公示"), new("C", "已执行但未按时评比"), new("D", "未执行")],
                },
                new TemplateItem
                {
                    Code = "M03", Title = "保洁制度", Kind = ItemKind.PassFail, MaxPoints = 5,
                    RuleText = "有保洁员、有保洁时间表且落实到位为合格，否则扣5分",
                },
            ]),
            new("加分项",
            [
                new TemplateItem
                {
                    Code = "B01", Title = "省级示范村", Kind = ItemKind.Bonus, MaxPoints = 3, Bounds = new(0, 1), Unit = "次",
                    RuleText = "被省级评为美丽乡村示范村的加3分",
                },
            ]),
        ],
        Vetoes = [new("V1", "发生重大环境事件被上级通报"), new("V2", "弄虚作假")],
    };

    public static IReadOnlyList<TemplateVillage> Villages(bool withTownship = false) =>
    [
        new(Hezhai, "贺砦社区", withTownship ? "水稻乡" : null),
        new(Shuanghepu, "双河铺社区", withTownship ? "水稻乡" : null),
        new(Zhangwan, "张湾社区", withTownship ? "水稻乡" : null),
    ];

    public static IReadOnlyCollection<DivisionCode> Allowed => [Hezhai, Shuanghepu, Zhangwan];

    /// <summary>Values that, written as below by <see cref="FillComplete"/>, read back as these.</summary>
    public static VillageValues Expected(int n) => new()
    {
        Items = new Dictionary<string, ItemValue>
        {
            ["L01"] = ItemValue.Occurrences(n),
            ["L02"] = ItemValue.Occurrences(0),
            ["Q01"] = n == 1 ? ItemValue.NotApplicableValue() : ItemValue.Occurrences(n + 1),
            ["M01"] = ItemValue.Failed(n),
            ["M02"] = ItemValue.Level("B"),
            ["M03"] = ItemValue.Pass(n != 2),
            ["B01"] = ItemValue.Awards(n == 0 ? 1 : 0),
        },
    };

    public static byte[] TownshipTemplate() => TemplateWriter.Write(Layout(), TownshipScope, Villages());

    /// <summary>Opens a template, lets the test edit the data sheet, saves.</summary>
    public static byte[] Edit(byte[] xlsx, Action<ExcelWorksheet, Func<string, int>> edit)
    {
        using var package = new ExcelPackage(new MemoryStream(xlsx));
        var ws = package.Workbook.Worksheets["评比表"];
        int Col(string token)
        {
            for (var c = 1; c <= ws.Dimension.End.Column; c++)
                if (ws.Cells[7, c].Text == token) return c;
            throw new InvalidOperationException(token);
        }
        edit(ws, Col);
        using var ms = new MemoryStream();
        package.SaveAs(ms);
        return ms.ToArray();
    }

    /// <summary>Fills every required cell for the three villages (rows 8–10) so the upload is clean.</summary>
    public static byte[] FillComplete(byte[] template) => Edit(template, (ws, col) =>
    {
        for (var n = 0; n < 3; n++)
        {
            var r = 8 + n;
            ws.Cells[r, col("L01")].Value = n;
            ws.Cells[r, col("Q01")].Value = n == 1 ? "不适用" : n + 1;
            ws.Cells[r, col("M01")].Value = n;
            ws.Cells[r, col("M02")].Value = "已评比未张贴公示";
            ws.Cells[r, col("M03")].Value = n == 2 ? "不合格" : "合格";
            ws.Cells[r, col("B01")].Value = n == 0 ? 1 : 0;
        }
    });

    public static TemplateImportResult Read(byte[] xlsx, TemplateScope? scope = null, TemplateLayout? layout = null,
        IReadOnlyCollection<DivisionCode>? allowed = null, TemplateImportOptions? options = null) =>
        TemplateReader.Read(new MemoryStream(xlsx), layout ?? Layout(), scope ?? TownshipScope, allowed ?? Allowed, options);

    public static string Describe(TemplateImportResult r) => string.Join("\n", r.Problems.Select(p => $"[{p.Kind}/{p.Severity}] {p.CellReference} {p.Message}"));
}
