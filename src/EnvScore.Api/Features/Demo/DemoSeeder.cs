using System.Security.Cryptography;
using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Organisation;
using EnvScore.Api.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Demo;

public sealed class DemoOptions
{
    /// <summary>Load the demo district when the database holds no district.</summary>
    public bool Seed { get; set; }
    /// <summary>Password of every demo account; generated (and printed) when empty.</summary>
    public string? Password { get; set; }
    /// <summary>Complete months of sample sheets and results to load with the demo (`./envscore run` uses 3).</summary>
    public int SampleMonths { get; set; }
    /// <summary>
    /// Generated townships added after the demo's three (<see cref="DemoDistrict.Extra"/>), each with
    /// <see cref="ExtraVillages"/> villages and its secretary account — for the soak benchmark only
    /// (<c>./envscore soak</c> sets 17: 20 townships). Default 0: the demo as shown.
    /// </summary>
    public int ExtraTownships { get; set; }
    /// <summary>Villages of each generated township (default 10).</summary>
    public int ExtraVillages { get; set; } = 10;
}

/// <summary>Loads the demo district and its accounts into an empty database.</summary>
public class DemoSeeder(EnvScoreDbContext db, AccountProvisioner accounts, Microsoft.Extensions.Options.IOptions<DemoOptions> options, ILogger<DemoSeeder> log)
{
    public async Task<bool> SeedIfEmptyAsync(string password, CancellationToken ct = default)
    {
        if (await db.Districts.AnyAsync(ct)) return false;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var district = new District { Code = DemoDistrict.Code, Name = DemoDistrict.Name };
        foreach (var t in DemoDistrict.Townships.Concat(DemoDistrict.Extra(options.Value.ExtraTownships, options.Value.ExtraVillages)))
        {
            var township = new Township { Code = t.Code, Name = t.Name, Kind = t.Kind };
            township.Villages.AddRange(t.Villages.Select((name, i) => new Village { Code = DemoDistrict.VillageCode(t, i), Name = name }));
            district.Townships.Add(township);
        }
        db.Districts.Add(district);
        await db.SaveChangesAsync(ct);

        await accounts.CreateAsync("admin", password, Roles.DistrictAdmin, district.Id, null, "区农村人居环境办公室");
        await accounts.CreateAsync("inspector", password, Roles.DistrictInspector, district.Id, null, "区级督查员");
        foreach (var township in district.Townships)
            await accounts.CreateAsync(DemoDistrict.SecretaryUserName(township.Code), password, Roles.TownshipSecretary,
                district.Id, township.Id, $"{township.Name}党委书记");
        await tx.CommitAsync(ct);
        log.LogInformation("Demo district {District} loaded: {Townships} townships, {Villages} villages",
            district.Name, district.Townships.Count, district.Townships.Sum(t => t.Villages.Count));
        return true;
    }

    /// <summary>Upper, lower and digits: satisfies the Identity password policy.</summary>
    public static string GeneratePassword() =>
        "Es" + RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", 12) + "9x";
}
