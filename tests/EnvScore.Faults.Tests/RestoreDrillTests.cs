using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using EnvScore.Api.Features.Demo;
using EnvScore.Testing;
using Npgsql;

namespace EnvScore.Faults.Tests;

/// <summary>
/// The restore drill, through the operator's commands: a private cluster (<c>./envscore pg-start</c>, a data folder and a
/// port of its own) filled by the real service with a computed demo month and a photo; <c>./envscore backup</c>
/// (pgBackRest, full); a change after the backup (only in the WAL archive); the moment T; damage (a table dropped,
/// another emptied); <c>./envscore restore --to T</c>. Every row of every table is then what it was at T — compared as
/// a digest of each table's rows in text form, computed by PostgreSQL before and after.
/// </summary>
public sealed class RestoreDrillTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), $"envscore-drill-{Guid.NewGuid():N}");
    private readonly int _port = FreePort();
    private string Cs => $"Host=127.0.0.1;Port={_port};Username=postgres;Database=envscore;Pooling=false";

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        try { await EnvscoreAsync("pg-stop"); }
        finally { try { Directory.Delete(_data, recursive: true); } catch (IOException) { } }
    }

    [Fact]
    public async Task A_backup_and_the_WAL_archive_restore_every_row_to_the_moment_before_the_damage()
    {
        await EnvscoreAsync("pg-start");
        await using (var service = await ServiceProcess.StartAsync(Cs, settings: new Dictionary<string, string>
                     {
                         ["Demo:Seed"] = "true", ["Demo:SampleMonths"] = "1", ["Demo:Password"] = EnvScoreFactory.Password,
                     }))
        {
            // A photo on a sheet of the open month (evidence bytes live in the database).
            var secretary = await service.ClientForAsync(EnvScoreFactory.Secretary(0));
            var village = await ScalarAsync<int>($"SELECT min(v.id) FROM villages v JOIN townships t ON t.id = v.township_id WHERE t.code = '{DemoDistrict.Townships[0].Code}'");
            var month = $"{DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)):yyyy-MM}";
            var created = await secretary.PostAsJsonAsync("/odata/Evaluations", new { villageId = village, month, kind = "Self", entries = Array.Empty<object>() });
            var sheetId = (await created.ExpectAsync(HttpStatusCode.Created)).GetProperty("id").GetInt32();
            var photo = new ByteArrayContent(Convert.FromBase64String(
                "iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAYAAAC09K7GAAAAK0lEQVR4AUzIwQkAQAgDwcWWrrjUYCvXpBpfBgbCxvuqK5gpweayIQXm0AAAAP//9wZwUQAAAAZJREFUAwDPyg1TQ7j4qwAAAABJRU5ErkJggg=="));
            photo.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            var uploaded = await secretary.PostAsync($"/api/evaluations/{sheetId}/evidence", new MultipartFormDataContent { { photo, "file", "照片.png" } });
            Assert.True(uploaded.IsSuccessStatusCode, await uploaded.Content.ReadAsStringAsync());
        }
        Assert.True(await ScalarAsync<long>("SELECT count(*) FROM village_results") > 0, "the demo month was computed");
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM evidence_contents"));

        var backup = await EnvscoreAsync("backup");
        Assert.Contains("full backup", backup);

        // After the backup: a change that only the WAL archive holds, then the moment to return to.
        await ExecAsync("UPDATE evaluations SET note = '备份之后、损坏之前的修改' WHERE id = (SELECT min(id) FROM evaluations)");
        var before = await DigestsAsync();
        var moment = await ScalarAsync<string>("SELECT clock_timestamp()::text");

        // Damage.
        await ExecAsync("DROP TABLE evidence_contents");
        await ExecAsync("DELETE FROM evaluation_entries");
        Assert.NotEqual(before, await DigestsAsync());

        await EnvscoreAsync("restore", "--to", moment);
        var after = await DigestsAsync();
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (table, digest) in before) Assert.True(digest == after[table], $"{table}: {digest} before, {after[table]} after the restore");
        Assert.Equal("备份之后、损坏之前的修改", await ScalarAsync<string>("SELECT note FROM evaluations WHERE id = (SELECT min(id) FROM evaluations)"));
        Assert.True(before.Count > 20, $"only {before.Count} tables compared");
    }

    /// <summary>Row count and md5 of every row's text, in a fixed order, for each table of the public schema.</summary>
    private async Task<Dictionary<string, string>> DigestsAsync()
    {
        var tables = new List<string>();
        await using var conn = new NpgsqlConnection(Cs);
        await conn.OpenAsync();
        await using (var cmd = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1", conn))
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        var digests = new Dictionary<string, string>();
        foreach (var table in tables)
        {
            await using var cmd = new NpgsqlCommand(
                $"SELECT count(*) || ':' || md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), '')) FROM \"{table}\" x", conn);
            digests[table] = (string)(await cmd.ExecuteScalarAsync())!;
        }
        return digests;
    }

    private async Task ExecAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(Cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var conn = new NpgsqlConnection(Cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>Runs <c>./envscore</c> with this drill's data folder and port; fails with its output unless it exits 0.</summary>
    private async Task<string> EnvscoreAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = ServiceProcess.RepoRoot() };
        psi.ArgumentList.Add(Path.Combine(ServiceProcess.RepoRoot(), "envscore"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["ENVSCORE_DATA"] = _data;
        psi.Environment["ENVSCORE_PG_PORT"] = _port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment.Remove("ENVSCORE_DB");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        var output = await stdout + await stderr;
        Assert.True(p.ExitCode == 0, $"./envscore {string.Join(' ', args)} exited {p.ExitCode}:\n{output}");
        return output;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
