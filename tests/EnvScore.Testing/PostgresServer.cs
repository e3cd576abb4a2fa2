using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace EnvScore.Testing;

/// <summary>
/// A real PostgreSQL for the tests: a throwaway cluster on a free port, started once per test
/// assembly and removed at exit. ENVSCORE_TEST_DB (a server-level connection string) points the
/// tests at an existing server instead.
/// </summary>
public sealed class PostgresServer
{
    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync);
    private static readonly string PgBin = Environment.GetEnvironmentVariable("ENVSCORE_PG_BIN") ?? "/usr/lib/postgresql/15/bin";

    private readonly NpgsqlConnectionStringBuilder _server;
    private readonly Cluster? _cluster;

    private PostgresServer(string connectionString, Cluster? cluster = null)
    {
        _server = new NpgsqlConnectionStringBuilder(connectionString);
        _cluster = cluster;
    }

    /// <summary>The cluster's data directory, socket folder and port, when this test run started it.</summary>
    private sealed record Cluster(string Root, string Data, string Sock, int Port, bool AsRoot, string Options);

    public static Task<PostgresServer> GetAsync() => Shared.Value;

    /// <summary>The server's port.</summary>
    public int Port => _server.Port;

    /// <summary>Set once the test template database exists on this server (EnvScoreFactory).</summary>
    internal bool TemplateReady { get; set; }
    internal SemaphoreSlim TemplateLock { get; } = new(1, 1);

    /// <summary>
    /// A cluster of its own (never the shared one, never ENVSCORE_TEST_DB), for a test class that stops and starts
    /// PostgreSQL (fault tests): other classes keep their server. Removed at process exit like the shared one.
    /// </summary>
    public static async Task<PostgresServer> StartDedicatedAsync()
    {
        var server = await StartClusterAsync();
        server._dedicated = true;
        return server;
    }

    private bool _dedicated;

    /// <summary>Stops this test run's dedicated cluster: <c>fast</c> (clients disconnected, clean) or <c>immediate</c> (like a crash).</summary>
    public void Stop(string mode = "fast")
    {
        var c = _cluster is { } own && _dedicated ? own
            : throw new InvalidOperationException("the shared test cluster is never stopped: use StartDedicatedAsync()");
        Pg(c.AsRoot, "pg_ctl", "-D", c.Data, "-m", mode, "-w", "-t", "60", "stop");
    }

    /// <summary>Starts the stopped cluster again, on the same port.</summary>
    public void Start()
    {
        var c = _cluster ?? throw new InvalidOperationException("only a cluster this test run started can be started");
        Pg(c.AsRoot, "pg_ctl", "-D", c.Data, "-l", Path.Combine(c.Root, "server.log"), "-w", "-t", "60", "start", "-o", c.Options);
    }

    /// <summary>
    /// A hot streaming standby of this run's dedicated cluster, on a port of its own: <c>pg_basebackup -R -X stream</c> over
    /// loopback (initdb's default pg_hba trusts replication from 127.0.0.1, and wal_level=replica / max_wal_senders=10 are
    /// PostgreSQL 15's defaults), then started with the primary's settings. Writes to it fail (read-only); it replays the
    /// primary's WAL until the primary stops. Stopped with <see cref="Stop"/>, and at process exit like every cluster here.
    /// </summary>
    public async Task<PostgresServer> StartStandbyAsync()
    {
        var primary = _cluster is { } own && _dedicated ? own
            : throw new InvalidOperationException("a standby is made only of a dedicated cluster (StartDedicatedAsync())");
        var root = Path.Combine(Path.GetTempPath(), $"{Prefix}{Guid.NewGuid():N}");
        var data = Path.Combine(root, "data");
        var sock = Path.Combine(root, "sock");
        Directory.CreateDirectory(sock);
        if (primary.AsRoot) Run("chown", "-R", "postgres:postgres", root);
        var port = FreePort();
        Pg(primary.AsRoot, "pg_basebackup", "-h", "127.0.0.1", "-p", primary.Port.ToString(), "-U", "postgres", "-D", data,
            "-X", "stream", "-R", "-c", "fast", "--no-sync");
        var options = primary.Options.Replace($"-p {primary.Port} -k {primary.Sock}", $"-p {port} -k {sock}") + " -c hot_standby=on";
        Pg(primary.AsRoot, "pg_ctl", "-D", data, "-l", Path.Combine(root, "server.log"), "-w", "-t", "60", "start", "-o", options);
        StartWatchdog(root, data, primary.AsRoot);
        StopAtExit(root, data, primary.AsRoot);
        await Task.CompletedTask;
        return new PostgresServer($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres",
            new Cluster(root, data, sock, port, primary.AsRoot, options)) { _dedicated = true };
    }

    /// <summary>Waits (bounded: 2 minutes) until <paramref name="standby"/> has replayed everything this server has written so far.</summary>
    public async Task WaitForReplayAsync(PostgresServer standby)
    {
        string lsn;
        await using (var conn = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT pg_current_wal_lsn()::text", conn);
            lsn = (string)(await cmd.ExecuteScalarAsync())!;
        }
        var clock = Stopwatch.StartNew();
        while (true)
        {
            await using (var conn = new NpgsqlConnection(standby.ConnectionString("postgres")))
            {
                await conn.OpenAsync();
                await using var cmd = new NpgsqlCommand("SELECT pg_last_wal_replay_lsn() >= @lsn::pg_lsn", conn);
                cmd.Parameters.AddWithValue("lsn", lsn);
                if ((bool)(await cmd.ExecuteScalarAsync())!) return;
            }
            if (clock.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException($"the standby did not replay up to {lsn} within 2 minutes");
            await Task.Delay(50);
        }
    }

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder(_server.ConnectionString) { Database = database, Pooling = true }.ConnectionString;

    public async Task ExecuteAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(ConnectionString("postgres"));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<PostgresServer> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("ENVSCORE_TEST_DB") is { Length: > 0 } existing)
            return new PostgresServer(existing);
        return await StartClusterAsync();
    }

    private static async Task<PostgresServer> StartClusterAsync()
    {
        RemoveStaleClusters();
        var root = Path.Combine(Path.GetTempPath(), $"{Prefix}{Guid.NewGuid():N}");
        var data = Path.Combine(root, "data");
        var sock = Path.Combine(root, "sock");
        Directory.CreateDirectory(sock);
        var asRoot = Environment.UserName == "root";
        if (asRoot) Run("chown", "-R", "postgres:postgres", root);
        var port = FreePort();

        Pg(asRoot, "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8");
        // Throwaway data: durability settings off for speed (never for the run command).
        var options = $"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300";
        Pg(asRoot, "pg_ctl", "-D", data, "-l", Path.Combine(root, "server.log"), "-w", "-t", "60", "start", "-o", options);
        StartWatchdog(root, data, asRoot);
        StopAtExit(root, data, asRoot);
        await Task.CompletedTask;
        return new PostgresServer($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres", new Cluster(root, data, sock, port, asRoot, options));
    }

    /// <summary>At the test host's exit: the cluster stopped (immediate) and its folder removed.</summary>
    private static void StopAtExit(string root, string data, bool asRoot) =>
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                NpgsqlConnection.ClearAllPools();
                if (File.Exists(Path.Combine(data, "postmaster.pid"))) Pg(asRoot, "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop");
            }
            catch (InvalidOperationException) { } // already stopped
            finally
            {
                TryDelete(root);
            }
        };

    /// <summary>
    /// A watchdog in its own session outlives the test host: once the host is gone — however it ended (SIGKILL, a crash,
    /// the runner killing it after the run before ProcessExit handlers finish) — it stops the cluster (immediate) and
    /// removes its folder, so no server of a test run is ever left running. It polls every 2 s and holds no pipe of the host.
    /// </summary>
    private static void StartWatchdog(string root, string data, bool asRoot)
    {
        var pgCtl = Path.Combine(PgBin, "pg_ctl");
        var stop = (asRoot ? "runuser -u postgres -- " : "") + $"'{pgCtl}' -D '{data}' -m immediate -w stop";
        var script = $"exec </dev/null >/dev/null 2>&1; while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 2; done; " +
                     $"if [ -f '{data}/postmaster.pid' ]; then {stop}; fi; rm -rf '{root}'";
        var psi = new ProcessStartInfo("setsid") { UseShellExecute = false };
        foreach (var a in new[] { "sh", "-c", script }) psi.ArgumentList.Add(a);
        using var _ = Process.Start(psi);
    }

    private const string Prefix = "envscore-test-pg-";

    /// <summary>Folders of earlier runs whose server is gone (a killed test host leaves them behind).</summary>
    private static void RemoveStaleClusters()
    {
        foreach (var dir in Directory.EnumerateDirectories(Path.GetTempPath(), Prefix + "*"))
            if (!File.Exists(Path.Combine(dir, "data", "postmaster.pid")) && Directory.GetCreationTimeUtc(dir) < DateTime.UtcNow.AddMinutes(-5))
                TryDelete(dir);
    }

    private static void TryDelete(string dir)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                Directory.Delete(dir, recursive: true);
                return;
            }
            catch (IOException) { Thread.Sleep(200); }
            catch (UnauthorizedAccessException) { return; }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Pg(bool asRoot, string tool, params string[] args)
    {
        var exe = Path.Combine(PgBin, tool);
        if (asRoot) Run("runuser", ["-u", "postgres", "--", exe, .. args]);
        else Run(exe, args);
    }

    private static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {p.ExitCode}: {stderr}{stdout.Result}");
    }
}
