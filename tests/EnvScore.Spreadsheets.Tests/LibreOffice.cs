using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;

namespace EnvScore.Spreadsheets.Tests;

/// <summary>
/// Files made by another program than the product: LibreOffice Calc headless (Debian's
/// libreoffice-calc-nogui, installed by .ci/run) converts the product's own files, every test run.
/// Conversions are cached per (content, target) for the run. Each running conversion has a LibreOffice profile to
/// itself (parallel test classes never share one), and a profile is reused by the next conversion once free: making a
/// profile is most of a first conversion's time.
/// </summary>
internal static class LibreOffice
{
    private static readonly ConcurrentDictionary<string, Lazy<byte[]>> Cache = new();
    private static readonly ConcurrentBag<string> FreeProfiles = [];
    private static readonly ConcurrentBag<string> AllProfiles = [];

    static LibreOffice() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var profile in AllProfiles)
            try { Directory.Delete(profile, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    };

    /// <summary>
    /// Converts <paramref name="input"/> (a file with extension <paramref name="inputExtension"/>) with
    /// <c>soffice --convert-to <paramref name="target"/></c>, e.g. "xls", "xlsx", "ods", "csv".
    /// </summary>
    public static byte[] Convert(byte[] input, string inputExtension, string target)
    {
        var key = System.Convert.ToHexString(SHA256.HashData(input)) + "|" + inputExtension + "|" + target;
        return Cache.GetOrAdd(key, _ => new Lazy<byte[]>(() => Run(input, inputExtension, target))).Value;
    }

    private static byte[] Run(byte[] input, string inputExtension, string target)
    {
        var soffice = new[] { "/usr/bin/soffice", "/usr/bin/libreoffice" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("LibreOffice is required for these tests: apt-get install -y libreoffice-calc-nogui (.ci/run does it)");
        var dir = Directory.CreateTempSubdirectory("envscore-lo-");
        if (!FreeProfiles.TryTake(out var profile))
        {
            profile = Directory.CreateTempSubdirectory("envscore-lo-profile-").FullName;
            AllProfiles.Add(profile);
        }
        var healthy = false;
        try
        {
            var source = Path.Combine(dir.FullName, "in." + inputExtension);
            File.WriteAllBytes(source, input);
            var outDir = Path.Combine(dir.FullName, "out");
            var psi = new ProcessStartInfo(soffice)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (var arg in new[] { $"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                         "--convert-to", target, "--outdir", outDir, source })
                psi.ArgumentList.Add(arg);
            psi.Environment["HOME"] = profile;
            // A Chinese clerk's LibreOffice: its default locale (number/date formats it writes) is zh-CN.
            psi.Environment["LANG"] = "zh_CN.UTF-8";
            psi.Environment["LC_ALL"] = "zh_CN.UTF-8";
            using var process = Process.Start(psi)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            // A hang guard, not a timing assertion: a conversion takes seconds.
            if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("LibreOffice conversion did not finish");
            }
            var extension = target.Split(':')[0];
            var output = Path.Combine(outDir, "in." + extension);
            if (!File.Exists(output))
                throw new InvalidOperationException($"LibreOffice made no {extension}: {stdout.Result} {stderr.Result}");
            var bytes = File.ReadAllBytes(output);
            healthy = true;
            return bytes;
        }
        finally
        {
            if (healthy) FreeProfiles.Add(profile); // a profile of a failed or killed run is not reused
            try { dir.Delete(recursive: true); } catch (IOException) { }
        }
    }
}
