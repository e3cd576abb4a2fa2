using System.Text;
using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Api.Infrastructure.Security;
using EnvScore.Domain.Rules;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;

namespace EnvScore.Api.Features.RuleSets;

/// <summary>
/// Rule-set files: validate, import (→ draft), replace a draft, download the source. The parsing endpoints need a
/// signed-in district user (DistrictAdmin or DistrictInspector), are rate-limited per user
/// (Security:RuleSetFilePermitsPerMinute), read at most <see cref="MaxFileBytes"/> and refuse YAML anchors/aliases
/// and deep nesting before any work (YamlTree); at most <see cref="MaxProblemsReported"/> problems are listed.
/// </summary>
public static class RuleSetFileEndpoints
{
    public const int MaxFileBytes = 1 << 20;

    /// <summary>The problems listed in one answer; <c>problemCount</c> gives the total.</summary>
    public const int MaxProblemsReported = 200;

    /// <summary>
    /// Columns the month's template may use: Excel has 16,384 per sheet. The template has one column per item, one
    /// more per item with zero-score conditions, one per bonus item, plus fixed columns (<see cref="FixedColumns"/>:
    /// village code, name, township, vetoes, note, with room to spare). Source: EnvScore.Spreadsheets TemplateColumns.
    /// </summary>
    public const int MaxColumns = 16_384, FixedColumns = 16;

    public static IEndpointRouteBuilder MapRuleSetFiles(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/rule-sets").WithTags("RuleSets");

        // Checking stores nothing, but parsing costs: district users only, rate-limited.
        group.MapPost("/validate", async (HttpRequest request, CancellationToken ct) =>
        {
            var (yaml, name, error) = await ReadFileAsync(request, ct);
            if (error is not null) return error;
            var result = RuleSetLoader.Parse(yaml!, name);
            if (result.Problems.FirstOrDefault(p => p.Kind == RuleSetProblemKind.YamlLimitExceeded) is { } limit)
                return SecurityProblems.Problem(400, SecurityProblems.YamlLimit, limit.Message,
                    extensions: new Dictionary<string, object?> { ["problems"] = Problems([limit]) });
            var problems = result.Problems.Concat(TooManyItems(result)).ToList();
            return Results.Ok(new
            {
                valid = problems.Count == 0,
                problemCount = problems.Count,
                truncated = problems.Count > MaxProblemsReported,
                problems = Problems(problems),
            });
        }).RequireAuthorization(p => p.RequireRole(Roles.DistrictAdmin, Roles.DistrictInspector))
          .RequireRateLimiting(Infrastructure.Security.SecurityServiceCollectionExtensions.RuleSetFilesPolicy);

        group.MapPost("/", async (HttpRequest request, HttpContext http, RuleSetStore store, CancellationToken ct) =>
        {
            if (http.User.DistrictId() is not { } district) return Results.Forbid();
            var (yaml, name, error) = await ReadFileAsync(request, ct);
            if (error is not null) return error;
            return RuleSetResults.From(await store.ImportAsync(district, yaml!, name, http.User.Identity!.Name!, ct));
        }).RequireAuthorization(p => p.RequireRole(Roles.DistrictAdmin))
          .RequireRateLimiting(Infrastructure.Security.SecurityServiceCollectionExtensions.RuleSetFilesPolicy);

        group.MapPut("/{id:int}/source", async (int id, HttpRequest request, HttpContext http, EnvScoreDbContext db, RuleSetStore store, CancellationToken ct) =>
        {
            var record = await db.RuleSets.SingleOrDefaultAsync(r => r.Id == id, ct);
            if (record is null || !http.User.IsAdminOf(record.DistrictId)) return Results.NotFound();
            var (yaml, name, error) = await ReadFileAsync(request, ct);
            if (error is not null) return error;
            return RuleSetResults.From(await store.ReplaceDraftAsync(record, yaml!, name, ct));
        }).RequireAuthorization(p => p.RequireRole(Roles.DistrictAdmin))
          .RequireRateLimiting(Infrastructure.Security.SecurityServiceCollectionExtensions.RuleSetFilesPolicy);

        // Serves stored text (no parsing): active versions are public, drafts their district's.
        group.MapGet("/{id:int}/source", async (int id, HttpContext http, EnvScoreDbContext db, CancellationToken ct) =>
        {
            var record = await db.RuleSets.AsNoTracking().VisibleTo(http.User).SingleOrDefaultAsync(r => r.Id == id, ct);
            return record is null
                ? Results.NotFound()
                : Results.File(Encoding.UTF8.GetBytes(record.Source), "application/yaml; charset=utf-8", $"{record.Code}-v{record.Version}.yaml");
        }).AllowAnonymous();

        return app;
    }

    private static object[] Problems(IEnumerable<RuleSetProblem> problems) =>
        problems.Take(MaxProblemsReported).Select(p => (object)new { kind = p.Kind.ToString(), p.Message, p.File, p.Line, p.Column, p.ItemCode }).ToArray();

    /// <summary>A rule set with more items than the month's template can hold (one column each).</summary>
    public static IEnumerable<RuleSetProblem> TooManyItems(RuleSetParseResult result)
    {
        if (result.RuleSet is not { } rs) yield break;
        var items = rs.Items.ToList();
        var columns = items.Count + items.Count(i => i.ZeroIf.Count > 0) + rs.Bonus.Items.Count + FixedColumns;
        if (columns > MaxColumns)
            yield return new RuleSetProblem(RuleSetProblemKind.InvalidValue,
                $"评分细则共有{items.Count}个评分项，月度填报表格需要{columns}列，超过Excel每个工作表最多16384列，请拆分或精简评分项 " +
                $"(the rule set needs {columns} template columns; Excel has 16,384)", null, 1, 1, null);
    }

    /// <summary>
    /// The file comes as a multipart upload (field "file") or as the raw request body, whatever its declared type
    /// among YAML, text, octet-stream and curl's default application/x-www-form-urlencoded (never parsed as a form).
    /// Other content types → 415. Read with a bound: more than <see cref="MaxFileBytes"/> → 413.
    /// </summary>
    private static async Task<(string? Yaml, string? Name, IResult? Error)> ReadFileAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxFileBytes + 64 * 1024) return (null, null, TooLarge());
        var type = request.ContentType is { Length: > 0 } ct0 && MediaTypeHeaderValue.TryParse(ct0, out var parsed) ? parsed.MediaType.Value : null;
        string? name = null;
        byte[]? bytes;
        if (type is not null && type.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            IFormCollection form;
            try
            {
                request.HttpContext.Features.Set<IFormFeature>(new FormFeature(request, new FormOptions
                {
                    MultipartBodyLengthLimit = MaxFileBytes + 64 * 1024, ValueCountLimit = 16, KeyLengthLimit = 256,
                    MultipartHeadersCountLimit = 16, MultipartHeadersLengthLimit = 16 * 1024, ValueLengthLimit = 16 * 1024,
                }));
                form = await request.ReadFormAsync(ct);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException)
            {
                return (null, null, SecurityProblems.Problem(400, SecurityProblems.UnreadableBody,
                    $"上传的表单无法读取或超过{MaxFileBytes / 1024}KB：请在表单字段\"file\"中上传一个评分细则文件 (the form could not be read)"));
            }
            var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
            if (file is null)
                return (null, null, Results.Problem(title: "请在表单字段\"file\"中上传评分细则文件 (upload the file in form field \"file\")", statusCode: 400));
            if (file.Length > MaxFileBytes) return (null, null, TooLarge());
            name = file.FileName;
            using var buffer = new MemoryStream();
            await file.OpenReadStream().CopyToAsync(buffer, ct);
            bytes = buffer.ToArray();
        }
        else if (type is null || RawTypes.Contains(type))
        {
            bytes = await SecurityProblems.ReadBoundedAsync(request, MaxFileBytes, ct);
            if (bytes is null) return (null, null, TooLarge());
        }
        else
        {
            return (null, null, SecurityProblems.Problem(415, SecurityProblems.UnsupportedMediaType,
                $"不支持的内容类型\"{type}\"：请上传YAML文件（application/yaml、text/plain 或 multipart/form-data 的\"file\"字段） (unsupported content type)"));
        }
        if (bytes.Length == 0) return (null, null, Results.Problem(title: "评分细则文件为空 (the file is empty)", statusCode: 400));
        string text;
        try { text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes); }
        catch (DecoderFallbackException)
        {
            return (null, null, SecurityProblems.Problem(400, SecurityProblems.UnreadableBody, "评分细则文件应为UTF-8编码的YAML文本 (the file must be UTF-8 text)"));
        }
        return (text.TrimStart('\uFEFF'), name, null);
    }

    private static readonly HashSet<string> RawTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain", "application/octet-stream",
        "application/x-www-form-urlencoded", // curl --data-binary's default: the body is the file, never a form
    };

    private static IResult TooLarge() =>
        SecurityProblems.Problem(413, SecurityProblems.BodyTooLarge, $"评分细则文件不能超过{MaxFileBytes / 1024}KB (file too large)");
}
