using System.Text.Json;
using EnvScore.Testing;

namespace EnvScore.Api.Tests.Organisation;

/// <summary>Own class (own database): it adds villages that would change the counts elsewhere.</summary>
public class ServerDrivenPagingTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    private readonly HttpClient _anonymous = factory.CreateClient();


    [Fact]
    public async Task Results_over_the_page_size_carry_a_next_link_that_works()
    {
        // Add enough villages to exceed one page (100), straight into the database.
        await using (var conn = new Npgsql.NpgsqlConnection(factory.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new Npgsql.NpgsqlCommand(
                "INSERT INTO villages (township_id, code, name, is_active) " +
                "SELECT 1, '410271001' || lpad(g::text, 3, '0'), '测试村' || g, true FROM generate_series(100, 160) g", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        var first = await _anonymous.GetJsonAsync("/odata/Villages?$orderby=code");
        Assert.Equal(100, first.GetProperty("value").GetArrayLength());
        var next = first.GetProperty("@odata.nextLink").GetString()!;
        var second = await _anonymous.GetJsonAsync(next);
        Assert.Equal(116, 100 + second.GetProperty("value").GetArrayLength());
        Assert.False(second.TryGetProperty("@odata.nextLink", out _));
    }

}
