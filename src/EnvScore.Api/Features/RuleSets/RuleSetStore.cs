using System.Security.Cryptography;
using System.Text;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Rules;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace EnvScore.Api.Features.RuleSets;

/// <summary>The outcome of a rule-set write; the endpoints turn it into a status code.</summary>
public abstract record RuleSetWrite
{
    public sealed record Created(RuleSetRecord RuleSet) : RuleSetWrite;
    /// <summary>The same file was imported before: nothing changed (idempotent re-import).</summary>
    public sealed record Unchanged(RuleSetRecord RuleSet) : RuleSetWrite;
    public sealed record Updated(RuleSetRecord RuleSet) : RuleSetWrite;
    public sealed record Invalid(IReadOnlyList<RuleSetProblem> Problems) : RuleSetWrite;
    public sealed record Conflict(string Message) : RuleSetWrite;
    public sealed record NotFound : RuleSetWrite;
}

/// <summary>Imports, edits, activates and resolves a district's rule-set versions.</summary>
public class RuleSetStore(EnvScoreDbContext db, TimeProvider time, IMemoryCache cache)
{
    public async Task<RuleSetWrite> ImportAsync(int districtId, string yaml, string? fileName, string user, CancellationToken ct = default)
    {
        var parsed = RuleSetLoader.Parse(yaml, fileName);
        if (parsed.RuleSet is not { } rules) return new RuleSetWrite.Invalid(parsed.Problems);
        if (RuleSetFileEndpoints.TooManyItems(parsed).ToList() is [_, ..] tooWide) return new RuleSetWrite.Invalid(tooWide);
        var hash = Hash(yaml);
        var existing = await db.RuleSets.SingleOrDefaultAsync(r => r.DistrictId == districtId && r.Code == rules.Code && r.Version == rules.Version, ct);
        if (existing is not null)
            return existing.ContentHash == hash
                ? new RuleSetWrite.Unchanged(existing)
                : new RuleSetWrite.Conflict($"评分细则{rules.Code}的第{rules.Version}版已存在且内容不同：请提高version后再导入，或修改草稿 " +
                                            "(this code and version already exist with other content: raise the version or edit the draft)");

        var record = new RuleSetRecord
        {
            DistrictId = districtId, Code = rules.Code, Title = rules.Title, Source = yaml, ContentHash = hash,
            Status = RuleSetStatus.Draft, ImportedAt = time.GetUtcNow(), ImportedBy = user,
        };
        RuleSetRows.Fill(record, rules);
        db.RuleSets.Add(record);
        if (!await db.TrySaveUniqueAsync(ct)) // a concurrent import of the same code and version
            return new RuleSetWrite.Conflict($"评分细则{rules.Code}的第{rules.Version}版已存在 (this version already exists)");
        return new RuleSetWrite.Created(record);
    }

    /// <summary>Replaces a draft's file. An active version is immutable: make a new version instead.</summary>
    public async Task<RuleSetWrite> ReplaceDraftAsync(RuleSetRecord record, string yaml, string? fileName, CancellationToken ct = default)
    {
        if (record.Status != RuleSetStatus.Draft) return ImmutableConflict(record);
        var parsed = RuleSetLoader.Parse(yaml, fileName);
        if (parsed.RuleSet is not { } rules) return new RuleSetWrite.Invalid(parsed.Problems);
        if (RuleSetFileEndpoints.TooManyItems(parsed).ToList() is [_, ..] tooWide) return new RuleSetWrite.Invalid(tooWide);
        if ((rules.Code != record.Code || rules.Version != record.Version) &&
            await db.RuleSets.AnyAsync(r => r.DistrictId == record.DistrictId && r.Code == rules.Code && r.Version == rules.Version, ct))
            return new RuleSetWrite.Conflict($"评分细则{rules.Code}的第{rules.Version}版已存在 (this version already exists)");

        await db.Entry(record).Collection(r => r.Sections).LoadAsync(ct);
        await db.Entry(record).Collection(r => r.Items).LoadAsync(ct);
        await db.Entry(record).Collection(r => r.Vetoes).LoadAsync(ct);
        record.Source = yaml;
        record.ContentHash = Hash(yaml);
        RuleSetRows.Fill(record, rules);
        await db.SaveChangesAsync(ct);
        return new RuleSetWrite.Updated(record);
    }

    /// <summary>
    /// Puts a draft in force from <paramref name="from"/> on. The sheet in force for a month is fixed
    /// before the month starts, so <paramref name="from"/> must be a future month — unless no version is
    /// in force for it yet (a district's first sheet).
    /// </summary>
    public async Task<RuleSetWrite> ActivateAsync(RuleSetRecord record, EvaluationMonth? from, string user, CancellationToken ct = default)
    {
        if (record.Status != RuleSetStatus.Draft)
            return new RuleSetWrite.Conflict("该版本已启用，不能再次启用 (this version is already active)");
        var month = from ?? EvaluationMonth.FromKey(record.EffectiveFromMonth);
        var current = ChinaTime.MonthOf(time.GetUtcNow());
        var written = EvaluationMonth.FromKey(record.EffectiveFromMonth);
        if (month < written)
            return new RuleSetWrite.Conflict($"起始月份{month.ToChinese()}早于文件中写明的起始月份{written.ToChinese()}（effectiveFrom）；请从{written.ToChinese()}或以后启用，或修改文件 " +
                "(activation before the file's effectiveFrom)");
        var inForce = await ResolveAsync(record.DistrictId, month, ct);
        if (inForce is not null && month <= current)
            return new RuleSetWrite.Conflict(
                $"{month.ToChinese()}已开始（当前为{current.ToChinese()}），其评分细则已固定为{inForce.Code}第{inForce.Version}版；请从{current.Next().ToChinese()}或以后启用 " +
                "(a month's rules are fixed before it starts: activate from a future month)");
        if (await db.RuleSets.AnyAsync(r => r.DistrictId == record.DistrictId && r.Status == RuleSetStatus.Active && r.EffectiveFromMonth == month.Key, ct))
            return new RuleSetWrite.Conflict($"已有版本自{month.ToChinese()}起启用 (another version already starts in this month)");

        record.Status = RuleSetStatus.Active;
        record.EffectiveFromMonth = month.Key;
        record.ActivatedAt = time.GetUtcNow();
        record.ActivatedBy = user;
        if (!await db.TrySaveUniqueAsync(ct))
            return new RuleSetWrite.Conflict($"已有版本自{month.ToChinese()}起启用 (another version already starts in this month)");
        return new RuleSetWrite.Updated(record);
    }

    /// <summary>
    /// Takes back an activation that has not taken effect: an active version whose first month has not started goes
    /// back to a draft (editable, deletable, activatable again), so a district can replace a sheet it activated for the
    /// future. Conflict once its month has started (the rules of a started month are fixed) or when a sheet uses it.
    /// </summary>
    /// <summary>Why this version's activation cannot be taken back (null when it can, sheets aside): the rule pages ask.</summary>
    public string? WhyNotWithdrawable(RuleSetRecord record)
    {
        if (record.Status != RuleSetStatus.Active) return "该版本尚未启用，无需撤销 (this version is not active)";
        var start = EvaluationMonth.FromKey(record.EffectiveFromMonth);
        var current = ChinaTime.MonthOf(time.GetUtcNow());
        return start <= current
            ? $"该版本自{start.ToChinese()}起已执行（当前为{current.ToChinese()}），不能撤销；如需调整请导入新版本并从以后的月份启用 (a version in force cannot be withdrawn)"
            : null;
    }

    public async Task<RuleSetWrite> WithdrawAsync(RuleSetRecord record, string user, CancellationToken ct = default)
    {
        if (WhyNotWithdrawable(record) is { } why) return new RuleSetWrite.Conflict(why);
        if (await db.Evaluations.AnyAsync(e => e.RuleSetId == record.Id, ct))
            return new RuleSetWrite.Conflict("已有评分表使用该版本，不能撤销 (sheets use this version)");
        record.Status = RuleSetStatus.Draft;
        record.ActivatedAt = null;
        record.ActivatedBy = null;
        await db.SaveChangesAsync(ct);
        return new RuleSetWrite.Updated(record);
    }

    public async Task<RuleSetWrite> DeleteDraftAsync(RuleSetRecord record, CancellationToken ct = default)
    {
        if (record.Status != RuleSetStatus.Draft) return ImmutableConflict(record);
        db.RuleSets.Remove(record);
        await db.SaveChangesAsync(ct);
        return new RuleSetWrite.Updated(record);
    }

    /// <summary>The version in force for a month: the active one with the latest start not after it.</summary>
    public Task<RuleSetRecord?> ResolveAsync(int districtId, EvaluationMonth month, CancellationToken ct = default) =>
        db.RuleSets.AsNoTracking()
            .Where(r => r.DistrictId == districtId && r.Status == RuleSetStatus.Active && r.EffectiveFromMonth <= month.Key)
            .OrderByDescending(r => r.EffectiveFromMonth)
            .FirstOrDefaultAsync(ct);

    /// <summary>
    /// The versions in force for a month in many districts at once (the scheduled computation's batch);
    /// districts without one are absent from the answer.
    /// </summary>
    public async Task<Dictionary<int, RuleSetRecord>> ResolveManyAsync(IReadOnlyCollection<int> districtIds, EvaluationMonth month, CancellationToken ct = default)
    {
        var active = await db.RuleSets.AsNoTracking()
            .Where(r => districtIds.Contains(r.DistrictId) && r.Status == RuleSetStatus.Active && r.EffectiveFromMonth <= month.Key)
            .ToListAsync(ct);
        return active.GroupBy(r => r.DistrictId).ToDictionary(g => g.Key, g => g.MaxBy(r => r.EffectiveFromMonth)!);
    }

    /// <summary>
    /// The parsed sheet of a stored version; active versions never change, so they are cached — by content,
    /// so that districts sharing the default sheet share one parsed copy (a RuleSet is immutable).
    /// </summary>
    public RuleSet Parse(RuleSetRecord record)
    {
        if (record.Status != RuleSetStatus.Active) return ParseSource(record);
        return cache.GetOrCreate(("ruleset", record.ContentHash), e =>
        {
            e.SlidingExpiration = TimeSpan.FromHours(1);
            return ParseSource(record);
        })!;
    }

    private static RuleSet ParseSource(RuleSetRecord record) =>
        RuleSetLoader.Parse(record.Source).RuleSet
        ?? throw new InvalidOperationException($"Stored rule set {record.Id} no longer parses.");

    private static RuleSetWrite.Conflict ImmutableConflict(RuleSetRecord record) =>
        new($"评分细则{record.Code}第{record.Version}版已启用，不可修改或删除；请导入新版本 (an active version is immutable: import a new version)");

    private static string Hash(string yaml) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(yaml)));
}
