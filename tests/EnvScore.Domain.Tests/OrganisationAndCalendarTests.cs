using EnvScore.Domain.Calendar;
using EnvScore.Domain.Organisation;

namespace EnvScore.Domain.Tests;

public class OrganisationAndCalendarTests
{
    [Fact]
    public void Division_code_levels_and_parents()
    {
        var village = DivisionCode.Parse("410201001002");
        Assert.Equal(DivisionLevel.Village, village.Level);
        Assert.Equal("410201001000", village.TownshipCode!.Value.Value);
        Assert.Equal("410201000000", village.DistrictCode.Value);
        Assert.True(village.IsDirectChildOf(village.TownshipCode.Value));
        Assert.False(village.IsDirectChildOf(village.DistrictCode));
        Assert.Null(DivisionCode.Parse("410201000000").TownshipCode);
    }

    [Theory]
    [InlineData("41020100100")]
    [InlineData("000000001001")]
    [InlineData("410201000001")]
    [InlineData("4102010010a1")]
    public void Division_code_rejects_malformed(string text)
    {
        Assert.False(DivisionCode.TryParse(text, out _, out var error));
        Assert.Contains("区划代码", error);
    }

    [Theory]
    [InlineData("2026-01", 2026, 1)]
    [InlineData("2026-1", 2026, 1)]
    [InlineData("202611", 2026, 11)]
    [InlineData("2026年11月", 2026, 11)]
    public void Month_parses(string text, int year, int month) => Assert.Equal(new EvaluationMonth(year, month), EvaluationMonth.Parse(text));

    [Fact]
    public void Month_arithmetic()
    {
        var m = new EvaluationMonth(2026, 12);
        Assert.Equal(new EvaluationMonth(2027, 1), m.Next());
        Assert.Equal(new EvaluationMonth(2025, 12), new EvaluationMonth(2026, 1).Previous());
        Assert.Equal(new EvaluationMonth(2025, 11), m.AddMonths(-13));
        Assert.Equal(202612, m.Key);
        Assert.Equal("2026年12月", m.ToChinese());
        Assert.False(EvaluationMonth.TryParse("2026-13", out _));
    }
}
