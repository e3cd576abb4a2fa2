using System.Globalization;
using EnvScore.Domain.Rules;

namespace EnvScore.Api.Features.RuleSets;

/// <summary>Derives the queryable rows of a stored rule set from the parsed sheet.</summary>
public static class RuleSetRows
{
    public static void Fill(RuleSetRecord record, RuleSet rules)
    {
        record.Code = rules.Code;
        record.Version = rules.Version;
        record.Title = rules.Title;
        record.TotalPoints = rules.TotalPoints;
        record.EffectiveFromMonth = rules.EffectiveFrom.Key;
        record.Sections = [.. rules.AllSections.Select((x, i) => new RuleSetSectionRow
            { Ordinal = i + 1, Code = x.Section.Code, Title = x.Section.Title, MaxPoints = x.Section.MaxPoints, ParentCode = x.Parent, Depth = x.Depth })];
        var ordinal = 0;
        record.Items =
        [
            .. rules.AllSections.SelectMany(x => x.Section.Items.Select(item => ItemRow(item, x.Section.Code, ++ordinal))),
            .. rules.Bonus.Items.Select(b => new RuleSetItemRow
            {
                Ordinal = ++ordinal, Code = b.Code, Title = b.Title, Kind = "Bonus", Points = b.Cap ?? rules.Bonus.TotalCap,
                PointsEach = b.PointsEach, Criteria = b.Criteria,
            }),
        ];
        record.Vetoes = [.. rules.Vetoes.Select(v => new RuleSetVetoRow { Code = v.Code, Title = v.Title })];
    }

    private static RuleSetItemRow ItemRow(ScoringItem item, string section, int ordinal)
    {
        var row = new RuleSetItemRow
        {
            Ordinal = ordinal, SectionCode = section, Code = item.Code, Title = item.Title, Kind = item.Kind.ToString(),
            Points = item.Points, MayBeNotApplicable = item.MayBeNotApplicable, Criteria = item.Criteria,
            ZeroIf = item.ZeroIf.Count == 0 ? null : string.Join("; ", item.ZeroIf.Select(z => $"{z.Code}:{z.Text}")),
            Scoring = item.Scoring.ToString(),
            Clauses = item is ClauseItem c ? string.Join("; ", c.Clauses.Select(x => $"{x.Code}:{char.ToLowerInvariant(x.Kind.ToString()[0])}{x.Kind.ToString()[1..]}:{x.Text}")) : null,
        };
        switch (item)
        {
            case PerOccurrenceItem p:
                row.Unit = p.Unit; row.PointsEach = p.DeductionEach; row.MaxDeduction = p.MaxDeduction;
                break;
            case SampledItem s:
                row.Unit = s.Unit; row.PointsEach = s.DeductionEach; row.Samples = s.Samples;
                break;
            case LevelsItem l:
                row.Levels = string.Join("; ", l.Levels.Select(v => $"{v.Code}:{v.Name}:{v.Deduction.ToString(CultureInfo.InvariantCulture)}"));
                break;
            case PassFailItem f:
                row.PointsEach = f.FailDeduction;
                break;
            case OverdueProblemsItem o:
                row.PointsEach = o.DeductionEach; row.MaxDeduction = o.MaxDeduction;
                break;
        }
        return row;
    }
}
