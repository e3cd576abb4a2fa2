using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;

BenchmarkRunner.Run<EngineBenchmarks>(DefaultConfig.Instance.AddJob(Job.ShortRun).WithOptions(ConfigOptions.DisableOptimizationsValidator), args);

/// <summary>
/// Scores 1,000 villages' random but valid sheets on the default rule set (27 items + 3 bonus items).
/// OperationsPerInvoke makes the reported time per item evaluation.
/// </summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    private const int Villages = 1000;
    private CompiledRuleSet compiled = null!;
    private RuleSet rules = null!;
    private ItemInput[][] inputs = null!;
    private SheetEntries[] entries = null!;

    [GlobalSetup]
    public void Setup()
    {
        var r = RuleSetLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "six-disorders-six-cleanups.yaml"));
        rules = r.RuleSet ?? throw new InvalidOperationException(string.Join("\n", r.Problems));
        compiled = new CompiledRuleSet(rules);
        var items = rules.Items.ToArray();
        if (compiled.InputLength != 30) throw new InvalidOperationException("OperationsPerInvoke assumes 30 items per sheet");
        var random = new Random(20260101);
        entries = Enumerable.Range(0, Villages).Select(_ => new SheetEntries(items.Select(i => i switch
        {
            LevelsItem l => new ItemEntry(i.Code, Level: l.Levels[random.Next(l.Levels.Count)].Code),
            PassFailItem => new ItemEntry(i.Code, Passed: random.Next(4) > 0),
            SampledItem s => new ItemEntry(i.Code, FailedSamples: random.Next(s.Samples + 1)),
            _ when i.MayBeNotApplicable && random.Next(5) == 0 => new ItemEntry(i.Code, NotApplicable: true),
            _ when i.ZeroIf.Count > 0 && random.Next(10) == 0 => new ItemEntry(i.Code, ZeroConditions: [i.ZeroIf[0].Code]),
            _ => new ItemEntry(i.Code, Count: random.Next(4)),
        }).Concat(rules.Bonus.Items.Select(b => new ItemEntry(b.Code, Count: random.Next(2)))).ToArray(), [])).ToArray();
        inputs = entries.Select(compiled.Encode).ToArray();
    }

    /// <summary>Fast path: totals only, no strings, no allocation. Time shown is per item evaluation.</summary>
    [Benchmark(OperationsPerInvoke = Villages * 30)]
    public long Compiled()
    {
        long sum = 0;
        foreach (var sheet in inputs) sum += compiled.Evaluate(sheet, false).BaseHundredths;
        return sum;
    }

    /// <summary>Explained path: validation plus one Chinese explanation line per item. Time shown is per item.</summary>
    [Benchmark(OperationsPerInvoke = Villages / 10 * 30)]
    public decimal Explained()
    {
        decimal sum = 0;
        for (var v = 0; v < Villages / 10; v++) sum += ScoringEngine.Score(rules, entries[v]).Score!.Total;
        return sum;
    }
}
