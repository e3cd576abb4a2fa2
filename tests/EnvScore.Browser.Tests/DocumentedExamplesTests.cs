using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using EnvScore.Testing;

namespace EnvScore.Browser.Tests;

/// <summary>
/// A documented example is a test: every fenced block of README.md and docs/*.md that contains a <c>curl</c> is run
/// with bash, in order, file by file, against the service on real Kestrel (its own database: the demo district with
/// Aug–Oct 2026 published; the clock from 2026-11-10 10:00 Asia/Shanghai, so November 2026 — the month the examples use —
/// is open).
/// <para>
/// How a block runs: <c>http://127.0.0.1:5080</c> becomes the test server's address; the working directory holds what a
/// reader's clone holds (<c>.data/demo-password.txt</c>, <c>scoring-rules/</c>) plus <c>现场.jpg</c>, a real photo;
/// <c>set -euo pipefail</c>; every <c>curl</c> must answer 2xx/3xx unless the line before it says
/// <c># expect: NNN</c> (then exactly NNN). A 5xx, an unexpected 4xx or a failing command fails the test with the
/// block's text, the status log and the output.
/// </para>
/// </summary>
public sealed class DocumentedExamplesTests(KestrelFactory factory) : IClassFixture<KestrelFactory>
{
    private static readonly Regex Fence = new(@"^```(?<lang>[\w-]*)[^\n]*\n(?<body>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline);
    private static readonly Regex Expect = new(@"^(?<indent>\s*)# expect: (?<status>\d{3})\b.*$", RegexOptions.Multiline);
    private const string DocumentedBase = "http://127.0.0.1:5080";

    public static TheoryData<string> Documents() => new(DocumentNames());

    private static IEnumerable<string> DocumentNames() => DocumentFiles().Where(f => Blocks(f).Any()).Select(f => Path.GetRelativePath(BrowserFixture.Root, f));

    private static readonly SemaphoreSlim Once = new(1, 1);
    private static bool _seeded;

    /// <summary>
    /// The service as a reader's <c>./envscore run</c> leaves it: the demo district with Aug–Oct published; the clock
    /// moves a second each time it is read (so "after the rejection" and other orderings hold as in real time).
    /// </summary>
    private async Task<string> StartAsync()
    {
        var baseUrl = factory.Start();
        await Once.WaitAsync();
        try
        {
            if (!_seeded) { await factory.SeedHistoryAsync(); factory.Clock.AutoAdvanceAmount = TimeSpan.FromSeconds(1); _seeded = true; }
            return baseUrl;
        }
        finally { Once.Release(); }
    }

    [Theory, MemberData(nameof(Documents))]
    public async Task Every_curl_example_runs_against_the_service(string document)
    {
        var baseUrl = await StartAsync();
        var work = Directory.CreateTempSubdirectory("envscore-docs-");
        try
        {
            Directory.CreateDirectory(Path.Combine(work.FullName, ".data"));
            await File.WriteAllTextAsync(Path.Combine(work.FullName, ".data", "demo-password.txt"), EnvScoreFactory.Password);
            File.CreateSymbolicLink(Path.Combine(work.FullName, "scoring-rules"), Path.Combine(BrowserFixture.Root, "scoring-rules"));
            await File.WriteAllBytesAsync(Path.Combine(work.FullName, "现场.jpg"), TestImages.Jpeg);

            var script = new StringBuilder(Prelude);
            foreach (var block in Blocks(Path.Combine(BrowserFixture.Root, document)))
            {
                var body = Expect.Replace(block, m => $"{m.Groups["indent"].Value}echo {m.Groups["status"].Value} > \"$ENVSCORE_EXPECT\"");
                script.Append("\n# ---- block ----\n").Append(body.Replace(DocumentedBase, baseUrl));
            }
            var file = Path.Combine(work.FullName, "examples.sh");
            await File.WriteAllTextAsync(file, script.ToString());

            var (exit, output) = await RunAsync(file, work.FullName);
            var log = File.Exists(Path.Combine(work.FullName, "statuses.log")) ? await File.ReadAllTextAsync(Path.Combine(work.FullName, "statuses.log")) : "";
            Assert.True(exit == 0, $"{document}: the examples stopped (exit {exit}).\n--- statuses ---\n{log}\n--- output ---\n{output}\n--- script ---\n{script}");
            Assert.NotEmpty(log.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.DoesNotContain(log.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith('5')); // no 5xx, not even an expected one
        }
        finally { work.Delete(recursive: true); }
    }

    /// <summary>No curl hides in a block the runner skips: every fenced block that mentions curl is a bash block.</summary>
    [Fact]
    public void Every_fenced_curl_is_in_a_bash_block()
    {
        var hidden = DocumentFiles()
            .SelectMany(f => Fence.Matches(File.ReadAllText(f)).Select(m => (File: f, Lang: m.Groups["lang"].Value, Body: m.Groups["body"].Value)))
            .Where(b => Regex.IsMatch(b.Body, @"(^|[\s$(|])curl\s+(-|'|""|http)") && b.Lang != "bash")
            .Select(b => $"{Path.GetRelativePath(BrowserFixture.Root, b.File)} ```{b.Lang}: {b.Body.Split('\n')[0]}")
            .ToList();
        Assert.Empty(hidden);
        Assert.Contains(DocumentNames(), d => d.EndsWith("api.md"));
    }

    private const string Prelude = """
        set -euo pipefail
        export ENVSCORE_EXPECT="$PWD/.expect"
        curl() {
          local expect="" status out
          if [ -f "$ENVSCORE_EXPECT" ]; then expect=$(cat "$ENVSCORE_EXPECT"); rm -f "$ENVSCORE_EXPECT"; fi
          out=$(mktemp)
          command curl "$@" --write-out '%{stderr}ENVSCORE_STATUS %{http_code} %{method} %{url_effective}\n' 2>"$out" || { cat "$out" >&2; rm -f "$out"; return 1; }
          status=$(sed -n 's/^ENVSCORE_STATUS \([0-9]*\) .*/\1/p' "$out" | tail -n1)
          sed -n 's/^ENVSCORE_STATUS //p' "$out" >> "$PWD/statuses.log"
          grep -v '^ENVSCORE_STATUS ' "$out" >&2 || true
          rm -f "$out"
          if [ -n "$expect" ]; then
            [ "$status" = "$expect" ] || { echo "expected $expect, got $status: curl $*" >&2; return 1; }
          elif [ "$status" -ge 400 ]; then
            echo "got $status: curl $*" >&2; return 1
          fi
        }
        """;

    private static IEnumerable<string> DocumentFiles() =>
        new[] { Path.Combine(BrowserFixture.Root, "README.md"), Path.Combine(BrowserFixture.Root, "scoring-rules", "README.md") }
            .Concat(Directory.GetFiles(Path.Combine(BrowserFixture.Root, "docs"), "*.md").Order(StringComparer.Ordinal));

    private static IEnumerable<string> Blocks(string file) =>
        Fence.Matches(File.ReadAllText(file))
            .Where(m => m.Groups["lang"].Value == "bash" && Regex.IsMatch(m.Groups["body"].Value, @"(^|[\s$(|])curl\s+(-|'|""|http)"))
            .Select(m => m.Groups["body"].Value);

    private static async Task<(int Exit, string Output)> RunAsync(string script, string directory)
    {
        var start = new ProcessStartInfo("bash", [script]) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { process.Kill(entireProcessTree: true); throw new TimeoutException($"{script} ran over 3 minutes:\n{await stderr}"); }
        var output = await stdout;
        return (process.ExitCode, $"{(output.Length > 3000 ? "…" + output[^3000..] : output)}\n--- stderr ---\n{await stderr}");
    }
}
