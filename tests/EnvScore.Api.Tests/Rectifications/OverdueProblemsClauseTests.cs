using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EnvScore.Api.Features.Computation;
using EnvScore.Api.Features.Rectifications;
using EnvScore.Api.Tests.Evaluations;
using EnvScore.Domain.Calendar;
using EnvScore.Spreadsheets.Templates;
using EnvScore.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OfficeOpenXml;
using static EnvScore.Api.Tests.Computation.ComputationData;

namespace EnvScore.Api.Tests.Rectifications;

/// <summary>
/// The clause 每处逾期未整改问题扣X分 (<c>overdueProblems</c>, issue #17) end to end: problems moved through the loop over
/// the API at known instants (in time, late, closed, rejected, after the month), the month computed, the village's
/// result and findings read over OData; recomputed after the problems changed again, the month gives the same.
/// Expected counts are worked out by hand from the timeline below (docs/rectification.md, "The count for the clause").
/// </summary>
public class OverdueProblemsClauseTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    internal const string Yaml = """
        code: OVERDUE
        title: 含逾期未整改扣分的评分表
        version: 1
        effectiveFrom: "2026-01"
        totalPoints: 20
        sections:
          - code: A
            title: 六乱治理
            maxPoints: 10
            items:
              - {code: L01, title: 乱堆乱放, kind: perOccurrence, points: 10, deductionEach: 1, unit: 处}
          - code: B
            title: 整改落实
            maxPoints: 10
            items:
              - {code: Z01, title: 整改落实, kind: overdueProblems, points: 10, deductionEach: 2, maxDeduction: 8}
        tiers: {demonstrationMin: 19, upgradeMin: 15}
        combination: {selfWeight: 0.3, districtWeight: 0.7, inflationThreshold: 10}
        """;

    internal static async Task<int> UseOverdueSheetAsync(EnvScoreFactory factory, string hash)
    {
        var (districtId, record, _) = await ContextAsync(factory);
        await WithDbAsync(factory, db => db.RuleSets.Where(r => r.Id == record.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Source, Yaml).SetProperty(r => r.ContentHash, hash)));
        return districtId;
    }

    /// <summary>UTC instant of a wall-clock time in Asia/Shanghai (UTC+8).</summary>
    private static DateTimeOffset Cst(int year, int month, int day, int hour, int minute = 0) =>
        new DateTimeOffset(year, month, day, hour, minute, 0, TimeSpan.FromHours(8)).ToUniversalTime();

    // Tokens last less than the jumps of the clock: every step signs in again, as a user on the day would.
    private Task<HttpClient> Inspector() => factory.ClientForAsync("inspector");
    private Task<HttpClient> Secretary() => factory.ClientForAsync(EnvScoreFactory.Secretary(0));
    private Task<HttpClient> Admin() => factory.ClientForAsync("admin");
    private async Task<int> CreateAsync(int village = Problems.Village) => (await Problems.CreateAsync(await Inspector(), village)).Id;

    private int _fixes;

    private async Task FixAsync(int id)
    {
        var secretary = await Secretary();
        // Each fix brings a photo of its own (a rejected fix's photo does not count again).
        await (await Problems.PhotoAsync(secretary, id, "after", TestImages.PngTitled($"整改{id}-{++_fixes}"), "after.png")).ExpectAsync(HttpStatusCode.OK);
        await (await Problems.ActAsync(secretary, id, "ReportFix", await Problems.ETagAsync(secretary, id), new { note = "已整改" })).ExpectAsync(HttpStatusCode.OK);
    }

    private async Task ReviewAsync(int id, string action)
    {
        var inspector = await Inspector();
        await (await Problems.ActAsync(inspector, id, action, await Problems.ETagAsync(inspector, id), action == "Reject" ? new { reason = "仍未整改到位" } : (object)new { note = "合格" }))
            .ExpectAsync(HttpStatusCode.OK);
    }

    private async Task ComputeAsync(int districtId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var outcome = await scope.ServiceProvider.GetRequiredService<MonthlyComputation>().RunAsync(districtId, new EvaluationMonth(2026, 11), "test");
        var done = Assert.IsType<ComputationOutcome.Completed>(outcome);
        Assert.True(done.Run.Status == ComputationStatus.Succeeded, done.Run.Error);
    }

    private static async Task<JsonElement> ResultAsync(HttpClient admin, int village)
    {
        var json = await admin.GetJsonAsync($"/odata/VillageResults?$filter=month eq 202611 and villageId eq {village}&$select=villageId,finalScore,explanation,findings");
        return Assert.Single(json.GetProperty("value").EnumerateArray().ToArray());
    }

    private static (string Section, string Item, decimal Points, string Text)[] Findings(JsonElement result) =>
        [.. result.GetProperty("findings").EnumerateArray().Select(f => (f.GetProperty("section").GetString()!, f.GetProperty("itemCode").GetString()!,
            f.GetProperty("points").GetDecimal(), f.GetProperty("text").GetString()!))];

    [Fact]
    public async Task The_month_deducts_the_problems_overdue_and_not_rectified_at_its_end_and_a_recomputation_later_gives_the_same()
    {
        var districtId = await UseOverdueSheetAsync(factory, "overdue-clause");
        var secretary = await Secretary();
        const int other = 2; // another village of 水稻乡

        // The sheets: village 1 found 1 place of 乱堆乱放, village 2 none. Nobody enters Z01.
        foreach (var (village, count) in new[] { (Problems.Village, 1), (other, 0) })
        {
            var created = await secretary.PostAsJsonAsync("/odata/Evaluations", new
            {
                villageId = village, month = "2026-11", kind = "Self", entries = new object[] { new { itemCode = "L01", count } },
            });
            var sheet = await created.ExpectAsync(HttpStatusCode.Created);
            await (await Sheets.SendAsync(secretary, HttpMethod.Post, $"/odata/Evaluations({sheet.GetProperty("id").GetInt32()})/Submit", created.Headers.ETag!.ToString()))
                .ExpectAsync(HttpStatusCode.OK);
        }

        // The timeline (Asia/Shanghai). Found 11-10 → deadline 11-17.
        factory.Clock.SetUtcNow(Cst(2026, 11, 10, 10));
        var p1 = await CreateAsync();         // never fixed                         → counts
        var p2 = await CreateAsync();         // fixed 11-15, closed 11-16 (in time)  → no
        var p3 = await CreateAsync();         // fixed late 11-20, not yet reviewed   → no (已整改待复核 at the end)
        var p4 = await CreateAsync();         // fixed 11-15, rejected 11-25          → counts (待整改 again, same deadline)
        var p6 = await CreateAsync();         // fixed, rejected, fixed again 11-14; rejected only in December → no
        var q1 = await CreateAsync(other);  // village 2, never fixed               → counts for village 2
        factory.Clock.SetUtcNow(Cst(2026, 11, 12, 10)); await FixAsync(p6);
        factory.Clock.SetUtcNow(Cst(2026, 11, 13, 10)); await ReviewAsync(p6, "Reject");
        factory.Clock.SetUtcNow(Cst(2026, 11, 14, 10)); await FixAsync(p6);
        factory.Clock.SetUtcNow(Cst(2026, 11, 15, 10)); await FixAsync(p2); await FixAsync(p4);
        factory.Clock.SetUtcNow(Cst(2026, 11, 16, 10)); await ReviewAsync(p2, "Close");
        factory.Clock.SetUtcNow(Cst(2026, 11, 20, 10)); await FixAsync(p3);
        factory.Clock.SetUtcNow(Cst(2026, 11, 22, 10));
        var p7 = await CreateAsync();         // deadline 11-29, fixed 11-30 23:59     → no
        factory.Clock.SetUtcNow(Cst(2026, 11, 23, 10));
        var p8 = await CreateAsync();         // deadline 11-30, fixed 12-01 00:00     → counts (not fixed before the end)
        factory.Clock.SetUtcNow(Cst(2026, 11, 25, 10)); await ReviewAsync(p4, "Reject");
        factory.Clock.SetUtcNow(Cst(2026, 11, 26, 10));
        var p5 = await CreateAsync();         // deadline 12-03, after the month       → no
        factory.Clock.SetUtcNow(Cst(2026, 11, 30, 23, 59)); await FixAsync(p7);
        factory.Clock.SetUtcNow(Cst(2026, 12, 1, 0)); await FixAsync(p8);
        var deadlines = new List<string?>();
        foreach (var id in new[] { p1, p7, p8, p5 }) deadlines.Add((await Problems.GetAsync(await Inspector(), id)).GetProperty("deadline").GetString());
        Assert.Equal(["2026-11-17", "2026-11-29", "2026-11-30", "2026-12-03"], deadlines);

        // Village 1: p1, p4, p8 = 3 → Z01 deducts 3 × 2 = 6 (cap 8) → 4/10; L01 10 − 1 = 9; total 13/20.
        // Village 2: q1 = 1 → Z01 10 − 2 = 8; L01 10; total 18/20.
        factory.Clock.SetUtcNow(Cst(2026, 12, 10, 12));
        await ComputeAsync(districtId);
        var admin = await Admin();
        secretary = await Secretary();
        var v1 = await ResultAsync(admin, Problems.Village);
        Assert.Equal(13m, v1.GetProperty("finalScore").GetDecimal());
        Assert.Contains("整改落实：逾期未整改问题3处，每处扣2分，扣6分（得4/10分）", v1.GetProperty("explanation").GetString());
        var findings = Findings(v1);
        Assert.Equal([("六乱治理", "L01", -1m, "发现1处，每处扣1分，扣1分（得9/10分）"), ("整改落实", "Z01", -6m, "逾期未整改问题3处，每处扣2分，扣6分（得4/10分）")], findings);
        var v2 = await ResultAsync(admin, other);
        Assert.Equal(18m, v2.GetProperty("finalScore").GetDecimal());
        Assert.Equal([("整改落实", "Z01", -2m, "逾期未整改问题1处，每处扣2分，扣2分（得8/10分）")], Findings(v2));
        // The deduction is the ledger's own problems: the intake made no new problem of it.
        Assert.Equal(0, await WithDbAsync(factory, db => db.Set<Rectification>().CountAsync(r => r.ItemCode == "Z01")));

        // The same count reaches the sheet preview and the what-if (one counting helper).
        var preview = await secretary.PostAsync("/api/sheet-preview", new FormUrlEncodedContent(new Dictionary<string, string>
            { ["villageId"] = Problems.Village.ToString(), ["m"] = "2026-11", ["v.L01"] = "1" }));
        Assert.Equal(13m, (await preview.ExpectAsync(HttpStatusCode.OK)).GetProperty("total").GetDecimal());
        var (_, record, _) = await ContextAsync(factory);
        var whatIf = await admin.GetJsonAsync($"/api/what-if/{record.Id}/2026-11");
        var villages = whatIf.GetProperty("villages").EnumerateArray().Where(v => v.GetProperty("villageId").GetInt32() is Problems.Village or other).ToArray();
        Assert.Equal([13m, 18m], villages.OrderBy(v => v.GetProperty("villageId").GetInt32()).Select(v => v.GetProperty("newFinalScore").GetDecimal()));

        // December: everything moves on (p6 rejected and fixed, p3 and p1 closed, p4 fixed) — November stays as it was.
        factory.Clock.SetUtcNow(Cst(2026, 12, 15, 10));
        await ReviewAsync(p6, "Reject");
        await ReviewAsync(p3, "Close");
        await FixAsync(p1); await FixAsync(p4);
        factory.Clock.SetUtcNow(Cst(2026, 12, 16, 10));
        await ReviewAsync(p1, "Close");
        factory.Clock.SetUtcNow(Cst(2027, 1, 5, 12));
        await ComputeAsync(districtId);
        admin = await Admin();
        var again = await ResultAsync(admin, Problems.Village);
        Assert.Equal(13m, again.GetProperty("finalScore").GetDecimal());
        Assert.Equal(findings, Findings(again));
        Assert.Equal(v1.GetProperty("explanation").GetString(), again.GetProperty("explanation").GetString());
        Assert.Equal(18m, (await ResultAsync(admin, other)).GetProperty("finalScore").GetDecimal());

        // The counting helper directly: November still 3; December (end 12-31): p1, p2, p3 closed, p4, p7, p8 waiting for review,
        // p6 待整改 again since 12-15 and p5 (due 12-03) never fixed → 2 for village 1; q1 → 1 for village 2.
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Infrastructure.Data.EnvScoreDbContext>();
        Assert.Equal(3, await OverdueProblemCount.CountAsync(db, districtId, Problems.Village, new EvaluationMonth(2026, 11), default));
        var december = await OverdueProblemCount.CountAsync(db, districtId, new EvaluationMonth(2026, 12), default);
        Assert.Equal((2, 1), (december.GetValueOrDefault(Problems.Village), december.GetValueOrDefault(other)));
    }
}

/// <summary>Nobody enters the overdue count: the API refuses it by field, the template has no column, the form no field.</summary>
public partial class OverdueProblemsInputTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    [Fact]
    public async Task The_api_refuses_a_value_for_it_naming_the_field()
    {
        await OverdueProblemsClauseTests.UseOverdueSheetAsync(factory, "overdue-api");
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(0));
        var response = await secretary.PostAsJsonAsync("/odata/Evaluations", new
        {
            villageId = 1, month = "2026-11", kind = "Self",
            entries = new object[] { new { itemCode = "L01", count = 0 }, new { itemCode = "Z01", count = 0 } },
        });
        var error = await response.ExpectAsync(HttpStatusCode.BadRequest);
        var problem = Assert.Single(Sheets.Problems(error));
        Assert.Equal(("Z01", "count"), (problem.GetProperty("itemCode").GetString(), problem.GetProperty("field").GetString()));
        Assert.Contains("逾期未整改问题数由整改台账自动计算，不能填写", problem.GetProperty("message").GetString());
        Assert.Equal(0, await WithDbAsync(factory, db => db.Evaluations.CountAsync()));
    }

    [Fact]
    public async Task The_template_has_no_column_and_the_form_no_field_for_it()
    {
        await OverdueProblemsClauseTests.UseOverdueSheetAsync(factory, "overdue-form");
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(0));
        var response = await secretary.GetAsync("/api/spreadsheets/template?month=2026-11&townshipId=1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using (var package = new ExcelPackage(new MemoryStream(await response.Content.ReadAsByteArrayAsync())))
        {
            var ws = package.Workbook.Worksheets[TemplateConventions.DataSheetName];
            var codes = Enumerable.Range(1, ws.Dimension.End.Column).Select(c => ws.Cells[TemplateConventions.CodeRow, c].Text).ToArray();
            Assert.Contains("L01", codes);
            Assert.DoesNotContain("Z01", codes);
            Assert.DoesNotContain(ws.Cells[1, 1, ws.Dimension.End.Row, ws.Dimension.End.Column], c => c.Text.Contains("整改落实"));
        }

        // A clerk adds the column by hand (code row and title) and fills it: the file is refused, the column named, nothing stored.
        var template = await secretary.GetByteArrayAsync("/api/spreadsheets/template?month=2026-11&townshipId=1");
        var villages = await WithDbAsync(factory, db => db.Villages.AsNoTracking().Where(v => v.TownshipId == 1).Select(v => v.Code).ToListAsync());
        var added = Spreadsheets.SpreadsheetImportTests.Fill(template, (ws, row, column) =>
        {
            var c = ws.Dimension.End.Column + 1;
            ws.Cells[TemplateConventions.CodeRow, c].Value = "Z01";
            ws.Cells[TemplateConventions.ItemTitleRow, c].Value = "整改落实";
            foreach (var v in villages) { ws.Cells[row(v), column("L01")].Value = 0; ws.Cells[row(v), c].Value = 0; }
        }, rulesItems: false);
        var refused = await (await secretary.PostAsync("/api/spreadsheets/import?month=2026-11&townshipId=1", Spreadsheets.SpreadsheetImportTests.Upload(added)))
            .ExpectAsync(HttpStatusCode.BadRequest);
        var messages = refused.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("message").GetString()!).ToList();
        var column = Assert.Single(messages, m => m.Contains("是逾期未整改问题数，由整改台账自动计算，不能在表中填写，请删除该列或重新下载模板"));
        Assert.Matches("^第[A-Z]+列\"(Z01|整改落实)\"", column);
        Assert.Equal(0, await WithDbAsync(factory, db => db.Evaluations.CountAsync()));

        await Problems.CreateAsync(await factory.ClientForAsync("inspector")); // found 11-10, due 11-17; the page is read on 12-02
        factory.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 2, 2, 0, 0, TimeSpan.Zero));
        var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await (await client.PostAsJsonAsync("/api/auth/login?useCookies=true", new { userName = EnvScoreFactory.Secretary(0), password = EnvScoreFactory.Password }))
            .ExpectAsync(HttpStatusCode.OK);
        var html = await client.GetStringAsync("/work/sheet?villageId=1&m=2026-11&kind=Self");
        Assert.Contains("name=\"v.L01\"", html);
        Assert.DoesNotContain("name=\"v.Z01\"", html);
        Assert.Matches("data-overdue=\"Z01\">截至月底到期未整改的问题<strong>1</strong>处（由整改台账自动计算，月底前整改的不扣分）", html);
        // The running score counts it: L01 10 + Z01 10 − 2 = 18.
        Assert.Matches("id=\"running-total\">18<", html);
    }
}

/// <summary>The definition itself (<see cref="OverdueProblemCount.CountsAt"/>), instant by instant, for November 2026 (E = 2026-12-01 00:00 Asia/Shanghai = 11-30 16:00 UTC).</summary>
public class OverdueProblemCountTests
{
    private static readonly EvaluationMonth November = new(2026, 11);
    private static readonly DateTimeOffset E = new(2026, 11, 30, 16, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Found = new(2026, 11, 10, 2, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Due = new(2026, 11, 17);

    private static bool Counts(DateTimeOffset found, DateOnly deadline, params (DateTimeOffset At, OverdueProblemCount.Step Step)[] steps) =>
        OverdueProblemCount.CountsAt(new OverdueProblemCount.Problem(1, 1, found, deadline, [.. steps.Select(s => new OverdueProblemCount.Transition(s.At, s.Step))]), November);

    [Fact]
    public void The_end_of_the_month_is_midnight_in_shanghai()
    {
        Assert.Equal(E, OverdueProblemCount.EndOf(November));
        Assert.Equal(new DateOnly(2026, 11, 30), OverdueProblemCount.LastDayOf(November));
        Assert.Equal(new DateOnly(2027, 2, 28), OverdueProblemCount.LastDayOf(new EvaluationMonth(2027, 2)));
    }

    [Fact]
    public void Found_and_deadline_bound_the_count()
    {
        Assert.True(Counts(Found, Due));                                        // never fixed
        Assert.True(Counts(Found, new DateOnly(2026, 11, 30)));                 // due on the last day: overdue from E
        Assert.False(Counts(Found, new DateOnly(2026, 12, 1)));                 // due after the month
        Assert.False(Counts(E, new DateOnly(2026, 11, 30)));                    // found at E (December's)
        Assert.True(Counts(E.AddTicks(-1), new DateOnly(2026, 11, 30)));
    }

    [Fact]
    public void The_state_at_the_end_decides_not_the_state_now()
    {
        var fix = OverdueProblemCount.Step.ReportFix; var reject = OverdueProblemCount.Step.Reject; var close = OverdueProblemCount.Step.Close;
        Assert.False(Counts(Found, Due, (Found.AddDays(3), fix)));                                   // fixed in time, waiting for review
        Assert.False(Counts(Found, Due, (Found.AddDays(12), fix)));                                  // fixed late, before E
        Assert.False(Counts(Found, Due, (Found.AddDays(3), fix), (Found.AddDays(4), close)));        // closed
        Assert.True(Counts(Found, Due, (Found.AddDays(3), fix), (Found.AddDays(15), reject)));       // rejected: 待整改 again
        Assert.True(Counts(Found, Due, (E, fix)));                                                   // a fix at E is December's
        Assert.False(Counts(Found, Due, (E.AddTicks(-1), fix)));
        // Later transitions change nothing, whatever their order in the list.
        Assert.False(Counts(Found, Due, (E.AddDays(5), reject), (Found.AddDays(3), fix), (E.AddDays(6), fix)));
        Assert.True(Counts(Found, Due, (E.AddDays(5), close), (E.AddDays(4), fix)));
    }

    [Fact]
    public void The_rows_own_last_transitions()
    {
        var fixedAt = Found.AddDays(3); var reviewedAt = Found.AddDays(4);
        Assert.Equal([new(fixedAt, OverdueProblemCount.Step.ReportFix), new(reviewedAt, OverdueProblemCount.Step.Close)],
            OverdueProblemCount.FromRow(fixedAt, reviewedAt, reviewedAt).ToArray());
        Assert.Equal([new(fixedAt, OverdueProblemCount.Step.ReportFix), new(reviewedAt, OverdueProblemCount.Step.Reject)],
            OverdueProblemCount.FromRow(fixedAt, reviewedAt, null).ToArray());
        Assert.Empty(OverdueProblemCount.FromRow(null, null, null));
    }
}

/// <summary>Own class (own database): it stores a sheet, which the other input tests must not see.</summary>
public class OverdueProblemsTemplateTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    [Fact]
    public async Task An_empty_entry_for_it_stored_over_the_api_leaves_the_townships_template_downloadable()
    {
        // A probe's case: the API takes {"itemCode":"Z01"} (nothing entered, so nothing refused); the township's template,
        // pre-filled from the stored sheets, must still download (it answered 500 for the whole township).
        await OverdueProblemsClauseTests.UseOverdueSheetAsync(factory, "overdue-empty");
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(0));
        var created = await secretary.PostAsJsonAsync("/odata/Evaluations", new
        {
            villageId = 2, month = "2026-11", kind = "Self", entries = new object[] { new { itemCode = "L01", count = 1 }, new { itemCode = "Z01" } },
        });
        await created.ExpectAsync(HttpStatusCode.Created);
        var response = await secretary.GetAsync("/api/spreadsheets/template?month=2026-11&townshipId=1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var package = new ExcelPackage(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
        var ws = package.Workbook.Worksheets[TemplateConventions.DataSheetName];
        var codes = Enumerable.Range(1, ws.Dimension.End.Column).Select(c => ws.Cells[TemplateConventions.CodeRow, c].Text).ToList();
        Assert.DoesNotContain("Z01", codes);
        var villageCode = await WithDbAsync(factory, db => db.Villages.Where(v => v.Id == 2).Select(v => v.Code).SingleAsync());
        var row = Enumerable.Range(1, ws.Dimension.End.Row).Single(r => Enumerable.Range(1, 3).Any(c => ws.Cells[r, c].Text == villageCode));
        Assert.Equal("1", ws.Cells[row, codes.IndexOf("L01") + 1].Text); // the rest of the sheet is pre-filled as stored
    }
}
