using System.Collections.Concurrent;

namespace EnvScore.Api.Features.Accounts;

/// <summary>
/// Counts failed sign-ins (never page views or successful sign-ins) in fixed windows, in memory:
/// per client address (a limit a township office behind one address survives: twenty secretaries
/// mistyping a few times each stay well under it) and per unknown user name (so that an unknown name
/// "locks" after as many failures as a real account does — the answer never tells them apart).
/// Memory is bounded: at most <see cref="MaxEntries"/> keys per kind, expired ones dropped first.
/// </summary>
public sealed class LoginThrottle(TimeProvider time, IConfiguration configuration)
{
    public const int MaxEntries = 100_000;

    /// <summary>Failed sign-ins from one address per window before 429 (Accounts:FailedLoginsPerAddress, default 100).</summary>
    public int AddressLimit { get; } = configuration.GetValue("Accounts:FailedLoginsPerAddress", 100);

    /// <summary>The address window (Accounts:FailedLoginWindowMinutes, default 15).</summary>
    public TimeSpan AddressWindow { get; } = TimeSpan.FromMinutes(configuration.GetValue("Accounts:FailedLoginWindowMinutes", 15));

    private readonly ConcurrentDictionary<string, Window> _addresses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Window> _unknownNames = new(StringComparer.Ordinal);

    private sealed class Window(DateTimeOffset start)
    {
        public DateTimeOffset Start = start;
        public int Count;
    }

    /// <summary>True (with the wait) when the address has used up its failures in the current window.</summary>
    public bool IsAddressBlocked(string address, out TimeSpan retryAfter) =>
        IsBlocked(_addresses, address, AddressLimit, AddressWindow, out retryAfter);

    public void RecordAddressFailure(string address) => Record(_addresses, address, AddressWindow);

    /// <summary>True when an unknown name has failed <paramref name="limit"/> times within <paramref name="lockout"/>.</summary>
    public bool IsUnknownNameLocked(string normalizedName, int limit, TimeSpan lockout, out TimeSpan retryAfter) =>
        IsBlocked(_unknownNames, normalizedName, limit, lockout, out retryAfter);

    /// <summary>Counts a failure for an unknown name; true when this failure reaches the limit ("locks" it).</summary>
    public bool RecordUnknownNameFailure(string normalizedName, int limit, TimeSpan lockout) =>
        Record(_unknownNames, normalizedName, lockout) >= limit;

    private bool IsBlocked(ConcurrentDictionary<string, Window> map, string key, int limit, TimeSpan window, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (!map.TryGetValue(key, out var w)) return false;
        var now = time.GetUtcNow();
        lock (w)
        {
            if (now >= w.Start + window || w.Count < limit) return false;
            retryAfter = w.Start + window - now;
            return true;
        }
    }

    private int Record(ConcurrentDictionary<string, Window> map, string key, TimeSpan window)
    {
        var now = time.GetUtcNow();
        if (map.Count >= MaxEntries) Prune(map, now, window);
        var w = map.GetOrAdd(key, _ => new Window(now));
        lock (w)
        {
            if (now >= w.Start + window) { w.Start = now; w.Count = 0; }
            return ++w.Count;
        }
    }

    private static void Prune(ConcurrentDictionary<string, Window> map, DateTimeOffset now, TimeSpan window)
    {
        foreach (var (key, w) in map)
            if (now >= w.Start + window) map.TryRemove(key, out _);
        if (map.Count >= MaxEntries) map.Clear(); // a flood of distinct keys: forget rather than grow
    }
}
