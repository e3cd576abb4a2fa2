using System.Runtime.CompilerServices;
using EnvScore.Domain.Rules;

namespace EnvScore.Domain.Scoring;

/// <summary>
/// A scored sheet as the monthly computation stores it — exactly what <see cref="ScoringEngine.Score"/> gives, without
/// the results of the items that simply got full marks (only counted): the total, the vetoes, the top-level section
/// subtotals, the engine's <see cref="ItemResult"/> for every <em>listed</em> item (lost points, not applicable or
/// zeroed, see <see cref="IsListed"/>), the bonuses awarded, the summary lines and the findings.
/// </summary>
/// <param name="Total">As <see cref="SheetScore.Total"/> (scale 2).</param>
/// <param name="Vetoes">As <see cref="SheetScore.Vetoes"/> (rule order).</param>
/// <param name="Sections">As <see cref="SheetScore.Sections"/>: equal figures (the stored numeric(7,2) values), not necessarily the same decimal scale.</param>
/// <param name="ListedItems">The listed items' results, in sheet order, the same objects' values as <see cref="SheetScore.Items"/> holds.</param>
/// <param name="FullMarkItems">How many scoring items are not listed.</param>
/// <param name="Bonuses">As <see cref="SheetScore.Bonuses"/> (bonus items awarded at least once).</param>
/// <param name="Summary">As <see cref="SheetScore.Summary"/>.</param>
/// <param name="Findings">As <see cref="SheetScore.Findings"/>.</param>
public sealed record ListedSheetScore(decimal Total, IReadOnlyList<VetoRule> Vetoes, IReadOnlyList<SectionResult> Sections,
    IReadOnlyList<ItemResult> ListedItems, int FullMarkItems, IReadOnlyList<BonusResult> Bonuses, IReadOnlyList<string> Summary,
    IReadOnlyList<Finding> Findings)
{
    /// <summary>Every scoring item of the sheet, listed or not.</summary>
    public int ItemCount => ListedItems.Count + FullMarkItems;

    /// <summary>Whether an item is listed: it lost points, was not applicable or was zeroed by a zero-if condition.</summary>
    public static bool IsListed(ItemResult item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return item.Deduction != 0 || item.NotApplicable || item.ZeroedBy.Count > 0;
    }

    /// <summary>The listed view of a score from the reference engine (the definition <see cref="ListedScoring"/> is tested against).</summary>
    public static ListedSheetScore From(SheetScore score)
    {
        ArgumentNullException.ThrowIfNull(score);
        var listed = score.Items.Where(IsListed).ToArray();
        return new(score.Total, score.Vetoes, score.Sections, listed, score.Items.Count - listed.Length, score.Bonuses, score.Summary, score.Findings);
    }
}

/// <summary>Either a listed score (no problems) or every problem with the entries, as <see cref="ScoringEngine.Score"/> reports them.</summary>
public sealed record ListedScoreResult(ListedSheetScore? Score, IReadOnlyList<EntryProblem> Problems)
{
    public bool Succeeded => Score is not null;
}

/// <summary>
/// The monthly computation's scoring path: the same answers as <see cref="ScoringEngine.Score"/> viewed through
/// <see cref="ListedSheetScore.From"/>, several times cheaper per sheet. The figures come from the compiled path
/// (<see cref="CompiledRuleSet"/>, integer hundredths); the engine's own item scoring gives the result (explanation,
/// detail) of each listed item and of each item with clauses; the engine's bonus and summary code the rest. Entries
/// are checked by a conservative quick test (every field as <see cref="ScoringEngine.Validate"/> allows it); anything
/// it does not accept — a problem or merely an unusual entry — is scored by <see cref="ScoringEngine.Score"/> itself,
/// so problems are always the engine's. Pinned to the engine by EnvScore.Domain.Tests' ListedScoringAgreementTests
/// (generated sheets for every shipped rule set).
/// </summary>
public static class ListedScoring
{
    /// <summary>Scores one sheet. Never throws for bad entries (they come back as <see cref="ListedScoreResult.Problems"/>).</summary>
    public static ListedScoreResult Score(RuleSet rules, SheetEntries entries)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(entries);
        var plan = Plan.For(rules);
        return plan.TryScore(entries) is { } quick ? new(quick, []) : Reference(rules, entries);
    }

    /// <summary>
    /// The quick path alone: the listed score when the quick check accepts the entries, null when it does not (then
    /// <see cref="Score"/> asks the engine). For tests that must know the quick path was taken.
    /// </summary>
    public static ListedSheetScore? TryScoreQuick(RuleSet rules, SheetEntries entries)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(entries);
        return Plan.For(rules).TryScore(entries);
    }

    private static ListedScoreResult Reference(RuleSet rules, SheetEntries entries)
    {
        var r = ScoringEngine.Score(rules, entries);
        return r.Score is { } s ? new(ListedSheetScore.From(s), []) : new(null, r.Problems);
    }

    /// <summary>A rule set laid out for <see cref="ListedScoring"/>, built once per <see cref="RuleSet"/> instance.</summary>
    private sealed class Plan
    {
        private static readonly ConditionalWeakTable<RuleSet, Plan> Cache = new();
        public static Plan For(RuleSet rules) => Cache.GetValue(rules, r => new Plan(r));

        private readonly RuleSet rules;
        private readonly RuleSetIndex index;
        private readonly CompiledRuleSet compiled;
        private readonly ScoringItem[] items;
        /// <summary>Per item ordinal: its own section's code, the findings' category path, its top-level section.</summary>
        private readonly string[] sectionCode, path;
        private readonly int[] topSection;
        /// <summary>Every section at every level, pre-order; per item ordinal the slots of the sections containing it.</summary>
        private readonly (Section Section, int Depth, string? Parent)[] allSections;
        private readonly int[][] slotsOf;
        private readonly decimal[] pointsOf;
        /// <summary>
        /// Per single-input item ordinal, the engine's result by input value (count, failed samples, level index,
        /// pass = 1 / fail = 0, overdue count; not for N/A or zeroed entries, whose results depend on more), filled as
        /// sheets need them: a result depends on nothing else, is immutable and is the same object the engine would
        /// build again. Counts above <see cref="CachedCounts"/> are not kept.
        /// </summary>
        private readonly ItemResult?[]?[] byValue;
        private const int CachedCounts = 64;

        private Plan(RuleSet rules)
        {
            this.rules = rules;
            index = RuleSetIndex.For(rules);
            compiled = CompiledRuleSet.ForListing(rules);
            items = compiled.Items;
            sectionCode = new string[items.Length];
            path = new string[items.Length];
            topSection = new int[items.Length];
            slotsOf = new int[items.Length][];
            pointsOf = items.Select(i => i.Points).ToArray();
            byValue = items.Select(i => i switch
            {
                PerOccurrenceItem or OverdueProblemsItem => new ItemResult?[CachedCounts + 1],
                SampledItem sm => new ItemResult?[sm.Samples + 1],
                LevelsItem l => new ItemResult?[l.Levels.Count],
                PassFailItem => new ItemResult?[2],
                _ => null,
            }).ToArray();
            var sections = new List<(Section, int, string?)>();
            var ordinal = 0;
            for (var top = 0; top < rules.Sections.Count; top++) Walk(rules.Sections[top], 0, null, top, [], []);
            allSections = [.. sections];
            if (ordinal != items.Length) throw new InvalidOperationException("sections and items disagree");

            void Walk(Section s, int depth, string? parent, int top, List<int> slots, List<string> titles)
            {
                slots = [.. slots, sections.Count];
                titles = [.. titles, s.Title];
                sections.Add((s, depth, parent));
                foreach (var item in s.Items)
                {
                    if (!ReferenceEquals(items[ordinal], item)) throw new InvalidOperationException("item order differs from the compiled path's");
                    sectionCode[ordinal] = s.Code;
                    path[ordinal] = string.Join(" › ", titles);
                    topSection[ordinal] = top;
                    slotsOf[ordinal] = [.. slots];
                    ordinal++;
                }
                foreach (var child in s.Sections) Walk(child, depth + 1, s.Code, top, slots, titles);
            }
        }

        /// <summary>The listed score, or null when the quick check does not accept the entries (the caller asks the engine).</summary>
        public ListedSheetScore? TryScore(SheetEntries entries)
        {
            var overdue = entries.OverdueProblems;
            if (overdue < 0) return null;
            var n = items.Length;
            var inputs = new ItemInput[compiled.InputLength];
            // An item with clauses is scored by the engine here (its result is also its listed line).
            ItemResult?[]? given = null;
            Span<bool> seen = n + rules.Bonus.Items.Count <= 512 ? stackalloc bool[n + rules.Bonus.Items.Count] : new bool[n + rules.Bonus.Items.Count];
            var entryOf = new ItemEntry?[n];
            var notApplicable = 0;
            for (var i = 0; i < n; i++) if (items[i] is OverdueProblemsItem) inputs[i] = new(overdue);
            foreach (var e in entries.Items)
            {
                var o = compiled.OrdinalOf(e.ItemCode);
                if (o < 0 || seen[o]) return null;
                seen[o] = true;
                if (o >= n)
                {
                    // A bonus item: a count (≥ 0) and nothing else.
                    if (e.NotApplicable || e.Level is not null || e.FailedSamples is not null || e.Passed is not null
                        || e.ZeroConditions is { Count: > 0 } || e.Clauses is { Count: > 0 } || e.Count < 0) return null;
                    inputs[o] = new(e.Count ?? 0);
                    continue;
                }
                var item = items[o];
                entryOf[o] = e;
                if (e.NotApplicable)
                {
                    if (!item.MayBeNotApplicable || e.Count is not null || e.Level is not null || e.FailedSamples is not null
                        || e.Passed is not null || e.ZeroConditions is { Count: > 0 } || e.Clauses is { Count: > 0 }) return null;
                    inputs[o] = ItemInput.NotApplicable;
                    notApplicable++;
                    continue;
                }
                var zeroed = false;
                if (e.ZeroConditions is { Count: > 0 } zero)
                {
                    foreach (var z in zero)
                    {
                        var known = false;
                        foreach (var c in item.ZeroIf) if (c.Code == z) { known = true; break; }
                        if (!known) return null;
                    }
                    zeroed = true;
                }
                if (item is ClauseItem ci)
                {
                    if (e.Count is not null || e.Level is not null || e.FailedSamples is not null || e.Passed is not null) return null;
                    if (!ClausesValid(ci, e, zeroed)) return null;
                    var r = ScoringEngine.ScoreItemCached(index, item, sectionCode[o], e, overdue);
                    (given ??= new ItemResult?[n])[o] = r;
                    inputs[o] = new(checked((int)(r.Deduction * 100)));
                    continue;
                }
                if (e.Clauses is { Count: > 0 }) return null;
                if (zeroed)
                {
                    // The kind's own field may still be there (allowed, and ignored when zeroed); others may not.
                    if (!KindFieldsOnly(item, e)) return null;
                    inputs[o] = ItemInput.Zeroed;
                    continue;
                }
                if (!KindFieldsOnly(item, e)) return null;
                switch (item)
                {
                    case PerOccurrenceItem:
                        if (e.Count < 0) return null;
                        inputs[o] = new(e.Count ?? 0);
                        break;
                    case SampledItem s:
                        if (e.FailedSamples is { } f && (f < 0 || f > s.Samples)) return null;
                        inputs[o] = new(e.FailedSamples ?? 0);
                        break;
                    case LevelsItem l:
                    {
                        if (e.Level is null) return null;
                        var k = 0;
                        while (k < l.Levels.Count && l.Levels[k].Code != e.Level) k++;
                        if (k == l.Levels.Count) return null;
                        inputs[o] = new(k);
                        break;
                    }
                    case PassFailItem:
                        if (e.Passed is not { } passed) return null;
                        inputs[o] = ItemInput.Pass(passed);
                        break;
                    case OverdueProblemsItem:
                        inputs[o] = new(overdue);
                        break;
                    default:
                        return null;
                }
            }
            for (var i = 0; i < n; i++)
            {
                if (seen[i]) continue;
                switch (items[i])
                {
                    case LevelsItem or PassFailItem: return null;
                    case ClauseItem ci:
                    {
                        if (!ClausesValid(ci, new ItemEntry(ci.Code), false)) return null;
                        var r = ScoringEngine.ScoreItemCached(index, ci, sectionCode[i], null, overdue);
                        (given ??= new ItemResult?[n])[i] = r;
                        inputs[i] = new(checked((int)(r.Deduction * 100)));
                        break;
                    }
                }
            }
            if (n == 0 || notApplicable == n) return null;
            foreach (var v in entries.Vetoes) if (!index.VetoCodes.Contains(v)) return null;
            for (var a = 0; a < entries.Vetoes.Count; a++)
                for (var b = a + 1; b < entries.Vetoes.Count; b++)
                    if (entries.Vetoes[a] == entries.Vetoes[b]) return null;

            var vetoes = entries.Vetoes.Count == 0 ? [] : rules.Vetoes.Where(v => entries.Vetoes.Contains(v.Code)).ToArray();
            Span<long> deductions = n <= 256 ? stackalloc long[n] : new long[n];
            var totals = compiled.Evaluate(inputs, vetoes.Length > 0, [], deductions);

            // Subtotals of every section (top level: the stored rows; deeper: the summary's lines).
            Span<long> sectionMax = stackalloc long[allSections.Length], sectionDeduction = stackalloc long[allSections.Length];
            sectionMax.Clear(); sectionDeduction.Clear();
            var listed = new List<ItemResult>();
            List<Finding>? findings = null;
            for (var i = 0; i < n; i++)
            {
                var na = (inputs[i].Flags & ItemInputFlags.NotApplicable) != 0;
                if (!na)
                {
                    var p = (long)(pointsOf[i] * 100);
                    foreach (var slot in slotsOf[i]) { sectionMax[slot] += p; sectionDeduction[slot] += deductions[i]; }
                }
                var r = given?[i];
                if (r is null)
                {
                    if (inputs[i].Flags != ItemInputFlags.None)
                        r = ScoringEngine.ScoreItemCached(index, items[i], sectionCode[i], entryOf[i], overdue);
                    else if (deductions[i] == 0) continue; // full marks: counted, not scored again
                    else if (byValue[i] is { } cache && (uint)inputs[i].Value < (uint)cache.Length)
                        r = cache[inputs[i].Value] ??= ScoringEngine.ScoreItemCached(index, items[i], sectionCode[i], entryOf[i], overdue);
                    else
                        r = ScoringEngine.ScoreItemCached(index, items[i], sectionCode[i], entryOf[i], overdue);
                }
                if (!ListedSheetScore.IsListed(r)) continue;
                listed.Add(r);
                if (r.Deduction > 0 && !r.NotApplicable) (findings ??= []).Add(new Finding(path[i], r.Code, r.Title, -r.Deduction, r.Detail));
            }
            var tops = new SectionResult[rules.Sections.Count];
            var topCount = 0;
            List<SectionResult>? deeper = null;
            for (var s = 0; s < allSections.Length; s++)
            {
                var (section, depth, parent) = allSections[s];
                var result = new SectionResult(section.Code, section.Title, section.MaxPoints, sectionMax[s] * 0.01m, sectionDeduction[s] * 0.01m,
                    (sectionMax[s] - sectionDeduction[s]) * 0.01m) { Depth = depth, ParentCode = parent };
                if (depth == 0) tops[topCount++] = result; // pre-order: the top-level sections come in their order
                else (deeper ??= []).Add(result);
            }

            List<BonusResult> bonuses = [];
            for (var b = 0; b < rules.Bonus.Items.Count; b++)
            {
                var awards = inputs[n + b].Value;
                if (awards == 0) continue;
                var br = ScoringEngine.ScoreBonus(rules.Bonus.Items[b], awards);
                bonuses.Add(br);
                if (br.Points > 0) (findings ??= []).Add(new Finding("加分项", br.Code, br.Title, br.Points, br.Detail));
            }
            decimal bonusRequested = 0;
            foreach (var br in bonuses) bonusRequested += br.Points;
            var sheetTotal = totals.Total;
            var total = rules.Scale is { } scale ? Points.Round(sheetTotal * scale / rules.TotalPoints) : sheetTotal;
            var summary = ScoringEngine.Summary(rules, totals.RawScore, totals.ApplicableMax, totals.BaseScore, bonuses, bonusRequested,
                totals.BonusApplied, deeper, sheetTotal, total, vetoes);
            return new ListedSheetScore(Points.Canonical(total), vetoes, tops, listed, n - listed.Count, bonuses, summary,
                (IReadOnlyList<Finding>?)findings ?? []);
        }

        /// <summary>Whether the entry carries no field but its kind's own (a zero-if list aside; clauses are checked by the caller).</summary>
        private static bool KindFieldsOnly(ScoringItem item, ItemEntry e) => item switch
        {
            PerOccurrenceItem => e.Level is null && e.FailedSamples is null && e.Passed is null && (e.Count is null || e.Count >= 0),
            SampledItem s => e.Count is null && e.Level is null && e.Passed is null && (e.FailedSamples is null || (e.FailedSamples >= 0 && e.FailedSamples <= s.Samples)),
            LevelsItem l => e.Count is null && e.FailedSamples is null && e.Passed is null && (e.Level is null || l.Levels.Any(x => x.Code == e.Level)),
            PassFailItem => e.Count is null && e.Level is null && e.FailedSamples is null,
            OverdueProblemsItem => e.Count is null && e.Level is null && e.FailedSamples is null && e.Passed is null,
            _ => false,
        };

        private static bool ClausesValid(ClauseItem item, ItemEntry e, bool zeroed)
        {
            var problems = new List<EntryProblem>();
            ScoringEngine.ValidateClauses(item, e, zeroed, problems);
            return problems.Count == 0;
        }
    }
}
