using System.Net;
using System.Net.Http.Json;
using EnvScore.Api.Features.Computation;
using EnvScore.Api.Tests.Evaluations;
using EnvScore.Domain.Calendar;
using EnvScore.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static EnvScore.Api.Tests.Computation.ComputationData;

namespace EnvScore.Api.Tests.Computation;

/// <summary>
/// A district whose sheet uses the general item model (items with clauses in nested categories, 百分制折算): a
/// secretary saves and submits a village's clause inputs over the API, they are stored and read back, bad clause
/// inputs are refused by name, and the month's computation scores them as the hand arithmetic of the wording says.
/// </summary>
public class ClauseSheetTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    internal const string Yaml = """
        code: CLAUSE
        title: 含细则的评分表
        version: 1
        effectiveFrom: "2026-01"
        totalPoints: 21
        scale: 100
        sections:
          - code: A
            title: 环境卫生
            maxPoints: 21
            sections:
              - code: A1
                title: 垃圾治理
                maxPoints: 18
                items:
                  - code: R01
                    title: 垃圾治理
                    points: 18
                    criteria: 无垃圾池、垃圾填埋场各扣6分；每发现一处积存垃圾扣1分；扣完为止
                    clauses:
                      - {code: a, kind: deductIf, text: 无垃圾池, deduction: 6}
                      - {code: b, kind: deductIf, text: 无垃圾填埋场, deduction: 6}
                      - {code: c, kind: perOccurrence, text: 积存垃圾, unit: 处, deductionEach: 1}
              - code: A2
                title: 保洁队伍
                maxPoints: 3
                items:
                  - code: C01
                    title: 保洁队伍
                    points: 3
                    clauses:
                      - {code: a, kind: deductIf, text: 未配备保洁队伍, deduction: 2}
                      - {code: b, kind: perOccurrence, text: 保洁员缺员, unit: 人, deductionEach: 0.3}
        tiers: {demonstrationMin: 90, upgradeMin: 60}
        combination: {selfWeight: 0.3, districtWeight: 0.7, inflationThreshold: 10}
        """;

    private async Task<int> UseClauseSheetAsync()
    {
        var (districtId, record, _) = await ContextAsync(factory);
        await WithDbAsync(factory, db => db.RuleSets.Where(r => r.Id == record.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Source, Yaml).SetProperty(r => r.ContentHash, "clause-sheet")));
        return districtId;
    }

    [Fact]
    public async Task Clause_inputs_are_saved_read_back_refused_by_name_and_computed_as_the_wording_says()
    {
        var districtId = await UseClauseSheetAsync();
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(0));

        // Refused: an unknown clause and a negative count, each named; nothing stored.
        var bad = await secretary.PostAsJsonAsync("/odata/Evaluations", new
        {
            villageId = 1, month = "2026-11", kind = "Self",
            entries = new object[] { new { itemCode = "R01", clauses = new object[] { new { code = "x", yes = true }, new { code = "c", count = -2 } } } },
        });
        var error = await bad.ExpectAsync(HttpStatusCode.BadRequest);
        var fields = Sheets.Problems(error).Select(p => p.GetProperty("field").GetString()).ToArray();
        Assert.Contains("clauses.x", fields);
        Assert.Contains("clauses.c", fields);
        Assert.Equal(0, await WithDbAsync(factory, db => db.Evaluations.CountAsync()));

        // Saved, read back, submitted.
        var created = await secretary.PostAsJsonAsync("/odata/Evaluations", new
        {
            villageId = 1, month = "2026-11", kind = "Self",
            entries = new object[]
            {
                new { itemCode = "R01", clauses = new object[] { new { code = "a", yes = true }, new { code = "c", count = 10 } } },
                new { itemCode = "C01", clauses = new object[] { new { code = "b", count = 2 } } },
            },
        });
        var json = await created.ExpectAsync(HttpStatusCode.Created);
        var id = json.GetProperty("id").GetInt32();
        var sheet = await secretary.GetJsonAsync($"/odata/Evaluations({id})?$expand=entries($filter=itemCode eq 'R01')");
        var clauses = sheet.GetProperty("entries")[0].GetProperty("clauses").EnumerateArray().ToArray();
        Assert.Equal(["a", "c"], clauses.Select(c => c.GetProperty("code").GetString()));
        Assert.Equal(10, clauses[1].GetProperty("count").GetInt32());
        await (await Sheets.SendAsync(secretary, HttpMethod.Post, $"/odata/Evaluations({id})/Submit", created.Headers.ETag!.ToString())).ExpectAsync(HttpStatusCode.OK);

        // Computed: R01 = 18 − 6 − 10×1 = 2; C01 = 3 − 2×0.3 = 2.4; sheet 4.4 of 21 → 4.4 × 100 / 21 = 20.952… → 20.95.
        factory.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 10, 4, 0, 0, TimeSpan.Zero));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var outcome = await scope.ServiceProvider.GetRequiredService<MonthlyComputation>().RunAsync(districtId, new EvaluationMonth(2026, 11), "test");
            var done = Assert.IsType<ComputationOutcome.Completed>(outcome);
            Assert.True(done.Run.Status == ComputationStatus.Succeeded, done.Run.Error);
        }
        var result = await WithDbAsync(factory, db => db.VillageResults.AsNoTracking().SingleAsync(r => r.VillageId == 1 && r.Month == 202611));
        Assert.Equal(20.95m, result.FinalScore);
        Assert.Contains("垃圾治理：无垃圾池，扣6分；积存垃圾10处，每处扣1分，扣10分；合计扣16分（得2/18分）", result.Explanation);
        Assert.Contains("百分制折算：4.4 × 100 ÷ 21 = 20.95分", result.Explanation);

        // Structured findings: what the bulletin renders, whatever the explanation's wording.
        Assert.Equal([("环境卫生 › 垃圾治理", "R01", -16m), ("环境卫生 › 保洁队伍", "C01", -0.6m)],
            result.Findings!.Select(f => (f.Section, f.ItemCode, f.Points)));
        await WithDbAsync(factory, db => db.VillageResults.Where(r => r.Month == 202611)
            .ExecuteUpdateAsync(x => x.SetProperty(r => r.Explanation, "（说明措辞已修改）")));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var bulletin = await scope.ServiceProvider.GetRequiredService<Features.Publication.BulletinFactory>()
                .PreviewAsync(districtId, new EvaluationMonth(2026, 11), new DateOnly(2026, 12, 10), default);
            var lines = bulletin!.Deductions.Single(d => d.Lines.Count > 0).Lines;
            Assert.Equal(["R01", "C01"], lines.Select(l => l.ItemCode));
            Assert.Equal("无垃圾池，扣6分；积存垃圾10处，每处扣1分，扣10分；合计扣16分（得2/18分）", lines[0].Explanation);
            Assert.Equal(-16m, lines[0].Points);
        }
    }
}

/// <summary>
/// The village sheet page with a sheet of clauses: every clause has its field (counts, yes/no, levels, rates), what the
/// form posts is stored as clause inputs, a count typed in words is answered next to its item, and the page shows the
/// stored values again.
/// </summary>
public partial class ClauseSheetPageTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    [Fact]
    public async Task A_secretary_fills_clause_fields_on_the_page_and_they_are_stored()
    {
        var (_, record, _) = await ContextAsync(factory);
        await WithDbAsync(factory, db => db.RuleSets.Where(r => r.Id == record.Id)
            .ExecuteUpdateAsync(x => x.SetProperty(r => r.Source, ClauseSheetTests.Yaml).SetProperty(r => r.ContentHash, "clause-page")));
        var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await (await client.PostAsJsonAsync("/api/auth/login?useCookies=true", new { userName = EnvScoreFactory.Secretary(0), password = EnvScoreFactory.Password }))
            .ExpectAsync(HttpStatusCode.OK);
        const string url = "/work/sheet?villageId=2&m=2026-11&kind=Self";
        var html = await client.GetStringAsync(url);
        foreach (var field in new[] { "c.R01.a", "c.R01.b", "c.R01.c", "c.C01.a", "c.C01.b" }) Assert.Contains($"name=\"{field}\"", html);
        Assert.Contains("环境卫生 › 垃圾治理", html);
        var token = TokenPattern().Match(html).Groups[1].Value;

        FormUrlEncodedContent Form(string spots) => new(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["villageId"] = "2", ["m"] = "2026-11", ["kind"] = "Self",
            ["c.R01.a"] = "true", ["c.R01.c"] = spots, ["c.C01.b"] = "2", ["note"] = "",
        });
        var refused = await client.PostAsync("/work/sheet?handler=Save&villageId=2&m=2026-11&kind=Self", Form("十处"));
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var answer = await refused.Content.ReadAsStringAsync();
        Assert.Contains("应填整数", answer);
        Assert.Contains("value=\"十处\"", answer);   // kept as typed
        Assert.Equal(0, await WithDbAsync(factory, db => db.Evaluations.CountAsync(e => e.VillageId == 2)));

        var saved = await client.PostAsync("/work/sheet?handler=Save&villageId=2&m=2026-11&kind=Self", Form("10"));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var entries = await WithDbAsync(factory, db => db.Evaluations.AsNoTracking().Where(e => e.VillageId == 2).SelectMany(e => e.Entries).ToListAsync());
        var r01 = entries.Single(e => e.ItemCode == "R01");
        Assert.Equal([("a", (int?)null, (bool?)true), ("c", 10, null)], r01.Clauses.Select(c => (c.Code, c.Count, c.Yes)));
        Assert.Equal(2, entries.Single(e => e.ItemCode == "C01").Clauses.Single(c => c.Code == "b").Count);
        // The spreadsheet path carries the same sheet (a column per clause input: ClauseSpreadsheetTests).
        var template = await client.GetAsync("/api/spreadsheets/template?month=2026-11&townshipId=1");
        Assert.Equal(HttpStatusCode.OK, template.StatusCode);

        // The running score of the page, from the engine: R01 18 − 6 − 10 = 2, C01 3 − 0.6 = 2.4 → 4.4 × 100 / 21 = 20.95.
        var preview = await client.PostAsync("/api/sheet-preview", new FormUrlEncodedContent(new Dictionary<string, string>
            { ["villageId"] = "2", ["m"] = "2026-11", ["c.R01.a"] = "true", ["c.R01.c"] = "10", ["c.C01.b"] = "2" }));
        var running = await preview.ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(20.95m, running.GetProperty("total").GetDecimal());
        Assert.True(running.GetProperty("complete").GetBoolean());
        var again = await client.GetStringAsync(url);
        Assert.Matches("name=\"c.R01.c\" value=\"10\"", again);
        Assert.Matches("id=\"c-R01-a\" name=\"c.R01.a\" value=\"true\" checked=\"checked\"", again);
    }

    [System.Text.RegularExpressions.GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial System.Text.RegularExpressions.Regex TokenPattern();
}

/// <summary>A nested sheet's queryable rows: every category with its parent and depth, every item under its own category.</summary>
public class NestedRuleSetRowsTests
{
    [Fact]
    public void Rows_follow_the_nesting()
    {
        var rules = EnvScore.Domain.Rules.RuleSetLoader.Parse(ClauseSheetTests.Yaml).RuleSet!;
        var record = new Features.RuleSets.RuleSetRecord { Source = ClauseSheetTests.Yaml, Code = "", Title = "", ContentHash = "", ImportedBy = "" };
        Features.RuleSets.RuleSetRows.Fill(record, rules);
        Assert.Equal([("A", null, 0), ("A1", "A", 1), ("A2", "A", 1)], record.Sections.Select(s => (s.Code, s.ParentCode, s.Depth)));
        Assert.Equal([("R01", "A1"), ("C01", "A2")], record.Items.Select(i => (i.Code, i.SectionCode)));
        Assert.Equal("a:deductIf:无垃圾池; b:deductIf:无垃圾填埋场; c:perOccurrence:积存垃圾", record.Items[0].Clauses);
        Assert.Equal("Clauses", record.Items[0].Kind);
    }
}
