using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using EnvScore.Api.Features.Demo;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Api.Infrastructure.Faults;
using EnvScore.Domain.Rules;
using EnvScore.Spreadsheets.Templates;
using EnvScore.Testing;
using Npgsql;
using OfficeOpenXml;

namespace EnvScore.Faults.Tests;

/// <summary>
/// The real service (a child process, <c>dotnet EnvScore.Api.dll</c>) killed with SIGKILL at the last moment of five
/// writes — everything written, nothing committed (a fault point blocks there until the kill, no timing) — then
/// started again on the same database: each write happened whole or not at all (rows, audit, evidence bytes, results,
/// results stamp, run records), no computation run is left "running", and the repeated request then succeeds once
/// (a repeat after a lost response does not duplicate). The expectations are counted in SQL, not by the service.
/// </summary>
public sealed class CrashTests : IAsyncLifetime
{
    private static readonly RuleSet Rules = RuleSetLoader.Parse(DefaultRuleSet.Yaml).RuleSet!;
    private readonly string _database = $"envscore_crash_{Guid.NewGuid():N}";
    private readonly string _faultFile = Path.Combine(Path.GetTempPath(), $"envscore-fault-{Guid.NewGuid():N}");
    private PostgresServer _server = null!;
    private string _cs = null!;

    // The month open now by the real clock (the child process runs on it): Asia/Shanghai calendar month.
    private static readonly DateTimeOffset ChinaNow = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8));
    private static readonly string Month = $"{ChinaNow:yyyy-MM}";
    private static readonly int MonthKey = ChinaNow.Year * 100 + ChinaNow.Month;

    public async Task InitializeAsync()
    {
        _server = await PostgresServer.GetAsync();
        _cs = await EnvScoreFactory.CreateDatabaseAsync(_server, _database);
    }

    public async Task DisposeAsync()
    {
        File.Delete(_faultFile);
        NpgsqlConnection.ClearAllPools();
        await _server.ExecuteAsync($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
    }

    [Fact]
    public async Task Killed_in_the_middle_of_an_import_a_save_an_upload_a_computation_and_a_publication_nothing_is_half_done()
    {
        var t0 = await ScalarAsync<int>("SELECT id FROM townships WHERE code = @p", DemoDistrict.Townships[0].Code);
        var t1 = await ScalarAsync<int>("SELECT id FROM townships WHERE code = @p", DemoDistrict.Townships[1].Code);
        var districtId = await ScalarAsync<int>("SELECT district_id FROM townships WHERE id = @p", t1);
        var t1Villages = await ScalarAsync<long>("SELECT count(*) FROM villages WHERE township_id = @p AND is_active", t1);
        var v0 = await ScalarAsync<int>("SELECT min(id) FROM villages WHERE township_id = @p AND is_active", t0);
        var service = await ServiceProcess.StartAsync(_cs, _faultFile);
        try
        {
            // 1. A spreadsheet import of a whole township (submitted), killed before its commit.
            var secretary1 = await service.ClientForAsync(EnvScoreFactory.Secretary(1));
            var template = await secretary1.GetByteArrayAsync($"/api/spreadsheets/template?month={Month}&townshipId={t1}");
            var filled = FillClean(template);
            var importUrl = $"/api/spreadsheets/import?month={Month}&townshipId={t1}&submit=true";
            service = await CrashAtAsync(service, FaultPoint.ImportBeforeCommit, () => secretary1.PostAsync(importUrl, Upload(filled)));
            Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM evaluations WHERE township_id = @p", t1));
            Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE action LIKE 'Evaluation.Import%'"));
            secretary1 = await service.ClientForAsync(EnvScoreFactory.Secretary(1));
            await (await secretary1.PostAsync(importUrl, Upload(filled))).ExpectAsync(HttpStatusCode.OK);
            // The client's retry after a lost answer (the same file): every row is as stored, so it answers 200 with all of them
            // unchanged and already submitted, and stores nothing more.
            var retry = await (await secretary1.PostAsync(importUrl, Upload(filled))).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal(0, retry.GetProperty("created").GetInt32());
            Assert.Equal(0, retry.GetProperty("updated").GetInt32());
            Assert.Equal(t1Villages, retry.GetProperty("unchanged").GetInt32());
            Assert.Equal(t1Villages, await ScalarAsync<long>("SELECT count(*) FROM evaluations WHERE township_id = @p AND status = 'Submitted'", t1));
            Assert.Equal(t1Villages, await ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE action LIKE 'Evaluation.Import%'"));

            // 2. A sheet save (PATCH with If-Match), killed before its commit: the old version and its tag stand.
            var secretary0 = await service.ClientForAsync(EnvScoreFactory.Secretary(0));
            var created = await secretary0.PostAsJsonAsync("/odata/Evaluations", new { villageId = v0, month = Month, kind = "Self", entries = CleanEntries() });
            var sheetId = (await created.ExpectAsync(HttpStatusCode.Created)).GetProperty("id").GetInt32();
            var etag = created.Headers.ETag!.ToString();
            HttpRequestMessage Patch() => new(HttpMethod.Patch, $"/odata/Evaluations({sheetId})")
            {
                Content = JsonContent.Create(new { note = "村口垃圾已清运" }), Headers = { { "If-Match", etag } },
            };
            service = await CrashAtAsync(service, FaultPoint.SheetSaveBeforeCommit, () => secretary0.SendAsync(Patch()));
            Assert.Null(await ScalarAsync<string?>("SELECT note FROM evaluations WHERE id = @p", sheetId));
            Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE evaluation_id = @p", sheetId));
            secretary0 = await service.ClientForAsync(EnvScoreFactory.Secretary(0));
            await (await secretary0.SendAsync(Patch())).ExpectAsync(HttpStatusCode.OK); // the same If-Match: the version never moved
            Assert.Equal("村口垃圾已清运", await ScalarAsync<string?>("SELECT note FROM evaluations WHERE id = @p", sheetId));
            Assert.Equal(2L, await ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE evaluation_id = @p", sheetId));

            // 3. A photo upload, killed at its commit: no photo row, no bytes, no audit.
            service = await CrashAtAsync(service, FaultPoint.EvidenceAtCommit, () => secretary0.PostAsync($"/api/evaluations/{sheetId}/evidence", Photo()));
            Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM evidence_files"));
            Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM evidence_contents"));
            Assert.Equal(2L, await ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE evaluation_id = @p", sheetId));
            secretary0 = await service.ClientForAsync(EnvScoreFactory.Secretary(0));
            var uploaded = await secretary0.PostAsync($"/api/evaluations/{sheetId}/evidence", Photo());
            Assert.True(uploaded.IsSuccessStatusCode, await uploaded.Content.ReadAsStringAsync());
            Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM evidence_files"));
            Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM evidence_contents"));

            // 4. A computation: one succeeds, the next is killed before its commit with its run record "Running".
            var admin = await service.ClientForAsync("admin");
            var first = await (await admin.PostAsJsonAsync("/odata/ComputationRuns/Compute", new { month = Month })).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal("Succeeded", first.GetProperty("status").GetString());
            var results = await ResultsAsync(districtId);
            var stamp = await ScalarAsync<long>("SELECT version FROM results_stamps WHERE district_id = @p", districtId);
            Assert.Equal(t1Villages, await ScalarAsync<long>("SELECT count(*) FROM village_results WHERE month = @p AND self_score IS NOT NULL", MonthKey));
            service = await CrashAtAsync(service, FaultPoint.ComputeBeforeCommit, () => admin.PostAsJsonAsync("/odata/ComputationRuns/Compute", new { month = Month }),
                beforeRestart: async () => Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM computation_runs WHERE status = 'Running'")));
            Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM computation_runs WHERE status IN ('Queued', 'Running')"));
            Assert.Contains("计算中断", await ScalarAsync<string?>("SELECT error FROM computation_runs WHERE status = 'Failed' ORDER BY id DESC LIMIT 1"));
            Assert.Equal(results, await ResultsAsync(districtId));
            Assert.Equal(stamp, await ScalarAsync<long>("SELECT version FROM results_stamps WHERE district_id = @p", districtId));
            admin = await service.ClientForAsync("admin");
            var again = await (await admin.PostAsJsonAsync("/odata/ComputationRuns/Compute", new { month = Month })).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal("Succeeded", again.GetProperty("status").GetString());

            // 5. A publication, killed before its commit: nothing published; then published once, and a repeat does not duplicate.
            var publishUrl = $"/api/publications/{Month}/publish";
            service = await CrashAtAsync(service, FaultPoint.PublishBeforeCommit, () => admin.PostAsJsonAsync(publishUrl, new { }));
            Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM publications"));
            Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM publication_revisions"));
            Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM published_village_results"));
            admin = await service.ClientForAsync("admin");
            await (await admin.PostAsJsonAsync(publishUrl, new { })).ExpectAsync(HttpStatusCode.Created);
            var repeat = await (await admin.PostAsJsonAsync(publishUrl, new { })).ExpectAsync(HttpStatusCode.Conflict);
            Assert.Contains("已发布第1版", repeat.GetProperty("title").GetString());
            Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM publication_revisions"));
        }
        finally
        {
            await service.DisposeAsync();
        }
    }

    /// <summary>Arms the point, sends the request, waits until the process blocks there, kills it (SIGKILL), disarms, starts it again.</summary>
    private async Task<ServiceProcess> CrashAtAsync(ServiceProcess service, string point, Func<Task<HttpResponseMessage>> request, Func<Task>? beforeRestart = null)
    {
        await File.WriteAllTextAsync(_faultFile, point);
        var pending = request();
        Assert.Equal(point, await service.FaultReachedAsync());
        service.Kill();
        await Assert.ThrowsAnyAsync<Exception>(() => pending); // the client never got an answer
        await service.DisposeAsync();
        File.Delete(_faultFile);
        if (beforeRestart is not null) await beforeRestart();
        return await ServiceProcess.StartAsync(_cs, _faultFile);
    }

    private async Task<T> ScalarAsync<T>(string sql, object? p = null)
    {
        await using var conn = new NpgsqlConnection(_cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        if (p is not null) cmd.Parameters.AddWithValue("p", p);
        var value = await cmd.ExecuteScalarAsync();
        return value is DBNull or null ? default! : (T)value;
    }

    /// <summary>Every result row of the month as text (village, score, tier, rank, run), in village order.</summary>
    private async Task<string> ResultsAsync(int districtId)
    {
        await using var conn = new NpgsqlConnection(_cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT string_agg(concat_ws('|', village_id, final_score, tier, district_rank, computation_run_id), ';' ORDER BY village_id) " +
            "FROM village_results WHERE district_id = @d AND month = @m", conn);
        cmd.Parameters.AddWithValue("d", districtId);
        cmd.Parameters.AddWithValue("m", MonthKey);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    private static List<object> CleanEntries() => Rules.Items.Select(item => (object)(item switch
    {
        PerOccurrenceItem => new { itemCode = item.Code, count = 0 },
        LevelsItem l => new { itemCode = item.Code, level = l.Levels.First(v => v.Deduction == 0).Code },
        SampledItem => new { itemCode = item.Code, failedSamples = 0 },
        _ => (object)new { itemCode = item.Code, passed = true },
    })).ToList();

    /// <summary>The downloaded template with every village filled in clean (as a secretary would, in the data sheet).</summary>
    private static byte[] FillClean(byte[] template)
    {
        using var package = new ExcelPackage(new MemoryStream(template));
        var sheet = package.Workbook.Worksheets[TemplateConventions.DataSheetName];
        var columns = Enumerable.Range(1, sheet.Dimension.End.Column)
            .Where(c => sheet.Cells[TemplateConventions.CodeRow, c].Text.Length > 0)
            .ToDictionary(c => sheet.Cells[TemplateConventions.CodeRow, c].Text, c => c);
        for (var row = TemplateConventions.FirstDataRow; row <= sheet.Dimension.End.Row; row++)
        {
            if (sheet.Cells[row, columns[TemplateConventions.VillageCodeToken]].Text.Length == 0) continue;
            foreach (var item in Rules.Items)
                sheet.Cells[row, columns[item.Code]].Value = item switch
                {
                    LevelsItem l => l.Levels.First(v => v.Deduction == 0).Name,
                    PassFailItem => TemplateConventions.PassWord,
                    _ => (object)0,
                };
        }
        using var output = new MemoryStream();
        package.SaveAs(output);
        return output.ToArray();
    }

    private static MultipartFormDataContent Upload(byte[] bytes)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        return new MultipartFormDataContent { { file, "file", "自评表.xlsx" } };
    }

    /// <summary>A real 4×3 PNG (the one tests/EnvScore.Api.Tests uses).</summary>
    private static MultipartFormDataContent Photo()
    {
        var file = new ByteArrayContent(Convert.FromBase64String(
            "iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAYAAAC09K7GAAAAK0lEQVR4AUzIwQkAQAgDwcWWrrjUYCvXpBpfBgbCxvuqK5gpweayIQXm0AAAAP//9wZwUQAAAAZJREFUAwDPyg1TQ7j4qwAAAABJRU5ErkJggg=="));
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return new MultipartFormDataContent { { file, "file", "现场照片.png" } };
    }
}
