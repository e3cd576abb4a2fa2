using EnvScore.Domain.Rules;

namespace EnvScore.Domain.Scoring;

/// <summary>The outcome of one scoring item.</summary>
/// <param name="Max">The item's full points (counted in the applicable maximum unless N/A).</param>
/// <param name="ZeroedBy">The reported zero-if conditions, in rule order; empty if none.</param>
/// <param name="Deduction">Points not obtained: <see cref="Max"/> − <see cref="Score"/> (also for items scored by addition).</param>
/// <param name="Explanation">One line a secretary understands, e.g. 乱堆乱放：发现3处，每处扣1分，扣3分（得2/5分）.</param>
/// <param name="Clauses">Each clause's outcome (an item of a single-input kind has one, coded as the item); empty when N/A or zeroed.</param>
public sealed record ItemResult(string Code, string Title, string SectionCode, ItemKind Kind, decimal Max, decimal Deduction,
    decimal Score, bool NotApplicable, IReadOnlyList<NamedCondition> ZeroedBy, string Explanation)
{
    /// <summary>The explanation without the item's title: 发现3处，每处扣1分，扣3分（得2/5分）.</summary>
    public string Detail { get; init; } = Explanation;

    public IReadOnlyList<ClauseResult> Clauses { get; init; } = [];
}

/// <summary>
/// One clause's outcome, structured (what pages, bulletins and notices render from; nothing parses the text).
/// </summary>
/// <param name="Input">The input as a secretary reads it: "10处", "是", "B 未按时评比", "80%", "40/50=80%".</param>
/// <param name="Deduction">Points the clause deducts (after its own cap, before the item's floor); 0 if none.</param>
/// <param name="Addition">Points the clause adds (after its own cap, before the item's ceiling); 0 if none.</param>
/// <param name="Rate">For a rate clause, the rate in percent (rounded to 2 decimals); else null.</param>
/// <param name="Explanation">The clause's part of the item's line, e.g. 垃圾堆积10处，每处扣1分，扣10分.</param>
public sealed record ClauseResult(string Code, string Text, ClauseKind Kind, string Input, decimal Deduction, decimal Addition,
    decimal? Rate, string Explanation)
{
    /// <summary>The count entered (occurrences, failed samples, units built) for count-like clauses; else null.</summary>
    public int? Count { get; init; }
}

/// <summary>The outcome of one bonus item, after its own cap (the sheet's total cap is applied on the sheet).</summary>
public sealed record BonusResult(string Code, string Title, int Awards, decimal Points, string Explanation)
{
    /// <summary>The explanation without the bonus item's title.</summary>
    public string Detail { get; init; } = Explanation;
}

/// <summary>
/// One thing a sheet found: an item that lost points (<see cref="Points"/> &lt; 0) or a bonus (&gt; 0), with its category
/// path, code, title and the engine's sentence for it (<see cref="Text"/>, without the title).
/// </summary>
public sealed record Finding(string Section, string ItemCode, string ItemTitle, decimal Points, string Text);

/// <summary>Raw (not normalised) subtotals of a section at any level (<see cref="Depth"/> 0 = top level).</summary>
public sealed record SectionResult(string Code, string Title, decimal Max, decimal ApplicableMax, decimal Deduction, decimal Score)
{
    public int Depth { get; init; }
    /// <summary>The enclosing section's code; null at the top level.</summary>
    public string? ParentCode { get; init; }
}

/// <summary>A scored sheet. All figures are exact except <see cref="BaseScore"/> when normalised (rounded once).</summary>
/// <param name="Total">BaseScore + BonusApplied; a veto does not change it, only the tier.</param>
/// <param name="RawScore">Sum of applicable item scores.</param>
/// <param name="ApplicableMax">Sum of applicable items' points.</param>
/// <param name="BaseScore">RawScore × TotalPoints / ApplicableMax, rounded to 2 decimals (= RawScore when nothing is N/A).</param>
/// <param name="NormalisationFactor">TotalPoints / ApplicableMax, for display only (rounded to 6 decimals); 1 when nothing is N/A.</param>
/// <param name="Sections">Top-level sections (the tie-break keys and stored section rows); <see cref="AllSections"/> has every level.</param>
/// <remarks>With a rule set's <see cref="RuleSet.Scale"/> (百分制折算), <see cref="Total"/> is on that scale
/// (<see cref="SheetTotal"/> × Scale / TotalPoints, rounded once); otherwise it equals <see cref="SheetTotal"/>.</remarks>
public sealed record SheetScore(decimal Total, decimal BaseScore, decimal RawScore, decimal ApplicableMax, decimal NormalisationFactor,
    decimal BonusRequested, decimal BonusApplied, IReadOnlyList<SectionResult> Sections, IReadOnlyList<ItemResult> Items,
    IReadOnlyList<BonusResult> Bonuses, IReadOnlyList<VetoRule> Vetoes, IReadOnlyList<string> Summary)
{
    public bool Vetoed => Vetoes.Count > 0;

    /// <summary>BaseScore + BonusApplied on the sheet's own scale (before any 百分制折算).</summary>
    public decimal SheetTotal { get; init; } = Total;

    /// <summary>Subtotals of every section at every level, pre-order (equal to <see cref="Sections"/> for a flat sheet).</summary>
    public IReadOnlyList<SectionResult> AllSections { get; init; } = Sections;

    /// <summary>
    /// What the sheet found, structured, for bulletins, notices and pages (nothing downstream reads the explanation
    /// text): one <see cref="Finding"/> per item that lost points (Points negative) and per bonus awarded (positive),
    /// in sheet order. Section: the item's category path (类别 › 指标 for nested sheets).
    /// </summary>
    public IReadOnlyList<Finding> Findings
    {
        get
        {
            var titles = AllSections.ToDictionary(x => x.Code);
            string Path(string code)
            {
                var parts = new List<string>();
                for (var c = code; c is not null && titles.TryGetValue(c, out var s); c = s.ParentCode) parts.Insert(0, s.Title);
                return string.Join(" › ", parts);
            }
            var findings = new List<Finding>();
            foreach (var i in Items)
                if (i.Deduction > 0 && !i.NotApplicable)
                    findings.Add(new Finding(Path(i.SectionCode), i.Code, i.Title, -i.Deduction, i.Detail));
            foreach (var b in Bonuses)
                if (b.Points > 0) findings.Add(new Finding("加分项", b.Code, b.Title, b.Points, b.Detail));
            return findings;
        }
    }

    /// <summary>Section deductions in sheet order: the tie-break keys for <see cref="TierCandidate"/>.</summary>
    public IReadOnlyList<decimal> SectionDeductions => Sections.Select(s => s.Deduction).ToArray();
}

/// <summary>Either a score (no problems) or every problem with the entries.</summary>
public sealed record SheetScoreResult(SheetScore? Score, IReadOnlyList<EntryProblem> Problems)
{
    public bool Succeeded => Score is not null;
}
