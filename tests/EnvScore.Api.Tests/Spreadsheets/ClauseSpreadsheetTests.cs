using System.Net;
using EnvScore.Api.Features.Computation;
using EnvScore.Domain.Calendar;
using EnvScore.Spreadsheets.Templates;
using EnvScore.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OfficeOpenXml;
using static EnvScore.Api.Tests.Computation.ComputationData;
using EnvScore.Spreadsheets.Tests;
using static EnvScore.Api.Tests.Spreadsheets.SpreadsheetImportTests;

namespace EnvScore.Api.Tests.Spreadsheets;

/// <summary>
/// A sheet written in the general item model (categories inside categories; items whose clauses share the item's
/// points: 有…扣N分, 每处扣, 抽查, 分档, 合格, a rate from a numerator and a denominator, a percentage, 建成…得分) through the
/// township spreadsheet: one column per clause input under the category path, filled the way a clerk fills it (a unit
/// after a count, 是/否, 85% in a percent-formatted cell), saved again by LibreOffice, refused cell by cell when wrong,
/// then imported, stored as clause inputs and scored as the hand arithmetic of the wording says.
/// </summary>
public class ClauseSpreadsheetTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    private const string Yaml = """
        code: CLAUSEX
        title: 含细则的评分表（表格）
        version: 1
        effectiveFrom: "2026-01"
        totalPoints: 40
        sections:
          - code: A
            title: 环境卫生
            maxPoints: 30
            sections:
              - code: A1
                title: 垃圾治理
                maxPoints: 18
                items:
                  - code: R01
                    title: 垃圾治理
                    points: 18
                    clauses:
                      - {code: a, kind: deductIf, text: 无垃圾池, deduction: 6}
                      - {code: c, kind: perOccurrence, text: 积存垃圾, unit: 处, deductionEach: 1}
                      - {code: s, kind: sampled, text: 农户门前, samples: 5, unit: 户, deductionEach: 1}
              - code: A2
                title: 厕所革命
                maxPoints: 12
                items:
                  - code: T01
                    title: 卫生厕所
                    points: 6
                    clauses:
                      - {code: r, kind: rate, text: 普及率, threshold: 85, deductionPerPoint: 0.2, input: fraction, numeratorLabel: 卫生厕所户数, denominatorLabel: 总户数}
                  - code: T02
                    title: 公厕建设
                    points: 6
                    scoring: add
                    clauses:
                      - {code: u, kind: addPerUnit, text: 生态公厕, unit: 座, first: 4, each: 1}
                      - {code: g, kind: addIf, text: 公厕专人管护, addition: 1}
          - code: B
            title: 长效管护
            maxPoints: 10
            items:
              - code: M01
                title: 管护制度
                points: 10
                mayBeNotApplicable: true
                clauses:
                  - code: l
                    kind: levels
                    text: 制度落实
                    levels: [{code: A, name: 已落实, deduction: 0}, {code: B, name: 部分落实, deduction: 2}, {code: C, name: 未落实, deduction: 4}]
                  - {code: p, kind: passFail, text: 村规民约, failDeduction: 2}
                  - {code: q, kind: rate, text: 群众满意度, threshold: 90, deductionPerPoint: 0.5}
        tiers: {demonstrationMin: 36, upgradeMin: 24}
        combination: {selfWeight: 0.3, districtWeight: 0.7, inflationThreshold: 10}
        """;

    private static readonly string[] Tokens = ["R01.a", "R01.c", "R01.s", "T01.r.n", "T01.r.d", "T02.u", "T02.g", "M01.l", "M01.p", "M01.q"];

    [Fact]
    public async Task A_clause_sheet_goes_out_as_a_column_per_clause_and_comes_back_as_clause_inputs()
    {
        var (districtId, record, _) = await ContextAsync(factory);
        await WithDbAsync(factory, db => db.RuleSets.Where(r => r.Id == record.Id)
            .ExecuteUpdateAsync(x => x.SetProperty(r => r.Source, Yaml).SetProperty(r => r.ContentHash, "clause-spreadsheet")));
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(0));
        var response = await secretary.GetAsync("/api/spreadsheets/template?month=2026-11&townshipId=1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var template = await response.Content.ReadAsByteArrayAsync();

        // The layout: category paths over the columns (merged: the text is in the group's first cell), "item·clause" titles, the tokens in the code row, how-to texts.
        using (var package = new ExcelPackage(new MemoryStream(template)))
        {
            var ws = package.Workbook.Worksheets[TemplateConventions.DataSheetName];
            var columns = Enumerable.Range(1, ws.Dimension.End.Column).ToDictionary(c => ws.Cells[TemplateConventions.CodeRow, c].Text, c => c);
            Assert.All(Tokens, t => Assert.True(columns.ContainsKey(t), $"no column {t}"));
            string At(int row, string token) => ws.Cells[row, columns[token]].Text;
            Assert.Equal("环境卫生·垃圾治理（18分）", At(TemplateConventions.SectionRow, "R01.a"));
            Assert.Equal("环境卫生·厕所革命（12分）", At(TemplateConventions.SectionRow, "T01.r.n"));
            Assert.Equal("长效管护（10分）", At(TemplateConventions.SectionRow, "M01.l"));
            Assert.Equal("垃圾治理·无垃圾池", At(TemplateConventions.ItemTitleRow, "R01.a"));
            Assert.Equal("卫生厕所·普及率·总户数", At(TemplateConventions.ItemTitleRow, "T01.r.d"));
            Assert.StartsWith("18分｜有此情形选择\"是\"", At(TemplateConventions.HowToRow, "R01.a"));
            Assert.StartsWith("填发现的处数", At(TemplateConventions.HowToRow, "R01.c"));
            Assert.StartsWith("6分｜填建成的座数", At(TemplateConventions.HowToRow, "T02.u"));
            Assert.Equal("积存垃圾：每处扣1分", At(TemplateConventions.RuleRow, "R01.c"));
            Assert.Equal("普及率：达到85%满分，每低1个百分点扣0.2分", At(TemplateConventions.RuleRow, "T01.r.d"));
        }

        // A first upload with mistakes: every one answered by its cell, nothing stored.
        var villages = await WithDbAsync(factory, db => db.Villages.AsNoTracking().Where(v => v.TownshipId == 1).OrderBy(v => v.Code).ToListAsync());
        byte[] Filled(bool mistakes) => LibreOffice.Convert(Fill(template, (ws, row, column) =>
        {
            foreach (var v in villages)
            {
                var r = row(v.Code);
                ws.Cells[r, column("T01.r.n")].Value = 90;
                ws.Cells[r, column("T01.r.d")].Value = 100;
                ws.Cells[r, column("M01.l")].Value = "已落实";
                ws.Cells[r, column("M01.p")].Value = "合格";
                ws.Cells[r, column("M01.q")].Value = "95%";
            }
            var first = row(villages[0].Code);
            ws.Cells[first, column("R01.a")].Value = "是";
            ws.Cells[first, column("R01.c")].Value = "5处";
            ws.Cells[first, column("R01.s")].Value = 2;
            ws.Cells[first, column("T01.r.n")].Value = 160;
            ws.Cells[first, column("T01.r.d")].Value = 200;
            ws.Cells[first, column("T02.u")].Value = 3;
            ws.Cells[first, column("T02.g")].Value = "是";
            ws.Cells[first, column("M01.l")].Value = "部分落实";
            ws.Cells[first, column("M01.p")].Value = "不合格";
            ws.Cells[first, column("M01.q")].Value = 0.88;
            ws.Cells[first, column("M01.q")].Style.Numberformat.Format = "0%"; // shows 88%
            var second = row(villages[1].Code);
            foreach (var t in new[] { "M01.l", "M01.p", "M01.q" }) ws.Cells[second, column(t)].Value = "不适用";
            if (!mistakes) return;
            var third = row(villages[2].Code);
            ws.Cells[third, column("M01.l")].Value = "不适用";            // only one clause of the item N/A
            var fourth = row(villages[3].Code);
            ws.Cells[fourth, column("T01.r.n")].Value = "九十";           // not a number
            ws.Cells[fourth, column("R01.s")].Value = 6;                  // more than the 5 sampled
            var fifth = row(villages[4].Code);
            ws.Cells[fifth, column("T01.r.n")].Value = 120;               // more than the denominator (100)
            ws.Cells[fifth, column("M01.q")].Value = "120%";
        }, rulesItems: false), "xlsx", "xlsx:Calc MS Excel 2007 XML"); // saved again by LibreOffice, as a clerk's program would

        var refused = await (await secretary.PostAsync("/api/spreadsheets/import?month=2026-11&townshipId=1", Upload(Filled(true))))
            .ExpectAsync(HttpStatusCode.BadRequest);
        var messages = refused.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("message").GetString()!).ToList();
        string Cell(int villageIndex, string token) => $"{ColumnOf(template, token)}{RowOf(template, villages[villageIndex].Code)}";
        Assert.Contains(messages, m => m.StartsWith(Cell(2, "M01.p")) && m.Contains("部分细则填了\"不适用\""));
        Assert.Contains(messages, m => m.StartsWith(Cell(3, "T01.r.n")) && m.Contains("应为不小于0的数，实际为\"九十\""));
        Assert.Contains(messages, m => m.StartsWith(Cell(3, "R01.s")) && m.Contains("应为0到5之间的整数"));
        Assert.Contains(messages, m => m.StartsWith(Cell(4, "M01.q")) && m.Contains("应为0到100之间的百分数"));
        Assert.Equal(0, await WithDbAsync(factory, db => db.Evaluations.CountAsync()));

        var fifthOnly = await (await secretary.PostAsync("/api/spreadsheets/import?month=2026-11&townshipId=1", Upload(Filled(false))))
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(villages.Count, fifthOnly.GetProperty("created").GetInt32());

        // Stored as clause inputs, exactly as typed.
        var stored = await WithDbAsync(factory, db => db.Evaluations.AsNoTracking().Include(e => e.Entries)
            .SingleAsync(e => e.VillageId == villages[0].Id));
        var r01 = stored.Entries.Single(e => e.ItemCode == "R01").Clauses.OrderBy(c => c.Code).Select(c => (c.Code, c.Count, c.Yes));
        Assert.Equal([("a", (int?)null, (bool?)true), ("c", 5, null), ("s", 2, null)], r01);
        var t01 = stored.Entries.Single(e => e.ItemCode == "T01").Clauses.Single();
        Assert.Equal((160m, 200m), (t01.Numerator!.Value, t01.Denominator!.Value));
        var m01 = stored.Entries.Single(e => e.ItemCode == "M01").Clauses.OrderBy(c => c.Code).ToList();
        Assert.Equal(["B", null, null], m01.Select(c => c.Level));
        Assert.Equal(false, m01.Single(c => c.Code == "p").Yes);
        Assert.Equal(88m, m01.Single(c => c.Code == "q").Percent);
        var t02 = stored.Entries.Single(e => e.ItemCode == "T02").Clauses.OrderBy(c => c.Code).Select(c => (c.Code, c.Count, c.Yes));
        Assert.Equal([("g", (int?)null, (bool?)true), ("u", 3, null)], t02);
        var second = await WithDbAsync(factory, db => db.Evaluations.AsNoTracking().Include(e => e.Entries).SingleAsync(e => e.VillageId == villages[1].Id));
        Assert.True(second.Entries.Single(e => e.ItemCode == "M01").NotApplicable);

        // The same file again changes nothing: the download holds what was stored (prefill of every clause column).
        var again = await secretary.GetByteArrayAsync("/api/spreadsheets/template?month=2026-11&townshipId=1");
        var unchanged = await (await secretary.PostAsync("/api/spreadsheets/import?month=2026-11&townshipId=1", Upload(again))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(villages.Count, unchanged.GetProperty("unchanged").GetInt32());

        // Scored by hand (only the self-evaluation, so the final score is the sheet's):
        // R01 18 − 6 (无垃圾池) − 5×1 (积存垃圾) − 2×1 (抽查) = 5; T01 160/200 = 80 %, 5 points under 85 × 0.2 = 1 → 5;
        // T02 (得分制) 4 + 2×1 (3座) + 1 (管护) = 7, capped at 6; M01 10 − 2 (部分落实) − 2 (不合格) − (90 − 88) × 0.5 = 5.
        // Total 5 + 5 + 6 + 5 = 21 of 40.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var submitted = await WithDbAsync(factory, db => db.Evaluations.ExecuteUpdateAsync(x => x
                .SetProperty(e => e.Status, Features.Evaluations.EvaluationStatus.Submitted).SetProperty(e => e.SubmittedAt, factory.Clock.GetUtcNow())));
            factory.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 10, 4, 0, 0, TimeSpan.Zero));
            var outcome = await scope.ServiceProvider.GetRequiredService<MonthlyComputation>().RunAsync(districtId, new EvaluationMonth(2026, 11), "test");
            var done = Assert.IsType<ComputationOutcome.Completed>(outcome);
            Assert.True(done.Run.Status == ComputationStatus.Succeeded, done.Run.Error);
        }
        var result = await WithDbAsync(factory, db => db.VillageResults.AsNoTracking().SingleAsync(r => r.VillageId == villages[0].Id && r.Month == 202611));
        Assert.Equal(21m, result.SelfScore);
    }

    private static string ColumnOf(byte[] template, string token)
    {
        using var package = new ExcelPackage(new MemoryStream(template));
        var ws = package.Workbook.Worksheets[TemplateConventions.DataSheetName];
        var c = Enumerable.Range(1, ws.Dimension.End.Column).Single(c => ws.Cells[TemplateConventions.CodeRow, c].Text == token);
        return OfficeOpenXml.ExcelCellAddress.GetColumnLetter(c);
    }

    private static int RowOf(byte[] template, string villageCode)
    {
        using var package = new ExcelPackage(new MemoryStream(template));
        var ws = package.Workbook.Worksheets[TemplateConventions.DataSheetName];
        return Enumerable.Range(TemplateConventions.FirstDataRow, ws.Dimension.End.Row).First(r => ws.Cells[r, 1].Text == villageCode);
    }
}
