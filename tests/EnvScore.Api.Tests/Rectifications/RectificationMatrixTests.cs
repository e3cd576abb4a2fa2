using System.Net;
using System.Net.Http.Json;
using EnvScore.Api.Tests.Security;
using EnvScore.Testing;

namespace EnvScore.Api.Tests.Rectifications;

/// <summary>
/// Every transition × role × own/other township × state: the status (and for 409 the machine code) of every cell. The
/// problem under test is in 水稻乡 (township 1): "own" is its secretary, "other" 杏花营农场's. Each cell prepares its own
/// problem, so cells never disturb each other.
/// </summary>
public class RectificationMatrixTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    public const string Own = "secretary-own", Other = "secretary-other", Inspector = "inspector", Admin = "admin", Anonymous = "anonymous";
    public const string Create = "Create", Read = "Read", BeforePhoto = "BeforePhoto", AfterPhoto = "AfterPhoto",
        ReportFix = "ReportFix", Close = "Close", Reject = "Reject";

    /// <summary>(role, operation, state the problem is in, expected status).</summary>
    public static TheoryData<string, string, string, int> Matrix()
    {
        var data = new TheoryData<string, string, string, int>();
        void Row(string op, string state, int own, int other, int inspector, int admin, int anonymous)
        {
            data.Add(Own, op, state, own);
            data.Add(Other, op, state, other);
            data.Add(Inspector, op, state, inspector);
            data.Add(Admin, op, state, admin);
            data.Add(Anonymous, op, state, anonymous);
        }
        //   operation    state             own  other insp admin anon
        Row(Create,      "-",              403, 403,  201, 403,  401);
        Row(Read,        "Open",           200, 404,  200, 200,  401);
        Row(BeforePhoto, "Open",           403, 404,  200, 403,  401);
        Row(AfterPhoto,  "Open",           200, 404,  403, 403,  401);
        Row(ReportFix,   "Open",           200, 404,  403, 403,  401);
        Row(Close,       "Open",           403, 404,  409, 403,  401);
        Row(Reject,      "Open",           403, 404,  409, 403,  401);
        Row(Read,        "AwaitingReview", 200, 404,  200, 200,  401);
        Row(BeforePhoto, "AwaitingReview", 403, 404,  409, 403,  401);
        Row(AfterPhoto,  "AwaitingReview", 409, 404,  403, 403,  401);
        Row(ReportFix,   "AwaitingReview", 409, 404,  403, 403,  401);
        Row(Close,       "AwaitingReview", 403, 404,  200, 403,  401);
        Row(Reject,      "AwaitingReview", 403, 404,  200, 403,  401);
        Row(Read,        "Closed",         200, 404,  200, 200,  401);
        Row(BeforePhoto, "Closed",         403, 404,  409, 403,  401);
        Row(AfterPhoto,  "Closed",         409, 404,  403, 403,  401);
        Row(ReportFix,   "Closed",         409, 404,  403, 403,  401);
        Row(Close,       "Closed",         403, 404,  409, 403,  401);
        Row(Reject,      "Closed",         403, 404,  409, 403,  401);
        return data;
    }

    [Theory, MemberData(nameof(Matrix))]
    public async Task Every_cell_answers_its_status(string role, string op, string state, int expected)
    {
        var actor = role switch
        {
            Own => await factory.ClientForAsync(EnvScoreFactory.Secretary(0)),
            Other => await factory.ClientForAsync(EnvScoreFactory.Secretary(1)),
            Anonymous => factory.CreateClient(),
            _ => await factory.ClientForAsync(role),
        };
        HttpResponseMessage response;
        if (op == Create)
        {
            response = await actor.PostAsJsonAsync("/odata/Rectifications", new { villageId = Problems.Village, itemCode = Problems.Item, description = "矩阵" });
        }
        else
        {
            var id = await PrepareAsync(state);
            var etag = await Problems.ETagAsync(await factory.ClientForAsync(Inspector), id);
            // A ReportFix cell on an open problem needs the after-photo the secretary uploads first.
            if (op == ReportFix && state == "Open")
            {
                await (await Problems.PhotoAsync(await factory.ClientForAsync(EnvScoreFactory.Secretary(0)), id, "after", TestImages.Jpeg)).ExpectAsync(HttpStatusCode.OK);
                etag = await Problems.ETagAsync(await factory.ClientForAsync(Inspector), id);
            }
            response = op switch
            {
                Read => await actor.GetAsync($"/odata/Rectifications({id})"),
                BeforePhoto => await Problems.PhotoAsync(actor, id, "before", TestImages.Jpeg),
                AfterPhoto => await Problems.PhotoAsync(actor, id, "after", TestImages.Jpeg),
                _ => await Problems.ActAsync(actor, id, op, etag, op == Reject ? new { reason = "矩阵退回" } : new { }),
            };
        }
        var body = await response.ExpectAsync((HttpStatusCode)expected);
        if (expected == 409)
            Assert.Equal(state == "Closed" ? "RectificationClosed" : "RectificationWrongState", Problems.Code(body));
        if (expected is >= 400 and not 401)
        {
            Assert.Matches(@"[\u4e00-\u9fff]", body.GetProperty("title").GetString());
            Assert.False(string.IsNullOrEmpty(Problems.Code(body)));
        }
    }

    /// <summary>A problem of village 1 in the given state, brought there through the API by the roles allowed to.</summary>
    private async Task<int> PrepareAsync(string state)
    {
        var inspector = await factory.ClientForAsync(Inspector);
        var (id, _, _) = await Problems.CreateAsync(inspector);
        if (state == "Open") return id;
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(0));
        await (await Problems.PhotoAsync(secretary, id, "after", TestImages.Jpeg)).ExpectAsync(HttpStatusCode.OK);
        await (await Problems.ActAsync(secretary, id, ReportFix, await Problems.ETagAsync(secretary, id))).ExpectAsync(HttpStatusCode.OK);
        if (state == "AwaitingReview") return id;
        await (await Problems.ActAsync(inspector, id, Close, await Problems.ETagAsync(inspector, id))).ExpectAsync(HttpStatusCode.OK);
        return id;
    }

    [Fact]
    public async Task Lists_are_scoped_in_the_query()
    {
        var (id, _, _) = await Problems.CreateAsync(await factory.ClientForAsync(Inspector));
        var own = await (await factory.ClientForAsync(EnvScoreFactory.Secretary(0))).GetJsonAsync("/odata/Rectifications?$count=true");
        Assert.All(own.GetProperty("value").EnumerateArray(), r => Assert.Equal(1, r.GetProperty("townshipId").GetInt32()));
        Assert.Contains(id, own.GetProperty("value").EnumerateArray().Select(r => r.GetProperty("id").GetInt32()));
        var other = await (await factory.ClientForAsync(EnvScoreFactory.Secretary(1))).GetJsonAsync($"/odata/Rectifications?$filter=id eq {id}&$count=true");
        Assert.Equal(0, other.GetProperty("@odata.count").GetInt32());
        var admin = await (await factory.ClientForAsync(Admin)).GetJsonAsync($"/odata/Rectifications?$filter=id eq {id}&$count=true");
        Assert.Equal(1, admin.GetProperty("@odata.count").GetInt32());
        await (await factory.CreateClient().GetAsync("/odata/Rectifications")).ExpectAsync(HttpStatusCode.Unauthorized);
    }
}
