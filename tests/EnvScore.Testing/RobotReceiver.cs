using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EnvScore.Testing;

/// <summary>
/// A stand-in for a 企业微信/钉钉 group robot on 127.0.0.1 (Kestrel on a free port): records every POST body to
/// <c>/robot</c> and answers from a script (status, body), then like a robot that accepts:
/// <c>200 {"errcode":0,"errmsg":"ok"}</c>. Nothing leaves the machine.
/// </summary>
public sealed class RobotReceiver : IAsyncDisposable
{
    public const string Ok = """{"errcode":0,"errmsg":"ok"}""";
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(int Status, string Body)> _script = new();

    /// <summary>Every body received, in order (accepted or not).</summary>
    public ConcurrentQueue<string> Received { get; } = new();

    /// <summary>The bodies that were answered with success (200 and errcode 0).</summary>
    public ConcurrentQueue<string> Accepted { get; } = new();

    public string Url { get; private set; } = "";

    private RobotReceiver()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapPost("/robot", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync();
            Received.Enqueue(body);
            var (status, answer) = _script.TryDequeue(out var next) ? next : (200, Ok);
            if (status == 200 && answer == Ok) Accepted.Enqueue(body);
            http.Response.StatusCode = status;
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(answer);
        });
    }

    public static async Task<RobotReceiver> StartAsync()
    {
        var receiver = new RobotReceiver();
        await receiver._app.StartAsync();
        var address = receiver._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        receiver.Url = $"{address}/robot";
        return receiver;
    }

    /// <summary>The next answers, in order (e.g. 500 then the default success).</summary>
    public void Script(params (int Status, string Body)[] answers)
    {
        foreach (var a in answers) _script.Enqueue(a);
    }

    public void Clear()
    {
        Received.Clear();
        Accepted.Clear();
        _script.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
