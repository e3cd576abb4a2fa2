using EnvScore.Domain.Rules;

namespace EnvScore.Api.Commands;

/// <summary>`rules-validate FILE…`: lists every problem of each rule-set file; exit 1 when any has one.</summary>
public static class RulesValidateCommand
{
    public static int Run(string[] files, TextWriter output)
    {
        if (files.Length == 0)
        {
            output.WriteLine("用法 (usage): envscore rules validate FILE [FILE…]");
            return 2;
        }
        var failed = false;
        foreach (var file in files)
        {
            if (!File.Exists(file))
            {
                output.WriteLine($"{file}: 文件不存在 (file not found)");
                failed = true;
                continue;
            }
            var result = RuleSetLoader.LoadFile(file);
            if (result.RuleSet is { } rules)
                output.WriteLine($"{file}: 通过 (valid) — {rules.Code} 第{rules.Version}版，{rules.Items.Count()}项，自{rules.EffectiveFrom.ToChinese()}起");
            else
            {
                failed = true;
                output.WriteLine($"{file}: {result.Problems.Count}处错误 (problems):");
                foreach (var p in result.Problems) output.WriteLine($"  {p}");
            }
        }
        return failed ? 1 : 0;
    }
}
