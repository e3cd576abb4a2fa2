using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using EnvScore.Api.Tests.Security;
using EnvScore.Testing;

namespace EnvScore.Api.Tests.Rectifications;

/// <summary>
/// The ledger export opened by another program: LibreOffice (headless) converts the downloaded workbook to CSV, and the
/// test reads the columns the offices file (序号, 村, 问题, 发现时间, 整改时限, 整改情况, 复核人, 销号时间, photo links).
/// </summary>
public class LedgerExportTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    [Fact]
    public async Task The_export_opens_in_LibreOffice_with_the_ledger_columns()
    {
        var inspector = await factory.ClientForAsync("inspector");
        var (id, _, _) = await Problems.CreateAsync(inspector, village: 5);
        await (await Problems.PhotoAsync(inspector, id, "before", TestImages.Png, "a.png")).ExpectAsync(HttpStatusCode.OK);
        var other = await factory.ClientForAsync(EnvScoreFactory.Secretary(1));

        var response = await inspector.GetAsync("/api/rectifications/ledger.xlsx?m=2026-11&state=Open");
        await response.ExpectStatusOnlyAsync(HttpStatusCode.OK);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", response.Content.Headers.ContentType!.MediaType);
        var csv = ToCsv(await response.Content.ReadAsByteArrayAsync());
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("整改台账", lines[0]);
        Assert.Equal("序号,村,问题,发现时间,整改时限,整改情况,复核人,销号时间,整改前照片,整改后照片", lines[1].TrimEnd('\r'));
        var row = Assert.Single(lines.Skip(2), l => l.Contains("村口垃圾堆放"));
        Assert.Contains("2026-11-10 10:00", row);   // found at, Asia/Shanghai
        Assert.Contains("2026-11-17", row);         // deadline: 7 days
        Assert.Contains("待整改", row);
        Assert.Contains("/api/rectification-photos/", row);

        // A secretary of another township downloads a ledger without that row; a bad month is a Chinese 400.
        var theirs = ToCsv(await (await other.GetAsync("/api/rectifications/ledger.xlsx")).Content.ReadAsByteArrayAsync());
        Assert.DoesNotContain("村口垃圾堆放", theirs);
        var bad = await (await inspector.GetAsync("/api/rectifications/ledger.xlsx?m=2026-13")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("月份", bad.GetProperty("title").GetString());
        // The 问题台账 page's filter form sends every field, the empty ones as "": the same ledger as no filter at all.
        var fromForm = await inspector.GetAsync("/api/rectifications/ledger.xlsx?m=&t=&state=&overdue=&source=&item=");
        await fromForm.ExpectStatusOnlyAsync(HttpStatusCode.OK);
        Assert.Contains("村口垃圾堆放", ToCsv(await fromForm.Content.ReadAsByteArrayAsync()));
        var badTownship = await (await inspector.GetAsync("/api/rectifications/ledger.xlsx?t=三")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("乡镇", badTownship.GetProperty("title").GetString());
        await (await factory.CreateClient().GetAsync("/api/rectifications/ledger.xlsx")).ExpectAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_audit_page_reads_a_problems_history_in_chinese()
    {
        var inspector = await factory.ClientForAsync("inspector");
        var admin = await factory.ClientForAsync("admin");
        var created = await inspector.PostAsJsonAsync("/odata/Rectifications",
            new { villageId = 6, itemCode = Problems.Item, description = "河沟漂浮物", location = "村南河沟" });
        var id = (await created.ExpectAsync(HttpStatusCode.Created)).GetProperty("id").GetInt32();
        await (await Problems.PhotoAsync(inspector, id, "before", TestImages.Png, "村口.png")).ExpectAsync(HttpStatusCode.OK);

        var list = await admin.GetStringAsync("/admin/audit?op=Rectification.Create");
        Assert.Contains("上报整改问题", list);
        Assert.Contains("新增整改问题（河沟漂浮物）", list);
        var photo = await admin.GetStringAsync("/admin/audit?op=Rectification.BeforePhoto");
        Assert.Contains("上传整改前照片", photo);
        Assert.Contains("新增整改前照片（村口.png）", photo);
        var recordId = System.Text.RegularExpressions.Regex.Match(photo, "record=(\\d+)").Groups[1].Value;
        var html = System.Net.WebUtility.HtmlDecode(await admin.GetStringAsync($"/admin/audit?record={recordId}"));
        var record = html[html.IndexOf("修改记录原文", StringComparison.Ordinal)..html.IndexOf("</main>", StringComparison.Ordinal)];
        Assert.Contains("整改状态：待整改", record);
        Assert.Contains("来源：日常巡查", record);
        Assert.Contains("文件名：村口.png", record);
        Assert.Contains("问题描述：河沟漂浮物", record);
        foreach (var raw in new[] { "\"state\"", "Open", "Round", "fileName", "rectificationId" }) Assert.DoesNotContain(raw, record);
    }

    /// <summary>soffice --headless --convert-to csv (UTF-8), as a clerk's LibreOffice would open and save the file.</summary>
    private static string ToCsv(byte[] xlsx)
    {
        var soffice = new[] { "/usr/bin/soffice", "/usr/bin/libreoffice" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("LibreOffice is required: apt-get install -y libreoffice-calc-nogui (.ci/run does it)");
        var dir = Directory.CreateTempSubdirectory("envscore-ledger-");
        try
        {
            var source = Path.Combine(dir.FullName, "ledger.xlsx");
            File.WriteAllBytes(source, xlsx);
            var psi = new ProcessStartInfo(soffice) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { $"-env:UserInstallation=file://{dir.FullName}/profile", "--headless", "--norestore",
                         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", dir.FullName, source })
                psi.ArgumentList.Add(arg);
            psi.Environment["HOME"] = dir.FullName;
            using var process = Process.Start(psi)!;
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromMinutes(5))) { process.Kill(true); throw new TimeoutException("LibreOffice did not finish"); }
            var output = Path.Combine(dir.FullName, "ledger.csv");
            Assert.True(File.Exists(output), "LibreOffice made no CSV: " + stderr.Result);
            return File.ReadAllText(output);
        }
        finally { dir.Delete(recursive: true); }
    }
}

internal static class StatusOnly
{
    public static Task ExpectStatusOnlyAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        return Task.CompletedTask;
    }
}
