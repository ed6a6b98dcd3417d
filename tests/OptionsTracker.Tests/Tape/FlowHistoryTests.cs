using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.History;
using OptionsTracker.Tape;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Tape;

/// <summary>A flow window longer than the tape holds: the rest comes from the history's trades (DuckDB, the test's own file).</summary>
public sealed class FlowHistoryTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("flow-history-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_window_longer_than_the_tape_is_completed_from_the_history()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await TrackerApp.StartForApiAsync(new Dictionary<string, string?>
        {
            ["History:Enabled"] = "true",
            ["History:Path"] = Path.Combine(_directory, "history.duckdb"),
            ["History:Interval"] = "01:00:00",
            ["History:Backfill"] = "00:00:00",
            ["Tape:Keep"] = "100",
        });
        var now = DateTimeOffset.UtcNow;
        // 150 trades a minute apart: the ring keeps the newest 100, the history all of them and one of 5 hours ago.
        var appended = host.Services.GetRequiredService<TradeTape>().Append(FlowTests.SampleTrades(now, 150, seed: 11));
        var ancient = FlowTests.SampleTrades(now - TimeSpan.FromHours(5), 1, seed: 12).Select(t => t with { Id = "ancient", Sequence = 1_000 }).ToList();
        var store = host.Services.GetRequiredService<IHistoryStore>();
        await store.OpenAsync(host.Services.GetRequiredService<HistorySource>(), ct);
        await store.WriteTradesAsync([.. ancient, .. appended], ct);
        using var http = host.Http();

        var flow = JsonNode.Parse(await http.GetStringAsync("/api/flow/BTC?window=4h", ct))!;

        Assert.Equal(100, (int)flow["tape_trades"]!);
        Assert.Equal(50, (int)flow["history_trades"]!);
        Assert.True((bool)flow["complete"]!);
        Assert.Equal((DateTime)flow["from"]!, (DateTime)flow["complete_from"]!);
        FlowAssert.Equal(FlowAssert.Recompute(appended), TradesApiTests.Figures(flow["total"]!));

        // Over 7 days nothing is recorded before the window's start: the figures are complete from the oldest recorded trade.
        var shorter = JsonNode.Parse(await http.GetStringAsync("/api/flow/BTC?window=7d", ct))!;
        Assert.False((bool)shorter["complete"]!);
        Assert.Equal(ancient[0].Time.UtcDateTime, (DateTime)shorter["complete_from"]!);
        Assert.Equal(151, (int)shorter["total"]!["trades"]!);
    }
}
