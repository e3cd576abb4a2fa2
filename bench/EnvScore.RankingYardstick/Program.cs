using System.Text.Json;
using Npgsql;

// GET /ranking?townshipId=X&month=M → the same 50 rows (all columns, sections inline) that
// /odata/VillageResults?$filter=townshipId eq X and month eq M&$orderby=townshipRank&$top=50 returns,
// with one prepared query on a pooled connection and a hand-written JSON writer. No auth, no OData.
// GET /published?districtId=D&month=M → every row of the district's latest published revision of the month, the
// rows the public ranking page (/?d=D&m=M) renders, as JSON in the same way. No HTML, no cache.
var cs = args.Length > 0 ? args[0] : throw new ArgumentException("usage: EnvScore.RankingYardstick CONNECTION_STRING [PORT]");
var port = args.Length > 1 ? args[1] : "5099";
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
var app = builder.Build();
var data = NpgsqlDataSource.Create(cs);

const string Sql = """
    SELECT r.village_id, r.month, r.district_id, r.township_id, r.rule_set_id, r.self_score, r.district_score, r.final_score,
           r.vetoed, r.veto_codes, r.tier, r.tier_reason, r.township_rank, r.district_rank, r.previous_district_rank, r.movement,
           r.consecutive_months_in_tier, r.inflation_gap, r.inflated_flag, r.missing_sheet, r.interview_flag, r.reward_flag,
           r.on_red_list, r.on_black_list, r.explanation, r.computation_run_id,
           (SELECT coalesce(json_agg(json_build_object('ordinal', s.ordinal, 'code', s.code, 'title', s.title, 'max', s.max,
                   'applicableMax', s.applicable_max, 'deduction', s.deduction, 'score', s.score) ORDER BY s.ordinal), '[]')::text
            FROM village_result_sections s WHERE s.village_id = r.village_id AND s.month = r.month)
    FROM village_results r
    WHERE r.township_id = $1 AND r.month = $2 AND r.final_score >= $3
    ORDER BY r.township_rank
    LIMIT $4
    """;

// Optional minScore and top (default 0 and 50): the cache-miss benchmark asks for another filter every time (bench/miss.lua).
app.MapGet("/ranking", async (int townshipId, int month, decimal? minScore, int? top, HttpContext http) =>
{
    await using var cmd = data.CreateCommand(Sql);
    cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = townshipId });
    cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = month });
    cmd.Parameters.Add(new NpgsqlParameter<decimal> { TypedValue = minScore ?? 0 });
    cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = Math.Clamp(top ?? 50, 1, 100) });
    await using var reader = await cmd.ExecuteReaderAsync();
    http.Response.ContentType = "application/json; charset=utf-8";
    await using var json = new Utf8JsonWriter(http.Response.BodyWriter);
    json.WriteStartObject();
    json.WriteStartArray("value");
    string[] names = ["villageId", "month", "districtId", "townshipId", "ruleSetId", "selfScore", "districtScore", "finalScore",
        "vetoed", "vetoCodes", "tier", "tierReason", "townshipRank", "districtRank", "previousDistrictRank", "movement",
        "consecutiveMonthsInTier", "inflationGap", "inflatedFlag", "missingSheet", "interviewFlag", "rewardFlag",
        "onRedList", "onBlackList", "explanation", "computationRunId"];
    while (await reader.ReadAsync())
    {
        json.WriteStartObject();
        for (var i = 0; i < names.Length; i++)
        {
            json.WritePropertyName(names[i]);
            if (reader.IsDBNull(i)) { json.WriteNullValue(); continue; }
            switch (reader.GetValue(i))
            {
                case int v: json.WriteNumberValue(v); break;
                case decimal v: json.WriteNumberValue(v); break;
                case bool v: json.WriteBooleanValue(v); break;
                case string v: json.WriteStringValue(v); break;
                case string[] v: json.WriteStartArray(); foreach (var s in v) json.WriteStringValue(s); json.WriteEndArray(); break;
                case var v: json.WriteStringValue(v.ToString()); break;
            }
        }
        json.WritePropertyName("sections");
        json.WriteRawValue(reader.GetString(names.Length), skipInputValidation: true);
        json.WriteEndObject();
    }
    json.WriteEndArray();
    json.WriteEndObject();
    await json.FlushAsync();
});
const string PublishedSql = """
    SELECT p.village_id, p.village_code, p.village_name, p.township_id, p.township_code, p.final_score, p.tier,
           p.township_rank, p.district_rank, p.on_red_list, p.on_black_list
    FROM published_village_results p
    WHERE p.revision_id = (SELECT max(r.id) FROM publication_revisions r WHERE r.district_id = $1 AND r.month = $2)
    ORDER BY p.district_rank
    """;

app.MapGet("/published", async (int districtId, int month, HttpContext http) =>
{
    await using var cmd = data.CreateCommand(PublishedSql);
    cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = districtId });
    cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = month });
    await using var reader = await cmd.ExecuteReaderAsync();
    http.Response.ContentType = "application/json; charset=utf-8";
    await using var json = new Utf8JsonWriter(http.Response.BodyWriter);
    json.WriteStartObject();
    json.WriteStartArray("value");
    while (await reader.ReadAsync())
    {
        json.WriteStartObject();
        json.WriteNumber("villageId", reader.GetInt32(0));
        json.WriteString("villageCode", reader.GetString(1));
        json.WriteString("villageName", reader.GetString(2));
        json.WriteNumber("townshipId", reader.GetInt32(3));
        json.WriteString("townshipCode", reader.GetString(4));
        json.WriteNumber("finalScore", reader.GetDecimal(5));
        json.WriteString("tier", reader.GetString(6));
        json.WriteNumber("townshipRank", reader.GetInt32(7));
        json.WriteNumber("districtRank", reader.GetInt32(8));
        json.WriteBoolean("onRedList", reader.GetBoolean(9));
        json.WriteBoolean("onBlackList", reader.GetBoolean(10));
        json.WriteEndObject();
    }
    json.WriteEndArray();
    json.WriteEndObject();
    await json.FlushAsync();
});
app.MapGet("/healthz", () => "ok");
app.Run();
