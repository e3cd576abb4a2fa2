using System.Diagnostics;
using EnvScore.Api.Features.Computation;
using EnvScore.Domain.Calendar;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace EnvScore.Bench;

/// <summary>
/// The physical floor of the monthly computation (issue #20), timed in the same process and the same run as the
/// product's computation of the same month:
/// <list type="number">
/// <item><b>read</b>: the month's counted sheets streamed to the client exactly as the product reads them
/// (<see cref="SheetStaging.CountedSheetsQuery"/>: the sheet row and its entries aggregated per sheet), in the
/// product's batches of districts and with its parallelism, every column fetched; no scoring;</item>
/// <item><b>write</b>: a binary COPY of the product's own result rows of the month — village rows (explanation and
/// structured findings included), section rows and township rows — into empty tables with the product tables'
/// columns and indexes (<c>LIKE … INCLUDING ALL</c>), one transaction, committed (durable, WAL-logged).</item>
/// </list>
/// floor = read + write. The rows to write are exported from the product's tables before the timed part (binary
/// COPY TO a temporary file), so the write phase only sends bytes the product must also produce.
/// </summary>
public static class FloorBench
{
    private static readonly (string Table, string Floor)[] Tables =
        [("village_results", "floor_village_results"), ("village_result_sections", "floor_village_result_sections"), ("township_results", "floor_township_results")];

    public static async Task<int> RunAsync(string cs, EvaluationMonth month, int rounds, int parallel, int batch, bool yardstick)
    {
        await using var host = new ProductHost(cs);
        host.Start();
        int[] districts;
        await using (var scope = host.Scope())
            districts = await scope.ServiceProvider.GetRequiredService<DeadlineProcessor>().DistrictIdsAsync(CancellationToken.None);
        long villages;
        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync();
            villages = await Generator.ScalarAsync<long>(conn, "SELECT count(*) FROM villages WHERE is_active");
        }
        Console.WriteLine($"floor: {villages:N0} villages in {districts.Length:N0} districts, month {month}, {rounds} round(s), " +
                          $"batches of {batch} district(s), parallel {parallel}; load {Load()}");
        await ComputeBench.ComputeBatch(host, [districts[0]], month); // warm-up: JIT, pools, rule-set cache

        var rows = new List<string>();
        for (var round = 1; round <= rounds; round++)
        {
            var product = await ComputeBench.Measure("product", districts.Length, async () =>
            {
                var failed = 0;
                await Parallel.ForEachAsync(districts.Chunk(batch), new ParallelOptions { MaxDegreeOfParallelism = parallel },
                    async (chunk, _) => Interlocked.Add(ref failed, await ComputeBench.ComputeBatch(host, chunk, month)));
                return failed;
            });
            var (read, sheets) = await ReadAsync(cs, districts, month, batch, parallel);
            var (write, counts, bytes) = await WriteAsync(cs, month);
            var floor = read + write;
            Console.WriteLine($"  floor: read {read:F2} s ({sheets:N0} sheets), write {write:F2} s ({counts}, {bytes / 1048576.0:F0} MB binary) = {floor:F2} s");
            rows.Add($"| {villages:N0} | {round} | {Load()} | {product.Seconds:F2} | {read:F2} | {write:F2} | {floor:F2} | **{product.Seconds / floor:F2}×** | {MemoryProbe.Mb(product.PeakRss)} | {MemoryProbe.Mb(product.PeakHeap)} |");
        }
        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync();
            foreach (var (_, floorTable) in Tables) await Exec(conn, $"DROP TABLE IF EXISTS {floorTable}");
        }
        var agreement = "not run";
        if (yardstick)
        {
            var sw = Stopwatch.StartNew();
            await ComputeBench.Yardstick(cs, month);
            agreement = $"{await ComputeBench.CompareAsync(cs, month)} (yardstick {sw.Elapsed.TotalSeconds:F1} s)";
        }
        Console.WriteLine();
        Console.WriteLine("| villages | round | load (1/5/15 min) | product (s) | floor read (s) | floor write (s) | floor (s) | product / floor | product peak RSS | product peak GC heap |");
        Console.WriteLine("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows) Console.WriteLine(row);
        Console.WriteLine($"yardstick vs product results: {agreement}");
        return 0;
    }

    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    /// <summary>The product's read of the counted sheets, batch by batch like the computation; returns seconds and sheets read.</summary>
    private static async Task<(double Seconds, long Sheets)> ReadAsync(string cs, int[] districts, EvaluationMonth month, int batch, int parallel)
    {
        long sheets = 0, chars = 0;
        var sw = Stopwatch.StartNew();
        await Parallel.ForEachAsync(districts.Chunk(batch), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (chunk, ct) =>
        {
            await using var conn = new NpgsqlConnection(cs);
            await conn.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand(SheetStaging.CountedSheetsQuery, conn) { CommandTimeout = 0 };
            cmd.Parameters.Add(new NpgsqlParameter("districts", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = chunk });
            cmd.Parameters.Add(new NpgsqlParameter("month", NpgsqlDbType.Integer) { Value = month.Key });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            long n = 0, c = 0;
            while (await r.ReadAsync(ct))
            {
                // Every column materialised as the product does (the entries as one string), nothing scored.
                _ = r.GetInt32(0); _ = r.GetInt32(1); _ = r.GetInt32(2); _ = r.GetBoolean(3); _ = r.GetInt32(4);
                if (!r.IsDBNull(5)) _ = r.GetFieldValue<DateTimeOffset>(5);
                c += r.GetFieldValue<string[]>(6).Length;
                if (!r.IsDBNull(7)) c += r.GetString(7).Length;
                n++;
            }
            Interlocked.Add(ref sheets, n);
            Interlocked.Add(ref chars, c);
        });
        return (sw.Elapsed.TotalSeconds, sheets);
    }

    /// <summary>
    /// Exports the product's rows of the month (untimed), recreates the floor tables empty with the product's
    /// indexes, then times one transaction of binary COPYs of those rows into them.
    /// </summary>
    private static async Task<(double Seconds, string Counts, long Bytes)> WriteAsync(string cs, EvaluationMonth month)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        var files = new List<string>();
        long bytes = 0;
        try
        {
            foreach (var (table, floor) in Tables)
            {
                await Exec(conn, $"DROP TABLE IF EXISTS {floor}; CREATE TABLE {floor} (LIKE {table} INCLUDING ALL)");
                var file = Path.Combine(Path.GetTempPath(), $"envscore-floor-{Environment.ProcessId}-{table}.bin");
                files.Add(file);
                await using (var src = await conn.BeginRawBinaryCopyAsync($"COPY (SELECT * FROM {table} WHERE month = {month.Key}) TO STDOUT (FORMAT BINARY)"))
                await using (var dst = File.Create(file))
                    await src.CopyToAsync(dst);
                bytes += new FileInfo(file).Length;
            }
            await Exec(conn, "CHECKPOINT"); // the product's run leaves dirty pages; don't bill their flush to the floor

            var sw = Stopwatch.StartNew();
            await using (var tx = await conn.BeginTransactionAsync())
            {
                for (var i = 0; i < Tables.Length; i++)
                {
                    await using var dst = await conn.BeginRawBinaryCopyAsync($"COPY {Tables[i].Floor} FROM STDIN (FORMAT BINARY)");
                    await using var src = File.OpenRead(files[i]);
                    await src.CopyToAsync(dst);
                }
                await tx.CommitAsync();
            }
            var seconds = sw.Elapsed.TotalSeconds;
            var counts = new List<string>();
            foreach (var (_, floor) in Tables)
                counts.Add($"{await Generator.ScalarAsync<long>(conn, $"SELECT count(*) FROM {floor}"):N0} {floor["floor_".Length..]}");
            return (seconds, string.Join(", ", counts), bytes);
        }
        finally
        {
            foreach (var f in files) File.Delete(f);
        }
    }

    private static async Task Exec(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync();
    }
}
