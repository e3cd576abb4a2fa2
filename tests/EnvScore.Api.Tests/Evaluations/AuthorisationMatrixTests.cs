using System.Net;
using System.Net.Http.Json;
using EnvScore.Testing;
using Npgsql;

namespace EnvScore.Api.Tests.Evaluations;

/// <summary>
/// Role × own/other township × kind × operation: the status code of every cell. Each cell gets its own
/// village (so cells never disturb each other); the sheet under test is in 水稻乡 (township 1).
/// </summary>
public class AuthorisationMatrixTests(AuthorisationMatrixTests.Fixture fixture) : IClassFixture<AuthorisationMatrixTests.Fixture>
{
    public class Fixture : EnvScoreFactory
    {
        private int _nextVillage = 1000;
        private bool _villagesAdded;

        /// <summary>Fresh villages in township 1 (ids 1000+), added once.</summary>
        public async Task<int> FreshVillageAsync()
        {
            if (!_villagesAdded)
            {
                await using var conn = new NpgsqlConnection(ConnectionString);
                await conn.OpenAsync();
                await using var cmd = new NpgsqlCommand(
                    "INSERT INTO villages (id, township_id, code, name, is_active) " +
                    "SELECT g, 1, '410271001' || lpad((g - 800)::text, 3, '0'), '矩阵村' || g, true FROM generate_series(1000, 1100) g", conn);
                await cmd.ExecuteNonQueryAsync();
                _villagesAdded = true;
            }
            return Interlocked.Increment(ref _nextVillage) - 1;
        }
    }

    public const string SecretaryOwn = "secretary-own", SecretaryOther = "secretary-other", Inspector = "inspector", Admin = "admin", Anonymous = "anonymous";
    public const string Create = "create", Read = "read", Update = "update", Submit = "submit", Return = "return";

    public static TheoryData<string, string, string, int> Matrix()
    {
        var data = new TheoryData<string, string, string, int>();
        void Row(string kind, string op, int own, int other, int inspector, int admin, int anonymous)
        {
            data.Add(SecretaryOwn, kind, op, own);
            data.Add(SecretaryOther, kind, op, other);
            data.Add(Inspector, kind, op, inspector);
            data.Add(Admin, kind, op, admin);
            data.Add(Anonymous, kind, op, anonymous);
        }
        //               kind        op      own  other insp admin anon
        Row("Self",     Create, 201, 403, 403, 201, 401);
        Row("Self",     Read,   200, 404, 200, 200, 401);
        Row("Self",     Update, 200, 404, 403, 200, 401);
        Row("Self",     Submit, 200, 404, 403, 200, 401);
        Row("Self",     Return, 403, 404, 403, 200, 401);
        Row("District", Create, 403, 403, 201, 201, 401);
        Row("District", Read,   404, 404, 200, 200, 401);
        Row("District", Update, 404, 404, 200, 200, 401);
        Row("District", Submit, 404, 404, 200, 200, 401);
        Row("District", Return, 404, 404, 403, 200, 401);
        return data;
    }

    [Theory, MemberData(nameof(Matrix))]
    public async Task Every_cell_answers_its_status(string role, string kind, string op, int expected)
    {
        var village = await fixture.FreshVillageAsync();
        var actor = role switch
        {
            SecretaryOwn => await fixture.ClientForAsync(EnvScoreFactory.Secretary(0)),
            SecretaryOther => await fixture.ClientForAsync(EnvScoreFactory.Secretary(1)),
            Anonymous => fixture.CreateClient(),
            _ => await fixture.ClientForAsync(role),
        };
        HttpResponseMessage response;
        if (op == Create)
        {
            response = await actor.PostAsJsonAsync("/odata/Evaluations", Sheets.Write(village, kind));
        }
        else
        {
            var admin = await fixture.ClientForAsync(Admin);
            var (id, etag) = await Sheets.CreateAsync(admin, village, kind);
            if (op == Return)
            {
                var submitted = await Sheets.SendAsync(admin, HttpMethod.Post, $"/odata/Evaluations({id})/Submit", etag);
                await submitted.ExpectAsync(HttpStatusCode.OK);
                etag = submitted.Headers.ETag!.ToString();
            }
            response = op switch
            {
                Read => await actor.GetAsync($"/odata/Evaluations({id})"),
                Update => await Sheets.SendAsync(actor, HttpMethod.Patch, $"/odata/Evaluations({id})", etag, new { note = "矩阵" }),
                Submit => await Sheets.SendAsync(actor, HttpMethod.Post, $"/odata/Evaluations({id})/Submit", etag),
                _ => await Sheets.SendAsync(actor, HttpMethod.Post, $"/odata/Evaluations({id})/Return", etag, new { reason = "矩阵退回" }),
            };
        }
        await response.ExpectAsync((HttpStatusCode)expected);
    }

    [Fact]
    public async Task Lists_are_scoped_in_the_query()
    {
        var admin = await fixture.ClientForAsync(Admin);
        await Sheets.CreateAsync(admin, await fixture.FreshVillageAsync(), "Self");
        await Sheets.CreateAsync(admin, await fixture.FreshVillageAsync(), "District");

        var own = await (await fixture.ClientForAsync(EnvScoreFactory.Secretary(0))).GetJsonAsync("/odata/Evaluations?$count=true");
        Assert.All(own.GetProperty("value").EnumerateArray(), e =>
        {
            Assert.Equal(1, e.GetProperty("townshipId").GetInt32());
            Assert.Equal("Self", e.GetProperty("kind").GetString());
        });
        var other = await (await fixture.ClientForAsync(EnvScoreFactory.Secretary(1))).GetJsonAsync("/odata/Evaluations?$count=true");
        Assert.Equal(0, other.GetProperty("@odata.count").GetInt32());
        var inspector = await (await fixture.ClientForAsync(Inspector)).GetJsonAsync("/odata/Evaluations?$filter=kind eq 'District'&$count=true");
        Assert.True(inspector.GetProperty("@odata.count").GetInt32() >= 1);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.CreateClient().GetAsync("/odata/Evaluations")).StatusCode);
    }
}
