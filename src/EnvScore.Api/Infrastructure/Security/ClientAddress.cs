namespace EnvScore.Api.Infrastructure.Security;

/// <summary>
/// The client's address as the login throttle sees it: the connection's remote address, which the
/// forwarded-headers middleware replaces with the client's only when the request comes through a
/// configured known proxy (Security:KnownProxies) — a client cannot pick its own partition.
/// </summary>
public static class ClientAddress
{
    public static string Of(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "local";
}
