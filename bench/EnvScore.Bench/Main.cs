using EnvScore.Domain.Calendar;

namespace EnvScore.Bench;

public static class BenchMain
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0) return Usage();
        var opts = new Dictionary<string, string>();
        for (var i = 1; i + 1 < args.Length; i += 2) opts[args[i].TrimStart('-')] = args[i + 1];
        string Opt(string key, string fallback) => opts.GetValueOrDefault(key, fallback);
        var db = Opt("db", Environment.GetEnvironmentVariable("ENVSCORE_BENCH_DB") ?? "");
        var month = EvaluationMonth.Parse(Opt("month", "2026-10"));
        switch (args[0])
        {
            case "generate":
                await Generator.RunAsync(Need(db), new Generator.Options(int.Parse(Opt("villages", "500000")), month, int.Parse(Opt("seed", "42"))));
                return 0;
            case "compute":
                return await ComputeBench.RunAsync(Need(db), month, int.Parse(Opt("rounds", "1")), int.Parse(Opt("parallel", new EnvScore.Api.Infrastructure.Scheduling.MonthlyScheduleOptions().ComputeParallelBatches.ToString())),
                    int.Parse(Opt("batch", new EnvScore.Api.Infrastructure.Scheduling.MonthlyScheduleOptions().ComputeBatchDistricts.ToString())), bool.Parse(Opt("yardstick", "true")));
            case "floor":
                return await FloorBench.RunAsync(Need(db), month, int.Parse(Opt("rounds", "1")), int.Parse(Opt("parallel", new EnvScore.Api.Infrastructure.Scheduling.MonthlyScheduleOptions().ComputeParallelBatches.ToString())),
                    int.Parse(Opt("batch", new EnvScore.Api.Infrastructure.Scheduling.MonthlyScheduleOptions().ComputeBatchDistricts.ToString())), bool.Parse(Opt("yardstick", "true")));
            case "stage-profile":
                return await StageProfile.RunAsync(Need(db), month, int.Parse(Opt("sheets", "20000")));
            case "yardstick":
                await ComputeBench.Yardstick(Need(db), month);
                Console.WriteLine(await ComputeBench.CompareAsync(Need(db), month));
                return 0;
            case "whatif":
                return await WhatIfBench.RunAsync(Need(db), month, int.Parse(Opt("districts", "0")));
            case "import":
                return ImportBench.Run(int.Parse(Opt("files", "10")), int.Parse(Opt("villages", "10000")));
            default:
                return Usage();
        }
    }

    private static string Need(string db) =>
        db.Length > 0 ? db : throw new ArgumentException("--db CONNECTION_STRING (or ENVSCORE_BENCH_DB) is required");

    private static int Usage()
    {
        Console.Error.WriteLine("""
            EnvScore.Bench generate  --db CS [--villages 500000] [--month 2026-10] [--seed 42]
            EnvScore.Bench compute   --db CS [--month 2026-10] [--rounds 1] [--batch 500] [--parallel 2] [--yardstick true|false]
                      (--batch, --parallel: as the compute job does by default; --batch 1 --parallel 1 = one district at a time, the request path)
            EnvScore.Bench floor     --db CS [--month 2026-10] [--rounds 1] [--batch 500] [--parallel 2] [--yardstick true|false]
                      (the product's computation against the floor: the read of the counted sheets + a binary COPY of its result rows)
            EnvScore.Bench yardstick --db CS [--month 2026-10]
            EnvScore.Bench whatif    --db CS [--month 2026-10] [--districts 0 = all]   (after generate + compute)
            EnvScore.Bench import    [--files 10] [--villages 10000]
            """);
        return 2;
    }
}
