namespace EnvScore.Api.Features.RuleSets;

public enum RuleSetStatus
{
    /// <summary>Imported, editable, not in force.</summary>
    Draft,
    /// <summary>In force for months from <see cref="RuleSetRecord.EffectiveFromMonth"/> on (until a later version takes over). Immutable.</summary>
    Active,
}

/// <summary>
/// A stored version of a district's scoring sheet. The YAML source is the truth; sections, items and
/// vetoes are rows derived from it so that they can be queried over OData.
/// </summary>
public class RuleSetRecord
{
    public int Id { get; set; }
    public int DistrictId { get; set; }
    public required string Code { get; set; }
    public int Version { get; set; }
    public required string Title { get; set; }
    public decimal TotalPoints { get; set; }
    /// <summary>yyyymm: the first month in force once active (from the file until activation).</summary>
    public int EffectiveFromMonth { get; set; }
    public RuleSetStatus Status { get; set; }
    /// <summary>The rule-set file as imported (YAML); read it at /api/rule-sets/{id}/source.</summary>
    public required string Source { get; set; }
    /// <summary>SHA-256 of the source, hex: makes a re-import of the same file idempotent.</summary>
    public required string ContentHash { get; set; }
    public DateTimeOffset ImportedAt { get; set; }
    public required string ImportedBy { get; set; }
    public DateTimeOffset? ActivatedAt { get; set; }
    public string? ActivatedBy { get; set; }
    public uint RowVersion { get; set; }

    public List<RuleSetSectionRow> Sections { get; set; } = [];
    public List<RuleSetItemRow> Items { get; set; } = [];
    public List<RuleSetVetoRow> Vetoes { get; set; } = [];
}

public class RuleSetSectionRow
{
    public int Id { get; set; }
    public int RuleSetId { get; set; }
    public int Ordinal { get; set; }
    public required string Code { get; set; }
    public required string Title { get; set; }
    public decimal MaxPoints { get; set; }
    /// <summary>The enclosing category's code; null at the top level (类别 › 指标 nest to any depth).</summary>
    public string? ParentCode { get; set; }
    /// <summary>0 at the top level.</summary>
    public int Depth { get; set; }
}

/// <summary>One scoring or bonus item, flattened for queries (kind-specific fields are null where they do not apply).</summary>
public class RuleSetItemRow
{
    public int Id { get; set; }
    public int RuleSetId { get; set; }
    public int Ordinal { get; set; }
    /// <summary>Null for bonus items (加分项).</summary>
    public string? SectionCode { get; set; }
    public required string Code { get; set; }
    public required string Title { get; set; }
    /// <summary>PerOccurrence, Levels, Sampled, PassFail, Clauses (an item with 细则) or Bonus.</summary>
    public required string Kind { get; set; }
    public decimal Points { get; set; }
    public string? Unit { get; set; }
    /// <summary>Points deducted per occurrence / failed sample, deducted on fail, or added per award (bonus).</summary>
    public decimal? PointsEach { get; set; }
    public decimal? MaxDeduction { get; set; }
    public int? Samples { get; set; }
    public bool MayBeNotApplicable { get; set; }
    /// <summary>Levels as "code:name:deduction" joined by "; " (levels items only).</summary>
    public string? Levels { get; set; }
    /// <summary>An item's clauses (细则) as "code:kind:text" joined by "; " (Clauses items only).</summary>
    public string? Clauses { get; set; }
    /// <summary>Deduct (扣分制) or Add (得分制).</summary>
    public string Scoring { get; set; } = "Deduct";
    /// <summary>Zero-if conditions as "code:text" joined by "; ".</summary>
    public string? ZeroIf { get; set; }
    public string? Criteria { get; set; }
}

public class RuleSetVetoRow
{
    public int Id { get; set; }
    public int RuleSetId { get; set; }
    public required string Code { get; set; }
    public required string Title { get; set; }
}
