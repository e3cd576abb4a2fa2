using System.Text.Json;
using Npgsql;

// GET /ranking?townshipId=X&month=M → the same 50 rows (all columns, sections inline) that
// /odata/VillageResults?$filter=townshipId eq X and month eq M&$orderby=townshipRank&$top=50 returns,
// with one prepared query on a pooled connection and a hand-written JSON writer. No auth, no OData.
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
    WHERE r.township_id = $1 AND r.month = $2
    ORDER BY r.township_rank
    LIMIT 50
    """;

app.MapGet("/ranking", async (int townshipId, int month, HttpContext http) =>
{
    await using var cmd = data.CreateCommand(Sql);
    cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = townshipId });
    cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = month });
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
app.MapGet("/healthz", () => "ok");
app.Run();
