using System.Diagnostics;
using EnvScore.Api.Features.Computation;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;
using Npgsql;
using NpgsqlTypes;

namespace EnvScore.Bench;

/// <summary>
/// Where the computation's .NET time goes per sheet: the counted sheets of the month are read into memory once
/// (untimed), then each step of the staging runs over all of them on one thread, timed and with its allocation:
/// parsing the entries text, scoring with explanations, the explanation text, the findings JSON — the engine's full
/// score (before issue #20) and the listed score staging uses now (<see cref="ListedScoring"/>), compared sheet by sheet.
/// </summary>
public static class StageProfile
{
    public static async Task<int> RunAsync(string cs, EvaluationMonth month, int limit)
    {
        var rules = RuleSetLoader.Parse(DefaultRuleSet.Yaml).RuleSet!;
        var texts = new List<(bool District, string Text, string[] Vetoes)>();
        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync();
            var districts = new List<int>();
            await using (var c = new NpgsqlCommand("SELECT id FROM districts ORDER BY id", conn))
            await using (var r = await c.ExecuteReaderAsync()) while (await r.ReadAsync()) districts.Add(r.GetInt32(0));
            await using var cmd = new NpgsqlCommand(SheetStaging.CountedSheetsQuery, conn) { CommandTimeout = 0 };
            cmd.Parameters.Add(new NpgsqlParameter("districts", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = districts.ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter("month", NpgsqlDbType.Integer) { Value = month.Key });
            await using var rd = await cmd.ExecuteReaderAsync();
            while (await rd.ReadAsync() && texts.Count < limit)
                if (!rd.IsDBNull(7)) texts.Add((rd.GetBoolean(3), rd.GetString(7), rd.GetFieldValue<string[]>(6)));
        }
        Console.WriteLine($"stage-profile: {texts.Count:N0} sheets in memory, one thread");
        for (var round = 0; round < 2; round++)
        {
            SheetEntries[] entries = null!;
            SheetScore[] scores = null!;
            Step("parse entries", () => entries = texts.Select(t => new SheetEntries(SheetStaging.ParseEntries(t.Text), t.Vetoes)).ToArray());
            Step("score (explained)", () => scores = entries.Select(e => ScoringEngine.Score(rules, e).Score!).ToArray());
            Step("explanation text", () => { foreach (var (s, i) in scores.Select((s, i) => (s, i))) _ = SheetStaging.Explain(texts[i].District, s); });
            Step("findings json", () => { foreach (var s in scores) _ = SheetStaging.FindingsJson(s); });
            // What staging runs since issue #20: the compiled figures, the engine's lines only for the listed items.
            ListedSheetScore[] listed = null!;
            Step("score (listed)", () => listed = entries.Select(e => ListedScoring.Score(rules, e).Score!).ToArray());
            Step("explanation (listed)", () => { for (var i = 0; i < listed.Length; i++) _ = SheetStaging.Explain(texts[i].District, listed[i]); });
            Step("findings (listed)", () => { foreach (var s in listed) _ = SheetStaging.FindingsJson(s); });
            var differ = 0;
            for (var i = 0; i < listed.Length; i++)
                if (SheetStaging.Explain(texts[i].District, listed[i]) != SheetStaging.Explain(texts[i].District, scores[i])
                    || SheetStaging.FindingsJson(listed[i]) != SheetStaging.FindingsJson(scores[i]) || listed[i].Total != scores[i].Total) differ++;
            Console.WriteLine($"  listed vs engine: {differ} of {listed.Length} sheets differ (explanation, findings or total)");
            Console.WriteLine();
        }
        return 0;

        void Step(string name, Action body)
        {
            GC.Collect();
            var before = GC.GetAllocatedBytesForCurrentThread();
            var sw = Stopwatch.StartNew();
            body();
            var us = sw.Elapsed.TotalMicroseconds / texts.Count;
            Console.WriteLine($"  {name,-20} {us,8:F1} µs/sheet  {(GC.GetAllocatedBytesForCurrentThread() - before) / (double)texts.Count,9:F0} B/sheet");
        }
    }
}
