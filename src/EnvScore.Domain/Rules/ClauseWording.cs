using EnvScore.Domain.Scoring;

namespace EnvScore.Domain.Rules;

/// <summary>
/// How a clause (细则) says what it does with its input, in the words county sheets use — the one wording of a clause's
/// rule for every place that shows it (the web form, the spreadsheet template's rule row, printed sheets). Points are
/// formatted by <see cref="Points.Format"/>. The explanation of a scored clause is the engine's
/// (<see cref="ScoringEngine"/>), not this.
/// </summary>
public static class ClauseWording
{
    /// <summary>
    /// The rule, e.g. 每处扣1分 · 抽查5户，每户不合格扣2分 · 不合格扣3分 · 有此情形扣2分 · 得10分 ·
    /// 首座得10分，每增加1座加5分，最多加15分 · 达到85%满分，每低1个百分点扣0.2分，最多扣5分 ·
    /// 每处逾期未整改问题扣2分，最多扣6分（由整改台账自动计算）.
    /// </summary>
    public static string Rule(Clause clause)
    {
        static string F(decimal d) => Points.Format(d);
        static string Cap(decimal? max, string verb) => max is { } m ? $"，最多{verb}{F(m)}分" : "";
        return clause switch
        {
            PerOccurrenceClause p => $"每{p.Unit}扣{F(p.DeductionEach)}分{Cap(p.MaxDeduction, "扣")}",
            SampledClause s => $"抽查{s.Samples}{s.Unit}，每{s.Unit}不合格扣{F(s.DeductionEach)}分{Cap(s.MaxDeduction, "扣")}",
            LevelsClause l => string.Join("；", l.Levels.Select(x => x.Addition > 0 ? $"{x.Name}得{F(x.Addition)}分" : $"{x.Name}扣{F(x.Deduction)}分")),
            PassFailClause pf => $"不合格扣{F(pf.FailDeduction)}分",
            DeductIfClause d => $"有此情形扣{F(d.Deduction)}分",
            AddIfClause a => $"得{F(a.Addition)}分",
            AddPerUnitClause u => $"首{u.Unit}得{F(u.First)}分，每增加1{u.Unit}加{F(u.Each)}分{Cap(u.MaxAddition, "加")}",
            OverdueProblemsClause o => $"每处逾期未整改问题扣{F(o.DeductionEach)}分{Cap(o.MaxDeduction, "扣")}（由整改台账自动计算）",
            RateClause { Direction: RateDirection.AtLeast } r => $"达到{F(r.Threshold)}%满分，每低1个百分点扣{F(r.DeductionPerPoint)}分{Cap(r.MaxDeduction, "扣")}",
            RateClause r => $"不超过{F(r.Threshold)}%满分，每高1个百分点扣{F(r.DeductionPerPoint)}分{Cap(r.MaxDeduction, "扣")}",
            _ => throw new ArgumentOutOfRangeException(nameof(clause), clause.GetType().Name, "unknown clause kind"),
        };
    }
}
