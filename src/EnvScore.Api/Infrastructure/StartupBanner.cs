using EnvScore.Api.Features.Demo;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace EnvScore.Api.Infrastructure;

public static class StartupBanner
{
    /// <summary>Tells the person who ran `./envscore run` where to go and how to log in.</summary>
    public static WebApplication PrintBannerOnStart(this WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "";
            var demo = app.Services.GetRequiredService<IOptions<DemoOptions>>().Value;
            Console.WriteLine($$"""

                ==== EnvScore 农村人居环境月评比 已启动 (running) ====
                  公开排名     {{address}}/
                  乡镇填报     {{address}}/work        （乡镇党委书记、区级督查员登录后）
                  区里计算发布 {{address}}/admin       （区管理员登录后）
                  OData API   {{address}}/odata          ($metadata: {{address}}/odata/$metadata)
                  Health      {{address}}/healthz
                  Login       POST {{address}}/api/auth/login  {"userName":"admin","password":"…"}
                """);
            if (demo.Seed)
            {
                var secretaries = string.Join(", ", DemoDistrict.Townships.Select(t => DemoDistrict.SecretaryUserName(t.Code)));
                Console.WriteLine($"""
                      Demo users  admin (区管理员), inspector (督查员), {secretaries}
                      Password    {(string.IsNullOrEmpty(demo.Password) ? "(printed above when the demo was loaded)" : demo.Password)}
                      Stop        Ctrl-C or ./envscore stop
                    """);
            }
        });
        return app;
    }
}
