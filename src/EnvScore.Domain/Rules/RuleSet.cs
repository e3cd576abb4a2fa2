using EnvScore.Domain.Calendar;
using EnvScore.Domain.Scoring;

namespace EnvScore.Domain.Rules;

/// <summary>How a scoring item turns a village's entry into a deduction.</summary>
public enum ItemKind
{
    /// <summary>每发现一处扣X分，扣完为止.</summary>
    PerOccurrence,
    /// <summary>Exactly one of several named levels, each with its own deduction.</summary>
    Levels,
    /// <summary>n samples (e.g. 5 households), a deduction per failed sample.</summary>
    Sampled,
    /// <summary>Full points, or on fail a fixed deduction (all points when none is given).</summary>
    PassFail,
    /// <summary>每处逾期未整改问题扣X分: the count comes from the rectification ledger, never from an entry (<see cref="OverdueProblemsItem"/>).</summary>
    OverdueProblems,
    /// <summary>The general item: a list of clauses (细则) sharing the item's points; see <see cref="ClauseItem"/>.</summary>
    Clauses,
}

/// <summary>A named condition (code + Chinese text): a zero-if condition on an item.</summary>
public sealed record NamedCondition(string Code, string Text);

/// <summary>
/// One level of a <see cref="LevelsItem"/> or <see cref="LevelsClause"/>: the points it deducts (扣分制) or, in an
/// item scored by addition (得分制), the points it adds.
/// </summary>
public sealed record Level(string Code, string Name, decimal Deduction, decimal Addition = 0);

/// <summary>一票否决: a sheet-level condition that forces 整治 whatever the score.</summary>
public sealed record VetoRule(string Code, string Title);

/// <summary>A scored item of a section. Immutable; built by <see cref="RuleSetLoader"/>.</summary>
public abstract record ScoringItem
{
    public required string Code { get; init; }
    public required string Title { get; init; }
    /// <summary>The item's full points (its maximum).</summary>
    public required decimal Points { get; init; }
    public bool MayBeNotApplicable { get; init; }
    public IReadOnlyList<NamedCondition> ZeroIf { get; init; } = [];
    /// <summary>The sheet's original wording (评分标准), shown to secretaries.</summary>
    public string? Criteria { get; init; }
    public abstract ItemKind Kind { get; }

    /// <summary>
    /// The item as the general model sees it: its clauses. The four single-input kinds are each one clause whose
    /// code is the item's own code (<see cref="ClauseItem.Clauses"/> for the general item). Built once per item.
    /// </summary>
    public IReadOnlyList<Clause> AsClauses => asClauses ??= BuildClauses();
    private IReadOnlyList<Clause>? asClauses;
    private protected abstract IReadOnlyList<Clause> BuildClauses();

    /// <summary>Whether the item starts from full points and deducts (扣分制, every single-input kind) or from 0 and adds (得分制).</summary>
    public virtual ItemScoring Scoring => ItemScoring.Deduct;
}

public sealed record PerOccurrenceItem : ScoringItem
{
    public required decimal DeductionEach { get; init; }
    /// <summary>处 / 户 / 条 …</summary>
    public required string Unit { get; init; }
    /// <summary>Optional cap on the total deduction (never above <see cref="ScoringItem.Points"/>).</summary>
    public decimal? MaxDeduction { get; init; }
    public override ItemKind Kind => ItemKind.PerOccurrence;
    private protected override IReadOnlyList<Clause> BuildClauses() =>
        [new PerOccurrenceClause { Code = Code, Text = Title, Unit = Unit, DeductionEach = DeductionEach, MaxDeduction = MaxDeduction }];
}

public sealed record LevelsItem : ScoringItem
{
    public required IReadOnlyList<Level> Levels { get; init; }
    public override ItemKind Kind => ItemKind.Levels;
    private protected override IReadOnlyList<Clause> BuildClauses() => [new LevelsClause { Code = Code, Text = Title, Levels = Levels }];
}

public sealed record SampledItem : ScoringItem
{
    public required int Samples { get; init; }
    public required decimal DeductionEach { get; init; }
    public required string Unit { get; init; }
    public override ItemKind Kind => ItemKind.Sampled;
    private protected override IReadOnlyList<Clause> BuildClauses() =>
        [new SampledClause { Code = Code, Text = Title, Samples = Samples, Unit = Unit, DeductionEach = DeductionEach }];
}

public sealed record PassFailItem : ScoringItem
{
    /// <summary>Deduction on fail; null means the item scores 0 on fail.</summary>
    public decimal? FailDeduction { get; init; }
    public override ItemKind Kind => ItemKind.PassFail;
    private protected override IReadOnlyList<Clause> BuildClauses() => [new PassFailClause { Code = Code, Text = Title, FailDeduction = FailDeduction ?? Points }];
}

/// <summary>
/// 每处逾期未整改问题扣<see cref="DeductionEach"/>分 (at most <see cref="MaxDeduction"/>), as an item of its own: one
/// <see cref="OverdueProblemsClause"/> coded as the item. No entry carries its count: the engine takes
/// <see cref="Scoring.SheetEntries.OverdueProblems"/> (from the rectification ledger, docs/rectification.md).
/// </summary>
public sealed record OverdueProblemsItem : ScoringItem
{
    public required decimal DeductionEach { get; init; }
    /// <summary>Optional cap on the total deduction (never above <see cref="ScoringItem.Points"/>).</summary>
    public decimal? MaxDeduction { get; init; }
    public override ItemKind Kind => ItemKind.OverdueProblems;
    private protected override IReadOnlyList<Clause> BuildClauses() =>
        [new OverdueProblemsClause { Code = Code, Text = Title, DeductionEach = DeductionEach, MaxDeduction = MaxDeduction }];
}

/// <summary>
/// The general item (评分项 with 细则): points are its ceiling, the clauses share them. Score = full points minus the
/// clauses' deductions (扣分制, <see cref="ItemScoring.Deduct"/>) or 0 plus their additions (得分制,
/// <see cref="ItemScoring.Add"/>), clamped to [0, <see cref="ScoringItem.Points"/>] (扣完为止 / 最高不超过本项分值);
/// a reported zero-if condition scores 0. Semantics: docs/scoring-model.md.
/// </summary>
public sealed record ClauseItem : ScoringItem
{
    public required IReadOnlyList<Clause> Clauses { get; init; }
    public ItemScoring ScoredBy { get; init; } = ItemScoring.Deduct;
    public override ItemScoring Scoring => ScoredBy;
    public override ItemKind Kind => ItemKind.Clauses;
    private protected override IReadOnlyList<Clause> BuildClauses() => Clauses;
}

/// <summary>加分项: points per award, capped per item and by the sheet's total bonus cap.</summary>
public sealed record BonusItem
{
    public required string Code { get; init; }
    public required string Title { get; init; }
    public required decimal PointsEach { get; init; }
    /// <summary>Per-item cap; null means only the total bonus cap applies.</summary>
    public decimal? Cap { get; init; }
    public string? Criteria { get; init; }
}

/// <summary>
/// A part of the sheet (类别 / 指标): either items or sub-sections (any depth), whose points add up to
/// <see cref="MaxPoints"/>. Every level has its subtotal (<see cref="Scoring.SectionResult"/>).
/// </summary>
public sealed record Section
{
    public required string Code { get; init; }
    public required string Title { get; init; }
    public required decimal MaxPoints { get; init; }
    /// <summary>The section's own items (empty when it has sub-sections).</summary>
    public required IReadOnlyList<ScoringItem> Items { get; init; }
    /// <summary>Sub-sections (empty for a section of items).</summary>
    public IReadOnlyList<Section> Sections { get; init; } = [];

    /// <summary>Every item of the section and its sub-sections, in sheet order.</summary>
    public IEnumerable<ScoringItem> AllItems => Sections.Count == 0 ? Items : Items.Concat(Sections.SelectMany(s => s.AllItems));

    /// <summary>This section and every sub-section, pre-order, with depth (0 = this) and parent code.</summary>
    public IEnumerable<(Section Section, int Depth, string? Parent)> Walk(int depth = 0, string? parent = null)
    {
        yield return (this, depth, parent);
        foreach (var child in Sections)
            foreach (var x in child.Walk(depth + 1, Code)) yield return x;
    }
}

public sealed record BonusPolicy
{
    public static BonusPolicy None { get; } = new() { TotalCap = 0, Items = [] };
    public required decimal TotalCap { get; init; }
    public required IReadOnlyList<BonusItem> Items { get; init; }
}

public enum QuotaScope
{
    /// <summary>Quotas and lists apply per township (乡场办).</summary>
    Township,
    /// <summary>Quotas and lists apply across the district.</summary>
    District,
}

/// <summary>Thresholds and optional quotas; semantics in docs/scoring-model.md and <see cref="TierAssigner"/>.</summary>
public sealed record TierPolicy
{
    /// <summary>score ≥ this → 示范.</summary>
    public required decimal DemonstrationMin { get; init; }
    /// <summary>score ≥ this (and below <see cref="DemonstrationMin"/>) → 提升; else 整治.</summary>
    public required decimal UpgradeMin { get; init; }
    public QuotaScope QuotaScope { get; init; } = QuotaScope.District;
    /// <summary>At most floor(N × p / 100) villages of a scope are 示范.</summary>
    public decimal? MaxDemonstrationPercent { get; init; }
    /// <summary>At least ceil(N × p / 100) villages at the bottom of a scope are 整治.</summary>
    public decimal? MinRectifyPercent { get; init; }
    /// <summary>红榜: the best N 示范 villages of a scope.</summary>
    public int? RedListSize { get; init; }
    /// <summary>黑榜: the worst N villages of a scope, forced to 整治.</summary>
    public int? BlackListSize { get; init; }

    /// <summary>The tier by thresholds and veto alone (no quotas).</summary>
    public Tier Classify(decimal score, bool vetoed) =>
        vetoed ? Tier.Rectify
        : score >= DemonstrationMin ? Tier.Demonstration
        : score >= UpgradeMin ? Tier.Upgrade
        : Tier.Rectify;
}

/// <summary>How a self-evaluation and a district check combine; see <see cref="ScoreCombiner"/>.</summary>
public sealed record CombinationPolicy
{
    public required decimal SelfWeight { get; init; }
    public required decimal DistrictWeight { get; init; }
    /// <summary>self − district &gt; this → the self-evaluation is flagged as inflated (虚高).</summary>
    public required decimal InflationThreshold { get; init; }
}

/// <summary>What a village without a submitted sheet gets.</summary>
public sealed record MissingSheetPolicy
{
    public decimal Score { get; init; }
    public Tier Tier { get; init; } = Tier.Rectify;
}

/// <summary>Consequences as data; evaluated by <see cref="ConsequenceEvaluator"/>.</summary>
public sealed record ConsequencePolicy
{
    public static ConsequencePolicy None { get; } = new();
    /// <summary>整治 this many months running (including the current) → 约谈 the secretary; null = never.</summary>
    public int? InterviewAfterRectifyMonths { get; init; }
    /// <summary>示范 this many months running → reward flag; null = never.</summary>
    public int? RewardAfterDemonstrationMonths { get; init; }
}

/// <summary>
/// 整改 (the rectification loop, docs/rectification.md): how many days a problem found in a village has to be fixed — per
/// item (<see cref="ItemDays"/>, by item code) or <see cref="DeadlineDays"/> — and whether the deductions of a counted
/// self-evaluation become problems as well as those of a district spot-check. YAML: <c>rectification: {deadlineDays: 7,
/// itemDays: {L03: 3}, includeSelfEvaluation: true}</c>; every field optional.
/// </summary>
public sealed record RectificationPolicy
{
    public static RectificationPolicy Default { get; } = new();
    /// <summary>Calendar days (Asia/Shanghai) after the day a problem is found; 7 unless the sheet says otherwise.</summary>
    public int DeadlineDays { get; init; } = 7;
    public IReadOnlyDictionary<string, int> ItemDays { get; init; } = new Dictionary<string, int>();
    public bool IncludeSelfEvaluation { get; init; }

    /// <summary>The days a problem of this item has.</summary>
    public int DaysFor(string itemCode) => ItemDays.TryGetValue(itemCode, out var days) ? days : DeadlineDays;
}

/// <summary>A complete scoring sheet (评分细则) in force from a month.</summary>
public sealed record RuleSet
{
    public required string Code { get; init; }
    public required string Title { get; init; }
    public required int Version { get; init; }
    public required EvaluationMonth EffectiveFrom { get; init; }
    public required decimal TotalPoints { get; init; }
    public required IReadOnlyList<Section> Sections { get; init; }
    public BonusPolicy Bonus { get; init; } = BonusPolicy.None;
    public IReadOnlyList<VetoRule> Vetoes { get; init; } = [];
    public required TierPolicy Tiers { get; init; }
    public required CombinationPolicy Combination { get; init; }
    public MissingSheetPolicy MissingSheet { get; init; } = new();
    public ConsequencePolicy Consequences { get; init; } = ConsequencePolicy.None;
    /// <summary>整改时限 and which sheets' deductions become problems (optional block <c>rectification</c>).</summary>
    public RectificationPolicy Rectification { get; init; } = RectificationPolicy.Default;

    /// <summary>
    /// 百分制折算: when set (e.g. 100) and different from <see cref="TotalPoints"/>, the sheet score is converted to this
    /// scale (score × Scale / TotalPoints, rounded once to 2 decimals) and the tier thresholds, the missing-sheet score
    /// and the combination apply to the converted score. Null: scores stay on the sheet's own scale.
    /// </summary>
    public decimal? Scale { get; init; }

    /// <summary>The scale of the final score: <see cref="Scale"/> when set, else <see cref="TotalPoints"/>.</summary>
    public decimal ScoreScale => Scale ?? TotalPoints;

    /// <summary>All scoring items in sheet order (section by section, sub-sections included).</summary>
    public IEnumerable<ScoringItem> Items => Sections.SelectMany(s => s.AllItems);

    /// <summary>Every section at every level, pre-order, with its depth (0 = top level) and parent code.</summary>
    public IEnumerable<(Section Section, int Depth, string? Parent)> AllSections => Sections.SelectMany(s => s.Walk());

    /// <summary>
    /// Whether an item or a clause deducts for overdue problems (<see cref="OverdueProblemsClause"/>): then whoever
    /// scores a sheet of this rule set gives the ledger's count in <see cref="Scoring.SheetEntries.OverdueProblems"/>.
    /// </summary>
    public bool UsesOverdueProblems => Items.Any(i => i.AsClauses.Any(c => c is OverdueProblemsClause));

    /// <summary>Whether any section has sub-sections.</summary>
    public bool IsNested => Sections.Any(s => s.Sections.Count > 0);
}
