using EnvScore.Api.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Pages;

/// <summary>
/// Pages name people, not accounts: "secretary-410271001000" → its display name and township ("水稻乡党委书记（水稻乡）"),
/// "system:demo", "seed" and other system actors → "系统". Scoped: a page loads the names it shows once, then reads them.
/// </summary>
public sealed class PeopleNames(EnvScoreDbContext db)
{
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);

    public async Task LoadAsync(IEnumerable<string?> userNames, CancellationToken ct = default)
    {
        var wanted = userNames.OfType<string>().Where(n => !_names.ContainsKey(n) && !IsSystem(n)).Distinct().ToList();
        if (wanted.Count == 0) return;
        var found = await db.Users.AsNoTracking().Where(u => wanted.Contains(u.UserName!))
            .Select(u => new { u.UserName, u.DisplayName, Township = db.Townships.Where(t => t.Id == u.TownshipId).Select(t => t.Name).FirstOrDefault() })
            .ToListAsync(ct);
        foreach (var u in found)
        {
            var name = string.IsNullOrWhiteSpace(u.DisplayName) ? u.UserName! : u.DisplayName!;
            _names[u.UserName!] = u.Township is { } t && !name.Contains(t) ? $"{name}（{t}）" : name;
        }
    }

    /// <summary>The person's name as loaded; an account that was not loaded (or no longer exists) shows as is.</summary>
    public string Of(string? userName) => userName is null ? "" : IsSystem(userName) ? "系统" : _names.GetValueOrDefault(userName, userName);

    private static bool IsSystem(string userName) => userName.StartsWith("system", StringComparison.OrdinalIgnoreCase) || userName is "seed" or "scheduler";
}
