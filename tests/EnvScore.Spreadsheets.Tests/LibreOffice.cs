using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;

namespace EnvScore.Spreadsheets.Tests;

/// <summary>
/// Files made by another program than the product: LibreOffice Calc headless (Debian's
/// libreoffice-calc-nogui, installed by .ci/run) converts the product's own files, every test run.
/// Conversions are cached per (content, target) for the run; each call uses its own LibreOffice profile
/// so that parallel test classes do not share one.
/// </summary>
internal static class LibreOffice
{
    private static readonly ConcurrentDictionary<string, Lazy<byte[]>> Cache = new();

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
        try
        {
            var source = Path.Combine(dir.FullName, "in." + inputExtension);
            File.WriteAllBytes(source, input);
            var outDir = Path.Combine(dir.FullName, "out");
            var psi = new ProcessStartInfo(soffice)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (var arg in new[] { $"-env:UserInstallation=file://{dir.FullName}/profile", "--headless", "--norestore",
                         "--convert-to", target, "--outdir", outDir, source })
                psi.ArgumentList.Add(arg);
            psi.Environment["HOME"] = dir.FullName;
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
            return File.ReadAllBytes(output);
        }
        finally
        {
            try { dir.Delete(recursive: true); } catch (IOException) { }
        }
    }
}
