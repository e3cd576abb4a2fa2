using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace EnvScore.Api.Infrastructure.Data;

/// <summary>Lets `dotnet ef migrations add` build the model without a server or the web host.</summary>
public class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<EnvScoreDbContext>
{
    public EnvScoreDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<EnvScoreDbContext>()
            .UseEnvScoreNpgsql("Host=127.0.0.1;Database=envscore_design")
            .Options);
}
