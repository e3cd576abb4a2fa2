using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using EnvScore.Testing;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace EnvScore.Api.Tests.Evaluations;

/// <summary>
/// One sheet lifecycle (issue #13): the aggregate's transitions, written out by hand as a table; and what the pages are
/// told a user may do (<see cref="SheetActions"/>) checked against what the write paths then answer, for every role ×
/// state × window.
/// </summary>
public class SheetLifecycleTests(SheetLifecycleTests.Fixture fixture) : IClassFixture<SheetLifecycleTests.Fixture>
{
    public class Fixture : EnvScoreFactory
    {
        private int _next = 2000;
        private bool _added;

        /// <summary>Fresh villages in township 1 (ids 2000+), added once.</summary>
        public async Task<int> FreshVillageAsync()
        {
            if (!_added)
            {
                await using var conn = new NpgsqlConnection(ConnectionString);
                await conn.OpenAsync();
                await using var cmd = new NpgsqlCommand(
                    "INSERT INTO villages (id, township_id, code, name, is_active) " +
                    "SELECT g, 1, '410271001' || lpad((g - 1400)::text, 3, '0'), '周期村' || g, true FROM generate_series(2000, 2200) g", conn);
                await cmd.ExecuteNonQueryAsync();
                _added = true;
            }
            return Interlocked.Increment(ref _next) - 1;
        }
    }

    // ---- The aggregate, by hand: status → (editable, submit allowed, return allowed, locked by the deadline) ----
    public static TheoryData<EvaluationStatus, bool, bool, bool> Transitions() => new()
    {
        //                              edit   return  deadline locks
        { EvaluationStatus.Draft,     true,  false,  true },
        { EvaluationStatus.Submitted, false, true,   false },
        { EvaluationStatus.Returned,  true,  false,  true },
        { EvaluationStatus.Locked,    false, false,  false },
    };

    [Theory, MemberData(nameof(Transitions))]
    public void Each_state_allows_exactly_its_transitions(EvaluationStatus status, bool edit, bool @return, bool deadlineLocks)
    {
        static Evaluation In(EvaluationStatus s) => new Evaluation { CreatedBy = "t", UpdatedBy = "t" }.WithHistory(s, returnReason: "旧原因");
        var at = new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);

        Assert.Equal(edit, In(status).EditRefusal() is null);

        var submitted = In(status);
        if (edit)
        {
            submitted.Submit("秘书", at);
            Assert.Equal((EvaluationStatus.Submitted, at, "秘书", (string?)null),
                (submitted.Status, submitted.SubmittedAt, submitted.SubmittedBy, submitted.ReturnReason));
        }
        else Assert.Throws<InvalidOperationException>(() => submitted.Submit("秘书", at));

        var returned = In(status);
        var refusal = returned.Return("  照片不清晰 ");
        Assert.Equal(@return, refusal is null);
        Assert.Equal(@return ? EvaluationStatus.Returned : status, returned.Status);
        if (@return) Assert.Equal("照片不清晰", returned.ReturnReason);
        else Assert.Contains("只能退回已提交的表", refusal!.Message);

        var locked = In(status);
        Assert.Equal(deadlineLocks, locked.LockAtDeadline(at));
        Assert.Equal(deadlineLocks ? EvaluationStatus.Locked : status, locked.Status);
        Assert.Equal(deadlineLocks ? at : null, locked.LockedAt);
    }

    // ---- What the pages are told vs what the writes answer ----
    public static TheoryData<string, string, string, bool> Cases()
    {
        var data = new TheoryData<string, string, string, bool>();
        foreach (var (role, kind) in new[] { ("secretary", "Self"), ("admin", "Self"), ("inspector", "District"), ("admin", "District"), ("inspector", "Self") })
            foreach (var state in new[] { "absent", "Draft", "Submitted", "Returned", "Locked" })
                foreach (var open in new[] { true, false })
                    data.Add(role, kind, state, open);
        return data;
    }

    [Theory, MemberData(nameof(Cases))]
    public async Task What_a_page_offers_is_what_the_write_then_does(string role, string kind, string state, bool windowOpen)
    {
        var userName = role == "secretary" ? EnvScoreFactory.Secretary(0) : role;
        var village = await fixture.FreshVillageAsync();
        var sheetKind = Enum.Parse<EvaluationKind>(kind);
        // The clock stands at 2026-11-10 (EnvScoreFactory): November is open; September's windows (the township deadline
        // 10-05, the district check's 10-10) are closed. (A FakeTimeProvider cannot go back, so the month moves, not the clock.)
        var month = EvaluationMonth.FromKey(windowOpen ? 202611 : 202609);
        int? id = null;
        if (state != "absent") id = await SeedAsync(village, sheetKind, Enum.Parse<EvaluationStatus>(state), month.Key);
        {
            var client = await fixture.ClientForAsync(userName);
            SheetActions actions;
            bool mayRead;
            await using (var scope = fixture.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<EnvScoreDbContext>();
                var sheet = id is null ? null : await db.Evaluations.AsNoTracking().SingleAsync(e => e.Id == id);
                var principal = await PrincipalAsync(scope.ServiceProvider, userName);
                actions = await scope.ServiceProvider.GetRequiredService<EvaluationService>()
                    .ActionsAsync(principal, sheet, month, sheetKind, townshipId: 1, districtId: 1, CancellationToken.None);
                mayRead = principal.CanRead(sheetKind, townshipId: 1, districtId: 1);
            }
            if (id is not null)
                Assert.Equal(mayRead, (await client.GetAsync($"/odata/Evaluations({id})")).StatusCode == HttpStatusCode.OK); // the page's read rule is the API's

            if (id is null)
            {
                var created = await client.PostAsJsonAsync("/odata/Evaluations", Sheets.Write(village, kind, month: month.ToString()));
                Assert.True(actions.MayEdit == (created.StatusCode == HttpStatusCode.Created),
                    $"offered 填写={actions.MayEdit}, the create answered {(int)created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
                return;
            }
            var etag = await Sheets.ETagAsync(await fixture.ClientForAsync("admin"), id.Value);
            var patched = await Sheets.SendAsync(client, HttpMethod.Patch, $"/odata/Evaluations({id})", etag, new { note = "页面允许就能保存" });
            Assert.True(actions.MayEdit == (patched.StatusCode == HttpStatusCode.OK),
                $"offered 编辑={actions.MayEdit}, the save answered {(int)patched.StatusCode}: {await patched.Content.ReadAsStringAsync()}");
            if (patched.StatusCode != HttpStatusCode.OK && actions.MayWrite)
            {
                // A writer who may not edit is told why, in the words the write answers with.
                var title = System.Text.Json.JsonDocument.Parse(await patched.Content.ReadAsStringAsync()).RootElement.GetProperty("title").GetString();
                Assert.Equal(actions.Frozen ?? actions.Closed, title);
            }
            etag = await Sheets.ETagAsync(await fixture.ClientForAsync("admin"), id.Value);
            var returned = await Sheets.SendAsync(client, HttpMethod.Post, $"/odata/Evaluations({id})/Return", etag, new { reason = "周期测试退回" });
            Assert.True(actions.MayReturn == (returned.StatusCode == HttpStatusCode.OK),
                $"offered 退回={actions.MayReturn}, the return answered {(int)returned.StatusCode}: {await returned.Content.ReadAsStringAsync()}");
        }
    }

    private async Task<int> SeedAsync(int villageId, EvaluationKind kind, EvaluationStatus status, int month)
    {
        await using var scope = fixture.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<EnvScoreDbContext>();
        var ruleSet = await db.RuleSets.SingleAsync(r => r.DistrictId == 1 && r.Status == Features.RuleSets.RuleSetStatus.Active);
        var at = fixture.Clock.GetUtcNow();
        var sheet = new Evaluation
        {
            VillageId = villageId, TownshipId = 1, DistrictId = 1, Month = month, Kind = kind, RuleSetId = ruleSet.Id,
            CreatedAt = at, CreatedBy = "seed", UpdatedAt = at, UpdatedBy = "seed",
        }.WithHistory(status, status is EvaluationStatus.Draft ? null : at, status is EvaluationStatus.Draft ? null : "seed",
            status == EvaluationStatus.Locked ? at : null, status == EvaluationStatus.Returned ? "旧原因" : null);
        db.Evaluations.Add(sheet);
        await db.SaveChangesAsync();
        return sheet.Id;
    }

    private static async Task<ClaimsPrincipal> PrincipalAsync(IServiceProvider services, string userName)
    {
        var users = services.GetRequiredService<UserManager<AppUser>>();
        var user = await users.FindByNameAsync(userName) ?? throw new InvalidOperationException(userName);
        return await services.GetRequiredService<IUserClaimsPrincipalFactory<AppUser>>().CreateAsync(user);
    }
}
