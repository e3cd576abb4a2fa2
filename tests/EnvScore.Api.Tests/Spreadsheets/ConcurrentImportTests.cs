using System.Net;
using EnvScore.Api.Features.Spreadsheets;
using EnvScore.Api.Tests.Evaluations;
using EnvScore.Domain.Rules;
using EnvScore.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using static EnvScore.Api.Tests.Spreadsheets.SpreadsheetImportTests;

namespace EnvScore.Api.Tests.Spreadsheets;

/// <summary>
/// Issue #15: two uploads of the same township-month at the same moment. Each race is made deterministic by
/// holding both uploads, validated, at <see cref="SpreadsheetImportHooks.BeforeWriteAsync"/> until both have
/// arrived; then one wins and the other gets 409 with a Chinese message, and the stored sheets are exactly the
/// winner's file. Outcomes are asserted, never timings.
/// </summary>
public class ConcurrentImportTests(ConcurrentImportTests.Fixture fixture) : IClassFixture<ConcurrentImportTests.Fixture>
{
    public const int Races = 100;

    /// <summary>Releases the two uploads of a race together.</summary>
    public sealed class PairGate : SpreadsheetImportHooks
    {
        private readonly object _lock = new();
        private TaskCompletionSource _both = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _arrived;

        public void Arm()
        {
            lock (_lock) { _both = new(TaskCreationOptions.RunContinuationsAsynchronously); _arrived = 0; }
        }

        public override Task BeforeWriteAsync(CancellationToken ct)
        {
            Task wait;
            lock (_lock)
            {
                if (++_arrived == 2) _both.TrySetResult();
                wait = _both.Task;
            }
            // A hang guard only (an upload that never arrives must not block the suite); the outcome is asserted.
            return wait.WaitAsync(TimeSpan.FromMinutes(2), ct).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public class Fixture : EnvScoreFactory
    {
        public PairGate Gate { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton<SpreadsheetImportHooks>(Gate));
        }
    }

    [Fact]
    public async Task Of_two_simultaneous_uploads_one_wins_the_other_gets_409_and_the_data_is_the_winners()
    {
        var secretary = await fixture.ClientForAsync(EnvScoreFactory.Secretary(1)); // 杏花营农场, 18 villages
        const string url = "/api/spreadsheets/import?month=2026-11&townshipId=2";
        var template = await secretary.GetByteArrayAsync("/api/spreadsheets/template?month=2026-11&townshipId=2");
        var occurrence = Sheets.FirstOf<PerOccurrenceItem>();
        const string first = "410271002001", last = "410271002018";
        byte[] File(int value) => Fill(template, (sheet, row, col) =>
        {
            sheet.Cells[row(first), col(occurrence)].Value = value;
            sheet.Cells[row(last), col(occurrence)].Value = value;
        });

        async Task<int> IdOf(string code) =>
            (await secretary.GetJsonAsync($"/odata/Villages?$filter=code eq '{code}'")).GetProperty("value")[0].GetProperty("id").GetInt32();
        var (firstId, lastId) = (await IdOf(first), await IdOf(last));

        var outcomes = new List<string>();
        for (var race = 0; race < Races; race++)
        {
            // Two different files, both different from what is stored (race 0: nothing is stored — both create).
            var (a, b) = (2 * race + 1, 2 * race + 2);
            var (fileA, fileB) = (File(a), File(b));
            fixture.Gate.Arm();
            var sendA = secretary.PostAsync(url, Upload(fileA));
            var sendB = secretary.PostAsync(url, Upload(fileB));
            var responses = await Task.WhenAll(sendA, sendB);
            var codes = responses.Select(r => (int)r.StatusCode).ToArray();
            Assert.True(codes.Order().SequenceEqual([200, 409]), $"race {race}: {string.Join(",", codes)} {await responses[0].Content.ReadAsStringAsync()} {await responses[1].Content.ReadAsStringAsync()}");
            var loser = responses.Single(r => r.StatusCode == HttpStatusCode.Conflict);
            var problem = await loser.ExpectAsync(HttpStatusCode.Conflict);
            Assert.Contains("本次未导入任何内容", problem.GetProperty("title").GetString());
            var winner = responses[0].StatusCode == HttpStatusCode.OK ? a : b;

            // Consistent: every village's sheet is the winner's (no mix of the two files).
            var stored = await secretary.GetJsonAsync(
                $"/odata/Evaluations?$filter=townshipId eq 2&$expand=entries($filter=itemCode eq '{occurrence}')&$count=true&$top=100");
            Assert.Equal(18, stored.GetProperty("@odata.count").GetInt32());
            var counts = stored.GetProperty("value").EnumerateArray()
                .ToDictionary(s => s.GetProperty("villageId").GetInt32(), s => s.GetProperty("entries")[0].GetProperty("count").GetInt32());
            Assert.Equal(winner, counts[firstId]);
            Assert.Equal(winner, counts[lastId]);
            outcomes.Add(responses[0].StatusCode == HttpStatusCode.OK ? "A" : "B");
        }
        Assert.Equal(Races, outcomes.Count);
    }
}
