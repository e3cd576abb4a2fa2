using System.Reflection;
using System.Text.RegularExpressions;

namespace EnvScore.Browser.Tests;

/// <summary>
/// Keeps "no page ships whose forms a browser has not pressed": every form handler found in the .cshtml files
/// (asp-page-handler on a form or button, a plain post form, a GET form) must be named by a test's <see cref="PressesAttribute"/>.
/// </summary>
public sealed class HandlerCoverageTests
{
    private static readonly string Pages = Path.Combine(BrowserFixture.Root, "src", "EnvScore.Api", "Pages");

    /// <summary>(page file relative to Pages, handler): "Save"; "" for a page's own post; "/Logout" for a post to another page; "GET" for a GET form.</summary>
    public static SortedSet<(string Page, string Handler)> HandlersInPages()
    {
        var found = new SortedSet<(string, string)>();
        foreach (var file in Directory.EnumerateFiles(Pages, "*.cshtml", SearchOption.AllDirectories))
        {
            var page = Path.GetRelativePath(Pages, file).Replace('\\', '/');
            var text = File.ReadAllText(file);
            foreach (Match tag in Regex.Matches(text, @"<(form|button)\b[^>]*>", RegexOptions.Singleline))
            {
                var attrs = tag.Value;
                string? Attr(string name) => Regex.Match(attrs, $@"\b{Regex.Escape(name)}=""([^""]*)""") is { Success: true } m ? m.Groups[1].Value : null;
                if (Attr("asp-page-handler") is { } handler) { found.Add((page, handler)); continue; }
                if (tag.Groups[1].Value != "form") continue;
                var method = Attr("method")?.ToLowerInvariant() ?? "get";
                if (method == "get") found.Add((page, "GET"));
                else found.Add((page, Attr("asp-page") ?? Attr("action") ?? ""));
            }
        }
        return found;
    }

    public static SortedSet<(string Page, string Handler)> PressedByTests() => new(typeof(HandlerCoverageTests).Assembly.GetTypes()
        .SelectMany(t => t.GetMethods())
        .SelectMany(m => m.GetCustomAttributes<PressesAttribute>())
        .Select(a => (a.Page, a.Handler)));

    [Fact]
    public void Every_form_handler_of_every_page_is_pressed_by_a_browser_test()
    {
        var handlers = HandlersInPages();
        Assert.True(handlers.Count >= 15, $"only {handlers.Count} handlers found under {Pages}");
        Assert.Contains(("Work/Sheet.cshtml", "Save"), handlers);
        var missing = handlers.Except(PressedByTests()).ToList();
        Assert.True(missing.Count == 0, "form handlers without a browser test: " + string.Join(", ", missing.Select(m => $"{m.Page}:{m.Handler}")));
    }

    [Fact]
    public void Every_handler_a_test_names_exists()
    {
        var stale = PressedByTests().Except(HandlersInPages()).ToList();
        Assert.True(stale.Count == 0, "tests name handlers no page has: " + string.Join(", ", stale.Select(m => $"{m.Page}:{m.Handler}")));
    }

    /// <summary>Writes the handler → test table for docs/web.md (artifacts/handlers.md).</summary>
    [Fact]
    public void Handler_table_is_written()
    {
        var rows = typeof(HandlerCoverageTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods().SelectMany(m => m.GetCustomAttributes<PressesAttribute>().Select(a => (a.Page, a.Handler, Test: $"{t.Name}.{m.Name}"))))
            .GroupBy(r => (r.Page, r.Handler)).OrderBy(g => g.Key.Page).ThenBy(g => g.Key.Handler);
        var lines = new List<string> { "| page | handler | pressed by |", "|---|---|---|" };
        lines.AddRange(rows.Select(g => $"| `{g.Key.Page}` | {(g.Key.Handler.Length == 0 ? "(post)" : g.Key.Handler)} | {string.Join("<br>", g.Select(r => $"`{r.Test}`").Distinct())} |"));
        Directory.CreateDirectory(Path.Combine(BrowserFixture.Root, "artifacts"));
        File.WriteAllLines(Path.Combine(BrowserFixture.Root, "artifacts", "handlers.md"), lines);
    }
}
