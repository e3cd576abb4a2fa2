using System.Diagnostics;

namespace EnvScore.Api.Tests.Notices;

/// <summary>
/// Another program reading the product's .docx: LibreOffice Writer headless (Debian's libreoffice-writer-nogui,
/// installed by .ci/run) converts it, with its own profile per call so parallel classes never share one.
/// </summary>
internal static class LibreOfficeWriter
{
    public static byte[] Convert(byte[] docx, string target)
    {
        var soffice = new[] { "/usr/bin/soffice", "/usr/bin/libreoffice" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("LibreOffice Writer is required: apt-get install -y libreoffice-writer-nogui (.ci/run does it)");
        var dir = Directory.CreateTempSubdirectory("envscore-notice-");
        try
        {
            var source = Path.Combine(dir.FullName, "notice.docx");
            File.WriteAllBytes(source, docx);
            var outDir = Path.Combine(dir.FullName, "out");
            var psi = new ProcessStartInfo(soffice) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { $"-env:UserInstallation=file://{dir.FullName}/profile", "--headless", "--norestore",
                         "--convert-to", target, "--outdir", outDir, source })
                psi.ArgumentList.Add(arg);
            psi.Environment["HOME"] = dir.FullName;
            psi.Environment["LANG"] = "zh_CN.UTF-8";
            using var process = Process.Start(psi)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            // A hang guard, not a timing assertion.
            if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("LibreOffice conversion did not finish");
            }
            var output = Path.Combine(outDir, "notice." + target.Split(':')[0]);
            if (!File.Exists(output)) throw new InvalidOperationException($"LibreOffice made no {target}: {stdout.Result} {stderr.Result}");
            return File.ReadAllBytes(output);
        }
        finally
        {
            try { dir.Delete(recursive: true); } catch (IOException) { }
        }
    }
}
