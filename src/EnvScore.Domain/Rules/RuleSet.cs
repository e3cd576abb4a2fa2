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
}

/// <summary>A named condition (code + Chinese text): a zero-if condition on an item.</summary>
public sealed record NamedCondition(string Code, string Text);

/// <summary>One level of a <see cref="LevelsItem"/>.</summary>
public sealed record Level(string Code, string Name, decimal Deduction);

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
}

public sealed record PerOccurrenceItem : ScoringItem
{
    public required decimal DeductionEach { get; init; }
    /// <summary>处 / 户 / 条 …</summary>
    public required string Unit { get; init; }
    /// <summary>Optional cap on the total deduction (never above <see cref="ScoringItem.Points"/>).</summary>
    public decimal? MaxDeduction { get; init; }
    public override ItemKind Kind => ItemKind.PerOccurrence;
}

public sealed record LevelsItem : ScoringItem
{
    public required IReadOnlyList<Level> Levels { get; init; }
    public override ItemKind Kind => ItemKind.Levels;
}

public sealed record SampledItem : ScoringItem
{
    public required int Samples { get; init; }
    public required decimal DeductionEach { get; init; }
    public required string Unit { get; init; }
    public override ItemKind Kind => ItemKind.Sampled;
}

public sealed record PassFailItem : ScoringItem
{
    /// <summary>Deduction on fail; null means the item scores 0 on fail.</summary>
    public decimal? FailDeduction { get; init; }
    public override ItemKind Kind => ItemKind.PassFail;
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

public sealed record Section
{
    public required string Code { get; init; }
    public required string Title { get; init; }
    public required decimal MaxPoints { get; init; }
    public required IReadOnlyList<ScoringItem> Items { get; init; }
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

    /// <summary>All scoring items in sheet order (section by section).</summary>
    public IEnumerable<ScoringItem> Items => Sections.SelectMany(s => s.Items);
}
