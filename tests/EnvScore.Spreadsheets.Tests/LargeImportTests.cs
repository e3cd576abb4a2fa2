using System.Diagnostics;
using EnvScore.Domain.Organisation;
using EnvScore.Spreadsheets.Templates;
using Xunit.Abstractions;

namespace EnvScore.Spreadsheets.Tests;

public class LargeImportTests(ITestOutputHelper output)
{
    [Fact]
    public void District_template_with_10000_villages_and_40_items_imports_completely()
    {
        var kinds = new[] { ItemKind.PerOccurrence, ItemKind.Sampled, ItemKind.Levels, ItemKind.PassFail, ItemKind.Bonus };
        var items = Enumerable.Range(1, 40).Select(i => new TemplateItem
        {
            Code = $"I{i:D2}",
            Title = $"项目{i}",
            Kind = kinds[i % kinds.Length],
            MaxPoints = 2.5m,
            SampleSize = 5,
            Bounds = kinds[i % kinds.Length] switch { ItemKind.Sampled => new(0, 5), ItemKind.Bonus => new(0, 2), _ => new(0, null) },
            Levels = [new("A", "好"), new("B", "中"), new("C", "差")],
            MayBeNotApplicable = i % 7 == 0,
        }).ToList();
        var layout = Samples.Layout() with
        {
            Sections = [new("一", items.Take(20).ToList()), new("二", items.Skip(20).ToList())],
        };

        ItemValue ValueFor(TemplateItem item, int v) => item.Kind switch
        {
            _ when item.MayBeNotApplicable && v % 11 == 0 => ItemValue.NotApplicableValue(),
            ItemKind.PerOccurrence => ItemValue.Occurrences(v % 4),
            ItemKind.Sampled => ItemValue.Failed(v % 6),
            ItemKind.Levels => ItemValue.Level(((char)('A' + v % 3)).ToString()),
            ItemKind.PassFail => ItemValue.Pass(v % 2 == 0),
            _ => ItemValue.Awards(v % 3),
        };

        var villages = new List<TemplateVillage>(10_000);
        for (var v = 0; v < 10_000; v++)
        {
            var code = DivisionCode.Parse($"410171{v / 900 + 1:D3}{v % 900 + 1:D3}");
            villages.Add(new TemplateVillage(code, $"村{v}", $"乡{v / 900 + 1}", new VillageValues
            {
                Items = items.ToDictionary(i => i.Code, i => ValueFor(i, v)),
                Note = v % 100 == 0 ? $"备注{v}" : null,
            }));
        }

        var sw = Stopwatch.StartNew();
        var bytes = TemplateWriter.Write(layout, Samples.DistrictScope, villages);
        output.WriteLine($"write: {sw.ElapsedMilliseconds} ms, {bytes.Length / 1024} KB");

        sw.Restart();
        var result = TemplateReader.Read(new MemoryStream(bytes), layout, Samples.DistrictScope, villages.Select(v => v.Code).ToList());
        output.WriteLine($"read: {sw.ElapsedMilliseconds} ms");

        Assert.Empty(result.Problems);
        Assert.Equal(10_000, result.Villages.Count);
        Assert.Equal(villages.Select(v => v.Code), result.Villages.Select(v => v.Code));
        Assert.All(result.Villages, v => Assert.Equal(40, v.Values.Items.Count));
        Assert.Equal(100, result.Villages.Count(v => v.Values.Note is not null));
        for (var v = 0; v < 10_000; v += 997) Assert.Equal(villages[v].Prefill, result.Villages[v].Values);
        Assert.Equal("乡12", result.Villages[^1].TownshipName);
    }
}
