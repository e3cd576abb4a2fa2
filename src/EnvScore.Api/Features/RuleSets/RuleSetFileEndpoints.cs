using System.Text;
using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Rules;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.RuleSets;

/// <summary>Rule-set files: validate, import (→ draft), replace a draft, download the source.</summary>
public static class RuleSetFileEndpoints
{
    public const int MaxFileBytes = 1 << 20;

    public static IEndpointRouteBuilder MapRuleSetFiles(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/rule-sets").WithTags("RuleSets");

        // Anyone may check a file: it stores nothing.
        group.MapPost("/validate", async (HttpRequest request) =>
        {
            var (yaml, name, error) = await ReadFileAsync(request);
            if (error is not null) return error;
            var result = RuleSetLoader.Parse(yaml!, name);
            return Results.Ok(new
            {
                valid = result.Succeeded,
                problems = result.Problems.Select(p => new { kind = p.Kind.ToString(), p.Message, p.File, p.Line, p.Column, p.ItemCode }),
            });
        }).AllowAnonymous();

        group.MapPost("/", async (HttpRequest request, HttpContext http, RuleSetStore store, CancellationToken ct) =>
        {
            if (http.User.DistrictId() is not { } district) return Results.Forbid();
            var (yaml, name, error) = await ReadFileAsync(request);
            if (error is not null) return error;
            return RuleSetResults.From(await store.ImportAsync(district, yaml!, name, http.User.Identity!.Name!, ct));
        }).RequireAuthorization(p => p.RequireRole(Roles.DistrictAdmin));

        group.MapPut("/{id:int}/source", async (int id, HttpRequest request, HttpContext http, EnvScoreDbContext db, RuleSetStore store, CancellationToken ct) =>
        {
            var record = await db.RuleSets.SingleOrDefaultAsync(r => r.Id == id, ct);
            if (record is null || !http.User.IsAdminOf(record.DistrictId)) return Results.NotFound();
            var (yaml, name, error) = await ReadFileAsync(request);
            if (error is not null) return error;
            return RuleSetResults.From(await store.ReplaceDraftAsync(record, yaml!, name, ct));
        }).RequireAuthorization(p => p.RequireRole(Roles.DistrictAdmin));

        group.MapGet("/{id:int}/source", async (int id, HttpContext http, EnvScoreDbContext db, CancellationToken ct) =>
        {
            var record = await db.RuleSets.AsNoTracking().VisibleTo(http.User).SingleOrDefaultAsync(r => r.Id == id, ct);
            return record is null
                ? Results.NotFound()
                : Results.File(Encoding.UTF8.GetBytes(record.Source), "application/yaml; charset=utf-8", $"{record.Code}-v{record.Version}.yaml");
        }).AllowAnonymous();

        return app;
    }

    /// <summary>The file comes as a multipart upload (field "file") or as the raw request body.</summary>
    private static async Task<(string? Yaml, string? Name, IResult? Error)> ReadFileAsync(HttpRequest request)
    {
        if (request.ContentLength > MaxFileBytes) return (null, null, TooLarge());
        string? name = null;
        Stream body;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync();
            var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
            if (file is null)
                return (null, null, Results.Problem(title: "请在表单字段\"file\"中上传评分细则文件 (upload the file in form field \"file\")", statusCode: 400));
            if (file.Length > MaxFileBytes) return (null, null, TooLarge());
            name = file.FileName;
            body = file.OpenReadStream();
        }
        else body = request.Body;

        using var reader = new StreamReader(body, Encoding.UTF8);
        var buffer = new char[MaxFileBytes + 1];
        var read = await reader.ReadBlockAsync(buffer);
        if (read > MaxFileBytes) return (null, null, TooLarge());
        if (read == 0) return (null, null, Results.Problem(title: "评分细则文件为空 (the file is empty)", statusCode: 400));
        return (new string(buffer, 0, read), name, null);
    }

    private static IResult TooLarge() =>
        Results.Problem(title: $"评分细则文件不能超过{MaxFileBytes / 1024}KB (file too large)", statusCode: StatusCodes.Status413PayloadTooLarge);
}
