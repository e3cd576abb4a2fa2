using EnvScore.Api.Features.Demo;
using EnvScore.Domain.Organisation;

namespace EnvScore.Api.Tests.Demo;

/// <summary>
/// The soak benchmark's generated townships (<c>Demo:ExtraTownships</c>, <c>./envscore soak</c> sets 17): valid, unique
/// division codes under the demo district after its three townships, and none unless asked (the demo as shown).
/// </summary>
public class DemoExtraTownshipsTests
{
    [Fact]
    public void Seventeen_extra_townships_of_ten_villages_make_twenty_townships_with_valid_unique_codes()
    {
        var extra = DemoDistrict.Extra(17, 10).ToList();
        var all = DemoDistrict.Townships.Concat(extra).ToList();
        Assert.Equal(20, all.Count);
        Assert.Equal(all.Count, all.Select(t => t.Code).Distinct().Count());
        var district = DivisionCode.Parse(DemoDistrict.Code);
        Assert.All(all, t => Assert.True(DivisionCode.Parse(t.Code).IsDirectChildOf(district), t.Code));
        // Written out by hand: the first generated township follows 410271003000, the last is the 20th.
        Assert.Equal(("410271004000", "模拟乡01"), (extra[0].Code, extra[0].Name));
        Assert.Equal(("410271020000", "模拟乡17"), (extra[^1].Code, extra[^1].Name));
        Assert.All(extra, t => Assert.Equal(10, t.Villages.Length));
        var villages = extra.SelectMany(t => t.Villages.Select((_, i) => (Township: t.Code, Code: DemoDistrict.VillageCode(t, i)))).ToList();
        Assert.Equal(170, villages.Select(v => v.Code).Distinct().Count());
        Assert.All(villages, v => Assert.True(DivisionCode.Parse(v.Code).IsDirectChildOf(DivisionCode.Parse(v.Township)), v.Code));
        Assert.Equal("410271004010", DemoDistrict.VillageCode(extra[0], 9));
    }

    [Fact]
    public void By_default_the_demo_has_only_its_three_townships()
    {
        Assert.Equal(0, new DemoOptions().ExtraTownships);
        Assert.Empty(DemoDistrict.Extra(0, 10));
    }
}
