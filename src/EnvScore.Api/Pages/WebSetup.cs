using System.Globalization;
using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Scoring;
using Microsoft.AspNetCore.Authorization;

namespace EnvScore.Api.Pages;

/// <summary>The server-rendered pages: public rankings, township entry, district office.</summary>
public static class WebSetup
{
    public const string DistrictAdminPolicy = "web-district-admin";
    /// <summary>District office pages that inspectors may read too (DistrictAdmin or DistrictInspector).</summary>
    public const string DistrictOfficePolicy = "web-district-office";
    /// <summary>Pages of /Admin open to the whole district office; every other /Admin page is DistrictAdmin only.</summary>
    private static readonly HashSet<string> DistrictOfficePages = ["/Admin/Audit"];
    /// <summary>Anonymous public pages are cached; publishing a revision evicts them by this tag.</summary>
    public const string PublicPagesPolicy = "public-pages", PublishedTag = "published";

    public static IHostApplicationBuilder AddEnvScoreWeb(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(DistrictAdminPolicy, p => p.RequireRole(Roles.DistrictAdmin))
            .AddPolicy(DistrictOfficePolicy, p => p.RequireRole(Roles.DistrictAdmin, Roles.DistrictInspector));
        builder.Services.AddRazorPages(o =>
        {
            o.Conventions.AuthorizeFolder("/Work");
            o.Conventions.ConfigureFilter(new StatusPageFilter());
            o.Conventions.AddFolderApplicationModelConvention("/Admin", page => page.EndpointMetadata.Add(
                new AuthorizeAttribute(DistrictOfficePages.Contains(page.ViewEnginePath) ? DistrictOfficePolicy : DistrictAdminPolicy)));
        });
        builder.Services.AddScoped<PublicData>();
        builder.Services.AddScoped<PeopleNames>();
        // Published data only changes with a new revision (which evicts the tag); the expiry bounds staleness of
        // names and of the unpublished-month notice. The default policy never caches signed-in users' pages.
        builder.Services.AddOutputCache(o => o.AddPolicy(PublicPagesPolicy, b => b
            .Expire(TimeSpan.FromMinutes(5)).SetVaryByQuery("*").Tag(PublishedTag)));
        // Chinese text as characters, not &#x…; entities: readable source, half the bytes.
        builder.Services.AddWebEncoders(o => o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        return builder;
    }

    public static IEndpointRouteBuilder MapEnvScoreWeb(this IEndpointRouteBuilder app)
    {
        app.MapRazorPages();
        app.MapSheetPreview();
        return app;
    }
}

/// <summary>Formatting shared by the pages (all user-facing text is Chinese).</summary>
public static class Web
{
    public static string TierClass(Tier tier) => tier switch
    {
        Tier.Demonstration => "tier-demo", Tier.Upgrade => "tier-up", _ => "tier-fix",
    };

    /// <summary>
    /// A service message as a page shows it: Chinese only. Services answer "中文 (English gloss)" for API clients; the
    /// trailing gloss in ASCII parentheses is dropped.
    /// </summary>
    public static string Zh(string message) =>
        // The API's English gloss at the end: "( … )" of ASCII with a Latin letter, or one that starts with a Latin word and
        // quotes what the user typed ("(opening has an unknown placeholder {乡镇})").
        System.Text.RegularExpressions.Regex.Replace(message, @"\s*\((?:(?=[^()]*[A-Za-z])[\x20-\x7E]*|(?=[A-Za-z]{2})[^()]*)\)\s*$", "");

    public static string Score(decimal score) => EnvScore.Domain.Scoring.Points.Format(score); // one formatting rule for points

    /// <summary>↑3 / ↓2 / — (same) / 新 (not ranked last month), with a text alternative for screen readers.</summary>
    public static (string Symbol, string Label, string Css) Movement(int? movement) => movement switch
    {
        null => ("新", "上月未排名", "mv-new"),
        > 0 => ($"↑{movement}", $"上升{movement}名", "mv-up"),
        < 0 => ($"↓{-movement}", $"下降{-movement}名", "mv-down"),
        _ => ("—", "名次不变", "mv-same"),
    };

    public static string Local(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, ChinaTime.Zone).ToString("yyyy-MM-dd HH:mm");

    public static string LocalInput(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, ChinaTime.Zone).ToString("yyyy-MM-ddTHH:mm");

    public static EvaluationMonth CurrentMonth(TimeProvider time) => ChinaTime.MonthOf(time.GetUtcNow());

    public static EvaluationMonth MonthOr(string? text, EvaluationMonth fallback) => EvaluationMonth.TryParse(text, out var m) ? m : fallback;

    public static string ReasonName(TierReason reason) => reason switch
    {
        TierReason.Threshold => "按分数线", TierReason.Veto => "一票否决", TierReason.MissingSheet => "未提交自评",
        TierReason.DemonstrationQuota => "示范名额所限", TierReason.RectifyQuota => "整治比例所限", TierReason.BlackList => "列入黑榜",
        _ => reason.ToString(),
    };
}
