using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using EnvScore.Api.Features.Demo;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Rules;
using EnvScore.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EnvScore.Browser.Tests;

/// <summary>The two sizes every page is pressed at.</summary>
public enum Viewport { Phone, Desktop }

/// <summary>
/// One service on real Kestrel (its own database: the demo district, Aug–Oct 2026 published) and one Chromium for every
/// test of the "browser" collection; each role signs in once through the login form and its cookie is reused.
/// The clock stands at 2026-11-10 10:00 Asia/Shanghai: November is open (township deadline 5 December).
/// Tests in the collection run one after another; each uses its own villages or months, so their order does not matter.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string Admin = "admin", Inspector = "inspector", Public = "";
    public KestrelFactory Factory { get; } = new();
    public string BaseUrl { get; private set; } = "";
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public RuleSet Rules { get; private set; } = null!;
    public static readonly string Root = FindRoot();
    public static readonly string Shots = Path.Combine(Root, "artifacts", "screenshots");
    private readonly ConcurrentDictionary<string, string> _states = new();
    private readonly ConcurrentDictionary<string, HttpClient> _api = new();

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)Factory).InitializeAsync();
        BaseUrl = Factory.Start();
        await Factory.SeedHistoryAsync();
        Rules = await Factory.RulesAsync();
        Directory.CreateDirectory(Shots);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        foreach (var c in _api.Values) c.Dispose();
        await ((IAsyncLifetime)Factory).DisposeAsync();
    }

    public static string Secretary(int township) => EnvScoreFactory.Secretary(township);

    /// <summary>Options of a new browser context at this size (a phone is touch and mobile, as Chromium emulates it).</summary>
    public BrowserNewContextOptions Options(Viewport viewport, bool javaScript = true) => viewport == Viewport.Phone
        ? new() { BaseURL = BaseUrl, ViewportSize = new() { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true, DeviceScaleFactor = 2, Locale = "zh-CN", JavaScriptEnabled = javaScript }
        : new() { BaseURL = BaseUrl, ViewportSize = new() { Width = 1366, Height = 768 }, Locale = "zh-CN", JavaScriptEnabled = javaScript };

    /// <summary>
    /// A page signed in as <paramref name="user"/> (empty: anonymous). The first call for a user presses the login
    /// form; later ones reuse its cookie. Confirmation dialogs are accepted (their text is kept in <see cref="Session.Dialogs"/>).
    /// </summary>
    public async Task<Session> OpenAsync(string user, Viewport viewport, bool javaScript = true)
    {
        var options = Options(viewport, javaScript);
        if (user.Length > 0) options.StorageState = await StateAsync(user);
        var context = await Browser.NewContextAsync(options);
        var page = await context.NewPageAsync();
        var session = new Session(context, page);
        page.Dialog += async (_, dialog) => { session.Dialogs.Add(dialog.Message); await dialog.AcceptAsync(); };
        return session;
    }

    private async Task<string> StateAsync(string user)
    {
        if (_states.TryGetValue(user, out var state)) return state;
        await using var context = await Browser.NewContextAsync(Options(Viewport.Desktop));
        var page = await context.NewPageAsync();
        await LoginAsync(page, user);
        await Expect(page.Locator("header .who")).ToBeVisibleAsync();
        return _states[user] = await context.StorageStateAsync();
    }

    /// <summary>The login form as a user fills it: name, password, Enter.</summary>
    public static async Task LoginAsync(IPage page, string user)
    {
        await page.GotoAsync("/login");
        await page.Locator("#user").FillAsync(user);
        await page.Locator("#password").FillAsync(EnvScoreFactory.Password);
        await page.Locator("#password").PressAsync("Enter");
        // Either the page leaves /login, or the login page says why it refused (then the test fails with that reason,
        // not with a bare timeout); a loaded machine gets a minute for the sign-in itself.
        var left = page.WaitForURLAsync(u => !u.Contains("/login"), new() { Timeout = 60_000 });
        var refused = page.Locator("#login-error").WaitForAsync(new() { Timeout = 60_000 });
        if (await Task.WhenAny(left, refused) == refused && refused.IsCompletedSuccessfully && page.Url.Contains("/login"))
            Assert.Fail($"sign-in of {user} refused: {await page.Locator("#login-error").InnerTextAsync()}");
        await left;
    }

    /// <summary>A bearer-token API client for reading outcomes back (and, for setup only, writing).</summary>
    public async Task<HttpClient> ApiAsync(string user) =>
        _api.TryGetValue(user, out var c) ? c : _api[user] = await Factory.ClientForAsync(user);

    public async Task<int> VillageIdAsync(int township, int index)
    {
        var code = DemoDistrict.VillageCode(DemoDistrict.Townships[township], index);
        await using var scope = Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<EnvScoreDbContext>().Villages.Where(v => v.Code == code).Select(v => v.Id).SingleAsync();
    }

    public async Task<int> TownshipIdAsync(int township)
    {
        var code = DemoDistrict.Townships[township].Code;
        await using var scope = Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<EnvScoreDbContext>().Townships.Where(t => t.Code == code).Select(t => t.Id).SingleAsync();
    }

    /// <summary>The stored sheet over the OData API (with its entries and photos), or null when there is none.</summary>
    public async Task<JsonElement?> SheetAsync(string user, int villageId, string month, string kind)
    {
        var api = await ApiAsync(user);
        var key = month.Replace("-", "");
        var list = await api.GetJsonAsync($"/odata/Evaluations?$filter=villageId eq {villageId} and month eq {key}&$expand=entries,evidence");
        foreach (var e in list.GetProperty("value").EnumerateArray())
            if (e.GetProperty("kind").GetString() == kind) return e;
        return null;
    }

    /// <summary>Fills every item of the sheet form with a full-marks answer, then the given answers (item code → text or option value).</summary>
    public async Task FillSheetAsync(IPage page, IDictionary<string, string>? answers = null)
    {
        foreach (var item in Rules.Items)
        {
            var field = page.Locator($"#f-{item.Code}");
            var answer = answers?.TryGetValue(item.Code, out var a) == true ? a : null;
            switch (item)
            {
                case LevelsItem l: await field.SelectOptionAsync(answer ?? l.Levels.OrderBy(x => x.Deduction).First().Code); break;
                case PassFailItem: await field.SelectOptionAsync(answer ?? "true"); break;
                default: await field.FillAsync(answer ?? "0"); break;
            }
        }
    }

    public static string Shot(string name) => Path.Combine(Shots, name + ".png");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EnvScore.sln"))) dir = dir.Parent;
        return dir?.FullName ?? AppContext.BaseDirectory;
    }
}

/// <summary>One browser context and its page; disposing closes the context.</summary>
public sealed class Session(IBrowserContext context, IPage page) : IAsyncDisposable
{
    public IBrowserContext Context { get; } = context;
    public IPage Page { get; } = page;
    public List<string> Dialogs { get; } = [];
    public ValueTask DisposeAsync() => new(Context.CloseAsync());
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}

/// <summary>Marks a test as pressing a page's form handler ("Work/Sheet.cshtml", "Save"); see <see cref="HandlerCoverageTests"/>.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class PressesAttribute(string page, string handler) : Attribute
{
    public string Page { get; } = page;
    public string Handler { get; } = handler;
}
