namespace EnvScore.Domain.Rules;

/// <summary>Whether an item starts from full points and deducts (扣分制) or from 0 and adds (得分制).</summary>
public enum ItemScoring
{
    /// <summary>扣分制: full points minus the deductions, floored at 0 (扣完为止).</summary>
    Deduct,
    /// <summary>得分制: the additions, capped at the item's points (最高不超过本项分值).</summary>
    Add,
}

/// <summary>The kinds of clause (细则) a real county sheet uses; YAML names in camelCase (scoring-rules/README.md).</summary>
public enum ClauseKind
{
    /// <summary>每发现一处扣X分 — input: a count ≥ 0.</summary>
    PerOccurrence,
    /// <summary>抽查N户，每户不合格扣X分 — input: failed samples 0..N.</summary>
    Sampled,
    /// <summary>分档：…扣X分 / …得Y分 — input: a level code.</summary>
    Levels,
    /// <summary>合格 / 不合格 — input: passed yes/no.</summary>
    PassFail,
    /// <summary>有（未）…扣N分: a fixed deduction on a condition — input: yes/no (did it occur).</summary>
    DeductIf,
    /// <summary>有（建成）…得N分: a fixed addition on a condition — input: yes/no.</summary>
    AddIf,
    /// <summary>建成1座得10分，每增加一座加5分 — input: a count ≥ 0.</summary>
    AddPerUnit,
    /// <summary>普及率达到85%以上得满分，每降低1个百分点扣0.2分 — input: a percentage, or numerator and denominator.</summary>
    Rate,
    /// <summary>
    /// 每处逾期未整改问题扣X分 — input: none from a user. The count is the village's problems overdue and still not
    /// rectified at the end of the month, from the rectification ledger (docs/rectification.md), given by the
    /// computation in <see cref="Scoring.SheetEntries.OverdueProblems"/>.
    /// </summary>
    OverdueProblems,
}

/// <summary>Which side of a rate's threshold loses points.</summary>
public enum RateDirection
{
    /// <summary>达到X%以上得满分: every percentage point below the threshold deducts.</summary>
    AtLeast,
    /// <summary>不超过X%得满分 (e.g. an incidence): every percentage point above the threshold deducts.</summary>
    AtMost,
}

/// <summary>How a rate clause's input is entered.</summary>
public enum RateInput
{
    /// <summary>The percentage itself, 0–100.</summary>
    Percent,
    /// <summary>A numerator and a denominator (e.g. 卫生厕所户数 / 总户数); the rate is computed and shown.</summary>
    Fraction,
}

/// <summary>
/// One clause (细则) of an item: what is checked (<see cref="Text"/>) and how its input becomes points. Codes are
/// unique within the item. Built by <see cref="RuleSetLoader"/>; scored by <see cref="Scoring.ScoringEngine"/>.
/// </summary>
public abstract record Clause
{
    public required string Code { get; init; }
    /// <summary>What the clause checks, in the sheet's words (e.g. 无垃圾池, 垃圾堆积).</summary>
    public required string Text { get; init; }
    public abstract ClauseKind Kind { get; }
}

/// <summary>每发现一处扣<see cref="DeductionEach"/>分, at most <see cref="MaxDeduction"/> when given.</summary>
public sealed record PerOccurrenceClause : Clause
{
    public required string Unit { get; init; }
    public required decimal DeductionEach { get; init; }
    public decimal? MaxDeduction { get; init; }
    public override ClauseKind Kind => ClauseKind.PerOccurrence;
}

/// <summary>抽查<see cref="Samples"/><see cref="Unit"/>，每个不合格扣<see cref="DeductionEach"/>分.</summary>
public sealed record SampledClause : Clause
{
    public required int Samples { get; init; }
    public required string Unit { get; init; }
    public required decimal DeductionEach { get; init; }
    public decimal? MaxDeduction { get; init; }
    public override ClauseKind Kind => ClauseKind.Sampled;
}

/// <summary>One of several named levels, each deducting (or, in an add item, adding) its points.</summary>
public sealed record LevelsClause : Clause
{
    public required IReadOnlyList<Level> Levels { get; init; }
    public override ClauseKind Kind => ClauseKind.Levels;
}

/// <summary>合格 / 不合格: on fail, <see cref="FailDeduction"/>.</summary>
public sealed record PassFailClause : Clause
{
    public required decimal FailDeduction { get; init; }
    public override ClauseKind Kind => ClauseKind.PassFail;
}

/// <summary>A fixed deduction when the condition <see cref="Clause.Text"/> occurred (未配备保洁队伍扣2分).</summary>
public sealed record DeductIfClause : Clause
{
    public required decimal Deduction { get; init; }
    public override ClauseKind Kind => ClauseKind.DeductIf;
}

/// <summary>A fixed addition when the condition <see cref="Clause.Text"/> holds (建有…得N分).</summary>
public sealed record AddIfClause : Clause
{
    public required decimal Addition { get; init; }
    public override ClauseKind Kind => ClauseKind.AddIf;
}

/// <summary>建成1<see cref="Unit"/>得<see cref="First"/>分，每增加1<see cref="Unit"/>加<see cref="Each"/>分, at most <see cref="MaxAddition"/>.</summary>
public sealed record AddPerUnitClause : Clause
{
    public required string Unit { get; init; }
    /// <summary>Points for the first unit (defaults to <see cref="Each"/>).</summary>
    public required decimal First { get; init; }
    public required decimal Each { get; init; }
    public decimal? MaxAddition { get; init; }
    public override ClauseKind Kind => ClauseKind.AddPerUnit;
}

/// <summary>
/// A rate against a threshold (percent, 0–100): the gap in percentage points on the losing side, exact and
/// proportional (84.5 % against 85 % is 0.5), times <see cref="DeductionPerPoint"/>, rounded once to 2 decimals,
/// at most <see cref="MaxDeduction"/>.
/// </summary>
public sealed record RateClause : Clause
{
    public required decimal Threshold { get; init; }
    public RateDirection Direction { get; init; } = RateDirection.AtLeast;
    public required decimal DeductionPerPoint { get; init; }
    public decimal? MaxDeduction { get; init; }
    public RateInput Input { get; init; } = RateInput.Percent;
    /// <summary>With <see cref="RateInput.Fraction"/>: what the numerator and denominator count (e.g. 卫生厕所户数, 总户数).</summary>
    public string? NumeratorLabel { get; init; }
    public string? DenominatorLabel { get; init; }
    public override ClauseKind Kind => ClauseKind.Rate;
}

/// <summary>
/// 每处逾期未整改问题扣<see cref="DeductionEach"/>分, at most <see cref="MaxDeduction"/> when given. The count is never
/// entered: it is <see cref="Scoring.SheetEntries.OverdueProblems"/>, which the monthly computation (and the what-if,
/// the sheet preview) take from the rectification ledger (整改台账) at the end of the sheet's month — definition in
/// docs/rectification.md. Any input for it (form, API, spreadsheet) is refused by <see cref="Scoring.ScoringEngine.Validate"/>.
/// </summary>
public sealed record OverdueProblemsClause : Clause
{
    /// <summary>The unit of a problem: 处.</summary>
    public const string Unit = "处";
    public required decimal DeductionEach { get; init; }
    public decimal? MaxDeduction { get; init; }
    public override ClauseKind Kind => ClauseKind.OverdueProblems;
}
