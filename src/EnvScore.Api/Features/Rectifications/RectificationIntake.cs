using AutoMapper;
using EnvScore.Api.Features.Audit;
using EnvScore.Api.Features.Computation;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Scoring;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Rectifications;

/// <summary>
/// Where problems come from after the monthly computation: one problem (待整改) per deduction of a counted district
/// spot-check — from the stored structured findings of the month's results (<see cref="VillageResult.Findings"/>, items
/// that lost points; bonuses are not problems) — and, when the rule set says <c>rectification.includeSelfEvaluation</c>,
/// per deduction of a counted self-evaluation (the engine's <see cref="SheetScore.Findings"/>). Never from explanation text.
/// Idempotent: one problem per (sheet, item) (a unique index), so a recomputation adds only what is new and never touches
/// a problem already in the loop. The deadline runs from the day of the computation (Asia/Shanghai).
/// Runs after the computation has committed, in its own scope and transaction; a failure is logged and does not fail
/// the computation (the next computation retries).
/// </summary>
public static class RectificationIntake
{
    public const string SystemUser = "system:computation";

    /// <summary>The one call the monthly computation makes: the districts whose month was just computed successfully.</summary>
    public static async Task AfterComputationAsync(IServiceScopeFactory scopes, IReadOnlyCollection<int> districtIds, EvaluationMonth month, CancellationToken ct)
    {
        if (districtIds.Count == 0) return;
        await using var scope = scopes.CreateAsyncScope();
        var log = scope.ServiceProvider.GetRequiredService<ILogger<Rectification>>();
        try
        {
            var created = await CreateAsync(scope.ServiceProvider, districtIds, month, ct);
            if (created > 0) log.LogInformation("Rectification intake for {Month}: {Count} problem(s) created", month, created);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "Rectification intake for {Month} failed; the next computation retries", month);
        }
    }

    /// <summary>Creates the month's problems for the districts; returns how many were new.</summary>
    public static async Task<int> CreateAsync(IServiceProvider services, IReadOnlyCollection<int> districtIds, EvaluationMonth month, CancellationToken ct)
    {
        var db = services.GetRequiredService<EnvScoreDbContext>();
        var ruleSets = services.GetRequiredService<RuleSetStore>();
        var mapper = services.GetRequiredService<IMapper>();
        var audit = services.GetRequiredService<AuditWriter>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var ids = districtIds.ToArray();

        // Only what the intake reads: the results' structured findings (no section rows), the sheets without their entries;
        // entries are then read for the sheets that may yield a new problem only — at 50k villages reading every sheet's
        // entries (1.4M rows) and re-scoring every self-evaluation was most of the intake's time (issue #20).
        var results = await db.VillageResults.AsNoTracking().Where(r => ids.Contains(r.DistrictId) && r.Month == month.Key)
            .Select(r => new { r.VillageId, r.RuleSetId, r.DistrictScore, r.Findings }).ToListAsync(ct);
        var sheets = await db.Evaluations.AsNoTracking()
            .Where(e => ids.Contains(e.DistrictId) && e.Month == month.Key).ThatCount()
            .ToListAsync(ct);
        var sheetIds = sheets.Select(s => s.Id).ToList();
        var existing = (await db.Set<Rectification>().AsNoTracking().Where(r => r.EvaluationId != null && sheetIds.Contains(r.EvaluationId.Value))
            .Select(r => new { r.EvaluationId, r.ItemCode }).ToListAsync(ct)).Select(x => (x.EvaluationId!.Value, x.ItemCode)).ToHashSet();
        var parsed = new Dictionary<int, Domain.Rules.RuleSet>(); // once per rule set, not once per result
        async Task<Domain.Rules.RuleSet> RulesAsync(int id) => parsed.TryGetValue(id, out var r) ? r
            : parsed[id] = ruleSets.Parse(await db.RuleSets.AsNoTracking().SingleAsync(x => x.Id == id, ct));

        // Each result's sheets by (village, kind), the first in list order as a scan would find it: a scan per result was
        // quadratic (50k villages: ~3 minutes after a 30-second computation, issue #20).
        var sheetOf = new Dictionary<(int VillageId, EvaluationKind Kind), Evaluation>();
        foreach (var s in sheets) sheetOf.TryAdd((s.VillageId, s.Kind), s);

        // Which sheets may yield a new problem: a district check with a deduction not yet in the ledger, and every
        // counted self-evaluation when the rule set includes them (they are scored below).
        var candidates = new List<(Evaluation Sheet, IReadOnlyList<ResultFinding>? Findings, Domain.Rules.RuleSet Rules)>();
        foreach (var result in results)
        {
            var rules = await RulesAsync(result.RuleSetId);
            var district = sheetOf.GetValueOrDefault((result.VillageId, EvaluationKind.District));
            if (district is not null && result.DistrictScore is not null && result.Findings is { } findings
                && findings.Any(f => f.Points < 0 && !existing.Contains((district.Id, f.ItemCode))))
                candidates.Add((district, findings, rules));
            var self = sheetOf.GetValueOrDefault((result.VillageId, EvaluationKind.Self));
            if (self is not null && RectificationDeadlines.IncludesSelfEvaluation(rules))
                candidates.Add((self, null, rules));
        }
        if (candidates.Count == 0) return 0;
        var wanted = candidates.Select(c => c.Sheet.Id).Distinct().ToList();
        var entriesOf = (await db.EvaluationEntries.AsNoTracking().Where(e => wanted.Contains(e.EvaluationId)).ToListAsync(ct))
            .ToLookup(e => e.EvaluationId);

        var created = new List<Rectification>();
        foreach (var (sheet, findings, rules) in candidates)
        {
            var entries = entriesOf[sheet.Id].ToList();
            if (findings is not null)
            {
                foreach (var f in findings.Where(f => f.Points < 0))
                    Add(sheet, entries, f.ItemCode, f.ItemTitle, -f.Points, f.Text, RectificationSource.DistrictCheck, rules);
                continue;
            }
            // A self-evaluation's deductions: the computation's own scoring path (ListedScoring, pinned to the engine).
            var selfRules = await RulesAsync(sheet.RuleSetId);
            if (ListedScoring.Score(selfRules, new SheetEntries(entries.Select(mapper.Map<ItemEntry>).ToList(), sheet.Vetoes)).Score is { } score)
                foreach (var f in score.Findings.Where(f => f.Points < 0))
                    Add(sheet, entries, f.ItemCode, f.ItemTitle, -f.Points, f.Text, RectificationSource.SelfEvaluation, rules);
        }

        void Add(Evaluation sheet, List<EvaluationEntry> entries, string itemCode, string itemTitle, decimal points, string text, RectificationSource source, Domain.Rules.RuleSet rules)
        {
            var entry = entries.FirstOrDefault(e => e.ItemCode == itemCode);
            var clauses = entry?.Clauses.Where(c => c.Count > 0 || c.Yes == true || c.Level is not null).ToList() ?? [];
            // A deduction for overdue problems (每处逾期未整改问题) is the ledger's own problems, not a new one.
            var item = rules.Items.FirstOrDefault(i => i.Code == itemCode);
            if (item is Domain.Rules.OverdueProblemsItem || (item is Domain.Rules.ClauseItem ci && clauses.Count == 0
                && ci.Clauses.Any(c => c is Domain.Rules.OverdueProblemsClause))) return;
            if (!existing.Add((sheet.Id, itemCode))) return;
            created.Add(new Rectification
            {
                VillageId = sheet.VillageId, TownshipId = sheet.TownshipId, DistrictId = sheet.DistrictId, Month = sheet.Month, RuleSetId = sheet.RuleSetId,
                ItemCode = itemCode, ItemTitle = itemTitle, Points = points, Description = text.Length > RectificationRules.MaxTextLength ? text[..RectificationRules.MaxTextLength] : text,
                Count = entry?.Count ?? entry?.FailedSamples ?? (clauses.Count == 1 ? clauses[0].Count : null),
                ClauseCode = clauses.Count == 1 ? clauses[0].Code : null,
                Source = source, EvaluationId = sheet.Id, State = RectificationState.Open,
                FoundAt = now, FoundBy = sheet.SubmittedBy ?? SystemUser,
                Deadline = RectificationRules.DeadlineFor(now, RectificationDeadlines.DaysFor(rules, itemCode)), UpdatedAt = now,
            });
        }

        if (created.Count == 0) return 0;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.AddRange(created);
        await db.SaveChangesAsync(ct);
        foreach (var problem in created)
            audit.Record(SystemUser, "Rectification.FromComputation", problem.TownshipId, problem.DistrictId, null, RectificationService.Snapshot(problem));
        await services.GetRequiredService<Notifications.NotificationOutbox>().ProblemsFromComputationAsync(created, ct); // same transaction
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return created.Count;
    }
}
