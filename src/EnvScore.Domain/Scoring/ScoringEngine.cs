using EnvScore.Domain.Rules;

namespace EnvScore.Domain.Scoring;

/// <summary>
/// The explained scoring path: pure, no clock, no I/O. Semantics in docs/scoring-model.md.
/// For bulk totals without explanations use <see cref="CompiledRuleSet"/>, which gives the same figures.
/// </summary>
public static class ScoringEngine
{
    /// <summary>Every problem with the entries; empty when they can be scored.</summary>
    public static IReadOnlyList<EntryProblem> Validate(RuleSet rules, SheetEntries entries)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(entries);
        var problems = new List<EntryProblem>();
        void Add(EntryProblemKind kind, string? item, string? field, string zh, string en) => problems.Add(new(kind, item, field, $"{zh} ({en})"));

        var index = RuleSetIndex.For(rules);
        var items = index.ItemsByCode;
        var bonuses = index.BonusesByCode;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var notApplicableEntries = 0;
        foreach (var e in entries.Items)
        {
            var code = e.ItemCode;
            if (!seen.Add(code)) { Add(EntryProblemKind.DuplicateItem, code, nameof(ItemEntry.ItemCode), $"评分项\"{code}\"重复填写", "item entered twice"); continue; }
            if (bonuses.TryGetValue(code, out var bonus))
            {
                NotAllowed(e, code, "加分项", nameof(ItemEntry.Count));
                if (e.NotApplicable) Add(EntryProblemKind.NotApplicableNotAllowed, code, nameof(ItemEntry.NotApplicable), $"加分项\"{bonus.Title}\"不能标记为不适用", "a bonus item cannot be N/A");
                if (e.Count is { } awards && !InputBounds.Of(bonus).Contains(awards)) Add(EntryProblemKind.NegativeNumber, code, nameof(ItemEntry.Count), $"加分次数不能为负数，实际为{e.Count}", "count must not be negative");
                continue;
            }
            if (!items.TryGetValue(code, out var item)) { Add(EntryProblemKind.UnknownItem, code, nameof(ItemEntry.ItemCode), $"评分细则中没有编码为\"{code}\"的评分项", "unknown item code"); continue; }
            if (e.NotApplicable)
            {
                notApplicableEntries++;
                if (!item.MayBeNotApplicable)
                    Add(EntryProblemKind.NotApplicableNotAllowed, code, nameof(ItemEntry.NotApplicable), $"评分项\"{item.Title}\"不允许标记为不适用", "this item may not be N/A");
                NotAllowed(e, code, "不适用的评分项");
                continue;
            }
            var zeroed = false;
            foreach (var z in e.ZeroConditions ?? [])
            {
                if (item.ZeroIf.Any(c => c.Code == z)) zeroed = true;
                else Add(EntryProblemKind.UnknownCondition, code, nameof(ItemEntry.ZeroConditions), $"评分项\"{item.Title}\"没有编码为\"{z}\"的不得分条件", "unknown zero-if condition");
            }
            if (item is ClauseItem ci)
            {
                NotAllowed(e, code, "按细则评分的评分项（请按细则填写）", nameof(ItemEntry.ZeroConditions));
                ValidateClauses(ci, e, zeroed, problems);
                continue;
            }
            if (e.Clauses is { Count: > 0 })
                Add(EntryProblemKind.FieldNotAllowed, code, nameof(ItemEntry.Clauses), $"评分项\"{item.Title}\"没有细则，不应填写细则", "this item has no clauses");
            switch (item)
            {
                case PerOccurrenceItem:
                    NotAllowed(e, code, "按处扣分项", nameof(ItemEntry.Count), nameof(ItemEntry.ZeroConditions));
                    if (e.Count is { } found && !InputBounds.Of(item)!.Value.Contains(found)) Add(EntryProblemKind.NegativeNumber, code, nameof(ItemEntry.Count), $"发现处数不能为负数，实际为{e.Count}", "count must not be negative");
                    break;
                case SampledItem s:
                    NotAllowed(e, code, "抽样扣分项", nameof(ItemEntry.FailedSamples), nameof(ItemEntry.ZeroConditions));
                    if (e.FailedSamples is { } failed && failed < InputBounds.Of(item)!.Value.Min) Add(EntryProblemKind.NegativeNumber, code, nameof(ItemEntry.FailedSamples), $"不合格数不能为负数，实际为{e.FailedSamples}", "failed samples must not be negative");
                    else if (e.FailedSamples is { } failedN && !InputBounds.Of(item)!.Value.Contains(failedN)) Add(EntryProblemKind.TooManyFailures, code, nameof(ItemEntry.FailedSamples),
                        $"不合格{s.Unit}数{e.FailedSamples}超过抽查{s.Unit}数{s.Samples}", "more failures than samples");
                    break;
                case LevelsItem l:
                    NotAllowed(e, code, "分档评分项", nameof(ItemEntry.Level), nameof(ItemEntry.ZeroConditions));
                    if (e.Level is null) { if (!zeroed) Add(EntryProblemKind.MissingRequired, code, nameof(ItemEntry.Level), $"评分项\"{item.Title}\"未选择档次", "level is required"); }
                    else if (!l.Levels.Any(x => x.Code == e.Level))
                        Add(EntryProblemKind.UnknownLevel, code, nameof(ItemEntry.Level), $"评分项\"{item.Title}\"没有编码为\"{e.Level}\"的档次，可选：{string.Join("、", l.Levels.Select(x => $"{x.Code}={x.Name}"))}", "unknown level");
                    break;
                case OverdueProblemsItem:
                    // The count is the ledger's (SheetEntries.OverdueProblems); nobody enters it.
                    if (e.Count is not null || e.Level is not null || e.FailedSamples is not null || e.Passed is not null)
                        Add(EntryProblemKind.FieldNotAllowed, code, e.Count is not null ? nameof(ItemEntry.Count) : e.Level is not null ? nameof(ItemEntry.Level)
                            : e.FailedSamples is not null ? nameof(ItemEntry.FailedSamples) : nameof(ItemEntry.Passed),
                            $"评分项\"{item.Title}\"的逾期未整改问题数由整改台账自动计算，不能填写", "the count of overdue problems comes from the rectification ledger and cannot be entered");
                    break;
                case PassFailItem:
                    NotAllowed(e, code, "合格/不合格评分项", nameof(ItemEntry.Passed), nameof(ItemEntry.ZeroConditions));
                    if (e.Passed is null && !zeroed) Add(EntryProblemKind.MissingRequired, code, nameof(ItemEntry.Passed), $"评分项\"{item.Title}\"未填写是否合格", "passed is required");
                    break;
            }
        }
        // An omitted perOccurrence/sampled/bonus item means nothing was found; levels and passFail have no neutral answer.
        foreach (var item in index.Items)
        {
            if (seen.Contains(item.Code)) continue;
            if (item is LevelsItem) Add(EntryProblemKind.MissingRequired, item.Code, nameof(ItemEntry.Level), $"评分项\"{item.Title}\"未填写（需选择档次）", "level is required");
            else if (item is PassFailItem) Add(EntryProblemKind.MissingRequired, item.Code, nameof(ItemEntry.Passed), $"评分项\"{item.Title}\"未填写（需填写是否合格）", "passed is required");
            else if (item is ClauseItem ci) ValidateClauses(ci, new ItemEntry(ci.Code), false, problems);
        }
        if (notApplicableEntries >= index.Items.Length && index.Items.All(i => entries.Items.Any(e => e.ItemCode == i.Code && e.NotApplicable)))
            problems.Add(new(EntryProblemKind.NothingApplicable, null, nameof(ItemEntry.NotApplicable), "所有评分项均为不适用，无法计分 (every item is N/A; nothing to score)"));
        var vetoSeen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var v in entries.Vetoes)
        {
            if (!index.VetoCodes.Contains(v)) Add(EntryProblemKind.UnknownVeto, null, nameof(SheetEntries.Vetoes), $"评分细则中没有编码为\"{v}\"的一票否决事项", "unknown veto code");
            else if (!vetoSeen.Add(v)) Add(EntryProblemKind.DuplicateVeto, null, nameof(SheetEntries.Vetoes), $"一票否决事项\"{v}\"重复填写", "veto entered twice");
        }
        return problems;

        void NotAllowed(ItemEntry e, string code, string what, string? allowed1 = null, string? allowed2 = null)
        {
            // Field by field, in this order, without allocating: this runs for every entry of every sheet.
            Check(nameof(ItemEntry.Count), e.Count is not null);
            Check(nameof(ItemEntry.Level), e.Level is not null);
            Check(nameof(ItemEntry.FailedSamples), e.FailedSamples is not null);
            Check(nameof(ItemEntry.Passed), e.Passed is not null);
            Check(nameof(ItemEntry.ZeroConditions), e.ZeroConditions is { Count: > 0 });

            void Check(string field, bool present)
            {
                if (present && field != allowed1 && field != allowed2)
                    Add(EntryProblemKind.FieldNotAllowed, code, field, $"{what}不应填写{FieldName(field)}", $"field {field} is not allowed here");
            }
        }
    }

    /// <summary>
    /// The inputs of an item with clauses: only known clause codes, only the field each clause kind takes, within its
    /// range; levels, passFail and rate clauses need an answer (unless the item is zeroed), the others default to
    /// "nothing found" (count 0, condition did not occur). Field names are "Clauses.{code}".
    /// </summary>
    internal static void ValidateClauses(ClauseItem item, ItemEntry e, bool zeroed, List<EntryProblem> problems)
    {
        void Add(EntryProblemKind kind, string field, string zh, string en) => problems.Add(new(kind, item.Code, field, $"{zh} ({en})"));
        var inputs = e.Clauses ?? new Dictionary<string, ClauseInput>();
        foreach (var code in inputs.Keys)
            if (!item.Clauses.Any(c => c.Code == code))
                Add(EntryProblemKind.UnknownClause, $"{nameof(ItemEntry.Clauses)}.{code}",
                    $"评分项\"{item.Title}\"没有编码为\"{code}\"的细则，可选：{string.Join("、", item.Clauses.Select(c => $"{c.Code}={c.Text}"))}", "unknown clause");
        foreach (var clause in item.Clauses)
        {
            var field = $"{nameof(ItemEntry.Clauses)}.{clause.Code}";
            var input = inputs.GetValueOrDefault(clause.Code);
            var what = $"细则\"{clause.Text}\"";
            if (clause is OverdueProblemsClause)
            {
                if (input is not null && (input.Count is not null || input.Level is not null || input.Yes is not null || input.Percent is not null
                    || input.Numerator is not null || input.Denominator is not null))
                    Add(EntryProblemKind.FieldNotAllowed, field, $"{what}的逾期未整改问题数由整改台账自动计算，不能填写",
                        "the count of overdue problems comes from the rectification ledger and cannot be entered");
                continue;
            }
            string[] allowed = clause switch
            {
                PerOccurrenceClause or SampledClause or AddPerUnitClause => [nameof(ClauseInput.Count)],
                LevelsClause => [nameof(ClauseInput.Level)],
                PassFailClause or DeductIfClause or AddIfClause => [nameof(ClauseInput.Yes)],
                RateClause { Input: RateInput.Fraction } => [nameof(ClauseInput.Numerator), nameof(ClauseInput.Denominator)],
                _ => [nameof(ClauseInput.Percent)],
            };
            if (input is not null)
                foreach (var (name, present) in new (string, bool)[] {
                    (nameof(ClauseInput.Count), input.Count is not null), (nameof(ClauseInput.Level), input.Level is not null),
                    (nameof(ClauseInput.Yes), input.Yes is not null), (nameof(ClauseInput.Percent), input.Percent is not null),
                    (nameof(ClauseInput.Numerator), input.Numerator is not null), (nameof(ClauseInput.Denominator), input.Denominator is not null) })
                    if (present && !allowed.Contains(name))
                        Add(EntryProblemKind.FieldNotAllowed, field, $"{what}不应填写{FieldName(name)}，应填写{string.Join("、", allowed.Select(FieldName))}", $"field {name} is not allowed here");
            switch (clause)
            {
                case PerOccurrenceClause or AddPerUnitClause when input?.Count < 0:
                    Add(EntryProblemKind.NegativeNumber, field, $"{what}的数量不能为负数，实际为{input.Count}", "count must not be negative");
                    break;
                case SampledClause sc when input?.Count < 0:
                    Add(EntryProblemKind.NegativeNumber, field, $"{what}的不合格数不能为负数，实际为{input.Count}", "failed samples must not be negative");
                    break;
                case SampledClause sc when input?.Count > sc.Samples:
                    Add(EntryProblemKind.TooManyFailures, field, $"{what}不合格{sc.Unit}数{input!.Count}超过抽查{sc.Unit}数{sc.Samples}", "more failures than samples");
                    break;
                case LevelsClause lc:
                    if (input?.Level is null) { if (!zeroed) Add(EntryProblemKind.MissingRequired, field, $"{what}未选择档次", "level is required"); }
                    else if (!lc.Levels.Any(l => l.Code == input.Level))
                        Add(EntryProblemKind.UnknownLevel, field, $"{what}没有编码为\"{input.Level}\"的档次，可选：{string.Join("、", lc.Levels.Select(x => $"{x.Code}={x.Name}"))}", "unknown level");
                    break;
                case PassFailClause when input?.Yes is null && !zeroed:
                    Add(EntryProblemKind.MissingRequired, field, $"{what}未填写是否合格", "passed is required");
                    break;
                case RateClause { Input: RateInput.Percent } when input?.Percent is null:
                    if (!zeroed) Add(EntryProblemKind.MissingRequired, field, $"{what}未填写比例（0到100之间的百分数）", "percent is required");
                    break;
                case RateClause { Input: RateInput.Percent } when input!.Percent is < 0 or > 100:
                    Add(EntryProblemKind.OutOfRange, field, $"{what}的比例应在0到100之间，实际为{input.Percent}", "percent must be within 0..100");
                    break;
                case RateClause { Input: RateInput.Fraction } rc:
                    if (input?.Numerator is null || input.Denominator is null)
                    { if (!zeroed) Add(EntryProblemKind.MissingRequired, field, $"{what}未填写{rc.NumeratorLabel}和{rc.DenominatorLabel}", "numerator and denominator are required"); }
                    else if (input.Numerator < 0 || input.Denominator <= 0 || input.Numerator > input.Denominator)
                        Add(EntryProblemKind.OutOfRange, field,
                            $"{what}的{rc.NumeratorLabel}（{input.Numerator}）应不小于0且不大于{rc.DenominatorLabel}（{input.Denominator}），{rc.DenominatorLabel}应大于0", "need 0 ≤ numerator ≤ denominator, denominator > 0");
                    break;
            }
        }
    }

    /// <summary>Validates, then scores with an explanation per item. Never throws for bad entries.</summary>
    /// <summary>The Chinese name of an entry field in a problem's message (the JSON name stays in the English gloss).</summary>
    private static string FieldName(string field) => field switch
    {
        nameof(ItemEntry.Count) => "数量", nameof(ItemEntry.Level) => "档次", nameof(ItemEntry.FailedSamples) => "不合格样本数",
        nameof(ItemEntry.Passed) => "是否合格", nameof(ItemEntry.ZeroConditions) => "不得分情形", nameof(ItemEntry.Clauses) => "细则",
        nameof(ClauseInput.Yes) => "是否", nameof(ClauseInput.Percent) => "百分比", nameof(ClauseInput.Numerator) => "分子",
        nameof(ClauseInput.Denominator) => "分母", _ => field,
    };

    public static SheetScoreResult Score(RuleSet rules, SheetEntries entries)
    {
        var problems = Validate(rules, entries);
        return problems.Count > 0 ? new(null, problems) : new(ScoreValid(rules, entries), []);
    }

    private static SheetScore ScoreValid(RuleSet rules, SheetEntries entries)
    {
        var index = RuleSetIndex.For(rules);
        var byCode = entries.Items.ToDictionary(e => e.ItemCode, StringComparer.Ordinal);
        var itemResults = new List<ItemResult>();
        var sectionResults = new List<SectionResult>();
        var allSections = rules.IsNested ? new List<SectionResult>() : null;
        foreach (var section in rules.Sections)
            sectionResults.Add(ScoreSection(section, 0, null));

        // A section's subtotal is the sum over its items, or over its sub-sections (each added to allSections in pre-order).
        SectionResult ScoreSection(Section section, int depth, string? parent)
        {
            decimal applicableMax = 0, deduction = 0, score = 0;
            var slot = allSections?.Count ?? 0;
            allSections?.Add(null!);
            foreach (var item in section.Items)
            {
                var r = ScoreItemCached(index, item, section.Code, byCode.GetValueOrDefault(item.Code), entries.OverdueProblems);
                itemResults.Add(r);
                if (r.NotApplicable) continue;
                applicableMax += r.Max;
                deduction += r.Deduction;
                score += r.Score;
            }
            foreach (var child in section.Sections)
            {
                var c = ScoreSection(child, depth + 1, section.Code);
                applicableMax += c.ApplicableMax;
                deduction += c.Deduction;
                score += c.Score;
            }
            var result = new SectionResult(section.Code, section.Title, section.MaxPoints, applicableMax, Points.Canonical(deduction), score)
                { Depth = depth, ParentCode = parent };
            if (allSections is not null) allSections[slot] = result;
            return result;
        }
        var raw = sectionResults.Sum(s => s.Score);
        var max = sectionResults.Sum(s => s.ApplicableMax);
        var normalised = max != rules.TotalPoints;
        var baseScore = normalised ? Points.Round(raw * rules.TotalPoints / max) : raw;
        var factor = normalised ? Math.Round(rules.TotalPoints / max, 6, MidpointRounding.AwayFromZero) : 1m;

        var bonuses = new List<BonusResult>();
        foreach (var b in rules.Bonus.Items)
        {
            var awards = byCode.GetValueOrDefault(b.Code)?.Count ?? 0;
            if (awards == 0) continue;
            bonuses.Add(ScoreBonus(b, awards));
        }
        var bonusRequested = bonuses.Sum(b => b.Points);
        var bonusApplied = Math.Min(bonusRequested, rules.Bonus.TotalCap);
        var vetoes = rules.Vetoes.Where(v => entries.Vetoes.Contains(v.Code)).ToArray();
        var sheetTotal = baseScore + bonusApplied;
        var total = rules.Scale is { } scale ? Points.Round(sheetTotal * scale / rules.TotalPoints) : sheetTotal;
        var summary = Summary(rules, raw, max, baseScore, bonuses, bonusRequested, bonusApplied,
            allSections?.Where(x => x.Depth > 0), sheetTotal, total, vetoes);
        return new(Points.Canonical(total), Points.Canonical(baseScore), Points.Canonical(raw), Points.Canonical(max), factor,
            Points.Canonical(bonusRequested), Points.Canonical(bonusApplied),
            sectionResults, itemResults, bonuses, vetoes, summary)
        {
            SheetTotal = Points.Canonical(sheetTotal),
            AllSections = allSections is null ? sectionResults : allSections,
        };
    }

    /// <summary>One bonus item awarded <paramref name="awards"/> (&gt; 0) times, after its own cap (the sheet's total cap is applied on the sheet).</summary>
    internal static BonusResult ScoreBonus(BonusItem b, int awards)
    {
        var requested = b.PointsEach * awards;
        var points = b.Cap is { } cap && requested > cap ? cap : requested;
        var capText = points < requested ? $"，本项最多加{Points.Format(points)}分" : "";
        var detail = $"加分{awards}次，每次加{Points.Format(b.PointsEach)}分{capText}，加{Points.Format(points)}分";
        return new(b.Code, b.Title, awards, points, $"{b.Title}：{detail}") { Detail = detail };
    }

    /// <summary>
    /// The sheet's summary lines: the sub-sections' subtotals (depth &gt; 0, given in pre-order), the base score, the
    /// bonus, the total, the 百分制 conversion and the vetoes. Figures are formatted by value (<see cref="Points.Format"/>).
    /// </summary>
    internal static List<string> Summary(RuleSet rules, decimal raw, decimal max, decimal baseScore, IReadOnlyList<BonusResult> bonuses,
        decimal bonusRequested, decimal bonusApplied, IEnumerable<SectionResult>? subSections, decimal sheetTotal, decimal total,
        IEnumerable<VetoRule> vetoes)
    {
        var normalised = max != rules.TotalPoints;
        var summary = new List<string>();
        summary.Add(normalised
            ? $"基础得分：适用项得分{Points.Format(raw)}/{Points.Format(max)}分，折算为{Points.Format(rules.TotalPoints)}分制得{Points.Format(baseScore)}分"
            : $"基础得分：{Points.Format(baseScore)}/{Points.Format(rules.TotalPoints)}分");
        if (bonuses.Count > 0)
            summary.Add(bonusApplied < bonusRequested
                ? $"加分：合计{Points.Format(bonusRequested)}分，超过加分上限{Points.Format(rules.Bonus.TotalCap)}分，实加{Points.Format(bonusApplied)}分"
                : $"加分：合计加{Points.Format(bonusApplied)}分");
        if (subSections is not null)
            foreach (var sr in subSections)
                summary.Insert(summary.Count - 1 - (bonuses.Count > 0 ? 1 : 0),
                    $"{new string('　', sr.Depth)}{sr.Title}：得{Points.Format(sr.Score)}/{Points.Format(sr.ApplicableMax)}分");
        summary.Add($"总得分：{Points.Format(sheetTotal)}分");
        if (rules.Scale is { } scale)
            summary.Add($"百分制折算：{Points.Format(sheetTotal)} × {Points.Format(scale)} ÷ {Points.Format(rules.TotalPoints)} = {Points.Format(total)}分");
        foreach (var v in vetoes) summary.Add($"一票否决：{v.Title}，评为整治类");
        return summary;
    }

    /// <summary>The common answers (nothing found, passed, a level, N/A) come from the rule set's index; the rest are scored.</summary>
    internal static ItemResult ScoreItemCached(RuleSetIndex index, ScoringItem item, string section, ItemEntry? e, int overdue)
    {
        if (e is { NotApplicable: true }) return index.NotApplicable[item.Code];
        if (e?.ZeroConditions is { Count: > 0 }) return ScoreItem(item, section, e, overdue);
        return item switch
        {
            PerOccurrenceItem when (e?.Count ?? 0) == 0 => index.FullMarks[item.Code],
            SampledItem when (e?.FailedSamples ?? 0) == 0 => index.FullMarks[item.Code],
            PassFailItem when e?.Passed == true => index.FullMarks[item.Code],
            OverdueProblemsItem when overdue == 0 => index.FullMarks[item.Code],
            LevelsItem when e?.Level is { } level && index.Levels.TryGetValue((item.Code, level), out var cached) => cached,
            _ => ScoreItem(item, section, e, overdue),
        };
    }

    /// <summary>
    /// Scores one item through its clauses (the general model; a single-input kind is one clause). The explanation keeps
    /// the wording each single-input kind always had; an item with clauses gets one part per clause that deducted or
    /// added, then the item's total.
    /// </summary>
    /// <param name="overdue">The ledger's count of overdue problems (<see cref="SheetEntries.OverdueProblems"/>): the input of every overdueProblems clause.</param>
    internal static ItemResult ScoreItem(ScoringItem item, string section, ItemEntry? e, int overdue = 0)
    {
        var p = item.Points;
        ItemResult Result(decimal deduction, decimal score, bool na, IReadOnlyList<NamedCondition> zeroed, string detail) =>
            new(item.Code, item.Title, section, item.Kind, p, deduction, score, na, zeroed, $"{item.Title}：{detail}") { Detail = detail };
        if (e is { NotApplicable: true })
            return Result(0, 0, true, [], $"不适用，不计分（本项{Points.Format(p)}分不计入满分）");
        var zeroedBy = item.ZeroIf.Where(c => e?.ZeroConditions?.Contains(c.Code) == true).ToArray();
        if (zeroedBy.Length > 0)
            return Result(p, 0, false, zeroedBy, $"{string.Join("；", zeroedBy.Select(c => c.Text))}，此项不得分（得0/{Points.Format(p)}分）");

        var clauses = item.AsClauses;
        var results = new ClauseResult[clauses.Count];
        decimal deducted = 0, added = 0;
        for (var i = 0; i < clauses.Count; i++)
        {
            var input = clauses[i] is OverdueProblemsClause ? new ClauseInput(Count: overdue)
                : item is ClauseItem ? e?.Clauses?.GetValueOrDefault(clauses[i].Code) : LegacyInput(item, e);
            results[i] = ScoreClause(clauses[i], input);
            deducted += results[i].Deduction;
            added += results[i].Addition;
        }
        var start = item.Scoring == ItemScoring.Deduct ? p : 0;
        var score = Math.Clamp(start - deducted + added, 0, p);
        var text = item is ClauseItem ? ClauseItemText(item, results, deducted, added, score) : SingleInputText(item, results[0], score);
        return Result(p - score, score, false, [], text) with { Clauses = results };
    }

    /// <summary>The input of a single-input item's one clause, from the entry's kind-specific field.</summary>
    private static ClauseInput? LegacyInput(ScoringItem item, ItemEntry? e) => e is null ? null : item switch
    {
        LevelsItem => new ClauseInput(Level: e.Level),
        PassFailItem => new ClauseInput(Yes: e.Passed),
        SampledItem => new ClauseInput(Count: e.FailedSamples),
        _ => new ClauseInput(Count: e.Count),
    };

    /// <summary>One clause's deduction or addition (after the clause's own cap), with its input and part of the line.</summary>
    internal static ClauseResult ScoreClause(Clause clause, ClauseInput? input)
    {
        string F(decimal d) => Points.Format(d);
        ClauseResult R(string shown, decimal deduction, decimal addition, string text, decimal? rate = null) =>
            new(clause.Code, clause.Text, clause.Kind, shown, deduction, addition, rate, text);
        ClauseResult RC(string shown, decimal deduction, decimal addition, int count, string text) =>
            new(clause.Code, clause.Text, clause.Kind, shown, deduction, addition, null, text) { Count = count };
        switch (clause)
        {
            case PerOccurrenceClause o:
            {
                var n = input?.Count ?? 0;
                var raw = o.DeductionEach * n;
                var d = o.MaxDeduction is { } cap && raw > cap ? cap : raw;
                return RC($"{n}{o.Unit}", d, 0, n, n == 0 ? "" : $"{o.Text}{n}{o.Unit}，每{o.Unit}扣{F(o.DeductionEach)}分{(d < raw ? $"，本条最多扣{F(d)}分" : "")}，扣{F(d)}分");
            }
            case SampledClause s:
            {
                var n = input?.Count ?? 0;
                var raw = s.DeductionEach * n;
                var d = s.MaxDeduction is { } cap && raw > cap ? cap : raw;
                return RC($"{n}{s.Unit}不合格", d, 0, n, n == 0 ? "" : $"{s.Text}：抽查{s.Samples}{s.Unit}，{n}{s.Unit}不合格，每{s.Unit}扣{F(s.DeductionEach)}分{(d < raw ? $"，本条最多扣{F(d)}分" : "")}，扣{F(d)}分");
            }
            case LevelsClause l:
            {
                var level = l.Levels.First(x => x.Code == input?.Level);
                var text = level.Deduction > 0 ? $"{l.Text}：{level.Name}，扣{F(level.Deduction)}分"
                    : level.Addition > 0 ? $"{l.Text}：{level.Name}，得{F(level.Addition)}分" : "";
                return R(level.Name, level.Deduction, level.Addition, text);
            }
            case PassFailClause f:
                return input?.Yes == true ? R("合格", 0, 0, "") : R("不合格", f.FailDeduction, 0, $"{f.Text}不合格，扣{F(f.FailDeduction)}分");
            case DeductIfClause di:
                return input?.Yes == true ? R("是", di.Deduction, 0, $"{di.Text}，扣{F(di.Deduction)}分") : R("否", 0, 0, "");
            case AddIfClause ai:
                return input?.Yes == true ? R("是", 0, ai.Addition, $"{ai.Text}，得{F(ai.Addition)}分") : R("否", 0, 0, "");
            case OverdueProblemsClause od:
            {
                var n = input?.Count ?? 0;
                var raw = od.DeductionEach * n;
                var d = od.MaxDeduction is { } cap && raw > cap ? cap : raw;
                return RC($"{n}{OverdueProblemsClause.Unit}", d, 0, n, n == 0 ? ""
                    : $"逾期未整改问题{n}处，每处扣{F(od.DeductionEach)}分{(d < raw ? $"，本条最多扣{F(d)}分" : "")}，扣{F(d)}分");
            }
            case AddPerUnitClause a:
            {
                var n = input?.Count ?? 0;
                if (n <= 0) return RC($"0{a.Unit}", 0, 0, 0, "");
                var raw = a.First + a.Each * (n - 1);
                var v = a.MaxAddition is { } cap && raw > cap ? cap : raw;
                var how = n == 1 ? $"得{F(a.First)}分" : $"首{a.Unit}得{F(a.First)}分，每增加1{a.Unit}加{F(a.Each)}分";
                return RC($"{n}{a.Unit}", 0, v, n, $"{a.Text}{n}{a.Unit}，{how}{(v < raw ? $"，本条最多得{F(v)}分" : "")}，得{F(v)}分");
            }
            case RateClause rc:
            {
                decimal rate;
                string shown;
                if (rc.Input == RateInput.Fraction)
                {
                    var num = input?.Numerator ?? 0; var den = input?.Denominator ?? 1;
                    rate = num * 100 / den;
                    shown = $"{F(num)}/{F(den)}={F(Points.Round(rate))}%";
                }
                else { rate = input?.Percent ?? 0; shown = $"{F(rate)}%"; }
                var gap = rc.Direction == RateDirection.AtLeast ? rc.Threshold - rate : rate - rc.Threshold;
                if (gap <= 0) return R(shown, 0, 0, "", Points.Round(rate));
                var raw = Points.Round(gap * rc.DeductionPerPoint);
                var d = rc.MaxDeduction is { } cap && raw > cap ? cap : raw;
                var side = rc.Direction == RateDirection.AtLeast ? "低于" : "高于";
                return R(shown, d, 0,
                    $"{rc.Text}{shown}，{side}{F(rc.Threshold)}%的标准{F(Points.Round(gap))}个百分点，每个百分点扣{F(rc.DeductionPerPoint)}分{(d < raw ? $"，本条最多扣{F(d)}分" : "")}，扣{F(d)}分",
                    Points.Round(rate));
            }
            default:
                throw new InvalidOperationException($"unknown clause type {clause.GetType().Name}");
        }
    }

    /// <summary>The wording the four single-input kinds have always had (stored explanations keep reading the same).</summary>
    private static string SingleInputText(ScoringItem item, ClauseResult c, decimal score)
    {
        var p = item.Points;
        var deduction = p - score;
        var tail = deduction == 0 ? $"不扣分（得{Points.Format(p)}/{Points.Format(p)}分）"
            : $"扣{Points.Format(deduction)}分（得{Points.Format(score)}/{Points.Format(p)}分）";
        switch (item)
        {
            case PerOccurrenceItem o:
            {
                var count = c.Count ?? 0;
                if (count == 0) return $"未发现问题，{tail}";
                var raw = o.DeductionEach * count;
                var note = c.Deduction < raw && c.Deduction <= p ? $"本项最多扣{Points.Format(c.Deduction)}分，" : c.Deduction > p ? "扣完为止，" : "";
                return $"发现{count}{o.Unit}，每{o.Unit}扣{Points.Format(o.DeductionEach)}分，{note}{tail}";
            }
            case SampledItem s:
            {
                var failed = c.Count ?? 0;
                if (failed == 0) return $"抽查{s.Samples}{s.Unit}，均合格，{tail}";
                return $"抽查{s.Samples}{s.Unit}，{failed}{s.Unit}不合格，每{s.Unit}扣{Points.Format(s.DeductionEach)}分，{(c.Deduction > p ? "扣完为止，" : "")}{tail}";
            }
            case OverdueProblemsItem od:
            {
                var count = c.Count ?? 0;
                if (count == 0) return $"无逾期未整改问题，{tail}";
                var raw = od.DeductionEach * count;
                var note = c.Deduction < raw && c.Deduction <= p ? $"本项最多扣{Points.Format(c.Deduction)}分，" : c.Deduction > p ? "扣完为止，" : "";
                return $"逾期未整改问题{count}处，每处扣{Points.Format(od.DeductionEach)}分，{note}{tail}";
            }
            case LevelsItem: return $"{c.Input}，{tail}";
            case PassFailItem: return $"{c.Input}，{tail}";
            default: throw new InvalidOperationException($"unknown item type {item.GetType().Name}");
        }
    }

    /// <summary>An item with clauses: each clause that deducted or added, then the item's points.</summary>
    private static string ClauseItemText(ScoringItem item, ClauseResult[] results, decimal deducted, decimal added, decimal score)
    {
        var p = item.Points;
        string F(decimal d) => Points.Format(d);
        var parts = results.Where(r => r.Explanation.Length > 0).Select(r => r.Explanation).ToList();
        var got = $"（得{F(score)}/{F(p)}分）";
        if (item.Scoring == ItemScoring.Deduct)
        {
            if (parts.Count == 0) return $"各条细则均未扣分，不扣分{got}";
            var net = deducted - added;
            return $"{string.Join("；", parts)}；{(parts.Count > 1 ? "合计" : "共")}扣{F(net)}分{(net > p ? "，扣完为止" : "")}{got}";
        }
        if (parts.Count == 0) return $"未得分{got}";
        var sum = added - deducted;
        var note = sum > p ? $"，超过本项分值，按{F(p)}分计" : sum < 0 ? "，扣完为止" : "";
        return $"{string.Join("；", parts)}；合计{(sum >= 0 ? $"得{F(sum)}分" : $"扣{F(-sum)}分")}{note}{got}";
    }
}
