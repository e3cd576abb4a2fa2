using System.Globalization;
using EnvScore.Api.Features.Publication;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;

namespace EnvScore.Api.Features.Notices;

/// <summary>What <see cref="NoticeComposer.Compose"/> needs: rows shaped as published rows, and what they are compared with.</summary>
public sealed record NoticeInput
{
    public required EvaluationMonth Month { get; init; }
    public required string District { get; init; }
    public int? Revision { get; init; }
    public required DateOnly Date { get; init; }
    public required NoticeTemplate Template { get; init; }
    public required RuleSet Rules { get; init; }
    public required IReadOnlyList<PublishedVillageResult> Villages { get; init; }
    public required IReadOnlyList<PublishedTownshipResult> Townships { get; init; }
    /// <summary>The previous month's published rows (latest revision), or null when it has none.</summary>
    public IReadOnlyList<PublishedVillageResult>? PreviousMonth { get; init; }
    /// <summary>For a correction: the revision replaced, its rows, the reason and the corrected sheets ("村名：原因").</summary>
    public (int Number, IReadOnlyList<PublishedVillageResult> Rows, string Reason, IReadOnlyList<string> Sheets)? Replaces { get; init; }
}

/// <summary>
/// Turns published rows into a <see cref="Notice"/>: the summary prose (tier counts, mean, best and worst township,
/// the most frequent problems, the change from the previous month), the tables, the lists with reasons, problems by
/// item and the consequences. Pure: no database, no clock. Deductions come from each row's structured findings
/// (<see cref="BulletinFactory.Lines"/>), never from explanation text.
/// </summary>
public static class NoticeComposer
{
    /// <summary>How many problem items the summary names.</summary>
    public const int SummaryProblems = 3;

    public static string TitleFor(EvaluationMonth month) => $"关于{month.ToChinese()}份农村人居环境集中整治月评比结果的通报";

    public static string Number(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    public static Notice Compose(NoticeInput input)
    {
        var monthText = input.Month.ToChinese();
        string Fill(string text) => NoticeTemplate.Fill(text, monthText, input.District);
        var ranked = input.Villages.OrderBy(v => v.DistrictRank).ToList();
        var rows = ranked.ToDictionary(v => v.VillageId, Row);
        var townships = input.Townships.OrderBy(t => t.Rank).Select(t => new NoticeTownshipRow(t.Rank, t.TownshipName, t.MeanFinalScore, t.VillageCount,
            t.DemonstrationCount, t.UpgradeCount, t.RectifyCount,
            ranked.Where(v => v.TownshipId == t.TownshipId).OrderBy(v => v.TownshipRank).Select(v => rows[v.VillageId]).ToList())).ToList();
        var lines = ranked.ToDictionary(v => v.VillageId, v => BulletinFactory.Lines(v));
        var problems = ranked.SelectMany(v => lines[v.VillageId].Where(l => l.Points < 0).Select(l => (Village: v, Line: l)))
            .GroupBy(x => x.Line.ItemCode)
            .Select(g => new NoticeProblem(g.First().Line.SectionTitle, g.Key, g.First().Line.ItemTitle, g.Select(x => x.Village.VillageId).Distinct().Count(),
                g.Sum(x => -x.Line.Points), g.Select(x => $"{x.Village.TownshipName}{x.Village.VillageName}").Distinct().ToList(), []))
            .OrderByDescending(p => p.VillageCount).ThenByDescending(p => p.PointsLost).ThenBy(p => p.ItemCode, StringComparer.Ordinal).ToList();

        string MainProblems(PublishedVillageResult v) => string.Join("、", lines[v.VillageId].Where(l => l.Points < 0)
            .OrderBy(l => l.Points).Take(3).Select(l => l.ItemTitle));
        var red = ranked.Where(v => v.OnRedList).Select(v => new NoticeListEntry(v.VillageName, v.TownshipName, v.FinalScore,
            $"得分{Number(v.FinalScore)}分，区级排名第{v.DistrictRank}名，示范类")).ToList();
        var black = ranked.Where(v => v.OnBlackList).OrderByDescending(v => v.DistrictRank).Select(v => new NoticeListEntry(v.VillageName, v.TownshipName,
            v.FinalScore, BulletinFactory.ListReason(v) + (MainProblems(v) is { Length: > 0 } p ? $"；主要问题：{p}" : ""))).ToList();

        var policy = input.Rules.Consequences;
        var consequences = new NoticeConsequences(
            policy.InterviewAfterRectifyMonths is { } im ? $"按评分细则，连续{im}个月被评为整治类的村（社区），由区里约谈其所在乡（镇、农场、街道）和村（社区）负责同志。" : null,
            ranked.Where(v => v.InterviewFlag).Select(v => new NoticeListEntry(v.VillageName, v.TownshipName, v.FinalScore,
                $"连续{v.ConsecutiveMonthsInTier}个月为整治类")).ToList(),
            policy.RewardAfterDemonstrationMonths is { } rm ? $"按评分细则，连续{rm}个月被评为示范类的村（社区）给予奖励。" : null,
            ranked.Where(v => v.RewardFlag).Select(v => new NoticeListEntry(v.VillageName, v.TownshipName, v.FinalScore,
                $"连续{v.ConsecutiveMonthsInTier}个月为示范类")).ToList());

        NoticeCorrection? correction = null;
        if (input.Replaces is { } replaced)
        {
            var before = replaced.Rows.ToDictionary(v => v.VillageId);
            var changes = ranked.Where(v => before.TryGetValue(v.VillageId, out var b) && (b.FinalScore != v.FinalScore || b.Tier != v.Tier))
                .Select(v => (Now: v, Then: before[v.VillageId]))
                .Select(x => new NoticeChange(x.Now.VillageName, x.Now.TownshipName, x.Then.FinalScore, x.Now.FinalScore, x.Then.Tier, x.Now.Tier,
                    x.Then.DistrictRank, x.Now.DistrictRank)).ToList();
            correction = new NoticeCorrection(replaced.Number, replaced.Reason, replaced.Sheets, changes);
        }

        return new Notice
        {
            Title = TitleFor(input.Month), Month = input.Month, District = input.District, Revision = input.Revision, Date = input.Date,
            Addressees = Fill(input.Template.Addressees), Opening = Fill(input.Template.Opening), Closing = Fill(input.Template.Closing),
            Signature = Fill(input.Template.Signature), TemplateVersion = input.Template.Version, Correction = correction,
            Summary = Summary(input, ranked, input.Townships.OrderBy(t => t.Rank).ToList(), problems),
            DistrictRanking = ranked.Select(v => rows[v.VillageId]).ToList(), TownshipRanking = townships,
            RedList = red, BlackList = black, Problems = problems, Consequences = consequences,
        };
    }

    private static NoticeVillageRow Row(PublishedVillageResult v) => new(v.DistrictRank, v.TownshipRank, v.Movement, v.VillageCode, v.VillageName,
        v.TownshipName, v.FinalScore, v.Tier, BulletinFactory.Flags(v));

    private static IReadOnlyList<string> Summary(NoticeInput input, List<PublishedVillageResult> ranked, List<PublishedTownshipResult> townships,
        List<NoticeProblem> problems)
    {
        var paragraphs = new List<string>();
        int Count(IEnumerable<PublishedVillageResult> rows, Tier tier) => rows.Count(v => v.Tier == tier);
        var mean = ranked.Count == 0 ? 0 : Math.Round(ranked.Average(v => v.FinalScore), 2, MidpointRounding.AwayFromZero);
        var missing = ranked.Count(v => v.MissingSheet);
        paragraphs.Add($"{input.Month.ToChinese()}份，全区共评比{ranked.Count}个村（社区），平均得分{Number(mean)}分。其中示范类{Count(ranked, Tier.Demonstration)}个、"
            + $"提升类{Count(ranked, Tier.Upgrade)}个、整治类{Count(ranked, Tier.Rectify)}个"
            + (missing > 0 ? $"；{missing}个村（社区）未按时提交自评表，按整治类处理。" : "。")
            + $"{ranked.Count(v => v.OnRedList)}个村（社区）列入红榜，{ranked.Count(v => v.OnBlackList)}个村（社区）列入黑榜。");

        if (townships.Count >= 2)
        {
            var best = townships[0];
            var worst = townships[^1];
            paragraphs.Add($"从乡镇（农场、街道）看，{best.TownshipName}平均得分{Number(best.MeanFinalScore)}分，示范类{best.DemonstrationCount}个，位列第一；"
                + $"{worst.TownshipName}平均得分{Number(worst.MeanFinalScore)}分，整治类{worst.RectifyCount}个，位列末位。");
        }

        paragraphs.Add(problems.Count == 0
            ? "本月各村（社区）均无扣分项。"
            : "从扣分情况看，问题主要集中在" + string.Join("、", problems.Take(SummaryProblems)
                .Select(p => $"{p.ItemTitle}（{p.VillageCount}个村，共扣{Number(p.PointsLost)}分）")) + "。");

        if (input.PreviousMonth is { Count: > 0 } previous)
        {
            var prevMean = Math.Round(previous.Average(v => v.FinalScore), 2, MidpointRounding.AwayFromZero);
            string Change(string name, int now, int then) => now == then ? $"{name}{now}个，与上月持平"
                : now > then ? $"{name}{now}个，比上月增加{now - then}个" : $"{name}{now}个，比上月减少{then - now}个";
            var before = previous.ToDictionary(v => v.VillageId, v => v.Tier);
            var up = ranked.Count(v => before.TryGetValue(v.VillageId, out var t) && v.Tier < t);
            var down = ranked.Count(v => before.TryGetValue(v.VillageId, out var t) && v.Tier > t);
            var delta = mean - prevMean;
            paragraphs.Add($"与{input.Month.Previous().ToChinese()}份相比，{Change("示范类", Count(ranked, Tier.Demonstration), Count(previous, Tier.Demonstration))}；"
                + $"{Change("整治类", Count(ranked, Tier.Rectify), Count(previous, Tier.Rectify))}；全区平均得分"
                + (delta == 0 ? "与上月持平" : delta > 0 ? $"上升{Number(delta)}分" : $"下降{Number(-delta)}分")
                + $"；{up}个村（社区）类别上升，{down}个村（社区）类别下降。");
        }
        else
            paragraphs.Add($"{input.Month.Previous().ToChinese()}份无已发布的评比结果，本月不作环比。");
        return paragraphs;
    }
}
