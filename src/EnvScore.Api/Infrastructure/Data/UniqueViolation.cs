using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace EnvScore.Api.Infrastructure.Data;

public static class UniqueViolation
{
    /// <summary>Saves; false when a unique index refused the row (a concurrent duplicate insert).</summary>
    public static async Task<bool> TrySaveUniqueAsync(this DbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return false;
        }
    }
}
