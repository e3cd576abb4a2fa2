using System.Security.Claims;
using AutoMapper;
using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Audit;
using EnvScore.Api.Features.Computation;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Api.Infrastructure.Http;
using EnvScore.Domain.Calendar;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Publication;

public sealed record PublishRequest(string? Title, DateOnly? Date, string? Foreword, string? Reason);
public sealed record CorrectionRequest(string? Reason);
/// <summary>A district correction of a sheet of a published month: the whole sheet, plus why.</summary>
public sealed record SheetCorrectionRequest(string? Reason, string? Note, List<string>? Vetoes, List<EntryWrite>? Entries);

public abstract record PublicationOutcome
{
    public sealed record Published(PublicationRevision Revision) : PublicationOutcome;
    public sealed record CorrectionOpened(Publication Publication) : PublicationOutcome;
    public sealed record SheetCorrected(Evaluation Sheet) : PublicationOutcome;
    public sealed record Invalid(Dictionary<string, string[]> Errors) : PublicationOutcome;
    public sealed record Conflict(string Message) : PublicationOutcome;
    public sealed record Forbidden : PublicationOutcome;
    public sealed record NotFound : PublicationOutcome;
    /// <summary>Entries the engine rejected (same messages as the sheet API).</summary>
    public sealed record InvalidSheet(SheetOutcome Outcome) : PublicationOutcome;
}

/// <summary>
/// A published month is recomputed only while its correction is open. Recomputing then replaces the
/// working results (village_results / township_results) only: the revisions already published are
/// copies and never change; the next revision freezes the new working results.
/// </summary>
public sealed class PublicationGuard(EnvScoreDbContext db) : IMonthPublicationGuard
{
    public async Task<IReadOnlySet<int>> PublishedAmongAsync(IReadOnlyCollection<int> districtIds, EvaluationMonth month, CancellationToken ct) =>
        (await db.Set<Publication>()
            .Where(p => districtIds.Contains(p.DistrictId) && p.Month == month.Key && !p.CorrectionOpen)
            .Select(p => p.DistrictId).ToListAsync(ct)).ToHashSet();
}

/// <summary>Publishing (freezing) a computed month, opening a correction, correcting a sheet of a published month.</summary>
public sealed class PublicationService(EnvScoreDbContext db, AuditWriter audit, RuleSets.RuleSetStore ruleSets, IMapper mapper, TimeProvider time,
    Microsoft.AspNetCore.OutputCaching.IOutputCacheStore pageCache, SheetWriter sheetWriter)
{
    public const int MaxTitle = 200, MaxForeword = 4000, MaxReason = 2000;

    public static string DefaultTitle(EvaluationMonth month) => $"{month.ToChinese()}农村人居环境集中整治月评比通报";

    public async Task<PublicationOutcome> PublishAsync(ClaimsPrincipal user, EvaluationMonth month, PublishRequest request, CancellationToken ct)
    {
        if (!user.IsInRole(Roles.DistrictAdmin) || user.DistrictId() is not { } districtId) return new PublicationOutcome.Forbidden();
        var errors = new Dictionary<string, string[]>();
        var title = string.IsNullOrWhiteSpace(request.Title) ? DefaultTitle(month) : request.Title.Trim();
        if (title.Length > MaxTitle) errors["title"] = [$"标题不能超过{MaxTitle}字 (title too long)"];
        if (request.Foreword?.Length > MaxForeword) errors["foreword"] = [$"前言不能超过{MaxForeword}字 (foreword too long)"];
        if (request.Reason?.Length > MaxReason) errors["reason"] = [$"更正原因不能超过{MaxReason}字 (reason too long)"];
        // The notice's date is signed under it and shown to the public at once: not a day that has not come, nor before the month.
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), ChinaTime.Zone).DateTime);
        if (request.Date is { } date && date > today) errors["date"] = [$"发布日期{date:yyyy-MM-dd}晚于今天（{today:yyyy-MM-dd}），留空即为今天 (the date is in the future)"];
        else if (request.Date is { } early && early < new DateOnly(month.Year, month.Month, 1))
            errors["date"] = [$"发布日期{early:yyyy-MM-dd}早于评比月份{month.ToChinese()} (the date is before the month)"];
        if (errors.Count > 0) return new PublicationOutcome.Invalid(errors);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The computation's lock: while a month is being frozen it cannot be recomputed (the computation gets 409).
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({MonthlyComputation.LockKey(districtId, month)})", ct);
        var publication = await db.Set<Publication>().Include(p => p.Revisions)
            .SingleOrDefaultAsync(p => p.DistrictId == districtId && p.Month == month.Key, ct);
        string? reason = null;
        if (publication is not null)
        {
            if (!publication.CorrectionOpen)
                return new PublicationOutcome.Conflict($"{month.ToChinese()}已发布第{publication.LatestRevision}版；如需更正，请先开启更正并说明原因 (already published: open a correction first)");
            reason = string.IsNullOrWhiteSpace(request.Reason) ? publication.CorrectionReason : request.Reason.Trim();
            if (string.IsNullOrWhiteSpace(reason))
                return new PublicationOutcome.Invalid(new() { ["reason"] = ["发布更正版必须说明更正原因 (a revision needs a reason)"] });
        }

        var villages = await db.VillageResults.AsNoTracking().Include(r => r.Village).ThenInclude(v => v!.Township)
            .Where(r => r.DistrictId == districtId && r.Month == month.Key).ToListAsync(ct);
        if (villages.Count == 0)
            return new PublicationOutcome.Conflict($"{month.ToChinese()}尚未计算，不能发布 (the month has not been computed)");
        var runId = villages[0].ComputationRunId;
        var lastRun = await db.ComputationRuns.AsNoTracking().Where(r => r.DistrictId == districtId && r.Month == month.Key)
            .OrderByDescending(r => r.Id).FirstAsync(ct);
        if (lastRun.Id != runId)
            return new PublicationOutcome.Conflict($"{month.ToChinese()}最近一次计算（第{lastRun.Id}次）未成功，请处理后重新计算再发布 (the latest computation did not succeed)");
        if (publication?.Revisions.Any(r => r.ComputationRunId == runId) == true)
            return new PublicationOutcome.Conflict("开启更正后尚未重新计算：请先更正并重新计算，再发布更正版 (recompute before publishing a revision)");

        var townships = await db.TownshipResults.AsNoTracking().Include(r => r.Township)
            .Where(r => r.DistrictId == districtId && r.Month == month.Key).ToListAsync(ct);
        var previous = month.Previous().Key;
        var previousRanks = await Latest(db, districtId, previous).SelectMany(r => r.Townships)
            .ToDictionaryAsync(t => t.TownshipId, t => t.Rank, ct);

        var now = time.GetUtcNow();
        if (publication is null) db.Add(publication = new Publication { DistrictId = districtId, Month = month.Key });
        var revision = new PublicationRevision
        {
            DistrictId = districtId, Month = month.Key, Number = publication.LatestRevision + 1, Title = title,
            Date = request.Date ?? DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, ChinaTime.Zone).DateTime),
            // A correction left without a foreword keeps the one its readers saw (found by a new user: revision 2 lost it).
            Foreword = !string.IsNullOrWhiteSpace(request.Foreword) ? request.Foreword.Trim()
                : publication.Revisions.OrderByDescending(r => r.Number).FirstOrDefault()?.Foreword, Reason = reason,
            PublishedAt = now, PublishedBy = user.Identity!.Name!, ComputationRunId = runId, RuleSetId = villages[0].RuleSetId,
            Villages = villages.Select(r => new PublishedVillageResult
            {
                VillageId = r.VillageId, DistrictId = districtId, Month = month.Key, VillageCode = r.Village!.Code, VillageName = r.Village.Name,
                TownshipId = r.TownshipId, TownshipCode = r.Village.Township!.Code, TownshipName = r.Village.Township.Name,
                SelfScore = r.SelfScore, DistrictScore = r.DistrictScore, FinalScore = r.FinalScore, Vetoed = r.Vetoed, VetoCodes = [.. r.VetoCodes],
                Tier = r.Tier, TierReason = r.TierReason, TownshipRank = r.TownshipRank, DistrictRank = r.DistrictRank,
                PreviousDistrictRank = r.PreviousDistrictRank, Movement = r.Movement, ConsecutiveMonthsInTier = r.ConsecutiveMonthsInTier,
                InflatedFlag = r.InflatedFlag, MissingSheet = r.MissingSheet, InterviewFlag = r.InterviewFlag, RewardFlag = r.RewardFlag,
                OnRedList = r.OnRedList, OnBlackList = r.OnBlackList, Explanation = r.Explanation,
                Findings = r.Findings?.Select(f => f.Copy()).ToList(),
            }).ToList(),
            Townships = townships.Select(t => new PublishedTownshipResult
            {
                TownshipId = t.TownshipId, DistrictId = districtId, Month = month.Key, TownshipCode = t.Township!.Code, TownshipName = t.Township.Name,
                VillageCount = t.VillageCount, SubmittedCount = t.SubmittedCount, OnTimeCount = t.OnTimeCount, MissingCount = t.MissingCount,
                MeanFinalScore = t.MeanFinalScore, DemonstrationCount = t.DemonstrationCount, UpgradeCount = t.UpgradeCount,
                RectifyCount = t.RectifyCount, Rank = t.Rank, PreviousRank = previousRanks.TryGetValue(t.TownshipId, out var p) ? p : null,
            }).ToList(),
        };
        publication.Revisions.Add(revision);
        publication.LatestRevision = revision.Number;
        publication.CorrectionOpen = false;
        publication.CorrectionReason = null;
        // The district's act, in the audit log with the rows (ASVS V7): which month, which revision, why.
        audit.Record(user.Identity!.Name!, "Publication.Publish", townshipId: null, districtId, before: null, after: AuditWriter.Snapshot(new
        {
            month = month.Key, revision = revision.Number, title = revision.Title, reason, villages = revision.Villages.Count,
        }));
        await db.SaveChangesAsync(ct);
        EnvScore.Api.Infrastructure.Faults.FaultPoint.Reach(EnvScore.Api.Infrastructure.Faults.FaultPoint.PublishBeforeCommit);
        await tx.CommitAsync(ct);
        await pageCache.EvictByTagAsync(Pages.WebSetup.PublishedTag, ct); // the public pages show the new revision at once
        return new PublicationOutcome.Published(revision);
    }

    /// <summary>Opens a published month for correction: recomputation and district corrections of its sheets become possible.</summary>
    public async Task<PublicationOutcome> OpenCorrectionAsync(ClaimsPrincipal user, EvaluationMonth month, string? reason, CancellationToken ct)
    {
        if (!user.IsInRole(Roles.DistrictAdmin) || user.DistrictId() is not { } districtId) return new PublicationOutcome.Forbidden();
        if (string.IsNullOrWhiteSpace(reason)) return new PublicationOutcome.Invalid(new() { ["reason"] = ["开启更正必须说明原因 (a reason is required)"] });
        if (reason.Length > MaxReason) return new PublicationOutcome.Invalid(new() { ["reason"] = [$"更正原因不能超过{MaxReason}字 (reason too long)"] });
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({MonthlyComputation.LockKey(districtId, month)})", ct);
        var publication = await db.Set<Publication>().SingleOrDefaultAsync(p => p.DistrictId == districtId && p.Month == month.Key, ct);
        if (publication is null) return new PublicationOutcome.Conflict($"{month.ToChinese()}尚未发布，无需更正：可直接重新计算 (not published: just recompute)");
        if (publication.CorrectionOpen) return new PublicationOutcome.Conflict($"{month.ToChinese()}的更正已开启（原因：{publication.CorrectionReason}） (a correction is already open)");
        publication.CorrectionOpen = true;
        publication.CorrectionReason = reason.Trim();
        publication.CorrectionOpenedAt = time.GetUtcNow();
        publication.CorrectionOpenedBy = user.Identity!.Name;
        audit.Record(user.Identity!.Name!, "Publication.OpenCorrection", townshipId: null, districtId, before: null,
            after: AuditWriter.Snapshot(new { month = month.Key, revision = publication.LatestRevision, correctionReason = publication.CorrectionReason }));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new PublicationOutcome.CorrectionOpened(publication);
    }

    /// <summary>
    /// After the deadline only the district can change a sheet, and only of a published month under correction:
    /// the whole sheet is replaced and validated as for submission; its status (and so whether it counts) stays.
    /// </summary>
    public async Task<PublicationOutcome> CorrectSheetAsync(ClaimsPrincipal user, int evaluationId, EntityTagCondition? ifMatch, SheetCorrectionRequest request, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Reason)) return new PublicationOutcome.Invalid(new() { ["reason"] = ["更正必须说明原因 (a reason is required)"] });
        if (request.Reason.Length > MaxReason) return new PublicationOutcome.Invalid(new() { ["reason"] = [$"更正原因不能超过{MaxReason}字 (reason too long)"] });
        if (request.Note?.Length > EvaluationService.MaxNoteLength) return new PublicationOutcome.Invalid(new() { ["note"] = ["备注过长 (note too long)"] });
        var reason = request.Reason.Trim();
        Publication? publication = null;
        // The sheet writer (lock, If-Match, audit); the correction's own rules: the district's admin, a published month
        // with a correction open, the whole sheet replaced and validated as for submission, its status (and so whether it
        // counts) kept. The audit row's after side carries the reason (AuditChanges: "新增更正原因（…）").
        var outcome = await sheetWriter.ChangeAsync(user, evaluationId, ifMatch, "Evaluation.Correct", sheet => user.IsAdminOf(sheet.DistrictId), async sheet =>
        {
            publication = await db.Set<Publication>().AsNoTracking().SingleOrDefaultAsync(p => p.DistrictId == sheet.DistrictId && p.Month == sheet.Month, ct);
            if (publication is not { CorrectionOpen: true })
                return new SheetOutcome.Conflict("只有已发布且已开启更正的月份才能由区里更正评分表 (only a published month under correction)");
            db.EvaluationEntries.RemoveRange(sheet.Entries);
            sheet.Entries = (request.Entries ?? []).Select(mapper.Map<EvaluationEntry>).ToList();
            sheet.Vetoes = (request.Vetoes ?? []).Select(v => v.Trim()).Where(v => v.Length > 0).ToList();
            if (request.Note is not null) sheet.Note = request.Note.Trim();
            var record = await db.RuleSets.AsNoTracking().SingleAsync(r => r.Id == sheet.RuleSetId, ct);
            var problems = EvaluationService.Problems(ruleSets.Parse(record), sheet, forSubmission: true, mapper);
            return problems.Count > 0 ? new SheetOutcome.InvalidEntries(problems) : null;
        }, ct,
        annotate: after => after["correctionReason"] = reason,
        onChanged: sheet => db.Add(new SheetCorrection
        {
            PublicationId = publication!.Id, EvaluationId = sheet.Id, VillageId = sheet.VillageId, Reason = reason,
            CorrectedAt = time.GetUtcNow(), CorrectedBy = user.Identity!.Name!,
        }));
        return outcome switch
        {
            SheetOutcome.Done done => new PublicationOutcome.SheetCorrected(done.Sheet),
            SheetOutcome.NotFound => new PublicationOutcome.NotFound(),
            SheetOutcome.Forbidden => new PublicationOutcome.Forbidden(),
            SheetOutcome.Conflict c => new PublicationOutcome.Conflict(c.Message),
            _ => new PublicationOutcome.InvalidSheet(outcome),
        };
    }

    /// <summary>The latest revision of a district-month, if published.</summary>
    public static IQueryable<PublicationRevision> Latest(EnvScoreDbContext db, int districtId, int month) =>
        db.Set<PublicationRevision>().AsNoTracking().Where(r => r.DistrictId == districtId && r.Month == month
            && db.Set<Publication>().Any(p => p.Id == r.PublicationId && p.LatestRevision == r.Number));

    /// <summary>Latest revisions of every published month (for trends and the month picker).</summary>
    public static IQueryable<PublicationRevision> LatestRevisions(EnvScoreDbContext db) =>
        db.Set<PublicationRevision>().AsNoTracking()
            .Where(r => db.Set<Publication>().Any(p => p.Id == r.PublicationId && p.LatestRevision == r.Number));
}
