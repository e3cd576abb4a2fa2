using EnvScore.Api.Commands;
using EnvScore.Api.Features.RuleSets;

namespace EnvScore.Api.Tests.RuleSets;

public class RulesValidateCommandTests
{
    [Fact]
    public void Reports_a_good_file_and_every_problem_of_a_bad_one()
    {
        var dir = Directory.CreateTempSubdirectory();
        var good = Path.Combine(dir.FullName, "good.yaml");
        var bad = Path.Combine(dir.FullName, "bad.yaml");
        File.WriteAllText(good, DefaultRuleSet.Yaml);
        File.WriteAllText(bad, DefaultRuleSet.Yaml.Replace("totalPoints: 100", "totalPoints: 90"));
        var output = new StringWriter();

        Assert.Equal(0, RulesValidateCommand.Run([good], output));
        Assert.Contains("通过", output.ToString());
        Assert.Equal(1, RulesValidateCommand.Run([bad], output));
        Assert.Contains("bad.yaml:", output.ToString());
        Assert.Equal(1, RulesValidateCommand.Run([Path.Combine(dir.FullName, "missing.yaml")], output));
        Assert.Contains("文件不存在", output.ToString());
        dir.Delete(recursive: true);
    }
}
