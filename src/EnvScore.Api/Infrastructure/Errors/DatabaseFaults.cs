using System.Net.Sockets;
using Npgsql;

namespace EnvScore.Api.Infrastructure.Errors;

/// <summary>
/// Recognises the exceptions that mean "the database cannot be reached or is refusing work for now" — not a bug and
/// not bad input — so that the request is answered 503 with <c>Retry-After</c> instead of 500:
/// <list type="bullet">
/// <item>connection failures: any <see cref="NpgsqlException"/> that is not a <see cref="PostgresException"/> (socket
///   errors, timeouts, a stream closed by the server, an exhausted connection pool, no suitable host of a multi-host
///   connection string), a <see cref="SocketException"/>;</item>
/// <item>server states (PostgreSQL SQLSTATE, appendix A of its manual): class 08 (connection exception), 57P01
///   admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up, shutting down, in recovery),
///   class 53 (insufficient resources, 53300 too_many_connections), 58000/58030 (system/IO error), 25006
///   read_only_sql_transaction (a write reached a standby during a failover), 40001/40P01 (serialization failure,
///   deadlock: retrying succeeds).</item>
/// </list>
/// Source of the list: PostgreSQL 15 manual, Appendix A "PostgreSQL Error Codes"; Npgsql's <c>PostgresException.IsTransient</c>.
/// </summary>
public static class DatabaseFaults
{
    /// <summary>Seconds a client should wait before retrying (the <c>Retry-After</c> value): a restart or failover takes seconds.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>Machine code of the 503 answer.</summary>
    public const string Code = "DatabaseUnavailable";

    /// <summary>Machine code of the 503 answer for a serialization failure or deadlock (retry at once).</summary>
    public const string BusyCode = "DatabaseBusy";

    /// <summary>The code to answer with, or null when the exception is not a database availability fault.</summary>
    public static string? Classify(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException pg:
                    var state = pg.SqlState;
                    if (state is "40001" or "40P01") return BusyCode;
                    if (state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("53", StringComparison.Ordinal)
                        || state is "57P01" or "57P02" or "57P03" or "58000" or "58030" or "25006")
                        return Code;
                    return null; // any other server error is a real error of the statement
                case NpgsqlException:
                    // Not reported by the server (that is PostgresException, above): the way to it failed — refused,
                    // reset, timed out, the pool exhausted, or no host of a multi-host connection string is a primary
                    // (during a failover, Target Session Attributes=primary).
                    return Code;
                case SocketException:
                    return Code;
            }
            if (e is AggregateException { InnerExceptions.Count: > 0 } many)
                foreach (var inner in many.InnerExceptions)
                    if (Classify(inner) is { } code) return code;
        }
        return null;
    }
}
