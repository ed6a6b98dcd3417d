using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.History;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;
using OptionsTracker.Tests.Store;

namespace OptionsTracker.Tests.History;

/// <summary>
/// Scale-out with the history: one Redis, one PostgreSQL; a collector records the simulated market into PostgreSQL, a
/// web instance (no feed of its own, no recorder) answers the history from the same database: the recorded range and
/// the board at a recorded instant are what the database holds, read by a store of the test's own.
/// </summary>
public sealed class PostgresWebInstanceTests(ITestOutputHelper output)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Web_instance_serves_the_range_and_the_board_at_an_instant_the_collector_recorded_into_postgres()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var postgres = await PostgresServer.StartAsync();
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var simulator = await BybitSimulator.StartAsync(
            new SimulatorOptions { BaseCoins = ["BTC"], TargetInstrumentCount = 120, PushInterval = TimeSpan.FromMilliseconds(200) }, Token);
        var history = new Dictionary<string, string?>
        {
            ["History:Enabled"] = "true",
            ["History:Postgres"] = connectionString,
            ["History:Interval"] = "00:00:01",
            ["History:Backfill"] = "00:00:00",
        };
        var collector = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "collector").With(history));
        // The web instance is configured as the collector is (the same exchange settings, so the same history source),
        // but in role web it opens no feed: its board comes from Redis, its history from PostgreSQL.
        await using var web = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "web").With(history));
        Assert.Null(web.Services.GetService<HistoryRecorder>());
        HistorySource source;
        try
        {
            await Eventually.Until(() => web.Book.Index.Count == simulator.InstrumentCount, "the web instance to load the board from Redis", 60);
            var recorder = collector.Services.GetRequiredService<HistoryRecorder>();
            await Eventually.Until(() => recorder.GetStatus().SnapshotsWritten >= 3, "three snapshots recorded by the collector", 60);
            source = collector.Services.GetRequiredService<HistorySource>();
        }
        finally
        {
            // Stopped, the recorded range holds still, so the web instance's answer and the database's can be compared.
            await collector.DisposeAsync();
        }

        await using var store = new PostgresHistoryStore(Options.Create(new HistoryOptions { Postgres = connectionString }),
            NullLogger<PostgresHistoryStore>.Instance);
        await store.OpenAsync(source, Token);
        var range = (await store.RangeAsync("BTC", Token))!.Value;
        output.WriteLine($"recorded: {range.Snapshots} snapshots from {range.First:O} to {range.Last:O}");

        var served = await GetJsonAsync(web, "/api/history/BTC/range");
        output.WriteLine($"web range: {served}");
        Assert.Equal(range.First.UtcDateTime, served.GetProperty("first").GetDateTime());
        Assert.Equal(range.Last.UtcDateTime, served.GetProperty("last").GetDateTime());
        Assert.Equal(range.Snapshots, served.GetProperty("snapshots").GetInt64());
        Assert.Equal("postgres", served.GetProperty("store").GetString());

        // A recorded instant (the last snapshot) and a moment after it: both answer that snapshot.
        var recordedAt = range.Last;
        var board = await store.BoardAtAsync("BTC", recordedAt, Token);
        Assert.NotNull(board);
        Assert.Equal(recordedAt, board.AsOf);
        Assert.Equal(simulator.InstrumentCount, board.Quotes.Count);
        foreach (var at in new[] { recordedAt, recordedAt.AddMilliseconds(500) })
        {
            var chain = await GetJsonAsync(web, $"/api/options/BTC?fields=symbol,mark_price,mark_iv,open_interest&at={TimeTravelTests.Format(at)}");
            Assert.Equal(recordedAt.UtcDateTime, chain.GetProperty("as_of").GetDateTime());
            var rows = Rows(chain).ToDictionary(r => r.GetProperty("symbol").GetString()!, StringComparer.Ordinal);
            Assert.Equal(board.Quotes.Count, rows.Count);
            foreach (var recorded in board.Quotes)
            {
                var row = rows[recorded.Instrument.Symbol];
                Assert.Equal(recorded.Quote.MarkPrice, Number(row, "mark_price"));
                Assert.Equal(recorded.Quote.Values[(int)QuoteField.MarkIv], Number(row, "mark_iv"));
                Assert.Equal(recorded.Quote.Values[(int)QuoteField.OpenInterest], Number(row, "open_interest"));
            }
        }

        // The history never degrades a web instance: it has no recorder, and the store answers.
        var health = await GetJsonAsync(web, "/health");
        var entry = health.GetProperty("checks").GetProperty("history");
        output.WriteLine($"web /health history: {entry}");
        Assert.Equal("Healthy", entry.GetProperty("status").GetString());
    }

    private static async Task<JsonElement> GetJsonAsync(TrackerApp app, string path)
    {
        using var http = app.Http();
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), Token);
        var text = await response.Content.ReadAsStringAsync(Token);
        Assert.True(response.StatusCode == HttpStatusCode.OK || path == "/health", $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The options of an /api/options answer: the envelope's array of objects carrying a symbol.</summary>
    private static JsonElement.ArrayEnumerator Rows(JsonElement chain)
    {
        foreach (var property in chain.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Array
                && property.Value.EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } first
                && first.TryGetProperty("symbol", out _))
                return property.Value.EnumerateArray();
        }
        throw new InvalidOperationException($"No array of options in {chain}");
    }

    /// <summary>A number of the answer; null (a missing value) is NaN, as the store keeps it.</summary>
    private static double Number(JsonElement row, string field) =>
        row.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.GetDouble()
            : double.NaN;
}
