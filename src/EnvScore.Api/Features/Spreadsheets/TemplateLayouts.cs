using EnvScore.Api.Features.Evaluations;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;
using EnvScore.Spreadsheets.Templates;
using SheetItemKind = EnvScore.Spreadsheets.Templates.ItemKind;

namespace EnvScore.Api.Features.Spreadsheets;

/// <summary>Adapts a rule set to the spreadsheet library's descriptors, and sheet values both ways.</summary>
public static class TemplateLayouts
{
    public const string BonusSectionTitle = "加分项";

    public static TemplateLayout From(RuleSet rules, EvaluationMonth month) => new()
    {
        RuleSetCode = rules.Code,
        RuleSetVersion = rules.Version,
        Month = month,
        Title = rules.Title,
        Sections =
        [
            .. rules.Sections.SelectMany(s => Leaves(s, "")),
            .. rules.Bonus.Items.Count == 0 ? [] : new[] { new TemplateSection(BonusSectionTitle, [.. rules.Bonus.Items.Select(b => Bonus(b, rules.Bonus))]) },
        ],
        Vetoes = [.. rules.Vetoes.Select(v => new NamedOption(v.Code, v.Title))],
        RefusedColumns = RefusedColumns(rules),
    };

    /// <summary>
    /// What the template leaves out because nobody enters it — 每处逾期未整改问题 (item or clause), counted from the
    /// rectification ledger — by code-row token and by header title, so that a column added by hand is refused, not ignored.
    /// </summary>
    private static Dictionary<string, string> RefusedColumns(RuleSet rules)
    {
        const string Why = "是逾期未整改问题数，由整改台账自动计算，不能在表中填写";
        var refused = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in rules.Items)
            foreach (var clause in item.AsClauses.Where(c => !InputBounds.IsEntered(c)))
            {
                var (token, title) = item is ClauseItem ? ($"{item.Code}.{clause.Code}", $"{item.Title}·{clause.Text}") : (item.Code, item.Title);
                refused.TryAdd(token, Why);
                refused.TryAdd(title, Why);
            }
        return refused;
    }

    /// <summary>
    /// Categories inside categories: each section that holds items becomes one header group titled by its path
    /// (类别·指标), so the template keeps every level's name while its columns stay one row of headers.
    /// </summary>
    private static IEnumerable<TemplateSection> Leaves(Section section, string path)
    {
        var title = path.Length == 0 ? section.Title : $"{path}·{section.Title}";
        if (section.Items.Count > 0 && section.Items.SelectMany(Columns).ToList() is { Count: > 0 } columns) yield return new TemplateSection(title, columns);
        foreach (var child in section.Sections)
            foreach (var leaf in Leaves(child, title)) yield return leaf;
    }

    /// <summary>An item's input columns; none for what nobody enters (每处逾期未整改问题: the ledger counts it, <see cref="InputBounds.IsEntered(ScoringItem)"/>).</summary>
    private static IEnumerable<TemplateItem> Columns(ScoringItem item) =>
        !InputBounds.IsEntered(item) ? [] : item is ClauseItem ci ? ClauseColumns(ci) : [Item(item)];

    /// <summary>
    /// The input columns of an item with clauses (细则): one per clause input — a fraction rate has two (numerator and
    /// denominator). The first column carries the item's points, zero-if conditions and rule text; every column may say
    /// 不适用 when the item may (then all of them must, <see cref="Entries"/>).
    /// </summary>
    private static IEnumerable<TemplateItem> ClauseColumns(ClauseItem item)
    {
        var first = true;
        foreach (var clause in item.Clauses)
            foreach (var input in Inputs(item, clause))
            {
                var rule = $"{clause.Text}：{ClauseWording.Rule(clause)}";
                yield return input.Column with
                {
                    Code = input.Token,
                    Title = input.Title,
                    MaxPoints = first ? item.Points : 0,
                    RuleText = first
                        ? $"{item.Criteria ?? item.Title}（本项{Domain.Scoring.Points.Format(item.Points)}分，各条细则共用，{(item.Scoring == ItemScoring.Add ? "最高不超过本项分值" : "扣完为止")}）｜{rule}"
                        : rule,
                    MayBeNotApplicable = item.MayBeNotApplicable,
                    ZeroConditions = first ? [.. item.ZeroIf.Select(z => new NamedOption(z.Code, z.Text))] : [],
                };
                first = false;
            }
    }

    /// <summary>One spreadsheet column of a clause: its token in the code row, header title and cell kind.</summary>
    private sealed record ClauseColumn(string Token, string Title, TemplateItem Column, Clause Clause, char Part);

    private static IEnumerable<ClauseColumn> Inputs(ClauseItem item, Clause clause)
    {
        var token = $"{item.Code}.{clause.Code}";
        var title = $"{item.Title}·{clause.Text}";
        TemplateItem Of(SheetItemKind kind) => new() { Code = token, Title = title, Kind = kind };
        switch (clause)
        {
            case OverdueProblemsClause:
                yield break; // counted from the rectification ledger, never a cell
            case PerOccurrenceClause p:
                yield return new(token, title, Of(SheetItemKind.PerOccurrence) with { Unit = p.Unit, BlankMeansZero = true }, clause, ' ');
                break;
            case AddPerUnitClause u:
                yield return new(token, title, Of(SheetItemKind.PerOccurrence) with { Unit = u.Unit, BlankMeansZero = true, HowToText = $"填建成的{u.Unit}数（不小于0的整数）" }, clause, ' ');
                break;
            case SampledClause s:
                yield return new(token, title, Of(SheetItemKind.Sampled) with { Unit = s.Unit, SampleSize = s.Samples, BlankMeansZero = true, Bounds = new(0, s.Samples) }, clause, ' ');
                break;
            case LevelsClause l:
                yield return new(token, title, Of(SheetItemKind.Levels) with { Levels = [.. l.Levels.Select(v => new NamedOption(v.Code, v.Name))] }, clause, ' ');
                break;
            case PassFailClause:
                yield return new(token, title, Of(SheetItemKind.PassFail), clause, ' ');
                break;
            case DeductIfClause or AddIfClause:
                yield return new(token, title, Of(SheetItemKind.YesNo) with { BlankMeansZero = true }, clause, ' ');
                break;
            case RateClause { Input: RateInput.Fraction } r:
                yield return new(token + ".n", $"{title}·{r.NumeratorLabel}", Of(SheetItemKind.Number) with { Unit = r.NumeratorLabel }, clause, 'n');
                yield return new(token + ".d", $"{title}·{r.DenominatorLabel}", Of(SheetItemKind.Number) with { Unit = r.DenominatorLabel }, clause, 'd');
                break;
            case RateClause:
                yield return new(token, title, Of(SheetItemKind.Percent), clause, ' ');
                break;
            default:
                throw new NotSupportedException($"clause kind {clause.Kind} has no spreadsheet column");
        }
    }

    private static TemplateItem Item(ScoringItem item)
    {
        var common = new TemplateItem
        {
            Code = item.Code, Title = item.Title, Kind = SheetItemKind.PassFail, MaxPoints = item.Points, RuleText = item.Criteria ?? "",
            MayBeNotApplicable = item.MayBeNotApplicable, ZeroConditions = [.. item.ZeroIf.Select(z => new NamedOption(z.Code, z.Text))],
        };
        return item switch
        {
            PerOccurrenceItem p => common with { Kind = SheetItemKind.PerOccurrence, Unit = p.Unit, BlankMeansZero = true, Bounds = InputBounds.Of(p)!.Value },
            SampledItem s => common with { Kind = SheetItemKind.Sampled, Unit = s.Unit, SampleSize = s.Samples, BlankMeansZero = true, Bounds = InputBounds.Of(s)!.Value },
            LevelsItem l => common with { Kind = SheetItemKind.Levels, Levels = [.. l.Levels.Select(v => new NamedOption(v.Code, v.Name))] },
            _ => common,
        };
    }

    private static TemplateItem Bonus(BonusItem bonus, BonusPolicy policy) => new()
    {
        Code = bonus.Code, Title = bonus.Title, Kind = SheetItemKind.Bonus, MaxPoints = bonus.Cap ?? policy.TotalCap,
        RuleText = bonus.Criteria ?? "", BlankMeansZero = true,
        Bounds = InputBounds.Of(bonus), // the engine caps the points, not the count (issue #13)
    };

    /// <summary>What the spreadsheet holds for a stored sheet (the prefill): item code, or clause token, → value.</summary>
    public static VillageValues Values(RuleSet rules, Evaluation sheet)
    {
        var items = new Dictionary<string, ItemValue>(StringComparer.Ordinal);
        foreach (var e in sheet.Entries)
        {
            var scored = rules.Items.FirstOrDefault(i => i.Code == e.ItemCode);
            // An item nobody enters (每处逾期未整改问题, the ledger's count) has no column: an entry the API stored for it
            // (empty: any value is refused) is not the spreadsheet's to show.
            if (scored is not null && !InputBounds.IsEntered(scored)) continue;
            if (scored is not ClauseItem ci)
            {
                items[e.ItemCode] = new ItemValue
                {
                    NotApplicable = e.NotApplicable, Count = e.Count, LevelCode = e.Level, FailedSamples = e.FailedSamples, Passed = e.Passed,
                    ZeroConditionCode = e.ZeroConditions.FirstOrDefault(),
                };
                continue;
            }
            var first = true;
            foreach (var clause in ci.Clauses)
                foreach (var input in Inputs(ci, clause))
                {
                    var v = e.Clauses?.FirstOrDefault(c => c.Code == clause.Code);
                    var value = e.NotApplicable ? ItemValue.NotApplicableValue() : v is null ? null : input.Column.Kind switch
                    {
                        SheetItemKind.PerOccurrence when v.Count is { } n => ItemValue.Occurrences(n),
                        SheetItemKind.Sampled when v.Count is { } n => ItemValue.Failed(n),
                        SheetItemKind.Levels when v.Level is { } l => ItemValue.Level(l),
                        SheetItemKind.PassFail when v.Yes is { } y => ItemValue.Pass(y),
                        SheetItemKind.YesNo when v.Yes is { } y => ItemValue.Occurred(y),
                        SheetItemKind.Percent when v.Percent is { } pc => ItemValue.Quantity(pc),
                        SheetItemKind.Number when (input.Part == 'n' ? v.Numerator : v.Denominator) is { } q => ItemValue.Quantity(q),
                        _ => null,
                    };
                    if (value is not null) items[input.Token] = first ? value.WithZeroCondition(e.ZeroConditions.FirstOrDefault()) : value;
                    first = false;
                }
        }
        return new VillageValues { Items = items, VetoCode = sheet.Vetoes.FirstOrDefault(), Note = sheet.Note };
    }

    /// <summary>
    /// What a spreadsheet row becomes: the entries of a sheet, and the conflicts between an item's clause columns that
    /// no single cell shows (token of the cell to point at → Chinese message): some 不适用 and some answered.
    /// </summary>
    public static (List<EvaluationEntry> Entries, List<(string Token, string Message)> Conflicts) Entries(RuleSet rules, VillageValues values)
    {
        var entries = new List<EvaluationEntry>();
        var conflicts = new List<(string, string)>();
        foreach (var item in rules.Items)
        {
            if (item is not ClauseItem ci)
            {
                if (values.Items.TryGetValue(item.Code, out var v))
                    entries.Add(new EvaluationEntry
                    {
                        ItemCode = item.Code, NotApplicable = v.NotApplicable, Count = v.Count, Level = v.LevelCode,
                        FailedSamples = v.FailedSamples, Passed = v.Passed, ZeroConditions = v.ZeroConditionCode is { } z ? [z] : [],
                    });
                continue;
            }
            var inputs = ci.Clauses.SelectMany(c => Inputs(ci, c)).Where(i => values.Items.ContainsKey(i.Token)).ToList();
            if (inputs.Count == 0) continue;
            var na = inputs.Where(i => values.Items[i.Token].NotApplicable).ToList();
            if (na.Count > 0)
            {
                if (na.Count < inputs.Count)
                    conflicts.Add((inputs.First(i => !values.Items[i.Token].NotApplicable).Token,
                        $"\"{ci.Title}\"的部分细则填了\"不适用\"：整项不适用时每条细则都填\"不适用\"，否则都按实际情况填写"));
                else entries.Add(new EvaluationEntry { ItemCode = ci.Code, NotApplicable = true });
                continue;
            }
            var clauses = new List<ClauseValue>();
            foreach (var group in inputs.GroupBy(i => i.Clause))
            {
                var cv = new ClauseValue { Code = group.Key.Code };
                foreach (var input in group)
                {
                    var v = values.Items[input.Token];
                    switch (input.Column.Kind)
                    {
                        case SheetItemKind.PerOccurrence: cv.Count = v.Count; break;
                        case SheetItemKind.Sampled: cv.Count = v.FailedSamples; break;
                        case SheetItemKind.Levels: cv.Level = v.LevelCode; break;
                        case SheetItemKind.PassFail: cv.Yes = v.Passed; break;
                        case SheetItemKind.YesNo: cv.Yes = v.Yes; break;
                        case SheetItemKind.Percent: cv.Percent = v.Amount; break;
                        case SheetItemKind.Number when input.Part == 'n': cv.Numerator = v.Amount; break;
                        case SheetItemKind.Number: cv.Denominator = v.Amount; break;
                    }
                }
                clauses.Add(cv);
            }
            var zero = values.Items[inputs[0].Token].ZeroConditionCode;
            entries.Add(new EvaluationEntry { ItemCode = ci.Code, Clauses = clauses, ZeroConditions = zero is { } zc ? [zc] : [] });
        }
        foreach (var bonus in rules.Bonus.Items)
            if (values.Items.TryGetValue(bonus.Code, out var b))
                entries.Add(new EvaluationEntry { ItemCode = bonus.Code, Count = b.Count });
        return (entries, conflicts);
    }

    /// <summary>
    /// The cell token an engine problem points at: the clause's column for a field "Clauses.{code}" (a fraction: its
    /// numerator), else the item's column (a clause item's first column).
    /// </summary>
    public static string? Token(RuleSet rules, string? itemCode, string? field)
    {
        if (itemCode is null) return null;
        if (rules.Items.FirstOrDefault(i => i.Code == itemCode) is not ClauseItem ci) return itemCode;
        var clauseCode = field is not null && field.StartsWith("Clauses.", StringComparison.Ordinal) ? field["Clauses.".Length..] : null;
        var clause = ci.Clauses.FirstOrDefault(c => c.Code == clauseCode) ?? ci.Clauses[0];
        return Inputs(ci, clause).First().Token;
    }
}
