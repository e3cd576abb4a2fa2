using System.Diagnostics;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Rules;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace EnvScore.Bench;

/// <summary>
/// A synthetic country: districts of ~13 townships of ~13 villages (China has ~2,850 county-level units,
/// ~38,000 township-level units and ~490,000 villages), valid 12-digit division codes, one month of Self
/// evaluations against the default sheet (most items clean, a long tail of deductions, some N/A, zero-if
/// conditions and vetoes), ~5 % district spot-checks and ~1 % missing submissions. The schema and the rule
/// sets are the product's own (its migrations run at host start; DefaultRuleSet imports the sheet);
/// the bulk rows go in with binary COPY.
/// </summary>
public static class Generator
{
    public const double VillagesPerTownship = 500_000.0 / 38_000;
    public const double TownshipsPerDistrict = 38_000.0 / 2_850;

    private static readonly string[] Provinces = ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"];
    private static readonly string[] Surnames = ["张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭"];
    private static readonly string[] Places = ["庄", "湾", "营", "寨", "堤", "桥", "河", "集", "岗", "店", "屯", "坡", "楼", "铺", "园"];
    private static readonly string[] TownRoots = ["水稻", "杏花", "双河", "枣林", "柳园", "青龙", "白沙", "黄河", "东坝", "西湖", "南岗", "北塘", "兴隆", "太平", "永安", "长乐", "富民", "红旗"];

    public sealed record Options(int Villages, EvaluationMonth Month, int Seed);

    public static async Task RunAsync(string connectionString, Options o)
    {
        var total = Stopwatch.StartNew();
        var townships = Math.Max(1, (int)Math.Round(o.Villages / VillagesPerTownship));
        var districts = Math.Max(1, (int)Math.Round(townships / TownshipsPerDistrict));
        Console.WriteLine($"generate: {o.Villages:N0} villages, {townships:N0} townships, {districts:N0} districts, month {o.Month}");

        await using (var host = new ProductHost(connectionString))
        {
            // Program applies the product's migrations at start.
            host.Start();
            Console.WriteLine($"  migrated by the product ({total.Elapsed.TotalSeconds:F1} s)");

            await using var conn = new NpgsqlConnection(connectionString);
            await conn.OpenAsync();
            if (await ScalarAsync<long>(conn, "SELECT count(*) FROM villages") > 0)
                throw new InvalidOperationException("The benchmark database is not empty: drop it first (./envscore bench generate does).");

            var rnd = new Random(o.Seed);
            var sw = Stopwatch.StartNew();
            // Districts in chunks; after each chunk the product imports and activates its default sheet for
            // the new districts (DefaultRuleSet, a fresh scope per chunk so no change tracker grows).
            for (var from = 1; from <= districts; from += 200)
            {
                WriteDistricts(conn, from, Math.Min(districts, from + 199));
                await using var scope = host.Scope();
                await scope.ServiceProvider.GetRequiredService<DefaultRuleSet>().EnsureForAllDistrictsAsync(CancellationToken.None);
            }
            Console.WriteLine($"  {districts:N0} districts copied, default rule set imported by DefaultRuleSet ({sw.Elapsed.TotalSeconds:F1} s)");
            sw.Restart();
            var (villageRows, townshipRows) = WriteOrganisation(conn, rnd, o.Villages, townships, districts);
            Console.WriteLine($"  townships and villages copied ({sw.Elapsed.TotalSeconds:F1} s)");

            sw.Restart();
            var ruleSetOf = new Dictionary<int, int>();
            await using (var cmd = new NpgsqlCommand("SELECT district_id, id FROM rule_sets WHERE status = 'Active'", conn))
            await using (var r = await cmd.ExecuteReaderAsync())
                while (await r.ReadAsync()) ruleSetOf[r.GetInt32(0)] = r.GetInt32(1);
            var rules = RuleSetLoader.Parse(DefaultRuleSet.Yaml).RuleSet!;
            var (sheets, entries, missing) = WriteSheets(connectionString, rnd, rules, o.Month, villageRows, townshipRows, ruleSetOf);
            Console.WriteLine($"  {sheets:N0} sheets, {entries:N0} entries, {missing:N0} missing copied ({sw.Elapsed.TotalSeconds:F1} s)");

            sw.Restart();
            await ExecAsync(conn, """
                SELECT setval(pg_get_serial_sequence('districts', 'id'), (SELECT max(id) FROM districts));
                SELECT setval(pg_get_serial_sequence('townships', 'id'), (SELECT max(id) FROM townships));
                SELECT setval(pg_get_serial_sequence('villages', 'id'), (SELECT max(id) FROM villages));
                SELECT setval(pg_get_serial_sequence('evaluations', 'id'), (SELECT max(id) FROM evaluations));
                SELECT setval(pg_get_serial_sequence('evaluation_entries', 'id'), (SELECT max(id) FROM evaluation_entries));
                SELECT setval(pg_get_serial_sequence('missing_submissions', 'id'), greatest(1, (SELECT max(id) FROM missing_submissions)));
                """);
            await ExecAsync(conn, """
                VACUUM (ANALYZE) districts, townships, villages, rule_sets, rule_set_items, evaluations, evaluation_entries, missing_submissions;
                """);
            Console.WriteLine($"  sequences + VACUUM ANALYZE ({sw.Elapsed.TotalSeconds:F1} s)");
        }
        Console.WriteLine($"generate: done in {total.Elapsed.TotalSeconds:F1} s");
    }

    private sealed record VillageRow(int Id, int TownshipId, int DistrictId);

    private static (List<VillageRow> Villages, int Townships) WriteOrganisation(NpgsqlConnection conn, Random rnd, int villages, int townships, int districts)
    {
        // Township sizes vary (5–21 villages around the mean), scaled to the requested total.
        var weights = Enumerable.Range(0, townships).Select(_ => 0.4 + rnd.NextDouble() * 1.2).ToArray();
        var sum = weights.Sum();
        var sizes = weights.Select(w => Math.Max(1, (int)(w / sum * villages))).ToArray();
        for (var i = 0; sizes.Sum() < villages; i = (i + 1) % townships) sizes[i]++;
        for (var i = 0; sizes.Sum() > villages; i = (i + 1) % townships) if (sizes[i] > 1) sizes[i]--;

        var result = new List<VillageRow>(villages);
        var perDistrict = new int[districts + 1];
        using (var tw = conn.BeginBinaryImport("COPY townships (id, district_id, code, name, kind, is_active) FROM STDIN (FORMAT BINARY)"))
        {
            for (var t = 1; t <= townships; t++)
            {
                var d = (int)((long)(t - 1) * districts / townships) + 1;
                var n = ++perDistrict[d];
                tw.StartRow();
                tw.Write(t, NpgsqlDbType.Integer);
                tw.Write(d, NpgsqlDbType.Integer);
                tw.Write($"{DistrictCode(d)}{n:D3}000", NpgsqlDbType.Char);
                var kind = (t % 10) switch { < 5 => "Zhen", < 9 => "Xiang", _ => "Farm" };
                tw.Write($"{TownRoots[t % TownRoots.Length]}{(kind == "Zhen" ? "镇" : kind == "Xiang" ? "乡" : "农场")}", NpgsqlDbType.Varchar);
                tw.Write(kind, NpgsqlDbType.Varchar);
                tw.Write(true, NpgsqlDbType.Boolean);
            }
            tw.Complete();
        }
        using (var vw = conn.BeginBinaryImport("COPY villages (id, township_id, code, name, is_active) FROM STDIN (FORMAT BINARY)"))
        {
            var id = 0;
            var perTownship = new int[districts + 1];
            Array.Clear(perDistrict);
            for (var t = 1; t <= townships; t++)
            {
                var d = (int)((long)(t - 1) * districts / townships) + 1;
                var tn = ++perDistrict[d];
                for (var v = 1; v <= sizes[t - 1]; v++)
                {
                    id++;
                    vw.StartRow();
                    vw.Write(id, NpgsqlDbType.Integer);
                    vw.Write(t, NpgsqlDbType.Integer);
                    // 001–199 communities (社区), 200–399 villages (村) in the statistical codes.
                    var community = v % 5 == 0;
                    vw.Write($"{DistrictCode(d)}{tn:D3}{(community ? v : 200 + v):D3}", NpgsqlDbType.Char);
                    vw.Write($"{Surnames[rnd.Next(Surnames.Length)]}{Places[rnd.Next(Places.Length)]}{(community ? "社区" : "村")}", NpgsqlDbType.Varchar);
                    vw.Write(true, NpgsqlDbType.Boolean);
                    result.Add(new VillageRow(id, t, d));
                }
            }
            vw.Complete();
        }
        return (result, townships);
    }

    private static void WriteDistricts(NpgsqlConnection conn, int from, int to)
    {
        using var w = conn.BeginBinaryImport("COPY districts (id, code, name, is_active) FROM STDIN (FORMAT BINARY)");
        for (var d = from; d <= to; d++)
        {
            w.StartRow();
            w.Write(d, NpgsqlDbType.Integer);
            w.Write(DistrictCode(d) + "000000", NpgsqlDbType.Char);
            w.Write($"{TownRoots[d % TownRoots.Length]}{Surnames[d / TownRoots.Length % Surnames.Length]}区{d}", NpgsqlDbType.Varchar);
            w.Write(true, NpgsqlDbType.Boolean);
        }
        w.Complete();
    }

    private static string DistrictCode(int d) =>
        $"{Provinces[(d - 1) % Provinces.Length]}{(d - 1) / Provinces.Length % 20 + 1:D2}{(d - 1) / (Provinces.Length * 20) + 1:D2}";

    private static (int Sheets, long Entries, int Missing) WriteSheets(string connectionString, Random rnd, RuleSet rules, EvaluationMonth month,
        List<VillageRow> villages, int townships, Dictionary<int, int> ruleSetOf)
    {
        // Completing the entries COPY runs the deferred foreign-key checks of millions of rows: no timeout.
        var cs = new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 0 }.ConnectionString;
        using var c1 = new NpgsqlConnection(cs); c1.Open();
        using var c2 = new NpgsqlConnection(cs); c2.Open();
        using var c3 = new NpgsqlConnection(cs); c3.Open();
        var start = new DateTimeOffset(month.Year, month.Month, 1, 0, 0, 0, TimeSpan.FromHours(8)).ToUniversalTime();
        var days = DateTime.DaysInMonth(month.Year, month.Month);
        int sheetId = 0, missingId = 0; long entryId = 0;
        var items = rules.Sections.SelectMany(s => s.Items).ToArray();
        var vetoCodes = rules.Vetoes.Select(v => v.Code).ToArray();
        var noConditions = Array.Empty<string>();

        using var ew = c1.BeginBinaryImport("""
            COPY evaluations (id, village_id, township_id, district_id, month, kind, rule_set_id, status, vetoes,
                created_at, created_by, updated_at, updated_by, submitted_at, submitted_by, locked_at) FROM STDIN (FORMAT BINARY)
            """);
        using var iw = c2.BeginBinaryImport("""
            COPY evaluation_entries (id, evaluation_id, item_code, not_applicable, count, level, failed_samples, passed, zero_conditions)
            FROM STDIN (FORMAT BINARY)
            """);
        using var mw = c3.BeginBinaryImport("COPY missing_submissions (id, village_id, township_id, district_id, month, recorded_at) FROM STDIN (FORMAT BINARY)");

        void Sheet(VillageRow v, bool district)
        {
            var id = ++sheetId;
            // A village's secretary submits sometime in the month, a few after the deadline (5th of next month).
            var submitted = start.AddDays(rnd.Next(days + (rnd.NextDouble() < 0.03 ? 8 : 0))).AddMinutes(rnd.Next(8 * 60, 20 * 60));
            var locked = rnd.NextDouble() < 0.3;
            var user = district ? $"inspector-{v.DistrictId}" : $"secretary-{v.TownshipId}";
            ew.StartRow();
            ew.Write(id, NpgsqlDbType.Integer);
            ew.Write(v.Id, NpgsqlDbType.Integer);
            ew.Write(v.TownshipId, NpgsqlDbType.Integer);
            ew.Write(v.DistrictId, NpgsqlDbType.Integer);
            ew.Write(month.Key, NpgsqlDbType.Integer);
            ew.Write(district ? "District" : "Self", NpgsqlDbType.Varchar);
            ew.Write(ruleSetOf[v.DistrictId], NpgsqlDbType.Integer);
            ew.Write(locked ? "Locked" : "Submitted", NpgsqlDbType.Varchar);
            var veto = rnd.NextDouble() < (district ? 0.02 : 0.003);
            ew.Write(veto ? [vetoCodes[rnd.Next(vetoCodes.Length)]] : noConditions, NpgsqlDbType.Array | NpgsqlDbType.Text);
            ew.Write(submitted.AddHours(-2), NpgsqlDbType.TimestampTz);
            ew.Write(user, NpgsqlDbType.Varchar);
            ew.Write(submitted, NpgsqlDbType.TimestampTz);
            ew.Write(user, NpgsqlDbType.Varchar);
            ew.Write(submitted, NpgsqlDbType.TimestampTz);
            ew.Write(user, NpgsqlDbType.Varchar);
            if (locked) ew.Write(start.AddMonths(1).AddDays(4).AddHours(18), NpgsqlDbType.TimestampTz); else ew.WriteNull();

            // Inspectors find a little more than the villages report about themselves.
            var strict = district ? 1.8 : 1.0;
            foreach (var item in items)
            {
                iw.StartRow();
                iw.Write(++entryId, NpgsqlDbType.Integer);
                iw.Write(id, NpgsqlDbType.Integer);
                iw.Write(item.Code, NpgsqlDbType.Varchar);
                var na = item.MayBeNotApplicable && rnd.NextDouble() < 0.25;
                iw.Write(na, NpgsqlDbType.Boolean);
                var zero = !na && item.ZeroIf.Count > 0 && rnd.NextDouble() < 0.004 * strict;
                int? count = null, failed = null; string? level = null; bool? passed = null;
                if (!na && !zero)
                    switch (item)
                    {
                        case PerOccurrenceItem: count = LongTail(rnd, 0.12 * strict); break;
                        case SampledItem s: failed = Math.Min(s.Samples, LongTail(rnd, 0.10 * strict)); break;
                        case LevelsItem l:
                            var u = rnd.NextDouble() / strict;
                            level = l.Levels[u < 0.03 ? l.Levels.Count - 1 : u < 0.08 ? Math.Min(2, l.Levels.Count - 1) : u < 0.2 ? 1 : 0].Code;
                            break;
                        case PassFailItem: passed = rnd.NextDouble() > 0.06 * strict; break;
                    }
                if (count is { } cv) iw.Write(cv, NpgsqlDbType.Integer); else iw.WriteNull();
                if (level is not null) iw.Write(level, NpgsqlDbType.Varchar); else iw.WriteNull();
                if (failed is { } fv) iw.Write(fv, NpgsqlDbType.Integer); else iw.WriteNull();
                if (passed is { } pv) iw.Write(pv, NpgsqlDbType.Boolean); else iw.WriteNull();
                iw.Write(zero ? [item.ZeroIf[0].Code] : noConditions, NpgsqlDbType.Array | NpgsqlDbType.Text);
            }
            // Bonus items only where awarded (an omitted bonus item means no award).
            foreach (var bonus in rules.Bonus.Items)
            {
                if (rnd.NextDouble() >= 0.02) continue;
                iw.StartRow();
                iw.Write(++entryId, NpgsqlDbType.Integer);
                iw.Write(id, NpgsqlDbType.Integer);
                iw.Write(bonus.Code, NpgsqlDbType.Varchar);
                iw.Write(false, NpgsqlDbType.Boolean);
                iw.Write(1 + (rnd.NextDouble() < 0.2 ? 1 : 0), NpgsqlDbType.Integer);
                iw.WriteNull(); iw.WriteNull(); iw.WriteNull();
                iw.Write(noConditions, NpgsqlDbType.Array | NpgsqlDbType.Text);
            }
        }

        var recorded = start.AddMonths(1).AddDays(4).AddHours(18);
        foreach (var v in villages)
        {
            if (rnd.NextDouble() < 0.01)
            {
                // No self-evaluation by the deadline: the deadline job's record.
                mw.StartRow();
                mw.Write(++missingId, NpgsqlDbType.Integer);
                mw.Write(v.Id, NpgsqlDbType.Integer);
                mw.Write(v.TownshipId, NpgsqlDbType.Integer);
                mw.Write(v.DistrictId, NpgsqlDbType.Integer);
                mw.Write(month.Key, NpgsqlDbType.Integer);
                mw.Write(recorded, NpgsqlDbType.TimestampTz);
            }
            else Sheet(v, district: false);
            if (rnd.NextDouble() < 0.05) Sheet(v, district: true);
        }
        ew.Complete(); iw.Complete(); mw.Complete();
        _ = townships;
        return (sheetId, entryId, missingId);
    }

    /// <summary>0 with probability 1 − p, else 1, 2, 3 … with geometrically falling odds (a long tail).</summary>
    private static int LongTail(Random rnd, double p)
    {
        if (rnd.NextDouble() >= p) return 0;
        var n = 1;
        while (rnd.NextDouble() < 0.45 && n < 12) n++;
        return n;
    }

    internal static async Task<T> ScalarAsync<T>(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    internal static async Task ExecAsync(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync();
    }
}
