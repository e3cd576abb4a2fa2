using System.Security.Claims;
using AutoMapper;
using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Organisation;
using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Analysis;

/// <summary>
/// What-if of a rule change: the counted sheets of a computed month scored with another rule set (typically a draft),
/// combined, tiered and ranked as the monthly computation would (<see cref="ScoreCombiner"/>, <see cref="TierAssigner"/>),
/// and compared with the stored results — reading only, nothing is written. Sheets are scored on the compiled path
/// (<see cref="CompiledRuleSet"/>) and, for rule sets it does not support (clauses, 百分制 scale), with
/// <see cref="ScoringEngine"/>. Which sheets count is <see cref="SheetCounting.Counts"/> minus villages recorded
/// missing at the deadline; the villages are those with stored results for the month.
/// </summary>
public sealed class WhatIfService(EnvScoreDbContext db, RuleSetStore ruleSets, IMapper mapper)
{
    public async Task<WhatIfOutcome> RunAsync(ClaimsPrincipal user, int ruleSetId, EvaluationMonth month, CancellationToken ct)
    {
        var districtId = user.DistrictId();
        var record = await db.RuleSets.AsNoTracking().SingleOrDefaultAsync(r => r.Id == ruleSetId, ct);
        // Another district's rule set is answered exactly like one that does not exist: its ids are not revealed.
        if (record is null || record.DistrictId != districtId)
            return new WhatIfOutcome.NotFound($"本区没有编号为{ruleSetId}的评分细则。 (no such rule set in your district)");
        var stored = await db.VillageResults.AsNoTracking().Include(r => r.Village).ThenInclude(v => v!.Township)
            .Where(r => r.DistrictId == record.DistrictId && r.Month == month.Key).ToListAsync(ct);
        if (stored.Count == 0) return new WhatIfOutcome.NotFound($"{month.ToChinese()}尚未计算，无法试算 (month not computed)");
        var sheets = await db.Evaluations.AsNoTracking().Include(e => e.Entries)
            .Where(e => e.DistrictId == record.DistrictId && e.Month == month.Key).ThatCount()
            .ToListAsync(ct);
        var missing = (await db.MissingSubmissions.AsNoTracking().Where(m => m.Month == month.Key && m.DistrictId == record.DistrictId)
            .Select(m => m.VillageId).ToListAsync(ct)).ToHashSet();
        var rules = ruleSets.Parse(record);
        // The rule sets the sheets were filled in under: an item whose kind differs there is named as such (WhatIfProblems).
        var boundIds = sheets.Select(s => s.RuleSetId).Distinct().Where(id => id != record.Id).ToList();
        var bound = (await db.RuleSets.AsNoTracking().Where(r => boundIds.Contains(r.Id)).ToListAsync(ct))
            .ToDictionary(r => r.Id, r => ruleSets.Parse(r));
        bound[record.Id] = rules;
        // 每处逾期未整改问题扣X分: the same ledger count the monthly computation feeds (Rectifications.OverdueProblemCount).
        var overdue = rules.UsesOverdueProblems
            ? await Rectifications.OverdueProblemCount.CountAsync(db, record.DistrictId, month, ct)
            : new Dictionary<int, int>();
        return Compare(rules, record, month, stored, sheets, missing, overdue, bound);
    }

    private WhatIfOutcome Compare(RuleSet rules, RuleSetRecord record, EvaluationMonth month, List<Computation.VillageResult> stored,
        List<Evaluation> sheets, HashSet<int> missing, IReadOnlyDictionary<int, int> overdue, IReadOnlyDictionary<int, RuleSet> bound)
    {
        var compiled = CompiledRuleSet.Supports(rules) ? new CompiledRuleSet(rules) : null;
        var problems = new WhatIfProblems(rules);
        var scored = new Dictionary<(int VillageId, EvaluationKind Kind), (decimal Total, IReadOnlyList<decimal> Sections, bool Vetoed)>();
        var names = stored.ToDictionary(r => r.VillageId, r => r.Village!.Name);
        foreach (var sheet in sheets.Where(s => names.ContainsKey(s.VillageId) && SheetCounting.Counts(s.Status, s.SubmittedAt)))
        {
            if (sheet.Kind == EvaluationKind.Self && missing.Contains(sheet.VillageId)) continue;
            var entries = new SheetEntries(sheet.Entries.Select(mapper.Map<ItemEntry>).ToList(), sheet.Vetoes)
                { OverdueProblems = overdue.GetValueOrDefault(sheet.VillageId) };
            var invalid = ScoringEngine.Validate(rules, entries);
            if (invalid.Count > 0)
            {
                problems.Add($"{names[sheet.VillageId]}（{(sheet.Kind == EvaluationKind.Self ? "自评" : "区级抽查")}）", bound.GetValueOrDefault(sheet.RuleSetId), sheet.Entries, invalid);
                continue;
            }
            if (compiled is not null)
            {
                var sections = new long[compiled.SectionCount];
                var totals = compiled.Evaluate(compiled.Encode(entries), entries.Vetoes.Count > 0, sections);
                scored[(sheet.VillageId, sheet.Kind)] = (totals.Total, sections.Select(h => h * 0.01m).ToArray(), totals.Vetoed);
            }
            else
            {
                var score = ScoringEngine.Score(rules, entries).Score!;
                scored[(sheet.VillageId, sheet.Kind)] = (score.Total, score.SectionDeductions, score.Vetoed);
            }
        }
        if (problems.Count > 0) return new WhatIfOutcome.Invalid(problems.List());

        var candidates = new List<TierCandidate>();
        var finals = new Dictionary<int, decimal>();
        foreach (var r in stored)
        {
            var village = DivisionCode.Parse(r.Village!.Code);
            var township = DivisionCode.Parse(r.Village.Township!.Code);
            var hasSelf = scored.TryGetValue((r.VillageId, EvaluationKind.Self), out var self);
            var hasCheck = scored.TryGetValue((r.VillageId, EvaluationKind.District), out var check);
            if (!hasSelf)
            {
                finals[r.VillageId] = rules.MissingSheet.Score;
                // As the monthly computation: a missing sheet breaks ties with no deductions (zeros), whatever a district check found.
                candidates.Add(new TierCandidate(village, township, rules.MissingSheet.Score, hasCheck && check.Vetoed, [], MissingSheet: true));
                continue;
            }
            var final = ScoreCombiner.Combine(self.Total, hasCheck ? check.Total : null, rules.Combination).Final;
            finals[r.VillageId] = final;
            candidates.Add(new TierCandidate(village, township, final, self.Vetoed || (hasCheck && check.Vetoed), hasCheck ? check.Sections : self.Sections));
        }
        var outcomes = TierAssigner.Assign(candidates, rules.Tiers, rules.MissingSheet).ToDictionary(o => o.VillageCode.Value);
        var villages = stored.OrderBy(r => r.DistrictRank).Select(r =>
        {
            var o = outcomes[r.Village!.Code];
            return new WhatIfVillage(r.VillageId, r.Village.Name, r.Village.Township!.Name, r.FinalScore, o.FinalScore, r.Tier, o.Tier, r.DistrictRank, o.DistrictRank,
                r.TownshipRank, o.TownshipRank);
        }).ToList();
        var tiers = Enum.GetValues<Tier>().Select(t => new WhatIfTierCount(t, villages.Count(v => v.Tier == t), villages.Count(v => v.NewTier == t))).ToList();
        return new WhatIfOutcome.Done(new WhatIfResult(record.Id, record.Title, record.Version, month.Key, compiled is not null, tiers,
            villages.Count(v => v.NewTier != v.Tier), villages.Count(v => v.NewTier < v.Tier), villages.Count(v => v.NewTier > v.Tier),
            villages.Count(v => v.NewDistrictRank != v.DistrictRank), villages));
    }
}

/// <summary>Scores are on the rule set's (converted) scale; ranks 1-based; Tier/NewTier as stored and as the what-if gives them.</summary>
public sealed record WhatIfVillage(int VillageId, string VillageName, string TownshipName, decimal FinalScore, decimal NewFinalScore,
    [property: System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter))] Tier Tier,
    [property: System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter))] Tier NewTier,
    int DistrictRank, int NewDistrictRank, int TownshipRank, int NewTownshipRank);

public sealed record WhatIfTierCount([property: System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter))] Tier Tier,
    int Now, int WhatIf);

/// <summary>The summary (tier counts now and under the rules, villages changing tier up/down, changing district rank) and every village.</summary>
public sealed record WhatIfResult(int RuleSetId, string RuleSetTitle, int RuleSetVersion, int Month, bool CompiledPath, IReadOnlyList<WhatIfTierCount> Tiers,
    int TierChanged, int MovedUp, int MovedDown, int RankChanged, IReadOnlyList<WhatIfVillage> Villages);

public abstract record WhatIfOutcome
{
    public sealed record Done(WhatIfResult Result) : WhatIfOutcome;
    /// <summary>Sheets that do not fit the rule set (an item whose kind changed, items it lacks, levels it does not know …), by item.</summary>
    public sealed record Invalid(IReadOnlyList<WhatIfProblem> Problems) : WhatIfOutcome
    {
        public int SheetCount => Problems.SelectMany(p => p.Sheets).Distinct().Count();
    }
    /// <summary>An unknown rule set, another district's (the same answer, so ids of other districts are not revealed), or an uncomputed month.</summary>
    public sealed record NotFound(string Message) : WhatIfOutcome;
}
