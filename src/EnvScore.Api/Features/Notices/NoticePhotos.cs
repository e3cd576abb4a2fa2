using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Notices;

/// <summary>Which photos a notice wants: per problem item, the villages that lost points on it (best rank first), and at most <see cref="PerItem"/>.</summary>
public sealed record NoticePhotoQuery(int DistrictId, EvaluationMonth Month, IReadOnlyDictionary<string, IReadOnlyList<int>> VillagesByItem, int PerItem);

/// <summary>
/// A source of photos for the notice's problems. The extension point for the rectification ledger (整改台账): register
/// another implementation (<c>services.AddScoped&lt;INoticePhotoSource, …&gt;()</c>); <see cref="NoticeService"/> asks every
/// registered source in registration order and fills each item up to <see cref="NoticePhotoQuery.PerItem"/> photos.
/// A source returns JPEG or PNG bytes only (see <see cref="ImageSize"/>); others are skipped.
/// </summary>
public interface INoticePhotoSource
{
    /// <summary>
    /// Photos by item code; each list at most <paramref name="query"/>.PerItem long, read through <paramref name="db"/>:
    /// <see cref="PublicReads"/>' context for a published revision (maybe a standby), the primary's for a preview.
    /// </summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<NoticePhoto>>> FindAsync(NoticePhotoQuery query, EnvScoreDbContext db, CancellationToken ct);
}

/// <summary>The evidence photos (现场照片) attached to the item on the month's sheets (self-evaluation or district check) of the villages that lost points on it.</summary>
public sealed class EvidencePhotoSource : INoticePhotoSource
{
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<NoticePhoto>>> FindAsync(NoticePhotoQuery query, EnvScoreDbContext db, CancellationToken ct)
    {
        var items = query.VillagesByItem.Keys.ToList();
        if (items.Count == 0 || query.PerItem <= 0) return new Dictionary<string, IReadOnlyList<NoticePhoto>>();
        var villageIds = query.VillagesByItem.Values.SelectMany(v => v).Distinct().ToList();
        var files = await (from f in db.EvidenceFiles.AsNoTracking()
                           join e in db.Evaluations.AsNoTracking() on f.EvaluationId equals e.Id
                           join v in db.Villages.AsNoTracking() on e.VillageId equals v.Id
                           where e.DistrictId == query.DistrictId && e.Month == query.Month.Key && f.ItemCode != null && items.Contains(f.ItemCode)
                                 && villageIds.Contains(e.VillageId) && (f.ContentType == "image/jpeg" || f.ContentType == "image/png")
                           orderby f.UploadedAt, f.Id
                           select new { f.Id, ItemCode = f.ItemCode!, e.VillageId, VillageName = v.Name, f.ContentType, e.Kind }).ToListAsync(ct);
        var chosen = new Dictionary<string, List<(int Id, string Caption, string ContentType)>>();
        foreach (var (item, villages) in query.VillagesByItem)
        {
            var order = villages.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
            chosen[item] = files.Where(f => f.ItemCode == item && order.ContainsKey(f.VillageId)).OrderBy(f => order[f.VillageId])
                .Take(query.PerItem)
                .Select(f => (f.Id, $"{f.VillageName}（{(f.Kind == Evaluations.EvaluationKind.District ? "区级抽查" : "自评")}现场照片）", f.ContentType)).ToList();
        }
        var ids = chosen.Values.SelectMany(c => c.Select(x => x.Id)).ToList();
        var bytes = await db.EvidenceContents.AsNoTracking().Where(c => ids.Contains(c.EvidenceFileId))
            .ToDictionaryAsync(c => c.EvidenceFileId, c => c.Bytes, ct);
        return chosen.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<NoticePhoto>)kv.Value
            .Where(x => bytes.ContainsKey(x.Id) && ImageSize.TryRead(bytes[x.Id], out _, out _))
            .Select(x => { ImageSize.TryRead(bytes[x.Id], out var w, out var h); return new NoticePhoto(bytes[x.Id], x.ContentType, w, h, x.Caption); })
            .ToList());
    }
}

/// <summary>Pixel width and height of a PNG (IHDR) or a baseline/progressive JPEG (SOFn marker), read from the header bytes.</summary>
public static class ImageSize
{
    public static bool TryRead(ReadOnlySpan<byte> b, out int width, out int height)
    {
        width = height = 0;
        if (b.Length >= 24 && b[0] == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G')
        {
            width = (b[16] << 24) | (b[17] << 16) | (b[18] << 8) | b[19];
            height = (b[20] << 24) | (b[21] << 16) | (b[22] << 8) | b[23];
            return width > 0 && height > 0;
        }
        if (b.Length < 4 || b[0] != 0xFF || b[1] != 0xD8) return false;
        var i = 2;
        while (i + 9 < b.Length)
        {
            if (b[i] != 0xFF) { i++; continue; }
            var marker = b[i + 1];
            if (marker == 0xFF) { i++; continue; }
            if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7)) { i += 2; continue; }
            var length = (b[i + 2] << 8) | b[i + 3];
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                height = (b[i + 5] << 8) | b[i + 6];
                width = (b[i + 7] << 8) | b[i + 8];
                return width > 0 && height > 0;
            }
            i += 2 + length;
        }
        return false;
    }
}
