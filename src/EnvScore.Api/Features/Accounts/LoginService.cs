using EnvScore.Api.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EnvScore.Api.Features.Accounts;

public enum LoginStatus { Succeeded, Failed, LockedOut, Throttled }

/// <summary>The outcome of one sign-in attempt; <see cref="RetryAfter"/> is set for LockedOut and Throttled.</summary>
public sealed record LoginOutcome(LoginStatus Status, AppUser? User = null, TimeSpan RetryAfter = default)
{
    /// <summary>Whole seconds to wait (at least 1), for the Retry-After header.</summary>
    public int RetryAfterSeconds => Math.Max(1, (int)Math.Ceiling(RetryAfter.TotalSeconds));

    /// <summary>"15分钟" / "40秒": the wait in words for the pages.</summary>
    public string WaitText => RetryAfterSeconds >= 60 ? $"{(RetryAfterSeconds + 59) / 60}分钟" : $"{RetryAfterSeconds}秒";
}

/// <summary>
/// The one sign-in path of the API (POST /api/auth/login) and the login page (issue #21, issue #12 §5):
/// <list type="bullet">
/// <item>a failed attempt is counted by one atomic UPDATE … RETURNING on the user row, so the
///   <c>Accounts:MaxFailedAccessAttempts</c>-th failure locks the account however the attempts arrive
///   (in parallel too); locking renews the security stamp, which ends the account's sessions;</item>
/// <item>a right password on a locked account is refused by a second atomic check, so a success racing the
///   locking failure cannot slip through;</item>
/// <item>an unknown user name costs one password hash like a real one, gets the same message, and "locks"
///   in the message sense after as many failures (<see cref="LoginThrottle"/>);</item>
/// <item>failed attempts (only those) are counted per client address; over the limit → Throttled (429).</item>
/// </list>
/// </summary>
public sealed class LoginService(
    UserManager<AppUser> users, SignInManager<AppUser> signIn, IPasswordHasher<AppUser> hasher,
    EnvScoreDbContext db, LoginThrottle throttle, IOptions<IdentityOptions> identity, TimeProvider time, SessionStamps stamps)
{
    private static readonly AppUser DummyUser = new() { Id = "00000000-dummy", UserName = "dummy" };
    private static string? _dummyHash;

    public const string WrongCredentials = "用户名或密码错误";

    private int MaxFailures => identity.Value.Lockout.MaxFailedAccessAttempts;
    private TimeSpan LockoutSpan => identity.Value.Lockout.DefaultLockoutTimeSpan;

    public static string LockedMessage(LoginOutcome o) => $"账户因多次登录失败已被锁定，请{o.WaitText}后再试";
    public static string ThrottledMessage(LoginOutcome o) => $"本网络地址登录失败次数过多，请{o.WaitText}后再试";

    /// <summary>Checks the password and, on success, signs in with <paramref name="scheme"/> (bearer token or cookie).</summary>
    public async Task<LoginOutcome> SignInAsync(string userName, string password, string scheme, string address, CancellationToken ct = default)
    {
        if (throttle.IsAddressBlocked(address, out var wait)) return new(LoginStatus.Throttled, RetryAfter: wait);
        var name = userName.Trim();
        var user = await users.FindByNameAsync(name);
        var now = time.GetUtcNow();
        if (user is null)
        {
            var normalized = users.NormalizeName(name) ?? name;
            if (throttle.IsUnknownNameLocked(normalized, MaxFailures, LockoutSpan, out var locked))
                return new(LoginStatus.LockedOut, RetryAfter: locked);
            _dummyHash ??= hasher.HashPassword(DummyUser, "envscore-dummy-password");
            hasher.VerifyHashedPassword(DummyUser, _dummyHash, password); // the same cost as a real account
            throttle.RecordAddressFailure(address);
            return throttle.RecordUnknownNameFailure(normalized, MaxFailures, LockoutSpan)
                ? new(LoginStatus.LockedOut, RetryAfter: LockoutSpan)
                : new(LoginStatus.Failed);
        }
        if (user.LockoutEnd is { } end && end > now) return new(LoginStatus.LockedOut, RetryAfter: end - now);

        var verified = user.PasswordHash is not null
            && hasher.VerifyHashedPassword(user, user.PasswordHash, password) != PasswordVerificationResult.Failed;
        if (!verified)
        {
            throttle.RecordAddressFailure(address);
            var lockedUntil = await CountFailureAsync(user.Id, now, ct);
            return lockedUntil is { } until && until > now
                ? new(LoginStatus.LockedOut, RetryAfter: until - now)
                : new(LoginStatus.Failed);
        }
        if (!await ResetFailuresUnlessLockedAsync(user.Id, now, ct))
            return new(LoginStatus.LockedOut, RetryAfter: LockoutSpan);

        signIn.AuthenticationScheme = scheme;
        await signIn.SignInAsync(user, isPersistent: false);
        return new(LoginStatus.Succeeded, user);
    }

    /// <summary>
    /// One atomic step on the user row: unless already locked, count the failure; the Nth failure sets the
    /// lockout, resets the count and renews the security stamp. Returns the lockout end after the step.
    /// </summary>
    private async Task<DateTimeOffset?> CountFailureAsync(string userId, DateTimeOffset now, CancellationToken ct)
    {
        const string sql = """
            UPDATE "AspNetUsers" SET
              access_failed_count = CASE WHEN lockout_end > @now THEN access_failed_count
                                         WHEN access_failed_count + 1 >= @max THEN 0 ELSE access_failed_count + 1 END,
              security_stamp      = CASE WHEN lockout_end > @now OR access_failed_count + 1 < @max THEN security_stamp ELSE @stamp END,
              concurrency_stamp   = CASE WHEN lockout_end > @now OR access_failed_count + 1 < @max THEN concurrency_stamp ELSE @stamp2 END,
              lockout_end         = CASE WHEN lockout_end > @now THEN lockout_end
                                         WHEN access_failed_count + 1 >= @max THEN @until ELSE lockout_end END
            WHERE id = @id AND lockout_enabled
            RETURNING lockout_end
            """;
        stamps.Forget(userId); // the lockout renews the stamp below: no cached stamp may outlive it
        var result = await ExecuteAsync(sql, ct, ("now", now), ("max", MaxFailures), ("until", now + LockoutSpan),
            ("stamp", Guid.NewGuid().ToString("N").ToUpperInvariant()), ("stamp2", Guid.NewGuid().ToString()), ("id", userId));
        stamps.Forget(userId);
        return result is DateTime dt ? new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)) : result as DateTimeOffset?;
    }

    /// <summary>A right password: clears the failure count — only if the account is not locked at this instant.</summary>
    private async Task<bool> ResetFailuresUnlessLockedAsync(string userId, DateTimeOffset now, CancellationToken ct)
    {
        const string sql = """
            UPDATE "AspNetUsers" SET access_failed_count = 0
            WHERE id = @id AND (lockout_end IS NULL OR lockout_end <= @now)
            RETURNING 1
            """;
        return await ExecuteAsync(sql, ct, ("id", userId), ("now", now)) is not null;
    }

    private async Task<object?> ExecuteAsync(string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened) await connection.OpenAsync(ct);
        try
        {
            await using var command = new NpgsqlCommand(sql, connection);
            foreach (var (n, v) in parameters) command.Parameters.AddWithValue(n, v);
            var value = await command.ExecuteScalarAsync(ct);
            return value is DBNull ? null : value;
        }
        finally
        {
            if (opened) await connection.CloseAsync();
        }
    }
}
