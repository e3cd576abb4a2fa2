using System.Net;
using System.Net.Http.Json;
using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Organisation;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EnvScore.Api.Tests.Organisation;

public class OrganisationWriteTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    [Fact]
    public async Task Admin_creates_a_township_and_a_village_under_it()
    {
        var admin = await factory.ClientForAsync("admin");
        var township = await (await admin.PostAsJsonAsync("/odata/Townships",
            new { code = "410271004000", name = "兴隆乡", kind = "Xiang" })).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("兴隆乡", township.GetProperty("name").GetString());
        Assert.Equal(1, township.GetProperty("districtId").GetInt32());

        var village = await (await admin.PostAsJsonAsync("/odata/Villages",
            new { code = "410271004001", name = "  兴隆村 " })).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("兴隆村", village.GetProperty("name").GetString());
        Assert.Equal(township.GetProperty("id").GetInt32(), village.GetProperty("townshipId").GetInt32());

        var read = await factory.CreateClient().GetJsonAsync("/odata/Villages?$filter=code eq '410271004001'&$expand=township");
        Assert.Equal("兴隆乡", read.GetProperty("value")[0].GetProperty("township").GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("41027100500", "兴隆乡", "code", "12位数字")]          // too short
    [InlineData("410271005001", "兴隆乡", "code", "乡镇级代码")]        // a village code where a township is expected
    [InlineData("410299005000", "兴隆乡", "code", "上级区县")]          // parent district does not exist
    [InlineData("410271005000", "   ", "name", "名称不能为空")]
    public async Task Invalid_township_is_rejected_with_field_errors(string code, string name, string field, string message)
    {
        var admin = await factory.ClientForAsync("admin");
        var error = await (await admin.PostAsJsonAsync("/odata/Townships", new { code, name, kind = "Zhen" }))
            .ExpectAsync(HttpStatusCode.BadRequest);
        var messages = error.GetProperty("errors").GetProperty(field).EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.Contains(messages, m => m!.Contains(message));
    }

    [Fact]
    public async Task Village_under_a_missing_township_and_duplicate_codes_are_rejected()
    {
        var admin = await factory.ClientForAsync("admin");
        var missing = await (await admin.PostAsJsonAsync("/odata/Villages", new { code = "410271009001", name = "无主村" }))
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("上级乡镇", missing.GetProperty("errors").GetProperty("code")[0].GetString());

        var duplicate = await (await admin.PostAsJsonAsync("/odata/Villages", new { code = "410271002002", name = "贺砦社区" }))
            .ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("已存在", duplicate.GetProperty("title").GetString());

        var mismatched = await (await admin.PostAsJsonAsync("/odata/Villages", new { code = "410271002090", name = "错配村", townshipId = 1 }))
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(mismatched.GetProperty("errors").TryGetProperty("townshipId", out _));
    }

    [Fact]
    public async Task Unreadable_body_gets_a_clear_400()
    {
        var admin = await factory.ClientForAsync("admin");
        var response = await admin.PostAsync("/odata/Villages", new StringContent("not json", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Admin_renames_a_village_but_cannot_change_its_code()
    {
        var admin = await factory.ClientForAsync("admin");
        await (await admin.PatchAsJsonAsync("/odata/Villages(3)", new { name = "富平新社区" })).ExpectAsync(HttpStatusCode.NoContent);
        var renamed = await admin.GetJsonAsync("/odata/Villages(3)");
        Assert.Equal("富平新社区", renamed.GetProperty("name").GetString());

        var error = await (await admin.PatchAsJsonAsync("/odata/Villages(3)", new { code = "410271001099" })).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("不可修改", error.GetProperty("errors").GetProperty("code")[0].GetString());

        await (await admin.PatchAsJsonAsync("/odata/Townships(1)", new { kind = "Zhen" })).ExpectAsync(HttpStatusCode.NoContent);
        await (await admin.PatchAsJsonAsync("/odata/Districts(1)", new { name = "城乡一体化示范区" })).ExpectAsync(HttpStatusCode.NoContent);
        Assert.Equal("城乡一体化示范区", (await admin.GetJsonAsync("/odata/Districts(1)")).GetProperty("name").GetString());
    }

    public static TheoryData<string, string, object> Writes => new()
    {
        { "POST", "/odata/Townships", new { code = "410271006000", name = "某乡", kind = "Xiang" } },
        { "POST", "/odata/Villages", new { code = "410271001090", name = "某村" } },
        { "PATCH", "/odata/Villages(1)", new { name = "改名" } },
        { "PATCH", "/odata/Townships(1)", new { name = "改名" } },
        { "PATCH", "/odata/Districts(1)", new { name = "改名" } },
    };

    [Theory, MemberData(nameof(Writes))]
    public async Task Anonymous_writes_get_401(string method, string url, object body)
    {
        var response = await factory.CreateClient().SendAsync(new HttpRequestMessage(new HttpMethod(method), url) { Content = JsonContent.Create(body) });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory, MemberData(nameof(Writes))]
    public async Task Secretary_and_inspector_writes_get_403(string method, string url, object body)
    {
        foreach (var user in new[] { EnvScoreFactory.Secretary(0), "inspector" })
        {
            var client = await factory.ClientForAsync(user);
            var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), url) { Content = JsonContent.Create(body) });
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
    }

    [Fact]
    public async Task Admin_of_another_district_cannot_write_here()
    {
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<EnvScoreDbContext>();
            var other = new District { Code = "410205000000", Name = "禹王台区" };
            db.Districts.Add(other);
            await db.SaveChangesAsync();
            await scope.ServiceProvider.GetRequiredService<AccountProvisioner>()
                .CreateAsync("admin-yuwangtai", EnvScoreFactory.Password, Roles.DistrictAdmin, other.Id, null);
        }
        var foreignAdmin = await factory.ClientForAsync("admin-yuwangtai");
        Assert.Equal(HttpStatusCode.Forbidden, (await foreignAdmin.PostAsJsonAsync("/odata/Villages", new { code = "410271001091", name = "越权村" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await foreignAdmin.PatchAsJsonAsync("/odata/Townships(2)", new { name = "越权" })).StatusCode);
        // …but may create in its own district.
        await (await foreignAdmin.PostAsJsonAsync("/odata/Townships", new { code = "410205001000", name = "南郊乡", kind = "Xiang" }))
            .ExpectAsync(HttpStatusCode.Created);
    }
}
