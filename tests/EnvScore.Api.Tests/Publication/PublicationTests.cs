using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EnvScore.Api.Features.Computation;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OfficeOpenXml;
using static EnvScore.Api.Tests.Computation.ComputationData;

namespace EnvScore.Api.Tests.Publication;

/// <summary>October 2026 of the demo district with six active villages, computed once; the clock is 10 Nov 2026.</summary>
public sealed class PublicationFactory : EnvScoreFactory
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _seeded;
    public const int Month = 202610;
    public static readonly string[] Active = [Village(0, 0), Village(0, 1), Village(1, 0), Village(1, 1), Village(2, 0), Village(2, 1)];
    public int DistrictId { get; private set; }

    public async Task SeedAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_seeded) return;
            var (districtId, _, rules) = await ContextAsync(this);
            DistrictId = districtId;
            await WithDbAsync(this, db => db.Villages.Where(v => !Active.Contains(v.Code)).ExecuteUpdateAsync(s => s.SetProperty(v => v.IsActive, false)));
            var at = new DateTimeOffset(2026, 10, 28, 2, 0, 0, TimeSpan.Zero);
            for (var i = 0; i < Active.Length; i++)
                await AddSheetAsync(this, Active[i], Month, EvaluationKind.Self, EvaluationStatus.Locked, Entries(rules, [("L02", i)]), at);
            _seeded = true;
        }
        finally { _gate.Release(); }
    }

    public async Task<ComputationOutcome> ComputeAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<MonthlyComputation>().RunAsync(DistrictId, Domain.Calendar.EvaluationMonth.FromKey(Month), "test");
    }
}

public sealed class PublicationTests(PublicationFactory factory) : IClassFixture<PublicationFactory>
{
    private const string MonthText = "2026-10";

    [Fact]
    public async Task Publish_freezes_the_month_corrections_become_explained_revisions_and_earlier_ones_stay_readable()
    {
        await factory.SeedAsync();
        var anonymous = factory.CreateClient();
        var admin = await factory.ClientForAsync("admin");
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(0));

        // Before publication: nothing public, and nothing to publish before a computation.
        Assert.Empty((await anonymous.GetJsonAsync("/odata/Publications")).GetProperty("value").EnumerateArray());
        await (await anonymous.GetAsync($"/api/bulletins/{factory.DistrictId}/{MonthText}/1")).ExpectAsync(HttpStatusCode.NotFound);
        await (await admin.PostAsJsonAsync($"/api/publications/{MonthText}/publish", new { })).ExpectAsync(HttpStatusCode.Conflict);
        Assert.IsType<ComputationOutcome.Completed>(await factory.ComputeAsync());

        // Only the district admin publishes.
        await (await anonymous.PostAsJsonAsync($"/api/publications/{MonthText}/publish", new { })).ExpectAsync(HttpStatusCode.Unauthorized);
        await (await secretary.PostAsJsonAsync($"/api/publications/{MonthText}/publish", new { })).ExpectAsync(HttpStatusCode.Forbidden);
        // A notice is not dated on a day that has not come (the clock says 2026-11-10), nor before its month: refused, nothing published.
        var future = await (await admin.PostAsJsonAsync($"/api/publications/{MonthText}/publish", new { date = "2026-12-31" })).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("晚于今天", future.GetProperty("errors").GetProperty("date")[0].GetString());
        await (await admin.PostAsJsonAsync($"/api/publications/{MonthText}/publish", new { date = "2026-09-30" })).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Empty((await anonymous.GetJsonAsync("/odata/Publications")).GetProperty("value").EnumerateArray());
        var first = await (await admin.PostAsJsonAsync($"/api/publications/{MonthText}/publish",
            new { title = "2026年10月月评比通报", foreword = "现将10月评比结果通报如下。" })).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(1, first.GetProperty("number").GetInt32());
        Assert.Equal(6, first.GetProperty("villageCount").GetInt32());

        // Public now, with revisions and their frozen rows ($expand depth 2); the open-correction fields are not exposed.
        var published = await anonymous.GetJsonAsync("/odata/Publications?$expand=revisions($expand=villages($orderby=districtRank))");
        var publication = Assert.Single(published.GetProperty("value").EnumerateArray());
        Assert.False(publication.TryGetProperty("correctionReason", out _));
        var rev1 = Assert.Single(publication.GetProperty("revisions").EnumerateArray());
        var frozenBefore = rev1.GetProperty("villages").GetRawText();
        Assert.Equal(PublicationFactory.Active[0], rev1.GetProperty("villages")[0].GetProperty("villageCode").GetString()); // L02 × 0: best

        // A published month is not recomputed, nor published again, without an open correction.
        Assert.IsType<ComputationOutcome.Published>(await factory.ComputeAsync());
        await (await admin.PostAsJsonAsync($"/api/publications/{MonthText}/publish", new { })).ExpectAsync(HttpStatusCode.Conflict);
        await (await admin.PostAsJsonAsync($"/api/publications/{MonthText}/corrections", new { reason = " " })).ExpectAsync(HttpStatusCode.BadRequest);
        await (await admin.PostAsJsonAsync($"/api/publications/{MonthText}/corrections", new { reason = "水稻乡反映第一村乱堆乱放处数录入有误" }))
            .ExpectAsync(HttpStatusCode.OK);

        // The district corrects the locked sheet (If-Match, reason, validated as for submission).
        var id = await WithDbAsync(factory, db => db.Evaluations.Where(e => e.Month == PublicationFactory.Month
            && db.Villages.Any(v => v.Id == e.VillageId && v.Code == PublicationFactory.Active[0])).Select(e => e.Id).SingleAsync());
        var etag = (await admin.GetAsync($"/odata/Evaluations({id})")).Headers.ETag!.ToString();
        var rules = (await ContextAsync(factory)).Rules;
        var corrected = Entries(rules, [("L02", 5)]).Select(e => new { e.ItemCode, e.Count, e.Level, e.Passed }).ToList();
        await (await Put(admin, $"/api/publications/sheets/{id}", new { reason = "核实为5处", entries = corrected }, null)).ExpectAsync((HttpStatusCode)428);
        await (await Put(admin, $"/api/publications/sheets/{id}", new { entries = corrected }, etag)).ExpectAsync(HttpStatusCode.BadRequest);
        await (await Put(secretary, $"/api/publications/sheets/{id}", new { reason = "x", entries = corrected }, etag)).ExpectAsync(HttpStatusCode.Forbidden);
        await (await Put(admin, $"/api/publications/sheets/{id}", new { reason = "核实为5处", entries = corrected }, etag)).ExpectAsync(HttpStatusCode.OK);

        // Revision 2 needs a new computation; the computation only refreshes the working results.
        await (await admin.PostAsJsonAsync($"/api/publications/{MonthText}/publish", new { })).ExpectAsync(HttpStatusCode.Conflict);
        var recomputed = Assert.IsType<ComputationOutcome.Completed>(await factory.ComputeAsync());
        Assert.Equal(ComputationStatus.Succeeded, recomputed.Run.Status);
        var rev1Again = await anonymous.GetJsonAsync($"/odata/PublicationRevisions?$filter=number eq 1&$expand=villages($orderby=districtRank)");
        Assert.Equal(frozenBefore, rev1Again.GetProperty("value")[0].GetProperty("villages").GetRawText());

        var second = await (await admin.PostAsJsonAsync($"/api/publications/{MonthText}/publish", new { })).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(2, second.GetProperty("number").GetInt32());
        Assert.Equal("水稻乡反映第一村乱堆乱放处数录入有误", second.GetProperty("reason").GetString());
        var secondRow = (await anonymous.GetJsonAsync("/odata/PublicationRevisions?$filter=number eq 2&$select=foreword")).GetProperty("value")[0];
        Assert.Equal("现将10月评比结果通报如下。", secondRow.GetProperty("foreword").GetString()); // kept from revision 1 when none is given

        // Each publication and the correction are in the audit log, by whom and why; the audit page names them in Chinese.
        var acts = (await admin.GetJsonAsync("/odata/AuditLog?$filter=startswith(action,'Publication.')&$orderby=id")).GetProperty("value")
            .EnumerateArray().Select(a => a.GetProperty("action").GetString()).ToList();
        Assert.Equal(new[] { "Publication.Publish", "Publication.OpenCorrection", "Publication.Publish" }, acts);
        var page = await admin.GetStringAsync("/admin/audit?op=Publication.OpenCorrection");
        Assert.Contains("开启更正", page);
        Assert.Contains("水稻乡反映第一村乱堆乱放处数录入有误", page);
        Assert.Empty((await secretary.GetJsonAsync("/odata/AuditLog?$filter=startswith(action,'Publication.')")).GetProperty("value").EnumerateArray());

        var after = (await anonymous.GetJsonAsync("/odata/Publications?$expand=revisions($orderby=number;$expand=villages($orderby=districtRank))"))
            .GetProperty("value")[0];
        Assert.Equal(2, after.GetProperty("latestRevision").GetInt32());
        var revisions = after.GetProperty("revisions");
        Assert.Equal(frozenBefore, revisions[0].GetProperty("villages").GetRawText());
        Assert.NotEqual(PublicationFactory.Active[0], revisions[1].GetProperty("villages")[0].GetProperty("villageCode").GetString());
        Assert.Equal(JsonValueKind.Null, revisions[0].GetProperty("reason").ValueKind);

        // Both revisions download as bulletins with every sheet; the preview is for district roles only.
        foreach (var n in new[] { 1, 2 })
        {
            var response = await anonymous.GetAsync($"/api/bulletins/{factory.DistrictId}/{MonthText}/{n}");
            await response.EnsureSuccessAsync();
            using var package = new ExcelPackage(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
            var names = package.Workbook.Worksheets.Select(w => w.Name).ToList();
            Assert.Contains("区级排名", names);
            Assert.Contains("乡镇排名", names);
            Assert.Contains("红黑榜", names);
            Assert.Contains("扣分明细", names);
            var ranking = package.Workbook.Worksheets["区级排名"];
            var text = string.Join("|", Enumerable.Range(1, 12).SelectMany(r => Enumerable.Range(1, 8).Select(c => ranking.Cells[r, c].Text)));
            Assert.Contains(n == 1 ? "现将10月评比结果通报如下" : "更正原因", text);
            var deductions = package.Workbook.Worksheets["扣分明细"];
            var all = string.Join("|", Enumerable.Range(1, 40).SelectMany(r => Enumerable.Range(1, 8).Select(c => deductions.Cells[r, c].Text)));
            Assert.Contains("乱堆乱放", all);
        }
        await (await anonymous.GetAsync($"/api/bulletins/{factory.DistrictId}/{MonthText}/preview")).ExpectAsync(HttpStatusCode.Unauthorized);
        await (await secretary.GetAsync($"/api/bulletins/{factory.DistrictId}/{MonthText}/preview")).ExpectAsync(HttpStatusCode.Forbidden);
        await (await admin.GetAsync($"/api/bulletins/{factory.DistrictId}/{MonthText}/preview")).EnsureSuccessAsync();

        // The database itself refuses to change frozen rows.
        await WithDbAsync(factory, async db =>
            await Assert.ThrowsAsync<Npgsql.PostgresException>(() => db.Database.ExecuteSqlRawAsync("UPDATE published_village_results SET final_score = 0")));
    }

    private static Task<HttpResponseMessage> Put(HttpClient client, string url, object body, string? etag)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonContent.Create(body) };
        if (etag is not null) request.Headers.TryAddWithoutValidation("If-Match", etag);
        return client.SendAsync(request);
    }
}

internal static class ResponseExtensions
{
    public static async Task EnsureSuccessAsync(this HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
            Assert.Fail($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
