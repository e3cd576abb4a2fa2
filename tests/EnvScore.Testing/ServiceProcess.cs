using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;

namespace EnvScore.Testing;

/// <summary>
/// The real service as a child process (<c>dotnet EnvScore.Api.dll</c>, the build next to this test run's), on a free
/// loopback port, against a given database — for tests that kill it with SIGKILL. <c>ENVSCORE_FAULT_POINT</c> arms a
/// named point (src/EnvScore.Api/Infrastructure/Faults/FaultPoint.cs) where the process announces itself on standard
/// output and blocks, so that the kill lands at exactly that place.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<string> _faultReached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Uri BaseAddress { get; }

    private ServiceProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    /// <summary>Everything the process printed (for failure messages).</summary>
    public string Output => string.Join('\n', _output.TakeLast(80));

    /// <summary>Starts the service; <paramref name="faultPointFile"/>: a file whose content, when it exists, arms that fault point.</summary>
    public static async Task<ServiceProcess> StartAsync(string connectionString, string? faultPointFile = null,
        IDictionary<string, string>? settings = null)
    {
        var port = FreePort();
        var apiDir = ApiBuildDirectory();
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = apiDir,
        };
        psi.ArgumentList.Add(Path.Combine(apiDir, "EnvScore.Api.dll"));
        psi.ArgumentList.Add("--urls");
        psi.ArgumentList.Add($"http://127.0.0.1:{port}");
        psi.ArgumentList.Add("--contentRoot");
        psi.ArgumentList.Add(Path.Combine(RepoRoot(), "src", "EnvScore.Api"));
        psi.Environment["ConnectionStrings__EnvScore"] = connectionString;
        psi.Environment["Demo__Seed"] = "false";
        psi.Environment["Scheduling__Enabled"] = "false";
        psi.Environment["Accounts__LoginPermitsPerMinute"] = "10000";
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        psi.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        psi.Environment.Remove("ENVSCORE_FAULT_POINT");
        psi.Environment.Remove("ENVSCORE_FAULT_POINT_FILE");
        if (faultPointFile is not null) psi.Environment["ENVSCORE_FAULT_POINT_FILE"] = faultPointFile;
        foreach (var (k, v) in settings ?? new Dictionary<string, string>()) psi.Environment[k.Replace(":", "__")] = v;

        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet");
        var service = new ServiceProcess(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => service.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => service.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await service.WaitUntilServingAsync();
        return service;
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        const string marker = "ENVSCORE-FAULT-POINT-REACHED ";
        var at = line.IndexOf(marker, StringComparison.Ordinal);
        if (at >= 0) _faultReached.TrySetResult(line[(at + marker.Length)..].Trim());
    }

    /// <summary>Polls /healthz/live until the process serves (bounded: 2 minutes on a loaded machine), failing with its output.</summary>
    private async Task WaitUntilServingAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(2))
        {
            if (_process.HasExited) throw new InvalidOperationException($"the service exited with {_process.ExitCode}:\n{Output}");
            try
            {
                if ((await http.GetAsync("/healthz/live")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException($"the service did not start within 2 minutes:\n{Output}");
    }

    /// <summary>Waits until the armed fault point is reached (the process then blocks there), bounded by 2 minutes.</summary>
    public async Task<string> FaultReachedAsync()
    {
        var done = await Task.WhenAny(_faultReached.Task, Task.Delay(TimeSpan.FromMinutes(2)));
        if (done != _faultReached.Task) throw new TimeoutException($"the fault point was not reached:\n{Output}");
        return await _faultReached.Task;
    }

    /// <summary>SIGKILL: no shutdown code runs, like a power cut of the process.</summary>
    public void Kill()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public HttpClient Client() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) };

    /// <summary>A client signed in with a bearer token as the given demo user (password <see cref="EnvScoreFactory.Password"/>).</summary>
    public async Task<HttpClient> ClientForAsync(string userName)
    {
        var client = Client();
        var response = await client.PostAsJsonAsync("/api/auth/login", new { userName, password = EnvScoreFactory.Password });
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<TokenBody>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token!.AccessToken);
        return client;
    }

    private sealed record TokenBody(string AccessToken);

    public async ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        await Task.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "EnvScore.sln"))) return dir.FullName;
        throw new InvalidOperationException("EnvScore.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>src/EnvScore.Api/bin/{the configuration this test was built in}/net10.0 — built with the tests (project reference).</summary>
    private static string ApiBuildDirectory()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent?.Name is { } c && Directory.Exists(Path.Combine(RepoRoot(), "src", "EnvScore.Api", "bin", c))
            ? c : "Release";
        var dir = Path.Combine(RepoRoot(), "src", "EnvScore.Api", "bin", configuration, "net10.0");
        if (!File.Exists(Path.Combine(dir, "EnvScore.Api.dll"))) throw new InvalidOperationException($"EnvScore.Api.dll not built in {dir}");
        return dir;
    }
}
