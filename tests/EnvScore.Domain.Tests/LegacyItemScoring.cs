using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;

namespace EnvScore.Domain.Tests;

/// <summary>
/// The item scoring of the model before clauses (the four single-input kinds), frozen here verbatim from the engine as
/// it was (git history: src/EnvScore.Domain/Scoring/ScoringEngine.cs before "the general item model"). The backward
/// compatibility tests compare the general model against it; nothing in production calls it.
/// </summary>
internal static class LegacyItemScoring
{
    public static ItemResult ScoreItem(ScoringItem item, string section, ItemEntry? e)
    {
        var p = item.Points;
        string Tail(decimal deduction) => deduction == 0 ? $"不扣分（得{Points.Format(p)}/{Points.Format(p)}分）"
            : $"扣{Points.Format(deduction)}分（得{Points.Format(p - deduction)}/{Points.Format(p)}分）";
        ItemResult Result(decimal deduction, string text, IReadOnlyList<NamedCondition>? zeroedBy = null) =>
            new(item.Code, item.Title, section, item.Kind, p, deduction, p - deduction, false, zeroedBy ?? [], $"{item.Title}：{text}");

        if (e is { NotApplicable: true })
            return new(item.Code, item.Title, section, item.Kind, p, 0, 0, true, [], $"{item.Title}：不适用，不计分（本项{Points.Format(p)}分不计入满分）");
        var zeroedBy = item.ZeroIf.Where(c => e?.ZeroConditions?.Contains(c.Code) == true).ToArray();
        if (zeroedBy.Length > 0)
            return Result(p, $"{string.Join("；", zeroedBy.Select(c => c.Text))}，此项不得分（得0/{Points.Format(p)}分）", zeroedBy);
        switch (item)
        {
            case PerOccurrenceItem o:
            {
                var count = e?.Count ?? 0;
                if (count == 0) return Result(0, $"未发现问题，{Tail(0)}");
                var raw = o.DeductionEach * count;
                var capped = o.MaxDeduction is { } cap && raw > cap ? cap : raw;
                var deduction = Math.Min(capped, p);
                var note = capped < raw && capped <= p ? $"本项最多扣{Points.Format(capped)}分，" : capped > p ? "扣完为止，" : "";
                return Result(deduction, $"发现{count}{o.Unit}，每{o.Unit}扣{Points.Format(o.DeductionEach)}分，{note}{Tail(deduction)}");
            }
            case SampledItem s:
            {
                var failed = e?.FailedSamples ?? 0;
                if (failed == 0) return Result(0, $"抽查{s.Samples}{s.Unit}，均合格，{Tail(0)}");
                var raw = s.DeductionEach * failed;
                var deduction = Math.Min(raw, p);
                return Result(deduction, $"抽查{s.Samples}{s.Unit}，{failed}{s.Unit}不合格，每{s.Unit}扣{Points.Format(s.DeductionEach)}分，{(raw > p ? "扣完为止，" : "")}{Tail(deduction)}");
            }
            case LevelsItem l:
            {
                var level = l.Levels.First(x => x.Code == e!.Level);
                return Result(level.Deduction, $"{level.Name}，{Tail(level.Deduction)}");
            }
            case PassFailItem f:
            {
                if (e!.Passed == true) return Result(0, $"合格，{Tail(0)}");
                var deduction = f.FailDeduction ?? p;
                return Result(deduction, $"不合格，{Tail(deduction)}");
            }
            default:
                throw new InvalidOperationException($"unknown item type {item.GetType().Name}");
        }
    }
}
