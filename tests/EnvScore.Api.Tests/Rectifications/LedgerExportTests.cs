using System.Diagnostics;
using System.Net;
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
        await (await factory.CreateClient().GetAsync("/api/rectifications/ledger.xlsx")).ExpectAsync(HttpStatusCode.Unauthorized);
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
