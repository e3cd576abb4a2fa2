using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Organisation;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Organisation;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Commands;

/// <summary>
/// `create-admin USER DISTRICT_CODE [DISTRICT_NAME]`: a real deployment's first DistrictAdmin, with
/// a password the operator chooses (ENVSCORE_ADMIN_PASSWORD, or typed at the prompt).
/// </summary>
public static class CreateAdminCommand
{
    public static Task<int> RunAsync(IServiceProvider services, string[] args) =>
        RunAsync(services, args, Console.Out, () => Environment.GetEnvironmentVariable("ENVSCORE_ADMIN_PASSWORD") ?? ReadPassword(Console.Out));

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, Func<string?> readPassword)
    {
        if (args.Length < 2)
        {
            output.WriteLine("用法 (usage): create-admin USER DISTRICT_CODE [DISTRICT_NAME]");
            return 2;
        }
        if (!DivisionCode.TryParse(args[1], out var code, out var error) || code.Level != DivisionLevel.District)
        {
            output.WriteLine(error ?? $"\"{args[1]}\"不是区县级区划代码（应以000000结尾） (not a district code)");
            return 2;
        }
        var password = readPassword();
        if (string.IsNullOrEmpty(password))
        {
            output.WriteLine("未提供密码 (no password given)");
            return 2;
        }

        await services.PrepareDatabaseAsync();
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<EnvScoreDbContext>();
        var district = await db.Districts.SingleOrDefaultAsync(d => d.Code == code.Value);
        if (district is null)
        {
            if (args.Length < 3)
            {
                output.WriteLine($"区县\"{code}\"不存在，请在第三个参数给出区县名称以创建 (district not found: give its name to create it)");
                return 2;
            }
            district = new District { Code = code.Value, Name = args[2].Trim() };
            db.Districts.Add(district);
            await db.SaveChangesAsync();
            await scope.ServiceProvider.GetRequiredService<DefaultRuleSet>().EnsureForAllDistrictsAsync();
        }
        try
        {
            await scope.ServiceProvider.GetRequiredService<AccountProvisioner>()
                .CreateAsync(args[0], password, Roles.DistrictAdmin, district.Id, null);
        }
        catch (InvalidOperationException e)
        {
            output.WriteLine($"创建失败 (failed): {e.Message}");
            return 1;
        }
        output.WriteLine($"已创建区管理员 {args[0]}（{district.Name} {district.Code}） (DistrictAdmin created)");
        return 0;
    }

    private static string? ReadPassword(TextWriter output)
    {
        if (Console.IsInputRedirected) return Console.ReadLine();
        output.Write("密码 (password): ");
        var chars = new List<char>();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace) { if (chars.Count > 0) chars.RemoveAt(chars.Count - 1); }
            else chars.Add(key.KeyChar);
        }
        output.WriteLine();
        return new string([.. chars]);
    }
}
