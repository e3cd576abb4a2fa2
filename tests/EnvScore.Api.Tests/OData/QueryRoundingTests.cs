using EnvScore.Testing;

namespace EnvScore.Api.Tests.OData;

/// <summary>
/// round() is PostgreSQL's, as docs/api.md says: half away from zero on decimals (numeric), half to even on doubles
/// (float8). Expectations by hand: 100.00 / 40 = 2.5 → 3; the double 2.5 → 2, 3.5 → 4; id 5 / 2.0 = 2.5 → 2, id 7 → 4.
/// </summary>
public class QueryRoundingTests(ODataFixture fixture) : IClassFixture<ODataFixture>
{
    private async Task<int> CountAsync(string set, string filter) =>
        (await fixture.Anonymous.GetJsonAsync($"/odata/{set}?$filter={filter}&$count=true&$top=0")).GetProperty("@odata.count").GetInt32();

    [Fact]
    public async Task A_decimal_rounds_half_away_from_zero()
    {
        var ruleSets = await CountAsync("RuleSets", "totalPoints eq 100");
        Assert.True(ruleSets >= 1, "the demo rule set has totalPoints 100.00");
        Assert.Equal(ruleSets, await CountAsync("RuleSets", "totalPoints eq 100 and round(totalPoints div 40) eq 3"));
        Assert.Equal(0, await CountAsync("RuleSets", "totalPoints eq 100 and round(totalPoints div 40) eq 2"));
    }

    [Fact]
    public async Task A_double_rounds_half_to_even()
    {
        var villages = await CountAsync("Villages", "id ge 1");
        Assert.Equal(villages, await CountAsync("Villages", "round(2.5) eq 2"));
        Assert.Equal(villages, await CountAsync("Villages", "round(3.5) eq 4"));
        var ids = (await ODataFixture.AllRowsAsync(fixture.Anonymous, "/odata/Villages?$filter=id ge 5 and id le 7 and round(id div 2.0) eq 3"))
            .Select(v => v.GetProperty("id").GetInt32()).ToList();
        Assert.Equal([6], ids); // 5/2.0 = 2.5 → 2, 6/2.0 = 3, 7/2.0 = 3.5 → 4
    }
}
