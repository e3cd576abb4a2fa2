using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Organisation;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Api.Tests.Evaluations;
using EnvScore.Domain.Rules;
using EnvScore.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace EnvScore.Api.Tests.Audit;

/// <summary>
/// /admin/audit and /odata/AuditLog: a secretary's edits show up for the district office, newest first, filtered
/// and paged; other districts, secretaries and anonymous callers see nothing of it.
/// </summary>
public class AuditPageTests(AuditPageTests.Fixture factory) : IClassFixture<AuditPageTests.Fixture>
{
    public const string OtherAdmin = "admin-yuwangtai";

    public class Fixture : EnvScoreFactory
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private bool _ready;

        /// <summary>Another district with its own admin (no sheets).</summary>
        public async Task EnsureOtherDistrictAsync()
        {
            await _gate.WaitAsync();
            try
            {
                if (_ready) return;
                await using var scope = Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<EnvScoreDbContext>();
                var other = new District { Code = "410205000000", Name = "禹王台区" };
                db.Districts.Add(other);
                await db.SaveChangesAsync();
                await scope.ServiceProvider.GetRequiredService<AccountProvisioner>().CreateAsync(OtherAdmin, Password, Roles.DistrictAdmin, other.Id, null);
                _ready = true;
            }
            finally { _gate.Release(); }
        }
    }

    private static readonly string Secretary = EnvScoreFactory.Secretary(0); // 水稻乡 (township 1): villages 1–19

    private static int[] RowIds(string html) =>
        Regex.Matches(html, "data-audit-id=\"(\\d+)\"").Select(m => int.Parse(m.Groups[1].Value)).ToArray();

    private static async Task<string> PageAsync(HttpClient client, string query)
    {
        var response = await client.GetAsync("/admin/audit" + query);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"/admin/audit{query} → {(int)response.StatusCode}");
        return html;
    }

    private static async Task<string> VillageCodeAsync(HttpClient client, int id) =>
        (await client.GetJsonAsync($"/odata/Villages({id})")).GetProperty("code").GetString()!;

    /// <summary>Creates, edits (one count 0 → 3) and submits village <paramref name="villageId"/>'s self-evaluation.</summary>
    private async Task<int> EditAndSubmitAsync(HttpClient secretary, int villageId, string occurrence)
    {
        var (id, etag) = await Sheets.CreateAsync(secretary, villageId);
        var patched = await Sheets.SendAsync(secretary, HttpMethod.Patch, $"/odata/Evaluations({id})", etag,
            new { entries = new[] { new { itemCode = occurrence, count = 3 } } });
        await patched.ExpectAsync(HttpStatusCode.OK);
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        var submitted = await Sheets.SendAsync(secretary, HttpMethod.Post, $"/odata/Evaluations({id})/Submit", patched.Headers.ETag!.ToString());
        await submitted.ExpectAsync(HttpStatusCode.OK);
        return id;
    }

    [Fact]
    public async Task The_district_office_sees_a_secretarys_edits_newest_first_with_what_changed_and_the_filters_narrow_them()
    {
        var secretary = await factory.ClientForAsync(Secretary);
        var admin = await factory.ClientForAsync("admin");
        var inspector = await factory.ClientForAsync("inspector");
        var occurrence = Sheets.FirstOf<PerOccurrenceItem>();
        await EditAndSubmitAsync(secretary, 3, occurrence);
        var submittedAt = factory.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm"); // Asia/Shanghai
        var code = await VillageCodeAsync(admin, 3);

        var html = await PageAsync(admin, $"?village={code}");
        var ids = RowIds(html);
        Assert.Equal(3, ids.Length);
        Assert.Equal(ids.OrderByDescending(i => i), ids); // newest first
        var rows = Regex.Matches(html, "<tr data-audit-id=.*?</tr>", RegexOptions.Singleline).Select(m => m.Value).ToArray();
        Assert.Contains("提交", rows[0]);
        Assert.Contains("状态：草稿→已提交", rows[0]);
        Assert.Contains("修改", rows[1]);
        // Items are named by their title from the sheet's rule set, with the code.
        var title = Domain.Rules.RuleSetLoader.Parse(Features.RuleSets.DefaultRuleSet.Yaml).RuleSet!.Items.Single(i => i.Code == occurrence).Title;
        Assert.Contains($"{title}（{occurrence}） 数量：0→3", rows[1]);
        Assert.Contains("新建", rows[2]);
        Assert.All(rows, r => Assert.Contains("水稻乡党委书记", r)); // the person, not the account name
        Assert.All(rows, r => Assert.Contains(code, r));
        Assert.All(rows, r => Assert.Contains("2026年11月乡镇自评", r));
        Assert.Contains(submittedAt, rows[0]);
        // The raw record (the sheet before and after, indented JSON) is one link away, not inlined in the list.
        Assert.DoesNotContain("&quot;status&quot;", rows[0]);
        Assert.Contains($"href=\"/admin/audit?record={ids[0]}\"", rows[0]);
        var record = await PageAsync(admin, $"?record={ids[0]}");
        Assert.Equal(new[] { ids[0] }, RowIds(record));
        // The record itself, field by field in Chinese (no JSON keys or enum names on the page).
        Assert.Contains("状态：已提交", record);
        Assert.Contains("评分项：", record);
        Assert.DoesNotContain("&quot;status&quot;", record);
        Assert.DoesNotContain("Submitted", record);
        Assert.Contains("状态：草稿→已提交", record);
        Assert.Contains(code, record);

        // Filters: action, user, month, township — each narrows or empties the list.
        Assert.Equal(new[] { ids[0] }, RowIds(await PageAsync(admin, $"?village={code}&op=Evaluation.Submit")));
        Assert.Equal(ids, RowIds(await PageAsync(admin, $"?village={code}&user={Secretary}&m=2026-11&township=1")));
        Assert.Empty(RowIds(await PageAsync(admin, $"?village={code}&user=inspector")));
        Assert.Empty(RowIds(await PageAsync(admin, $"?village={code}&m=2026-10")));
        Assert.Empty(RowIds(await PageAsync(admin, $"?village={code}&township=2")));

        // The inspector reads the same page; the admin-only pages stay closed to the inspector.
        Assert.Equal(ids, RowIds(await PageAsync(inspector, $"?village={code}")));
        Assert.Equal(HttpStatusCode.Forbidden, (await inspector.GetAsync("/admin/sheets")).StatusCode);
        Assert.Contains("href=\"/admin/audit\"", await inspector.GetStringAsync("/work")); // the top navigation leads there
        // The admin index links to the page.
        Assert.Contains("href=\"/admin/audit?m=", await admin.GetStringAsync("/admin"));
    }

    [Fact]
    public async Task Pages_hold_fifty_rows_and_previous_next_links_walk_them_without_overlap()
    {
        var secretary = await factory.ClientForAsync(Secretary);
        var admin = await factory.ClientForAsync("admin");
        var id = await EditAndSubmitAsync(secretary, 4, Sheets.FirstOf<PerOccurrenceItem>());
        var code = await VillageCodeAsync(admin, 4);
        await using (var conn = new NpgsqlConnection(factory.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand(
                "INSERT INTO audit_log (at, user_name, action, evaluation_id, township_id, district_id, before, after) " +
                $"SELECT now() - g * interval '1 minute', 'bulk', 'Evaluation.Update', {id}, 1, e.district_id, '{{\"note\":\"a\"}}', '{{\"note\":\"b\"}}' " +
                $"FROM generate_series(1, 57) g, evaluations e WHERE e.id = {id}", conn);
            Assert.Equal(57, await cmd.ExecuteNonQueryAsync());
        }

        var first = await PageAsync(admin, $"?village={code}");
        var second = await PageAsync(admin, $"?village={code}&p=2");
        Assert.Equal(50, RowIds(first).Length);
        Assert.Equal(10, RowIds(second).Length); // 3 from the edits + 57 inserted = 60
        Assert.Empty(RowIds(first).Intersect(RowIds(second)));
        Assert.Contains($"id=\"next\" href=\"/admin/audit?village={code}&amp;p=2\"", first);
        Assert.DoesNotContain("id=\"prev\"", first);
        Assert.Contains($"id=\"prev\" href=\"/admin/audit?village={code}&amp;p=1\"", second);
        Assert.DoesNotContain("id=\"next\"", second);
        Assert.Contains("备注：a→b", second);
        // Filters travel with the page links.
        Assert.Contains("href=\"/admin/audit?village=" + code + "&amp;op=Evaluation.Update&amp;p=2\"", await PageAsync(admin, $"?village={code}&op=Evaluation.Update"));
    }

    /// <summary>
    /// Issue #20: a township office's line (3G) gets every page within 100 KB of HTML. The worst audit page: 50 rows,
    /// each the full default sheet before and after (a real sheet's JSON, ~30 entries) — it was 653 KB with the raw
    /// records inlined.
    /// </summary>
    [Fact]
    public async Task A_full_page_of_whole_sheet_edits_stays_within_the_100_KB_budget_and_the_raw_record_is_a_link_away()
    {
        var secretary = await factory.ClientForAsync(Secretary);
        var admin = await factory.ClientForAsync("admin");
        var id = await EditAndSubmitAsync(secretary, 7, Sheets.FirstOf<PerOccurrenceItem>());
        var code = await VillageCodeAsync(admin, 7);
        await using (var conn = new NpgsqlConnection(factory.ConnectionString))
        {
            await conn.OpenAsync();
            // The product's own snapshot of the submitted sheet (every entry), as its audit row holds it.
            string sheet;
            await using (var read = new NpgsqlCommand($"SELECT after::text FROM audit_log WHERE evaluation_id = {id} AND action = 'Evaluation.Submit'", conn))
                sheet = (string)(await read.ExecuteScalarAsync())!;
            Assert.True(sheet.Length > 1_500, $"the sheet's JSON is {sheet.Length} characters");
            await using var cmd = new NpgsqlCommand(
                "INSERT INTO audit_log (at, user_name, action, evaluation_id, township_id, district_id, before, after) " +
                $"SELECT now() + g * interval '1 minute', '{Secretary}', 'Evaluation.Replace', {id}, 1, e.district_id, @sheet::jsonb, @sheet::jsonb " +
                $"FROM generate_series(1, 60) g, evaluations e WHERE e.id = {id}", conn);
            cmd.Parameters.AddWithValue("sheet", sheet);
            Assert.Equal(60, await cmd.ExecuteNonQueryAsync());
        }

        var response = await admin.GetAsync($"/admin/audit?village={code}");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var html = System.Text.Encoding.UTF8.GetString(bytes);
        Assert.Equal(50, RowIds(html).Length);
        Assert.True(bytes.Length <= 100 * 1024, $"/admin/audit with 50 whole-sheet edits is {bytes.Length:N0} bytes of HTML (budget 102,400)");
        var record = await PageAsync(admin, $"?record={RowIds(html)[0]}");
        Assert.Contains("评分项代码：", record);
    }

    [Fact]
    public async Task Another_districts_admin_sees_none_of_it_and_a_secretary_is_refused_the_page()
    {
        var secretary = await factory.ClientForAsync(Secretary);
        await EditAndSubmitAsync(secretary, 5, Sheets.FirstOf<PerOccurrenceItem>());
        await factory.EnsureOtherDistrictAsync();
        var foreign = await factory.ClientForAsync(OtherAdmin);

        var html = await PageAsync(foreign, "");
        Assert.Empty(RowIds(html));
        Assert.Contains("没有符合条件的记录", html);
        Assert.Empty(RowIds(await PageAsync(foreign, "?township=1")));
        var theirs = RowIds(await PageAsync(await factory.ClientForAsync("admin"), ""))[0];
        var denied = await PageAsync(foreign, $"?record={theirs}"); // another district's record reads as none
        Assert.Empty(RowIds(denied));
        Assert.Contains("没有这条记录", denied);
        Assert.Equal(0, (await foreign.GetJsonAsync("/odata/AuditLog?$count=true")).GetProperty("@odata.count").GetInt32());

        Assert.Equal(HttpStatusCode.Forbidden, (await secretary.GetAsync("/admin/audit")).StatusCode);
        var anonymous = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var refused = await anonymous.GetAsync("/admin/audit");
        Assert.True(refused.StatusCode == HttpStatusCode.Unauthorized ||
                    (refused.StatusCode == HttpStatusCode.Redirect && refused.Headers.Location!.ToString().Contains("login", StringComparison.OrdinalIgnoreCase)),
            $"anonymous → {(int)refused.StatusCode} {refused.Headers.Location}");
    }

    [Fact]
    public async Task The_odata_set_shows_each_role_its_scope_keeps_the_query_limits_and_refuses_writes()
    {
        var secretary = await factory.ClientForAsync(Secretary);
        var otherSecretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(1));
        var inspector = await factory.ClientForAsync("inspector");
        var admin = await factory.ClientForAsync("admin");
        var selfId = await EditAndSubmitAsync(secretary, 6, Sheets.FirstOf<PerOccurrenceItem>());
        var (checkId, _) = await Sheets.CreateAsync(inspector, 6, kind: "District");

        async Task<long[]> TrailAsync(HttpClient client, int evaluationId) =>
            (await client.GetJsonAsync($"/odata/AuditLog?$filter=evaluationId eq {evaluationId}&$orderby=id"))
                .GetProperty("value").EnumerateArray().Select(a => a.GetProperty("id").GetInt64()).ToArray();

        Assert.Equal(3, (await TrailAsync(admin, selfId)).Length);
        Assert.Equal(await TrailAsync(admin, selfId), await TrailAsync(inspector, selfId));
        Assert.Equal(await TrailAsync(admin, selfId), await TrailAsync(secretary, selfId));
        Assert.Single(await TrailAsync(inspector, checkId));
        Assert.Empty(await TrailAsync(secretary, checkId));      // district checks stay unseen by the township
        Assert.Empty(await TrailAsync(otherSecretary, selfId));  // another township's sheet
        var mine = await secretary.GetJsonAsync("/odata/AuditLog?$top=100");
        Assert.All(mine.GetProperty("value").EnumerateArray(), a => Assert.Equal(1, a.GetProperty("townshipId").GetInt32()));

        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient().GetAsync("/odata/AuditLog")).StatusCode);
        var overLimit = await (await admin.GetAsync("/odata/AuditLog?$top=101")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("101", overLimit.ToString());

        var count = (await admin.GetJsonAsync("/odata/AuditLog?$count=true&$top=0")).GetProperty("@odata.count").GetInt32();
        var writes = new[]
        {
            await admin.PostAsJsonAsync("/odata/AuditLog", new { userName = "forged", action = "Evaluation.Update", at = DateTimeOffset.UtcNow }),
            await admin.PatchAsJsonAsync($"/odata/AuditLog({(await TrailAsync(admin, selfId))[0]})", new { userName = "forged" }),
            await admin.DeleteAsync($"/odata/AuditLog({(await TrailAsync(admin, selfId))[0]})"),
        };
        Assert.All(writes, w => Assert.Contains(w.StatusCode, new[] { HttpStatusCode.NotFound, HttpStatusCode.MethodNotAllowed }));
        Assert.Equal(count, (await admin.GetJsonAsync("/odata/AuditLog?$count=true&$top=0")).GetProperty("@odata.count").GetInt32());
        Assert.DoesNotContain("forged", (await admin.GetJsonAsync("/odata/AuditLog?$filter=userName eq 'forged'")).ToString());
    }
}
