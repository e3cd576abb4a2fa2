using System.Security.Claims;
using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Publication;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Notices;

/// <summary>
/// Loads what a notice is made of — a published revision's frozen rows (or, for a preview, the working results via
/// <see cref="BulletinFactory.WorkingRowsAsync"/>), the previous month's latest revision published before it, the
/// revision it replaces, the sheets corrected in between, the template in force and photos — and composes the
/// <see cref="Notice"/>. Reads only. A published revision's notice (anonymous: the .docx download and the print page
/// <c>/notice/…</c>) is read entirely through <see cref="PublicReads"/> (a standby when configured, like the public pages);
/// a preview reads the primary (the office's own working results).
/// </summary>
public sealed class NoticeService(EnvScoreDbContext db, PublicReads reads, RuleSetStore ruleSets, BulletinFactory bulletins,
    IEnumerable<INoticePhotoSource> photoSources, IConfiguration configuration)
{
    /// <summary>Photos printed per problem item (<c>Notices:PhotosPerItem</c>, default 2).</summary>
    private int PhotosPerItem => configuration.GetValue("Notices:PhotosPerItem", 2);

    /// <summary>The notice of a published revision, or null when the district has no such revision.</summary>
    public async Task<Notice?> RevisionAsync(int districtId, EvaluationMonth month, int number, CancellationToken ct)
    {
        var published = reads.Db; // published data only, for anyone: the public reads' connection
        var revision = await published.PublicationRevisions.AsNoTracking()
            .SingleOrDefaultAsync(r => r.DistrictId == districtId && r.Month == month.Key && r.Number == number, ct);
        if (revision is null) return null;
        var villages = await published.PublishedVillageResults.AsNoTracking().Where(v => v.RevisionId == revision.Id).ToListAsync(ct);
        var townships = await published.PublishedTownshipResults.AsNoTracking().Where(t => t.RevisionId == revision.Id).ToListAsync(ct);
        (int, IReadOnlyList<PublishedVillageResult>, string, IReadOnlyList<string>)? replaces = null;
        if (number > 1)
        {
            var earlier = await published.PublicationRevisions.AsNoTracking().SingleAsync(r => r.PublicationId == revision.PublicationId && r.Number == number - 1, ct);
            replaces = (earlier.Number, await RowsAsync(published, earlier.Id, ct), revision.Reason ?? "",
                await CorrectedSheetsAsync(published, revision.PublicationId, earlier.PublishedAt, revision.PublishedAt, ct));
        }
        return await ComposeAsync(published, districtId, month, number, revision.Date, revision.RuleSetId, villages, townships, revision.PublishedAt, replaces, ct);
    }

    /// <summary>The notice as it would be published now from the working results; null when the month is not computed.</summary>
    public async Task<Notice?> PreviewAsync(int districtId, EvaluationMonth month, DateOnly today, CancellationToken ct)
    {
        if (await bulletins.WorkingRowsAsync(districtId, month, ct) is not { } working) return null;
        var publication = await db.Publications.AsNoTracking().SingleOrDefaultAsync(p => p.DistrictId == districtId && p.Month == month.Key, ct);
        (int, IReadOnlyList<PublishedVillageResult>, string, IReadOnlyList<string>)? replaces = null;
        if (publication is { CorrectionOpen: true })
        {
            var latest = await db.PublicationRevisions.AsNoTracking()
                .SingleAsync(r => r.PublicationId == publication.Id && r.Number == publication.LatestRevision, ct);
            replaces = (latest.Number, await RowsAsync(db, latest.Id, ct), publication.CorrectionReason ?? "",
                await CorrectedSheetsAsync(db, publication.Id, latest.PublishedAt, null, ct));
        }
        return await ComposeAsync(db, districtId, month, null, today, working.RuleSetId, working.Villages, working.Townships, null, replaces, ct);
    }

    /// <summary>The template version in force at <paramref name="at"/> (the latest created before it; null: the latest), or the default words.</summary>
    public Task<NoticeTemplate> TemplateAtAsync(int districtId, DateTimeOffset? at, CancellationToken ct) => TemplateAtAsync(db, districtId, at, ct);

    private static async Task<NoticeTemplate> TemplateAtAsync(EnvScoreDbContext db, int districtId, DateTimeOffset? at, CancellationToken ct) =>
        await db.Set<NoticeTemplate>().AsNoTracking().Where(t => t.DistrictId == districtId && (at == null || t.CreatedAt < at))
            .OrderByDescending(t => t.Version).FirstOrDefaultAsync(ct) ?? NoticeTemplate.Default(districtId);

    /// <summary>Saves the words as the district's next template version (DistrictAdmin of that district only).</summary>
    public async Task<NoticeTemplateOutcome> SaveTemplateAsync(ClaimsPrincipal user, int districtId, NoticeTemplateRequest request, DateTimeOffset now, CancellationToken ct)
    {
        if (!user.IsInRole(Roles.DistrictAdmin) || user.DistrictId() != districtId) return new NoticeTemplateOutcome.Forbidden();
        var errors = NoticeTemplateValidation.Validate(request);
        if (errors.Count > 0) return new NoticeTemplateOutcome.Invalid(errors);
        // Versions are numbered max + 1; two saves at once compute the same number and the unique index
        // (district_id, version) refuses the second: 409, nothing half-written.
        var last = await db.Set<NoticeTemplate>().Where(t => t.DistrictId == districtId).MaxAsync(t => (int?)t.Version, ct) ?? 0;
        var template = new NoticeTemplate
        {
            DistrictId = districtId, Version = last + 1, Addressees = request.Addressees!.Trim(), Opening = request.Opening!.Trim(),
            Closing = request.Closing!.Trim(), Signature = request.Signature!.Trim(), CreatedAt = now, CreatedBy = user.Identity?.Name ?? "?",
        };
        db.Add(template);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return new NoticeTemplateOutcome.Conflict("通报模板刚被他人修改，请刷新后再保存 (the template changed meanwhile)");
        }
        return new NoticeTemplateOutcome.Saved(template);
    }

    private static Task<List<PublishedVillageResult>> RowsAsync(EnvScoreDbContext db, int revisionId, CancellationToken ct) =>
        db.PublishedVillageResults.AsNoTracking().Where(v => v.RevisionId == revisionId).ToListAsync(ct);

    private static async Task<IReadOnlyList<string>> CorrectedSheetsAsync(EnvScoreDbContext db, int publicationId, DateTimeOffset after, DateTimeOffset? until, CancellationToken ct) =>
        await (from c in db.SheetCorrections.AsNoTracking()
               join v in db.Villages.AsNoTracking() on c.VillageId equals v.Id
               where c.PublicationId == publicationId && c.CorrectedAt > after && (until == null || c.CorrectedAt <= until)
               orderby c.CorrectedAt, c.Id
               select v.Name + "：" + c.Reason).ToListAsync(ct);

    private async Task<Notice> ComposeAsync(EnvScoreDbContext db, int districtId, EvaluationMonth month, int? number, DateOnly date, int ruleSetId,
        List<PublishedVillageResult> villages, List<PublishedTownshipResult> townships, DateTimeOffset? asOf,
        (int, IReadOnlyList<PublishedVillageResult>, string, IReadOnlyList<string>)? replaces, CancellationToken ct)
    {
        var district = await db.Districts.AsNoTracking().SingleAsync(d => d.Id == districtId, ct);
        var rules = ruleSets.Parse(await db.RuleSets.AsNoTracking().SingleAsync(r => r.Id == ruleSetId, ct));
        var previous = month.Previous();
        var previousRevision = await db.PublicationRevisions.AsNoTracking()
            .Where(r => r.DistrictId == districtId && r.Month == previous.Key && (asOf == null || r.PublishedAt <= asOf))
            .OrderByDescending(r => r.Number).Select(r => (int?)r.Id).FirstOrDefaultAsync(ct);
        var notice = NoticeComposer.Compose(new NoticeInput
        {
            Month = month, District = district.Name, Revision = number, Date = date, Template = await TemplateAtAsync(db, districtId, asOf, ct),
            Rules = rules, Villages = villages, Townships = townships,
            PreviousMonth = previousRevision is { } p ? await RowsAsync(db, p, ct) : null, Replaces = replaces,
        });
        return notice with { Problems = await WithPhotosAsync(db, districtId, month, notice.Problems, villages, ct) };
    }

    private async Task<IReadOnlyList<NoticeProblem>> WithPhotosAsync(EnvScoreDbContext db, int districtId, EvaluationMonth month, IReadOnlyList<NoticeProblem> problems,
        List<PublishedVillageResult> villages, CancellationToken ct)
    {
        var perItem = PhotosPerItem;
        var byItem = villages.OrderBy(v => v.DistrictRank)
            .SelectMany(v => (v.Findings ?? []).Where(f => f.Points < 0).Select(f => (f.ItemCode, v.VillageId)))
            .GroupBy(x => x.ItemCode).ToDictionary(g => g.Key, g => (IReadOnlyList<int>)g.Select(x => x.VillageId).Distinct().ToList());
        var photos = problems.ToDictionary(p => p.ItemCode, _ => new List<NoticePhoto>());
        foreach (var source in photoSources)
        {
            var wanted = byItem.Where(kv => photos.TryGetValue(kv.Key, out var have) && have.Count < perItem).ToDictionary(kv => kv.Key, kv => kv.Value);
            if (wanted.Count == 0) break;
            var found = await source.FindAsync(new NoticePhotoQuery(districtId, month, wanted, perItem), db, ct);
            foreach (var (item, list) in found)
                if (photos.TryGetValue(item, out var have))
                    have.AddRange(list.Where(x => ImageSize.TryRead(x.Bytes, out _, out _)).Take(perItem - have.Count));
        }
        return problems.Select(p => p with { Photos = photos[p.ItemCode] }).ToList();
    }
}

public sealed record NoticeTemplateRequest(string? Addressees, string? Opening, string? Closing, string? Signature);

public abstract record NoticeTemplateOutcome
{
    public sealed record Saved(NoticeTemplate Template) : NoticeTemplateOutcome;
    public sealed record Invalid(Dictionary<string, string[]> Errors) : NoticeTemplateOutcome;
    public sealed record Conflict(string Message) : NoticeTemplateOutcome;
    public sealed record Forbidden : NoticeTemplateOutcome;
}

/// <summary>Every field required, within its length; placeholders other than {月份} and {区} are refused so a typo is not printed.</summary>
public static class NoticeTemplateValidation
{
    public static Dictionary<string, string[]> Validate(NoticeTemplateRequest r)
    {
        var errors = new Dictionary<string, string[]>();
        void Check(string field, string name, string? value, int max)
        {
            if (string.IsNullOrWhiteSpace(value)) errors[field] = [$"{name}不能为空 ({field} is required)"];
            else if (value.Trim().Length > max) errors[field] = [$"{name}不能超过{max}字，现有{value.Trim().Length}字 ({field} is longer than {max} characters)"];
            else if (System.Text.RegularExpressions.Regex.Matches(value, @"\{[^}]*\}").Select(m => m.Value).FirstOrDefault(m => m is not "{月份}" and not "{区}") is { } bad)
                errors[field] = [$"{name}中的\"{bad}\"不是可用的占位符，只能用{{月份}}和{{区}} ({field} has an unknown placeholder {bad})"];
        }
        Check("addressees", "主送机关", r.Addressees, NoticeTemplate.MaxAddressees);
        Check("opening", "开头段落", r.Opening, NoticeTemplate.MaxParagraph);
        Check("closing", "结尾段落", r.Closing, NoticeTemplate.MaxParagraph);
        Check("signature", "落款", r.Signature, NoticeTemplate.MaxSignature);
        return errors;
    }
}
