using EnvScore.Api.Commands;
using EnvScore.Api.Features.Analysis;
using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Audit;
using EnvScore.Api.Features.Computation;
using EnvScore.Api.Features.Demo;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Features.Notices;
using EnvScore.Api.Features.Notifications;
using EnvScore.Api.Features.Publication;
using EnvScore.Api.Features.Rectifications;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Api.Features.Spreadsheets;
using EnvScore.Api.Infrastructure;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Api.Infrastructure.Errors;
using EnvScore.Api.Infrastructure.Http;
using EnvScore.Api.Infrastructure.OData;
using EnvScore.Api.Infrastructure.Security;
using EnvScore.Api.Pages;

// A command verb (create-admin …) runs against the same services and exits; anything else serves.
var (command, hostArgs) = args is [var verb, ..] && !verb.StartsWith('-') ? (verb, args[1..]) : (null, args);

// Checking a rule-set file needs no database.
if (command == "rules-validate") return RulesValidateCommand.Run(hostArgs, Console.Out);

var builder = WebApplication.CreateBuilder(hostArgs);
builder.AddEnvScoreConfiguration();
builder.AddEnvScoreErrors();
builder.AddEnvScoreData();
builder.AddEnvScoreSecurity();
builder.AddEnvScoreRequestConcurrency();
builder.AddEnvScoreCompression();
builder.AddEnvScoreAccounts();
builder.AddEnvScoreDemo();
builder.AddEnvScoreRuleSets();
builder.AddEnvScoreEvaluations();
builder.AddEnvScoreAudit();
builder.AddEnvScoreOData();
builder.AddEnvScoreComputation();
builder.AddEnvScorePublication();
builder.AddRectifications();
builder.AddNotifications();
builder.AddEnvScoreNotices();
builder.AddEnvScoreAnalysis();
builder.AddEnvScoreWeb();
builder.Services.AddAutoMapper(cfg => { }, typeof(Program));

var app = builder.Build();

if (command is not null)
    return command switch
    {
        "create-admin" => await CreateAdminCommand.RunAsync(app.Services, hostArgs),
        _ => Usage(command),
    };

app.UseEnvScoreSecurity();
app.UseResponseCompression(); // pages, css, js, JSON for slow lines (Infrastructure/Http/ResponseCompressionSetup)
app.UseEnvScoreErrors();
app.UseEnvScoreOData(); // $query, then routing
app.UseStaticFiles();
app.UseEnvScoreRequestConcurrency(); // before sign-in and its database reads: the line waits holding nothing
app.UseAuthentication();
app.UseEnvScoreSessions();
app.UseAuthorization();
app.UseRateLimiter(); // after authentication: limits partition by the signed-in user
app.UseOutputCache(); // after authorization: a 401/403 is decided before any cached response is served
app.MapEnvScoreHealth();
app.MapAccounts();
app.MapRuleSetFiles();
app.MapEvidence();
app.MapSpreadsheets();
app.MapPublication();
app.MapRectifications();
app.MapNotifications();
app.MapNotices();
app.MapAnalysis();
app.MapControllers();
app.MapEnvScoreWeb();

await app.Services.PrepareDatabaseAsync();
app.PrintBannerOnStart();
await app.RunAsync();
return 0;

static int Usage(string verb)
{
    Console.Error.WriteLine($"未知命令 (unknown command) \"{verb}\". Commands: create-admin, rules-validate");
    return 2;
}

public partial class Program;
