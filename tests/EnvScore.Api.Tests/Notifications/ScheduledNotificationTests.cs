using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Api.Tests.Rectifications;
using EnvScore.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EnvScore.Api.Tests.Notifications;

/// <summary>
/// The scheduled messages on the fake clock: the daily overdue problems (from 08:30 Asia/Shanghai, once a day) and the
/// villages without a submitted self-evaluation from three days before the township deadline (5 December 18:00 for
/// November), per township with counts and names, once a month. Expected texts are written out by hand.
/// </summary>
public class ScheduledNotificationTests(NotificationFactory factory) : IClassFixture<NotificationFactory>
{
    [Fact]
    public async Task Overdue_problems_daily_and_missing_sheets_before_the_deadline()
    {
        await factory.EnsureAsync();
        var admin = await factory.ClientForAsync("admin");
        await (await admin.PutAsJsonAsync($"/api/notifications/{factory.DistrictId}/webhook", new { url = factory.Robot.Url, flavour = "WeCom" })).ExpectAsync(HttpStatusCode.OK);
        var inspector = await factory.ClientForAsync("inspector");
        await Problems.CreateAsync(inspector); // 双河铺社区, 乱搭乱建, due 2026-11-17
        // 双河铺社区 submitted November's self-evaluation; 花西社区 has a draft only (not submitted).
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<EnvScoreDbContext>();
            var ruleSet = await db.RuleSets.Where(r => r.Status == Api.Features.RuleSets.RuleSetStatus.Active).Select(r => r.Id).SingleAsync();
            var villages = await db.Villages.Where(v => v.Code == "410271001001" || v.Code == "410271001002").OrderBy(v => v.Code).ToListAsync();
            var at = factory.Clock.GetUtcNow();
            foreach (var (v, submitted) in villages.Zip([true, false]))
                db.Evaluations.Add(new Evaluation
                {
                    VillageId = v.Id, TownshipId = v.TownshipId, DistrictId = factory.DistrictId, Month = 202611, Kind = EvaluationKind.Self, RuleSetId = ruleSet,
                    CreatedAt = at, CreatedBy = "seed", UpdatedAt = at, UpdatedBy = "seed",
                }.WithHistory(submitted ? EvaluationStatus.Submitted : EvaluationStatus.Draft, submitted ? at : null, submitted ? "seed" : null));
            await db.SaveChangesAsync();
        }
        Assert.Equal(1, await factory.SendAsync()); // 11-10: the new problem only; nothing overdue, no deadline near
        factory.Robot.Clear();

        // 2026-12-02 17:00 Asia/Shanghai: one hour before the reminder window opens (12-05 18:00 − 3 days); overdue since 11-18.
        factory.Clock.AdjustTime(new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero));
        Assert.Equal(1, await factory.SendAsync());
        Assert.Equal("### 逾期未整改问题1个（12月2日）\n- 水稻乡 双河铺社区：乱搭乱建（时限11月17日，逾期15天）\n请相关乡镇尽快整改。\n\n链接：/work/problems?overdue=true",
            Content(Assert.Single(factory.Robot.Accepted)));
        factory.Robot.Clear();

        // 2026-12-03 07:00: the reminder is due; the day's overdue message waits for 08:30.
        factory.Clock.AdjustTime(new DateTimeOffset(2026, 12, 2, 23, 0, 0, TimeSpan.Zero));
        Assert.Equal(1, await factory.SendAsync());
        Assert.Equal("### 2026年11月自评将于12月5日18:00截止，54个村（社区）未提交\n"
            + "- **水稻乡**：18个未提交（花西社区、富平社区、南北堤村、班村、孙庄村、马庄社区、黑墩社区、贾寨社区、西北村、东北村、柳园口社区、大王社区、毛庄社区、常庄社区、刘庄社区等）\n"
            + "- **杏花营农场**：18个未提交（张湾社区、贺砦社区、枣林社区、杏花营社区、农场一队社区、农场二队社区、农场三队社区、吕庄社区、宋庄社区、牛庄社区、朱庄社区、赵庄社区、堤东社区、苗圃社区、王堂社区等）\n"
            + "- **杏花营镇**：18个未提交（杨桥社区、桥北社区、张庄社区、后张社区、任庄社区、葛庄社区、李庄社区、高庄社区、前于社区、后于社区、八里湾社区、大李庄村、小李庄村、姜庄社区、郭庄社区等）\n"
            + "请尚未提交的乡镇抓紧填报并提交。\n\n链接：/admin/sheets?m=2026-11",
            Content(Assert.Single(factory.Robot.Accepted)));
        factory.Robot.Clear();

        // 08:30: the day's overdue message; passes after that add nothing the same day (nor a second reminder).
        factory.Clock.AdjustTime(new DateTimeOffset(2026, 12, 3, 0, 30, 0, TimeSpan.Zero));
        Assert.Equal(1, await factory.SendAsync());
        Assert.StartsWith("### 逾期未整改问题1个（12月3日）\n- 水稻乡 双河铺社区：乱搭乱建（时限11月17日，逾期16天）", Content(Assert.Single(factory.Robot.Accepted)));
        factory.Clock.Advance(TimeSpan.FromHours(8));
        Assert.Equal(0, await factory.SendAsync());
        factory.Clock.AdjustTime(new DateTimeOffset(2026, 12, 5, 11, 0, 0, TimeSpan.Zero)); // after the deadline: no reminder
        Assert.Equal(1, await factory.SendAsync()); // 12-05's overdue message only
        var events = (await factory.OutboxAsync()).Select(d => d.Event.ToString()).ToList();
        Assert.Equal(["ProblemReported", "DailyOverdue", "SheetsDue", "DailyOverdue", "DailyOverdue"], events);
    }

    private static string Content(string body) => JsonDocument.Parse(body).RootElement.GetProperty("markdown").GetProperty("content").GetString()!;
}
