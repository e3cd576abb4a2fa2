using EnvScore.Domain.Rules;

namespace EnvScore.Domain.Scoring;

[Flags]
public enum ItemInputFlags : byte
{
    None = 0,
    NotApplicable = 1,
    /// <summary>A zero-if condition was reported.</summary>
    Zeroed = 2,
}

/// <summary>
/// One item's entry for the fast path, indexed by item ordinal. Value is the occurrence count
/// (perOccurrence, bonus; for overdueProblems the ledger's count), the number of failed samples (sampled), the level's index in rule order
/// (levels) or 1 = passed / 0 = failed (passFail).
/// </summary>
public readonly record struct ItemInput(int Value, ItemInputFlags Flags = ItemInputFlags.None)
{
    public static ItemInput NotApplicable => new(0, ItemInputFlags.NotApplicable);
    public static ItemInput Zeroed => new(0, ItemInputFlags.Zeroed);
    public static ItemInput Pass(bool passed) => new(passed ? 1 : 0);
}

/// <summary>Sheet totals from the fast path, in exact hundredths of a point.</summary>
public readonly record struct ScoreTotals(long RawHundredths, long ApplicableMaxHundredths, long BaseHundredths, long BonusHundredths, bool Vetoed)
{
    // × 0.01m (not / 100m, which drops trailing zeros) gives scale 2, like Points.Canonical.
    public decimal RawScore => RawHundredths * 0.01m;
    public decimal ApplicableMax => ApplicableMaxHundredths * 0.01m;
    public decimal BaseScore => BaseHundredths * 0.01m;
    public decimal BonusApplied => BonusHundredths * 0.01m;
    public decimal Total => (BaseHundredths + BonusHundredths) * 0.01m;
}

/// <summary>
/// The fast path: a rule set flattened into arrays indexed by item ordinal (scoring items in sheet
/// order, then bonus items). Evaluation uses integer hundredths — exact because the loader allows
/// at most 2 decimals — allocates nothing and gives the same figures as <see cref="ScoringEngine"/>.
/// Inputs must have passed <see cref="ScoringEngine.Validate"/>; the fast path does not re-check them.
/// </summary>
public sealed class CompiledRuleSet
{
    private const byte KPerOccurrence = 0, KSampled = 1, KLevels = 2, KPassFail = 3, KOverdue = 4, KGiven = 5;
    private readonly byte[] kind;
    private readonly long[] points, each, cap, failDeduction;
    private readonly int[] levelStart;
    private readonly long[] levelDeduction;
    private readonly int[] sectionOf;
    /// <summary>Ordinals of the overdueProblems items, whose input is the ledger's count, not an entry.</summary>
    private readonly int[] overdue;
    private readonly long[] bonusEach, bonusCap;
    private readonly long total, bonusTotalCap;
    private readonly Dictionary<string, int> ordinals;
    private readonly ScoringItem[] items;

    /// <summary>Whether the fast path can evaluate this rule set: every item is of a single-input kind (no clauses).</summary>
    public static bool Supports(RuleSet rules) => rules.Items.All(i => i is not ClauseItem) && rules.Scale is null;

    /// <exception cref="NotSupportedException">The rule set has items with clauses or a 百分制 scale (see <see cref="Supports"/>):
    /// score it with <see cref="ScoringEngine"/>, which the monthly computation uses for every sheet anyway.</exception>
    public CompiledRuleSet(RuleSet rules) : this(rules, givenClauseItems: false) { }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<RuleSet, CompiledRuleSet> WithGivenClauseItems = new();

    /// <summary>
    /// The rule set compiled for <see cref="ListedScoring"/>, built once per <see cref="RuleSet"/> instance: any rule set,
    /// where an item with clauses is scored by the caller (<see cref="ScoringEngine"/>'s own item scoring) and its
    /// deduction passed in hundredths as the input's <see cref="ItemInput.Value"/>; a 百分制 scale is the caller's too
    /// (<see cref="Evaluate(ReadOnlySpan{ItemInput}, bool)"/> gives the sheet's own totals).
    /// </summary>
    internal static CompiledRuleSet ForListing(RuleSet rules) => WithGivenClauseItems.GetValue(rules, r => new CompiledRuleSet(r, givenClauseItems: true));

    private CompiledRuleSet(RuleSet rules, bool givenClauseItems)
    {
        ArgumentNullException.ThrowIfNull(rules);
        if (!givenClauseItems && !Supports(rules))
            throw new NotSupportedException("the compiled path scores single-input items only; use ScoringEngine for items with clauses or a scale");
        Rules = rules;
        items = rules.Items.ToArray();
        ScoringItemCount = items.Length;
        SectionCount = rules.Sections.Count;
        kind = new byte[items.Length];
        points = new long[items.Length];
        each = new long[items.Length];
        cap = new long[items.Length];
        failDeduction = new long[items.Length];
        levelStart = new int[items.Length];
        sectionOf = new int[items.Length];
        var levels = new List<long>();
        var overdueOrdinals = new List<int>();
        ordinals = new(StringComparer.Ordinal);
        var i = 0;
        for (var s = 0; s < rules.Sections.Count; s++)
            foreach (var item in rules.Sections[s].AllItems)
            {
                ordinals[item.Code] = i;
                sectionOf[i] = s;
                points[i] = H(item.Points);
                cap[i] = points[i];
                levelStart[i] = levels.Count;
                switch (item)
                {
                    case PerOccurrenceItem o:
                        kind[i] = KPerOccurrence; each[i] = H(o.DeductionEach);
                        if (o.MaxDeduction is { } c && H(c) < cap[i]) cap[i] = H(c);
                        break;
                    case SampledItem sm: kind[i] = KSampled; each[i] = H(sm.DeductionEach); break;
                    case LevelsItem l: kind[i] = KLevels; levels.AddRange(l.Levels.Select(x => H(x.Deduction))); break;
                    case PassFailItem f: kind[i] = KPassFail; failDeduction[i] = H(f.FailDeduction ?? item.Points); break;
                    case OverdueProblemsItem od:
                        kind[i] = KOverdue; each[i] = H(od.DeductionEach);
                        if (od.MaxDeduction is { } oc && H(oc) < cap[i]) cap[i] = H(oc);
                        overdueOrdinals.Add(i);
                        break;
                    case ClauseItem: kind[i] = KGiven; break;
                }
                i++;
            }
        levelDeduction = levels.ToArray();
        overdue = overdueOrdinals.ToArray();
        bonusEach = rules.Bonus.Items.Select(b => H(b.PointsEach)).ToArray();
        bonusCap = rules.Bonus.Items.Select(b => b.Cap is { } c ? H(c) : long.MaxValue).ToArray();
        foreach (var b in rules.Bonus.Items) ordinals[b.Code] = i++;
        total = H(rules.TotalPoints);
        bonusTotalCap = H(rules.Bonus.TotalCap);
    }

    private static long H(decimal d) => checked((long)(d * 100));

    public RuleSet Rules { get; }
    /// <summary>The scoring items by ordinal (sheet order).</summary>
    internal ScoringItem[] Items => items;
    public int ScoringItemCount { get; }
    public int SectionCount { get; }
    /// <summary>Length of the input span: scoring items then bonus items.</summary>
    public int InputLength => ScoringItemCount + bonusEach.Length;

    /// <summary>The ordinal of an item or bonus item code, or −1.</summary>
    public int OrdinalOf(string code) => ordinals.TryGetValue(code, out var o) ? o : -1;

    /// <summary>Converts validated entries into fast-path inputs (allocates; meant for loading, not the hot loop).</summary>
    /// <remarks>An overdueProblems item takes <see cref="SheetEntries.OverdueProblems"/> (unless its entry says N/A or zeroed).</remarks>
    public ItemInput[] Encode(SheetEntries entries)
    {
        var inputs = new ItemInput[InputLength];
        foreach (var o in overdue) inputs[o] = new(entries.OverdueProblems);
        foreach (var e in entries.Items)
        {
            var o = OrdinalOf(e.ItemCode);
            if (o < 0) throw new ArgumentException($"unknown item code {e.ItemCode}; validate entries first", nameof(entries));
            inputs[o] = e.NotApplicable ? ItemInput.NotApplicable
                : e.ZeroConditions is { Count: > 0 } ? ItemInput.Zeroed
                : o >= ScoringItemCount ? new(e.Count ?? 0)
                : items[o] switch
                {
                    LevelsItem l => new(IndexOfLevel(l, e.Level)),
                    PassFailItem => ItemInput.Pass(e.Passed == true),
                    SampledItem => new(e.FailedSamples ?? 0),
                    OverdueProblemsItem => new(entries.OverdueProblems),
                    _ => new(e.Count ?? 0),
                };
        }
        return inputs;
    }

    private static int IndexOfLevel(LevelsItem l, string? code)
    {
        for (var k = 0; k < l.Levels.Count; k++) if (l.Levels[k].Code == code) return k;
        throw new ArgumentException($"unknown level {code}; validate entries first");
    }

    /// <summary>Totals of one sheet. No allocation.</summary>
    public ScoreTotals Evaluate(ReadOnlySpan<ItemInput> inputs, bool vetoed) => Evaluate(inputs, vetoed, []);

    /// <summary>Totals of one sheet; also writes each section's deduction (hundredths) when the span is long enough.</summary>
    public ScoreTotals Evaluate(ReadOnlySpan<ItemInput> inputs, bool vetoed, Span<long> sectionDeductions) =>
        Evaluate(inputs, vetoed, sectionDeductions, []);

    /// <summary>
    /// Totals of one sheet; also writes each section's deduction (hundredths) when that span is long enough, and each
    /// scoring item's deduction (hundredths, by ordinal; 0 when not applicable) when <paramref name="itemDeductions"/> is.
    /// </summary>
    internal ScoreTotals Evaluate(ReadOnlySpan<ItemInput> inputs, bool vetoed, Span<long> sectionDeductions, Span<long> itemDeductions)
    {
        var writeItems = itemDeductions.Length >= ScoringItemCount;
        if (writeItems) itemDeductions[..ScoringItemCount].Clear();
        if (inputs.Length != InputLength) throw new ArgumentException($"expected {InputLength} inputs, got {inputs.Length}", nameof(inputs));
        var writeSections = sectionDeductions.Length >= SectionCount;
        if (writeSections) sectionDeductions[..SectionCount].Clear();
        long raw = 0, max = 0;
        for (var i = 0; i < ScoringItemCount; i++)
        {
            var input = inputs[i];
            if ((input.Flags & ItemInputFlags.NotApplicable) != 0) continue;
            var p = points[i];
            long d;
            if ((input.Flags & ItemInputFlags.Zeroed) != 0) d = p;
            else
            {
                switch (kind[i])
                {
                    case KPerOccurrence:
                    case KSampled:
                    case KOverdue:
                        d = each[i] * input.Value;
                        if (d > cap[i]) d = cap[i];
                        break;
                    case KLevels: d = levelDeduction[levelStart[i] + input.Value]; break;
                    case KGiven: d = input.Value; break;
                    default: d = input.Value != 0 ? 0 : failDeduction[i]; break;
                }
            }
            if (writeItems) itemDeductions[i] = d;
            max += p;
            raw += p - d;
            if (writeSections) sectionDeductions[sectionOf[i]] += d;
        }
        long baseScore;
        if (max == total) baseScore = raw;
        else if (max == 0) baseScore = 0;
        else
        {
            // Round half away from zero on non-negative integers: (2n + d) / 2d.
            var n = raw * total;
            baseScore = (2 * n + max) / (2 * max);
        }
        long bonus = 0;
        for (var b = 0; b < bonusEach.Length; b++)
        {
            var input = inputs[ScoringItemCount + b];
            var v = bonusEach[b] * input.Value;
            bonus += v > bonusCap[b] ? bonusCap[b] : v;
        }
        if (bonus > bonusTotalCap) bonus = bonusTotalCap;
        return new ScoreTotals(raw, max, baseScore, bonus, vetoed);
    }
}
