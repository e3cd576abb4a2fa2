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
                    Add(EntryProblemKind.FieldNotAllowed, code, field, $"{what}不应填写\"{field}\"", $"field {field} is not allowed here");
            }
        }
    }

    /// <summary>Validates, then scores with an explanation per item. Never throws for bad entries.</summary>
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
        foreach (var section in rules.Sections)
        {
            decimal applicableMax = 0, deduction = 0, score = 0;
            foreach (var item in section.Items)
            {
                var r = ScoreItemCached(index, item, section.Code, byCode.GetValueOrDefault(item.Code));
                itemResults.Add(r);
                if (r.NotApplicable) continue;
                applicableMax += r.Max;
                deduction += r.Deduction;
                score += r.Score;
            }
            sectionResults.Add(new(section.Code, section.Title, section.MaxPoints, applicableMax, Points.Canonical(deduction), score));
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
            var requested = b.PointsEach * awards;
            var points = b.Cap is { } cap && requested > cap ? cap : requested;
            var capText = points < requested ? $"，本项最多加{Points.Format(points)}分" : "";
            bonuses.Add(new(b.Code, b.Title, awards, points, $"{b.Title}：加分{awards}次，每次加{Points.Format(b.PointsEach)}分{capText}，加{Points.Format(points)}分"));
        }
        var bonusRequested = bonuses.Sum(b => b.Points);
        var bonusApplied = Math.Min(bonusRequested, rules.Bonus.TotalCap);
        var vetoes = rules.Vetoes.Where(v => entries.Vetoes.Contains(v.Code)).ToArray();

        var summary = new List<string>();
        summary.Add(normalised
            ? $"基础得分：适用项得分{Points.Format(raw)}/{Points.Format(max)}分，折算为{Points.Format(rules.TotalPoints)}分制得{Points.Format(baseScore)}分"
            : $"基础得分：{Points.Format(baseScore)}/{Points.Format(rules.TotalPoints)}分");
        if (bonuses.Count > 0)
            summary.Add(bonusApplied < bonusRequested
                ? $"加分：合计{Points.Format(bonusRequested)}分，超过加分上限{Points.Format(rules.Bonus.TotalCap)}分，实加{Points.Format(bonusApplied)}分"
                : $"加分：合计加{Points.Format(bonusApplied)}分");
        summary.Add($"总得分：{Points.Format(baseScore + bonusApplied)}分");
        foreach (var v in vetoes) summary.Add($"一票否决：{v.Title}，评为整治类");
        return new(Points.Canonical(baseScore + bonusApplied), Points.Canonical(baseScore), Points.Canonical(raw), Points.Canonical(max), factor,
            Points.Canonical(bonusRequested), Points.Canonical(bonusApplied),
            sectionResults, itemResults, bonuses, vetoes, summary);
    }

    /// <summary>The common answers (nothing found, passed, a level, N/A) come from the rule set's index; the rest are scored.</summary>
    private static ItemResult ScoreItemCached(RuleSetIndex index, ScoringItem item, string section, ItemEntry? e)
    {
        if (e is { NotApplicable: true }) return index.NotApplicable[item.Code];
        if (e?.ZeroConditions is { Count: > 0 }) return ScoreItem(item, section, e);
        return item switch
        {
            PerOccurrenceItem when (e?.Count ?? 0) == 0 => index.FullMarks[item.Code],
            SampledItem when (e?.FailedSamples ?? 0) == 0 => index.FullMarks[item.Code],
            PassFailItem when e?.Passed == true => index.FullMarks[item.Code],
            LevelsItem when e?.Level is { } level && index.Levels.TryGetValue((item.Code, level), out var cached) => cached,
            _ => ScoreItem(item, section, e),
        };
    }

    internal static ItemResult ScoreItem(ScoringItem item, string section, ItemEntry? e)
    {
        var p = item.Points;
        string Tail(decimal deduction) => deduction == 0 ? $"不扣分（得{Points.Format(p)}/{Points.Format(p)}分）"
            : $"扣{Points.Format(deduction)}分（得{Points.Format(p - deduction)}/{Points.Format(p)}分）";
        ItemResult Result(decimal deduction, string text, IReadOnlyList<NamedCondition>? zeroedBy = null) =>
            new(item.Code, item.Title, section, item.Kind, p, deduction, p - deduction, false, zeroedBy ?? [], $"{item.Title}：{text}");

        if (e is { NotApplicable: true })
            return new(item.Code, item.Title, section, item.Kind, p, 0, 0, true, [], $"{item.Title}：不适用，不计分（本项{Points.Format(p)}分不计入满分）");
        var zeroedBy = item.ZeroIf.Where(c => e?.ZeroConditions?.Contains(c.Code) == true).ToArray();
        if (zeroedBy.Length > 0)
            return Result(p, $"{string.Join("；", zeroedBy.Select(c => c.Text))}，此项不得分（得0/{Points.Format(p)}分）", zeroedBy);
        switch (item)
        {
            case PerOccurrenceItem o:
            {
                var count = e?.Count ?? 0;
                if (count == 0) return Result(0, $"未发现问题，{Tail(0)}");
                var raw = o.DeductionEach * count;
                var capped = o.MaxDeduction is { } cap && raw > cap ? cap : raw;
                var deduction = Math.Min(capped, p);
                var note = capped < raw && capped <= p ? $"本项最多扣{Points.Format(capped)}分，" : capped > p ? "扣完为止，" : "";
                return Result(deduction, $"发现{count}{o.Unit}，每{o.Unit}扣{Points.Format(o.DeductionEach)}分，{note}{Tail(deduction)}");
            }
            case SampledItem s:
            {
                var failed = e?.FailedSamples ?? 0;
                if (failed == 0) return Result(0, $"抽查{s.Samples}{s.Unit}，均合格，{Tail(0)}");
                var raw = s.DeductionEach * failed;
                var deduction = Math.Min(raw, p);
                return Result(deduction, $"抽查{s.Samples}{s.Unit}，{failed}{s.Unit}不合格，每{s.Unit}扣{Points.Format(s.DeductionEach)}分，{(raw > p ? "扣完为止，" : "")}{Tail(deduction)}");
            }
            case LevelsItem l:
            {
                var level = l.Levels.First(x => x.Code == e!.Level);
                return Result(level.Deduction, $"{level.Name}，{Tail(level.Deduction)}");
            }
            case PassFailItem f:
            {
                if (e!.Passed == true) return Result(0, $"合格，{Tail(0)}");
                var deduction = f.FailDeduction ?? p;
                return Result(deduction, $"不合格，{Tail(deduction)}");
            }
            default:
                throw new InvalidOperationException($"unknown item type {item.GetType().Name}");
        }
    }
}
