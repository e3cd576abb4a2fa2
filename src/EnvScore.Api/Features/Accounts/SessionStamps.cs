using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace EnvScore.Api.Features.Accounts;

/// <summary>
/// The per-request session check (<see cref="AccountsServiceCollectionExtensions.UseEnvScoreSessions"/>): a cookie or
/// bearer token is valid while its security-stamp claim equals the account's stamp (Identity's rule,
/// <c>SignInManager.ValidateSecurityStampAsync</c>: a missing account is never valid). The account's stamp is read from
/// the database at most once per <see cref="Setting"/> seconds (default 5) per account and process instead of on every
/// request (issue #20: one query and an EF materialisation per signed-in request).
/// <para>Nothing changes for a session ended in this process: every change of an account row made here — logout, a
/// password or role change, a lockout (<see cref="LoginService"/>'s own UPDATE), a deletion — forgets the account's
/// cached stamp at once (<see cref="Interceptor"/> for EF saves; <see cref="Forget"/> for the raw SQL), and a read that
/// raced such a change is not kept (a generation per account). A change made by another process (another instance,
/// the <c>create-admin</c> command) ends the sessions within the interval.</para>
/// </summary>
public sealed class SessionStamps(TimeProvider time, IConfiguration configuration, IOptions<IdentityOptions> identity)
{
    /// <summary>Configuration key: seconds an account's stamp read is reused (0 reads it on every request).</summary>
    public const string Setting = "Accounts:SessionStampSeconds";

    private sealed record Entry(string? Stamp, long Generation, long ReadAt);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _generations = new(StringComparer.Ordinal);
    private readonly TimeSpan _interval = TimeSpan.FromSeconds(Math.Max(0, configuration.GetValue(Setting, 5.0)));

    /// <summary>Whether <paramref name="user"/>'s session is still valid; reads the account's stamp when not cached.</summary>
    public async ValueTask<bool> IsValidAsync(ClaimsPrincipal user, UserManager<AppUser> users)
    {
        var claims = identity.Value.ClaimsIdentity;
        var id = user.FindFirstValue(claims.UserIdClaimType);
        if (id is null) return false;
        var claimed = user.FindFirstValue(claims.SecurityStampClaimType);
        if (_interval > TimeSpan.Zero && _entries.TryGetValue(id, out var entry)
            && entry.Generation == _generations.GetValueOrDefault(id)
            && time.GetElapsedTime(entry.ReadAt) < _interval)
            return entry.Stamp is not null && entry.Stamp == claimed;

        var generation = _generations.GetValueOrDefault(id);
        var account = await users.FindByIdAsync(id);
        var stamp = account is null ? null : users.SupportsUserSecurityStamp ? await users.GetSecurityStampAsync(account) : claimed ?? "";
        if (_interval > TimeSpan.Zero && _generations.GetValueOrDefault(id) == generation)
            _entries[id] = new Entry(stamp, generation, time.GetTimestamp());
        return stamp is not null && stamp == claimed;
    }

    /// <summary>Forgets an account's cached stamp (its row changed in this process); the next request reads it again.</summary>
    public void Forget(string userId)
    {
        _generations.AddOrUpdate(userId, 1, (_, g) => g + 1);
        _entries.TryRemove(userId, out _);
    }

    /// <summary>Forgets the cached stamp of every account row an EF save adds, changes or deletes — before and after the save.</summary>
    public sealed class Interceptor(SessionStamps stamps) : SaveChangesInterceptor
    {
        private readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbContext, List<string>> _saving = new();

        private void Before(DbContext? context)
        {
            if (context is null) return;
            List<string>? changed = null;
            foreach (var entry in context.ChangeTracker.Entries<AppUser>())
                if (entry.State is EntityState.Modified or EntityState.Deleted or EntityState.Added)
                {
                    stamps.Forget(entry.Entity.Id);
                    (changed ??= []).Add(entry.Entity.Id);
                }
            if (changed is not null) _saving.AddOrUpdate(context, changed);
        }

        // After the commit too: a read between the first forget and the commit saw the old row.
        private void After(DbContext? context)
        {
            if (context is null || !_saving.TryGetValue(context, out var changed)) return;
            _saving.Remove(context);
            foreach (var id in changed) stamps.Forget(id);
        }

        public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
        {
            Before(eventData.Context);
            return result;
        }

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken ct = default)
        {
            Before(eventData.Context);
            return ValueTask.FromResult(result);
        }

        public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
        {
            After(eventData.Context);
            return result;
        }

        public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken ct = default)
        {
            After(eventData.Context);
            return ValueTask.FromResult(result);
        }

        public override void SaveChangesFailed(DbContextErrorEventData eventData) => After(eventData.Context);

        public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken ct = default)
        {
            After(eventData.Context);
            return Task.CompletedTask;
        }
    }
}
