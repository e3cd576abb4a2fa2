using System.Net;
using System.Net.Http.Json;
using EnvScore.Api.Commands;
using EnvScore.Testing;

namespace EnvScore.Api.Tests.Accounts;

public class CreateAdminCommandTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    private const string ChosenPassword = "Operator-Chosen-77";

    [Fact]
    public async Task Creates_a_new_district_with_its_first_admin_who_can_then_log_in()
    {
        _ = factory.Server; // start the host
        var output = new StringWriter();
        var exit = await CreateAdminCommand.RunAsync(factory.Services, ["zhengdong-admin", "410171000000", "郑东新区"], output, () => ChosenPassword);
        Assert.True(exit == 0, output.ToString());
        Assert.Contains("已创建区管理员", output.ToString());

        var client = factory.CreateClient();
        await (await client.PostAsJsonAsync("/api/auth/login", new { userName = "zhengdong-admin", password = ChosenPassword }))
            .ExpectAsync(HttpStatusCode.OK);
        var districts = await client.GetJsonAsync("/odata/Districts?$filter=code eq '410171000000'");
        Assert.Equal("郑东新区", districts.GetProperty("value")[0].GetProperty("name").GetString());
    }

    [Theory]
    [InlineData(new[] { "x-admin", "410171001000" }, "不是区县级区划代码")]
    [InlineData(new[] { "x-admin", "410172000000" }, "请在第三个参数给出区县名称")]
    [InlineData(new[] { "x-admin" }, "用法")]
    public async Task Bad_arguments_are_explained(string[] args, string message)
    {
        _ = factory.Server;
        var output = new StringWriter();
        Assert.Equal(2, await CreateAdminCommand.RunAsync(factory.Services, args, output, () => ChosenPassword));
        Assert.Contains(message, output.ToString());
    }

    [Fact]
    public async Task A_weak_password_is_refused()
    {
        _ = factory.Server;
        var output = new StringWriter();
        Assert.Equal(1, await CreateAdminCommand.RunAsync(factory.Services, ["weak-admin", DemoDistrictCode], output, () => "short"));
        Assert.Contains("创建失败", output.ToString());
    }

    private const string DemoDistrictCode = "410271000000";
}
