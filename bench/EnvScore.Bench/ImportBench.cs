using System.Diagnostics;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Organisation;
using EnvScore.Spreadsheets.Templates;

namespace EnvScore.Bench;

/// <summary>
/// One district-wide sheet of 10,000 villages × 40 items, written once with TemplateWriter and imported
/// N times with TemplateReader (a fresh stream each time), reporting time, working set and GC heap after each.
/// </summary>
public static class ImportBench
{
    public static int Run(int files, int villages)
    {
        var kinds = new[] { ItemKind.PerOccurrence, ItemKind.Sampled, ItemKind.Levels, ItemKind.PassFail, ItemKind.Bonus };
        var items = Enumerable.Range(1, 40).Select(i => new TemplateItem
        {
            Code = $"I{i:D2}", Title = $"项目{i}", Kind = kinds[i % kinds.Length], MaxPoints = 2.5m, SampleSize = 5,
            Levels = [new("A", "好"), new("B", "中"), new("C", "差")], MayBeNotApplicable = i % 7 == 0, Unit = "处",
        }).ToList();
        var district = DivisionCode.Parse("410171000000");
        var layout = new TemplateLayout
        {
            RuleSetCode = "SDSC", RuleSetVersion = 1, Month = new EvaluationMonth(2026, 10), Title = "农村人居环境月评比自评表",
            Sections = [new("六乱治理", items.Take(20).ToList()), new("六清行动", items.Skip(20).ToList())],
        };
        var scope = TemplateScope.ForDistrict(district, "示范区");
        ItemValue ValueFor(TemplateItem item, int v) => item.Kind switch
        {
            _ when item.MayBeNotApplicable && v % 11 == 0 => ItemValue.NotApplicableValue(),
            ItemKind.PerOccurrence => ItemValue.Occurrences(v % 4),
            ItemKind.Sampled => ItemValue.Failed(v % 6),
            ItemKind.Levels => ItemValue.Level(((char)('A' + v % 3)).ToString()),
            ItemKind.PassFail => ItemValue.Pass(v % 2 == 0),
            _ => ItemValue.Awards(v % 3),
        };
        var rows = new List<TemplateVillage>(villages);
        for (var v = 0; v < villages; v++)
        {
            var code = DivisionCode.Parse($"410171{v / 900 + 1:D3}{v % 900 + 1:D3}");
            rows.Add(new TemplateVillage(code, $"村{v}", $"乡{v / 900 + 1}", new VillageValues
            {
                Items = items.ToDictionary(i => i.Code, i => ValueFor(i, v)),
            }));
        }
        var allowed = rows.Select(r => r.Code).ToList();

        var sw = Stopwatch.StartNew();
        var bytes = TemplateWriter.Write(layout, scope, rows);
        Console.WriteLine($"import: write {villages:N0} villages × 40 items: {sw.Elapsed.TotalSeconds:F2} s, {bytes.Length / 1024:N0} KB");
        rows = null;
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();

        Console.WriteLine("| file | read (s) | villages | working set after | GC heap after (after full GC) | peak RSS so far |");
        using var probe = new MemoryProbe();
        var times = new List<double>();
        for (var f = 1; f <= files; f++)
        {
            sw.Restart();
            var result = TemplateReader.Read(new MemoryStream(bytes), layout, scope, allowed);
            var s = sw.Elapsed.TotalSeconds;
            times.Add(s);
            if (!result.Succeeded || result.Villages.Count != villages) { Console.WriteLine($"import {f} failed: {result.Problems.FirstOrDefault()}"); return 1; }
            result = null;
            var ws = Environment.WorkingSet;
            GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
            Console.WriteLine($"| {f} | {s:F2} | {villages:N0} | {MemoryProbe.Mb(ws)} | {MemoryProbe.Mb(GC.GetTotalMemory(false))} | {MemoryProbe.Mb(MemoryProbe.PeakRssBytes())} |");
        }
        Console.WriteLine($"import: median read {times.Order().ElementAt(times.Count / 2):F2} s, max {times.Max():F2} s, peak GC heap {MemoryProbe.Mb(probe.PeakGcHeapBytes)}");
        return 0;
    }
}
