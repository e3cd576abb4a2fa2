using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Notifications;
using EnvScore.Api.Features.Organisation;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace EnvScore.Api.Tests.Notifications;

/// <summary>
/// The service with its background sender off (tests run <see cref="SendAsync"/> themselves, so nothing races the
/// clock), no wait between retries and 3 attempts per delivery; a robot on 127.0.0.1; another district with its admin.
/// </summary>
public class NotificationFactory : EnvScoreFactory
{
    public const string OtherAdmin = "admin-notify-other";
    public RobotReceiver Robot { get; private set; } = null!;

    public int DistrictId { get; private set; }
    public int OtherDistrictId { get; private set; }

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Notifications:SenderEnabled"] = "false", ["Notifications:RetryDelay"] = "00:00:00", ["Notifications:MaxAttempts"] = "3",
    };

    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Starts the robot and adds the other district once (the first test of the class).</summary>
    public async Task EnsureAsync()
    {
        await _gate.WaitAsync();
        try { if (Robot is null) await SetUpAsync(); }
        finally { _gate.Release(); }
    }

    private async Task SetUpAsync()
    {
        Robot = await RobotReceiver.StartAsync();
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<EnvScoreDbContext>();
        DistrictId = await db.Districts.Where(d => d.Code == "410271000000").Select(d => d.Id).SingleAsync();
        var other = new District { Code = "410205000000", Name = "禹王台区" };
        db.Districts.Add(other);
        await db.SaveChangesAsync();
        OtherDistrictId = other.Id;
        await scope.ServiceProvider.GetRequiredService<AccountProvisioner>().CreateAsync(OtherAdmin, Password, Roles.DistrictAdmin, other.Id, null);
    }

    public override async ValueTask DisposeAsync()
    {
        if (Robot is not null) await Robot.DisposeAsync();
        await base.DisposeAsync();
    }

    /// <summary>One pass of the sender, as the background loop makes it.</summary>
    public async Task<int> SendAsync() => await Services.GetRequiredService<NotificationSender>().RunOnceAsync(CancellationToken.None);

    public async Task ExecuteAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<List<NotificationDelivery>> OutboxAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<EnvScoreDbContext>().Set<NotificationDelivery>().AsNoTracking().OrderBy(d => d.Id).ToListAsync();
    }
}
