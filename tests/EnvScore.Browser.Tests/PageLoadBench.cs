using System.Diagnostics;
using System.Text;
using Microsoft.Playwright;

namespace EnvScore.Browser.Tests;

/// <summary>
/// Not a test: the benchmark behind `./envscore bench pages` (issue #20, docs/performance.md). Each page a role reaches,
/// loaded for the first time (a fresh browser context: nothing cached) over an emulated township office's 3G line —
/// Chromium's network emulation through CDP, 1.6 Mb/s down, 750 kb/s up, 150 ms round trip — at phone size; the time
/// from navigation to the load event, the HTML's bytes and every byte the page fetched are written as a Markdown table
/// to the file named by ENVSCORE_BENCH_PAGES. Without that variable it does nothing (timings are never asserted: the
/// HTML budget is, in <see cref="CrawlTests"/>).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PageLoadBench(BrowserFixture f)
{
    [Fact]
    public async Task Pages_over_an_emulated_3G_line()
    {
        var output = Environment.GetEnvironmentVariable("ENVSCORE_BENCH_PAGES");
        if (string.IsNullOrEmpty(output)) return;
        var village = await f.VillageIdAsync(0, 3);
        var township = await f.TownshipIdAsync(0);
        var pages = new (string User, string Url)[]
        {
            (BrowserFixture.Public, "/"), (BrowserFixture.Public, $"/township/{township}"), (BrowserFixture.Public, $"/village/{village}"),
            (BrowserFixture.Public, "/login"),
            (BrowserFixture.Secretary(0), "/work"), (BrowserFixture.Secretary(0), $"/work/sheet?villageId={village}&m=2026-11&kind=Self"),
            (BrowserFixture.Inspector, "/work"), (BrowserFixture.Inspector, "/admin/audit"),
            (BrowserFixture.Admin, "/admin"), (BrowserFixture.Admin, "/admin/sheets"), (BrowserFixture.Admin, "/admin/rulesets"),
            (BrowserFixture.Admin, "/admin/audit"),
        };
        var table = new StringBuilder()
            .AppendLine("| role | page | status | HTML | all bytes fetched | requests | first load (3G) |")
            .AppendLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var (user, url) in pages)
        {
            await using var s = await f.OpenAsync(user, Viewport.Phone);
            var cdp = await s.Context.NewCDPSessionAsync(s.Page);
            await cdp.SendAsync("Network.enable");
            await cdp.SendAsync("Network.emulateNetworkConditions", new Dictionary<string, object>
            {
                ["offline"] = false, ["latency"] = 150, ["downloadThroughput"] = 1_600_000 / 8, ["uploadThroughput"] = 750_000 / 8,
            });
            long bytes = 0; var requests = 0;
            cdp.Event("Network.loadingFinished").OnEvent += (_, e) =>
            {
                requests++;
                if (e?.TryGetProperty("encodedDataLength", out var n) == true) bytes += (long)n.GetDouble();
            };
            var clock = Stopwatch.StartNew();
            var response = await s.Page.GotoAsync(url, new() { WaitUntil = WaitUntilState.Load, Timeout = 60_000 });
            var seconds = clock.Elapsed.TotalSeconds;
            var html = response is null ? 0 : (await response.BodyAsync()).Length;
            table.AppendLine($"| {(user == "" ? "anonymous" : user)} | `{url}` | {response?.Status} | {html / 1024.0:F1} KB | {bytes / 1024.0:F1} KB | {requests} | {seconds:F2} s |");
        }
        await File.WriteAllTextAsync(output, table.ToString());
    }
}
