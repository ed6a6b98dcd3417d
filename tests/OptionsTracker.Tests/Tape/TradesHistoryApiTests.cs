using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.History;
using OptionsTracker.Tape;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Tape;

/// <summary>
/// <c>/api/trades/{asset}?since=</c> reaching further back than the tape holds: the older trades come from the history's
/// recorded trades (DuckDB, the test's own file), merged after the tape's without a trade twice, newest first, within limit.
/// </summary>
public sealed class TradesHistoryApiTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("trades-history-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public Task A_since_older_than_the_tape_reads_the_rest_from_the_history_newest_first_once_each() =>
        RunAsync(new Dictionary<string, string?> { ["History:Path"] = Path.Combine(_directory, "history.duckdb") });

    /// <summary>The case on the history store these settings choose (DuckDB by History:Path, PostgreSQL by History:Postgres).</summary>
    internal static async Task RunAsync(Dictionary<string, string?> storeSettings)
    {
        var ct = TestContext.Current.CancellationToken;
        var settings = new Dictionary<string, string?>(storeSettings)
        {
            ["History:Enabled"] = "true",
            ["History:Interval"] = "01:00:00",
            ["History:Backfill"] = "00:00:00",
            ["Tape:Keep"] = "100",
        };
        await using var host = await TrackerApp.StartForApiAsync(settings);
        var now = DateTimeOffset.UtcNow;
        // 150 trades a minute apart: the ring keeps the newest 100; the history has all 150 (the 100 overlap the tape)
        // and one of 5 hours ago.
        var appended = host.Services.GetRequiredService<TradeTape>().Append(FlowTests.SampleTrades(now, 150, seed: 21));
        var ancient = FlowTests.SampleTrades(now - TimeSpan.FromHours(5), 1, seed: 22).Select(t => t with { Id = "ancient", Sequence = 1 }).ToList();
        var store = host.Services.GetRequiredService<IHistoryStore>();
        await store.OpenAsync(host.Services.GetRequiredService<HistorySource>(), ct);
        await store.WriteTradesAsync([.. ancient, .. appended], ct);
        using var http = host.Http();

        static List<string> Ids(JsonNode page) => [.. page["data"]!.AsArray().Select(i => (string)i!["id"]!)];
        var expected = appended.AsEnumerable().Reverse().Select(t => t.Id).ToList();

        // Since 4 hours ago: every one of the 150, newest first, each once (the tape's 100, then the history's 50).
        var page = JsonNode.Parse(await http.GetStringAsync("/api/trades/BTC?since=4h&limit=1000", ct))!;
        Assert.Equal(expected, Ids(page));
        Assert.Equal(150, (int)page["count"]!);

        // Since 6 hours ago: the ancient one too, last.
        var all = Ids(JsonNode.Parse(await http.GetStringAsync("/api/trades/BTC?since=6h&limit=1000", ct))!);
        Assert.Equal([.. expected, "ancient"], all);

        // limit is respected across the seam: 120 = the tape's 100 and the history's newest 20.
        var limited = Ids(JsonNode.Parse(await http.GetStringAsync("/api/trades/BTC?since=6h&limit=120", ct))!);
        Assert.Equal(expected.Take(120), limited);

        // Filters apply to the history's trades as to the tape's.
        var blocks = Ids(JsonNode.Parse(await http.GetStringAsync("/api/trades/BTC?since=4h&block=true&limit=1000", ct))!);
        Assert.Equal(appended.Where(t => t.IsBlock).Reverse().Select(t => t.Id), blocks);
        Assert.Contains(blocks, id => appended.First(t => t.Id == id).Sequence <= 50);

        // Without since, or with one the tape covers, only the tape answers (no history read needed).
        var recent = Ids(JsonNode.Parse(await http.GetStringAsync("/api/trades/BTC?limit=1000", ct))!);
        Assert.Equal(expected.Take(100), recent);
        var covered = Ids(JsonNode.Parse(await http.GetStringAsync("/api/trades/BTC?since=30m&limit=1000", ct))!);
        // The trades of the last 30 minutes, made 29 to 1 minutes before `now` (the one of exactly 30 is before the request's since).
        Assert.Equal(expected.Take(29), covered);
    }
}

/// <summary>The same on PostgreSQL: one real server for the class, a database of the test's own.</summary>
public sealed class TradesHistoryApiPostgresTests(PostgresServerFixture postgres) : IClassFixture<PostgresServerFixture>
{
    [Fact]
    public async Task A_since_older_than_the_tape_reads_the_rest_from_the_history_newest_first_once_each() =>
        await TradesHistoryApiTests.RunAsync(new Dictionary<string, string?> { ["History:Postgres"] = await postgres.Server.CreateDatabaseAsync() });
}
