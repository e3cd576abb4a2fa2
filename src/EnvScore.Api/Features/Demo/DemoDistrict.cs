using EnvScore.Domain.Organisation;

namespace EnvScore.Api.Features.Demo;

/// <summary>
/// The demo district from the seed report: 示范区 with its 3 agriculture-related townships and 55
/// communities (names in the report plus plausible ones). Codes look like real 统计用区划代码.
/// </summary>
public static class DemoDistrict
{
    public const string Code = "410271000000";
    public const string Name = "示范区";

    public sealed record DemoTownship(string Code, string Name, TownshipKind Kind, string[] Villages);

    public static readonly DemoTownship[] Townships =
    [
        new("410271001000", "水稻乡", TownshipKind.Xiang,
        [
            "双河铺社区", "花西社区", "富平社区", "南北堤村", "班村", "孙庄村", "马庄社区", "黑墩社区", "贾寨社区",
            "西北村", "东北村", "柳园口社区", "大王社区", "毛庄社区", "常庄社区", "刘庄社区", "陈庄社区", "吴寨社区", "花东社区",
        ]),
        new("410271002000", "杏花营农场", TownshipKind.Farm,
        [
            "张湾社区", "贺砦社区", "枣林社区", "杏花营社区", "农场一队社区", "农场二队社区", "农场三队社区", "吕庄社区",
            "宋庄社区", "牛庄社区", "朱庄社区", "赵庄社区", "堤东社区", "苗圃社区", "王堂社区", "耿庄社区", "韩庄社区", "晋开社区",
        ]),
        new("410271003000", "杏花营镇", TownshipKind.Zhen,
        [
            "杨桥社区", "桥北社区", "张庄社区", "后张社区", "任庄社区", "葛庄社区", "李庄社区", "高庄社区", "前于社区",
            "后于社区", "八里湾社区", "大李庄村", "小李庄村", "姜庄社区", "郭庄社区", "曹门社区", "孟庄社区", "白庄社区",
        ]),
    ];

    /// <summary>
    /// <paramref name="count"/> generated townships after the demo's three, for the soak benchmark (<c>./envscore soak</c>:
    /// 17, so 20 townships): codes 410271004000, 410271005000 … (乡 kind), names 模拟乡01 …, each with
    /// <paramref name="villages"/> villages 模拟乡01第1村 …. Never part of the demo as <c>./envscore run</c> shows it
    /// (<see cref="DemoOptions.ExtraTownships"/> is 0 by default).
    /// </summary>
    public static IEnumerable<DemoTownship> Extra(int count, int villages) =>
        Enumerable.Range(1, Math.Clamp(count, 0, 990)).Select(n =>
        {
            var name = $"模拟乡{n:D2}";
            return new DemoTownship(string.Concat(Code.AsSpan(0, 6), (Townships.Length + n).ToString("D3", System.Globalization.CultureInfo.InvariantCulture), "000"),
                name, TownshipKind.Xiang, [.. Enumerable.Range(1, Math.Clamp(villages, 1, 999)).Select(i => $"{name}第{i}村")]);
        });

    public static string VillageCode(DemoTownship township, int index) =>
        string.Concat(township.Code.AsSpan(0, 9), (index + 1).ToString("D3", System.Globalization.CultureInfo.InvariantCulture));

    public static string SecretaryUserName(string townshipCode) => $"secretary-{townshipCode}";
}
