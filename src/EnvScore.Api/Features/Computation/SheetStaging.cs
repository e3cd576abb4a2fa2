using EnvScore.Api.Infrastructure.Data;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;
using Npgsql;
using NpgsqlTypes;

namespace EnvScore.Api.Features.Computation;

/// <summary>
/// Scores every counted sheet of a month in a set of districts with the engine and bulk-copies the scores
/// into the temp table cmp_sheet (and the rule sets' section names into cmp_rule_section), inside the
/// computation's transaction. Counted: Self sheets submitted (Submitted, or Locked with a SubmittedAt) and
/// not recorded missing at the deadline; District sheets Submitted or Locked after submission.
/// </summary>
/// <remarks>
/// A pipeline, so that PostgreSQL and .NET work at the same time: one query streams the sheets (entries
/// aggregated per sheet, no sort) on a second connection; the engine scores them in batches on one worker
/// per core; one binary COPY on the transaction's connection takes the scores. Bounded channels between
/// the stages keep memory flat whatever the number of villages (docs/performance.md).
/// </remarks>
internal static class SheetStaging
{
    private const short SelfKind = 0, DistrictKind = 1;
    // Sheets cross between the stages in batches: a hand-over per sheet costs more (locks, thread wake-ups) than scoring it.
    private const int BatchSize = 500, ChannelBatches = 4;

    public const string CreateTables = """
        CREATE TEMP TABLE cmp_sheet (
            evaluation_id int NOT NULL, district_id int NOT NULL, village_id int NOT NULL, kind smallint NOT NULL,
            rule_set_id int NOT NULL, total numeric(7,2) NOT NULL, vetoes text[] NOT NULL,
            deductions numeric[] NOT NULL, applicable_max numeric[] NOT NULL, section_scores numeric[] NOT NULL,
            explanation text NOT NULL, findings jsonb NOT NULL, submitted_at timestamptz) ON COMMIT DROP;
        CREATE TEMP TABLE cmp_rule_section (
            rule_set_id int NOT NULL, ordinal int NOT NULL, code text NOT NULL, title text NOT NULL, max numeric(7,2) NOT NULL,
            PRIMARY KEY (rule_set_id, ordinal)) ON COMMIT DROP;
        """;

    // Entries come aggregated per sheet as one text (fields split by U+001F, entries by U+001E, zero-if codes
    // by U+001D), so sheets stream in index order with no sort, and .NET parses one string per sheet — several
    // times cheaper than seven arrays (docs/performance.md). A sheet without entries gets null and fails validation.
    private static readonly string CountedSheetsSql = $$"""
        SELECT e.id, e.district_id, e.village_id, e.kind = {{SqlNames.Literal(EvaluationKind.District)}}, e.rule_set_id, e.submitted_at, e.vetoes,
               (SELECT string_agg(ee.item_code || E'\x1f' || CASE WHEN ee.not_applicable THEN '1' ELSE '0' END
                                  || E'\x1f' || coalesce(ee.count::text, '') || E'\x1f' || coalesce(ee.level, '')
                                  || E'\x1f' || coalesce(ee.failed_samples::text, '')
                                  || E'\x1f' || CASE ee.passed WHEN true THEN '1' WHEN false THEN '0' ELSE '' END
                                  || E'\x1f' || array_to_string(ee.zero_conditions, E'\x1d')
                                  || E'\x1f' || coalesce(ee.clauses::text, ''), E'\x1e')
                FROM evaluation_entries ee WHERE ee.evaluation_id = e.id)
        FROM evaluations e
        WHERE e.district_id = ANY(@districts) AND e.month = @month AND {{SheetCounting.Sql("e")}}
          AND (e.kind = {{SqlNames.Literal(EvaluationKind.District)}} OR NOT EXISTS (SELECT 1 FROM missing_submissions m WHERE m.village_id = e.village_id AND m.month = e.month))
        """;

    /// <summary>The streaming read of the counted sheets (parameters @districts int[], @month int); the bench's floor reads with it.</summary>
    internal static string CountedSheetsQuery => CountedSheetsSql;

    private sealed record Sheet(int Id, int DistrictId, int VillageId, bool IsDistrictCheck, int RuleSetId, DateTimeOffset? SubmittedAt, SheetEntries Entries);

    /// <summary>Distinct rule sets the counted sheets are bound to (normally the one in force), for the caller to parse up front.</summary>
    public static async Task<int[]> RuleSetIdsAsync(NpgsqlConnection conn, int[] districts, int month, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            $"SELECT DISTINCT e.rule_set_id FROM evaluations e WHERE e.district_id = ANY(@districts) AND e.month = @month AND {SheetCounting.Sql("e")}", conn);
        cmd.Parameters.Add(new NpgsqlParameter("districts", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = districts });
        cmd.Parameters.Add(new NpgsqlParameter("month", NpgsqlDbType.Integer) { Value = month });
        var ids = new List<int>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetInt32(0));
        return [.. ids];
    }

    /// <summary>
    /// Stages the counted sheets of <paramref name="districts"/>; returns, per district, the sheets that do not
    /// validate (the caller fails those districts). <paramref name="rules"/> must hold every rule set the sheets use.
    /// </summary>
    public static async Task<Dictionary<int, List<string>>> StageAsync(NpgsqlConnection target, string connectionString,
        int[] districts, int month, IReadOnlyDictionary<int, RuleSet> rules, CancellationToken ct)
    {
        await Exec(target, CreateTables, ct);
        await CopyRuleSectionsAsync(target, rules, ct);
        // 每处逾期未整改问题扣X分: the ledger's count per village at the end of the month (never an entry), read once.
        IReadOnlyDictionary<int, int> overdue = rules.Values.Any(r => r.UsesOverdueProblems)
            ? await Rectifications.OverdueProblemCount.CountAsync(target, districts, Domain.Calendar.EvaluationMonth.FromKey(month), null, ct)
            : new Dictionary<int, int>();

        var sheets = Channel.CreateBounded<List<Sheet>>(new BoundedChannelOptions(ChannelBatches) { SingleReader = false, SingleWriter = true });
        var scored = Channel.CreateBounded<List<Scored>>(new BoundedChannelOptions(ChannelBatches) { SingleReader = true, SingleWriter = false });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reading = Task.Run(() => ReadAsync(connectionString, districts, month, overdue, sheets.Writer, stop.Token), stop.Token);
        var scoring = Task.Run(() => ScoreAllAsync(sheets.Reader, rules, scored.Writer, stop.Token), stop.Token);
        var invalid = new List<(Sheet Sheet, string Problems)>();
        try
        {
            await using var w = await target.BeginBinaryImportAsync(
                "COPY cmp_sheet (evaluation_id, district_id, village_id, kind, rule_set_id, total, vetoes, deductions, applicable_max, " +
                "section_scores, explanation, findings, submitted_at) FROM STDIN (FORMAT BINARY)", ct);
            await foreach (var batch in scored.Reader.ReadAllAsync(ct))
            foreach (var (sheet, score, text) in batch)
            {
                if (score is null) { invalid.Add((sheet, text)); continue; }
                await w.StartRowAsync(ct);
                await w.WriteAsync(sheet.Id, NpgsqlDbType.Integer, ct);
                await w.WriteAsync(sheet.DistrictId, NpgsqlDbType.Integer, ct);
                await w.WriteAsync(sheet.VillageId, NpgsqlDbType.Integer, ct);
                await w.WriteAsync(sheet.IsDistrictCheck ? DistrictKind : SelfKind, NpgsqlDbType.Smallint, ct);
                await w.WriteAsync(sheet.RuleSetId, NpgsqlDbType.Integer, ct);
                await w.WriteAsync(score.Total, NpgsqlDbType.Numeric, ct);
                await w.WriteAsync(score.Vetoes.Select(v => v.Code).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
                await w.WriteAsync(Column(score.Sections, s => s.Deduction), NpgsqlDbType.Array | NpgsqlDbType.Numeric, ct);
                await w.WriteAsync(Column(score.Sections, s => s.ApplicableMax), NpgsqlDbType.Array | NpgsqlDbType.Numeric, ct);
                await w.WriteAsync(Column(score.Sections, s => s.Score), NpgsqlDbType.Array | NpgsqlDbType.Numeric, ct);
                await w.WriteAsync(text, NpgsqlDbType.Text, ct);
                await w.WriteAsync(FindingsJson(score), NpgsqlDbType.Jsonb, ct);
                if (sheet.SubmittedAt is { } at) await w.WriteAsync(at.ToUniversalTime(), NpgsqlDbType.TimestampTz, ct);
                else await w.WriteNullAsync(ct);
            }
            await w.CompleteAsync(ct);
        }
        catch
        {
            await stop.CancelAsync(); // the reader and the scorers must not outlive a failed copy
            throw;
        }
        finally
        {
            try { await Task.WhenAll(reading, scoring); } catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
        }
        // Temp tables are never analysed automatically: without statistics the joins that follow plan badly.
        await Exec(target, "ANALYZE cmp_sheet (village_id, kind)", ct);
        return await DescribeAsync(target, invalid, ct);
    }

    /// <summary>
    /// The failing sheets per district, each named by its village as users know it (name and code), looked up only
    /// when there are any — off the hot path.
    /// </summary>
    private static async Task<Dictionary<int, List<string>>> DescribeAsync(NpgsqlConnection conn, List<(Sheet Sheet, string Problems)> invalid,
        CancellationToken ct)
    {
        var problems = new Dictionary<int, List<string>>();
        if (invalid.Count == 0) return problems;
        var villages = new Dictionary<int, string>();
        await using (var cmd = new NpgsqlCommand("SELECT id, name, code FROM villages WHERE id = ANY(@ids)", conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = invalid.Select(i => i.Sheet.VillageId).Distinct().ToArray() });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) villages[r.GetInt32(0)] = $"{r.GetString(1)}（{r.GetString(2)}"; // "某某村（410…
        }
        foreach (var (sheet, text) in invalid)
        {
            if (!problems.TryGetValue(sheet.DistrictId, out var list)) problems[sheet.DistrictId] = list = [];
            list.Add($"{villages.GetValueOrDefault(sheet.VillageId, $"村{sheet.VillageId}（")}，{(sheet.IsDistrictCheck ? "区级抽查" : "自评")}）：{text}");
        }
        return problems;
    }

    /// <summary>A scored sheet and its explanation, or (Score null) the sheet's problems.</summary>
    private readonly record struct Scored(Sheet Sheet, ListedSheetScore? Score, string Text);

    /// <summary>Scores batches on as many workers as there are cores; sheet order does not matter to staging.</summary>
    private static async Task ScoreAllAsync(ChannelReader<List<Sheet>> input, IReadOnlyDictionary<int, RuleSet> rules,
        ChannelWriter<List<Scored>> output, CancellationToken ct)
    {
        try
        {
            var workers = Enumerable.Range(0, Math.Clamp(Environment.ProcessorCount, 1, 4)).Select(_ => Task.Run(async () =>
            {
                await foreach (var batch in input.ReadAllAsync(ct))
                {
                    var results = new List<Scored>(batch.Count);
                    foreach (var sheet in batch)
                    {
                        // The engine's answers without scoring the full-mark items' lines again (EnvScore.Domain, ListedScoring).
                        var result = ListedScoring.Score(rules[sheet.RuleSetId], sheet.Entries);
                        results.Add(result.Score is { } score
                            ? new Scored(sheet, score, Explain(sheet.IsDistrictCheck, score))
                            : new Scored(sheet, null, string.Join("；", result.Problems.Select(p => p.ToString()))));
                    }
                    await output.WriteAsync(results, ct);
                }
            }, ct)).ToArray();
            await Task.WhenAll(workers);
            output.Complete();
        }
        catch (Exception e)
        {
            output.Complete(e);
            throw;
        }
    }

    private static async Task ReadAsync(string connectionString, int[] districts, int month, IReadOnlyDictionary<int, int> overdue,
        ChannelWriter<List<Sheet>> output, CancellationToken ct)
    {
        try
        {
            await using var conn = new NpgsqlConnection(connectionString);
            await conn.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand(CountedSheetsSql, conn) { CommandTimeout = 0 };
            cmd.Parameters.Add(new NpgsqlParameter("districts", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = districts });
            cmd.Parameters.Add(new NpgsqlParameter("month", NpgsqlDbType.Integer) { Value = month });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            var batch = new List<Sheet>(BatchSize);
            while (await r.ReadAsync(ct))
            {
                var items = r.IsDBNull(7) ? [] : ParseEntries(r.GetString(7));
                var village = r.GetInt32(2);
                var sheet = new Sheet(r.GetInt32(0), r.GetInt32(1), village, r.GetBoolean(3), r.GetInt32(4),
                    r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5),
                    new SheetEntries(items, r.GetFieldValue<string[]>(6)) { OverdueProblems = overdue.GetValueOrDefault(village) });
                batch.Add(sheet);
                if (batch.Count == BatchSize)
                {
                    await output.WriteAsync(batch, ct);
                    batch = new List<Sheet>(BatchSize);
                }
            }
            if (batch.Count > 0) await output.WriteAsync(batch, ct);
            output.Complete();
        }
        catch (Exception e)
        {
            output.Complete(e);
            throw;
        }
    }

    private static readonly System.Text.Json.JsonSerializerOptions ClauseJson = new(System.Text.Json.JsonSerializerDefaults.Web);

    /// <summary>Parses the aggregated entries of one sheet (see <see cref="CountedSheetsSql"/>).</summary>
    internal static ItemEntry[] ParseEntries(string text)
    {
        var entries = new List<ItemEntry>(32);
        Span<Range> f = stackalloc Range[9];
        foreach (var range in text.AsSpan().Split('\u001e'))
        {
            var entry = text.AsSpan(range);
            if (entry.Split(f, '\u001f') != 8) throw new FormatException($"malformed staged entry: {entry.ToString()}");
            var zero = entry[f[6]];
            var clauses = entry[f[7]];
            entries.Add(new ItemEntry(
                Intern(entry[f[0]]),
                entry[f[1]] is "1",
                entry[f[2]].IsEmpty ? null : int.Parse(entry[f[2]], CultureInfo.InvariantCulture),
                entry[f[3]].IsEmpty ? null : Intern(entry[f[3]]),
                entry[f[4]].IsEmpty ? null : int.Parse(entry[f[4]], CultureInfo.InvariantCulture),
                entry[f[5]].IsEmpty ? null : entry[f[5]] is "1",
                zero.IsEmpty ? null : zero.ToString().Split('\u001d'),
                Clauses: clauses.IsEmpty || clauses is "[]" ? null
                    : Evaluations.EvaluationMappingProfile.ClauseInputs(System.Text.Json.JsonSerializer.Deserialize<List<Evaluations.ClauseValue>>(clauses, ClauseJson)!)));
        }
        return [.. entries];
    }

    /// <summary>
    /// Item and level codes as strings shared per thread: every sheet repeats the same few dozen codes, and a new
    /// string per entry was a third of the parse's allocation (docs/performance.md). Bounded: a rule set has at most a
    /// few hundred codes; the table starts over if something else fills it.
    /// </summary>
    private static string Intern(ReadOnlySpan<char> code)
    {
        var table = _codes ??= new Dictionary<string, string>(StringComparer.Ordinal);
        var lookup = table.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(code, out var known)) return known;
        if (table.Count >= 4096) table.Clear();
        var s = code.ToString();
        table[s] = s;
        return s;
    }

    [ThreadStatic] private static Dictionary<string, string>? _codes;

    private static async Task CopyRuleSectionsAsync(NpgsqlConnection target, IReadOnlyDictionary<int, RuleSet> rules, CancellationToken ct)
    {
        await using var w = await target.BeginBinaryImportAsync(
            "COPY cmp_rule_section (rule_set_id, ordinal, code, title, max) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var (id, set) in rules)
            for (var i = 0; i < set.Sections.Count; i++)
            {
                await w.StartRowAsync(ct);
                await w.WriteAsync(id, NpgsqlDbType.Integer, ct);
                await w.WriteAsync(i + 1, NpgsqlDbType.Integer, ct);
                await w.WriteAsync(set.Sections[i].Code, NpgsqlDbType.Text, ct);
                await w.WriteAsync(set.Sections[i].Title, NpgsqlDbType.Text, ct);
                await w.WriteAsync(set.Sections[i].MaxPoints, NpgsqlDbType.Numeric, ct);
            }
        await w.CompleteAsync(ct);
    }

    private static decimal[] Column(IReadOnlyList<SectionResult> sections, Func<SectionResult, decimal> value)
    {
        var column = new decimal[sections.Count];
        for (var i = 0; i < column.Length; i++) column[i] = value(sections[i]);
        return column;
    }

    /// <summary>
    /// The sheet's explanation: a header; the engine's line for every item that lost points, was not applicable
    /// or was zeroed; one line counting the items with full marks; a line per bonus awarded; the engine's summary.
    /// Full-mark items are counted, not listed: most villages lose points on few items, and the stored text is
    /// then a fifth of the size (docs/performance.md) — the sheet itself keeps every entry.
    /// </summary>
    public static string Explain(bool isDistrictCheck, SheetScore score) => Explain(isDistrictCheck, ListedSheetScore.From(score));

    /// <summary>The explanation of a listed score (the same text as <see cref="Explain(bool, SheetScore)"/> of the engine's score).</summary>
    public static string Explain(bool isDistrictCheck, ListedSheetScore score)
    {
        var text = new StringBuilder(isDistrictCheck ? "【区级抽查】" : "【自评】");
        foreach (var item in score.ListedItems) text.Append('\n').Append(item.Explanation);
        var full = score.FullMarkItems;
        if (full > 0) text.Append('\n').Append(full == score.ItemCount ? $"全部{full}项未扣分（均得满分）" : $"其余{full}项未扣分（均得满分）");
        foreach (var bonus in score.Bonuses)
            if (bonus.Awards > 0) text.Append('\n').Append(bonus.Explanation);
        foreach (var line in score.Summary) text.Append('\n').Append(line);
        return text.ToString();
    }

    /// <summary>The sheet's findings as the results' jsonb column holds them (<see cref="ResultFinding"/>, property names as in C#).</summary>
    /// <remarks>
    /// Written with a <see cref="System.Text.Json.Utf8JsonWriter"/> (UTF-8 kept as is, no \u escapes) on a buffer
    /// reused per thread: the serializer with its reflection and escaping cost ~5× as much per sheet
    /// (docs/performance.md). jsonb stores the same value either way.
    /// </remarks>
    public static string FindingsJson(SheetScore score) => FindingsJson(score.Findings);

    /// <summary>The findings of a listed score, as <see cref="FindingsJson(SheetScore)"/> writes them.</summary>
    public static string FindingsJson(ListedSheetScore score) => FindingsJson(score.Findings);

    private static string FindingsJson(IReadOnlyList<Finding> findings)
    {
        var buffer = _findingsBuffer ??= new System.Buffers.ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer, FindingsWriterOptions))
        {
            json.WriteStartArray();
            foreach (var f in findings)
            {
                json.WriteStartObject();
                json.WriteString(nameof(ResultFinding.Section), f.Section);
                json.WriteString(nameof(ResultFinding.ItemCode), f.ItemCode);
                json.WriteString(nameof(ResultFinding.ItemTitle), f.ItemTitle);
                json.WriteNumber(nameof(ResultFinding.Points), f.Points);
                json.WriteString(nameof(ResultFinding.Text), f.Text);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [ThreadStatic] private static System.Buffers.ArrayBufferWriter<byte>? _findingsBuffer;

    private static readonly System.Text.Json.JsonWriterOptions FindingsWriterOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true,
    };

    private static async Task Exec(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
