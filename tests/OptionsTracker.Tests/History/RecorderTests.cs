using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Book;
using OptionsTracker.History;
using OptionsTracker.Measures;
using OptionsTracker.Tests.Fixtures;
using OptionsTracker.Tests.Store;

namespace OptionsTracker.Tests.History;

/// <summary>
/// The recorder in the real host against the simulator over real sockets, into a real DuckDB file: a snapshot every
/// interval holding every option with every field the book had, the measures of the analytics snapshot, and each
/// delivered expiry's settlement price once.
/// </summary>
public sealed class RecorderTests(ITestOutputHelper output)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Heartbeats slow enough that a silent (frozen) market is not reconnected and reloaded during the test.</summary>
    private static readonly Dictionary<string, string?> FrozenTimings = new()
    {
        ["Bybit:PingInterval"] = "00:00:20",
        ["Bybit:PongTimeout"] = "00:01:00",
        ["Bybit:DataTimeout"] = "00:05:00",
        // The frozen market's analytics snapshot is kept (not recomputed for days to expiry moving with the clock), so the
        // measures recorded and the ones the test reads later are the same snapshot's.
        ["Analytics:MaxAge"] = "00:10:00",
    };

    [Fact]
    public async Task Snapshots_every_interval_hold_every_option_and_field_of_the_book_and_the_analytics_measures()
    {
        using var host = new RecorderHost();
        await using var simulator = await RecorderHost.SimulatorAsync();
        var settings = host.Settings();
        foreach (var (key, value) in FrozenTimings)
            settings[key] = value;
        var logs = new Alerts.CapturingLoggerProvider();
        await using var app = await TrackerApp.StartAsync(simulator, settings, logs: logs, logLevel: Microsoft.Extensions.Logging.LogLevel.Information);
        using var printLogs = RecorderHost.PrintHistoryLogsAtEnd(logs, output);
        await app.WaitForFullBoardAsync();
        var store = RecorderHost.Store(app);

        simulator.Faults.SilentConnections = true;
        var frozenAt = TimeProvider.System.GetUtcNow();
        RecordedRange range = default;
        await Eventually.Until(async () => RecorderHost.Recorder(app).GetStatus().IsOpen &&
            await store.RangeAsync("BTC", Token) is { } r && (range = r).Last >= frozenAt.AddSeconds(3),
            "a snapshot recorded three seconds after the market froze");

        foreach (var coin in new[] { "BTC", "ETH" })
        {
            var board = await store.BoardAtAsync(coin, range.Last, Token);
            Assert.NotNull(board);
            Assert.Equal(range.Last, board.AsOf);
            Assert.True(app.Book.Index.TryGetCoin(coin, out var live));
            Assert.Equal(live.Slots.Count, board.Quotes.Count);
            var recorded = board.Quotes.ToDictionary(q => q.Instrument.Key);
            foreach (var slot in live.Slots)
            {
                Assert.True(recorded.TryGetValue(slot.Instrument.Key, out var quote), $"{slot.Instrument.Symbol} is in the snapshot");
                var expected = slot.ReadQuote();
                Assert.Equal(expected.ExchangeTimeMs, quote.Quote.ExchangeTimeMs);
                Assert.Equal(expected.Status, quote.Quote.Status);
                Assert.Equal(slot.Instrument.Strike, quote.Instrument.Strike);
                Assert.Equal(slot.Instrument.ExpiryUtc, quote.Instrument.ExpiryUtc);
                Assert.Equal(slot.Instrument.Type, quote.Instrument.Type);
                for (var field = 0; field < QuoteFields.Count; field++)
                {
                    var name = (QuoteField)field;
                    Assert.True(BitConverter.DoubleToInt64Bits(expected[name]) == BitConverter.DoubleToInt64Bits(quote.Quote[name]),
                        $"{slot.Instrument.Symbol} {name}: book {expected[name]}, recorded {quote.Quote[name]}");
                }
            }

            // The measures: those of the analytics snapshot every reader sees (kept while the market is frozen).
            var figures = app.Services.GetRequiredService<MarketAnalytics>().Get(coin);
            Assert.NotNull(figures);
            var expectedMeasures = new List<RecordedMeasure>();
            MeasureNames.Collect(figures, expectedMeasures);
            var names = expectedMeasures.Select(m => m.Name).ToList();
            var series = await store.MeasureSeriesAsync(coin, names, range.Last, range.Last, TimeSpan.Zero, Token);
            var point = Assert.Single(series);
            for (var i = 0; i < names.Count; i++)
            {
                Assert.True(BitConverter.DoubleToInt64Bits(expectedMeasures[i].Value) == BitConverter.DoubleToInt64Bits(point.Values[i]),
                    $"{coin} {names[i]}: analytics {expectedMeasures[i].Value}, recorded {point.Values[i]}");
            }
            Assert.Contains(names, n => n == "atm_iv_30d");
        }

        // Every interval: snapshot times on the 1-second grid, one per second from the first, unless a gap was reported.
        var status = RecorderHost.Recorder(app).GetStatus();
        var expectedCount = (long)((range.Last - range.First) / TimeSpan.FromSeconds(1)) + 1;
        output.WriteLine($"{range.Snapshots} snapshots from {range.First:O} to {range.Last:O}; last gap: {status.LastGap}");
        Assert.Equal(0, range.First.ToUnixTimeMilliseconds() % 1000);
        Assert.Equal(0, range.Last.ToUnixTimeMilliseconds() % 1000);
        // A loaded machine can make a capture miss its boundary: the recorder then reports one more gap. With one gap (or
        // none) the count is exact; with more, only the last gap's size is known, and no snapshot may be there twice.
        if (await RecorderHost.MetricAsync(app, "optionstracker_history_gaps_total") <= 1)
            Assert.Equal(expectedCount - (status.LastGap?.Missed ?? 0), range.Snapshots);
        else
            Assert.True(range.Snapshots <= expectedCount - (status.LastGap?.Missed ?? 0), $"{range.Snapshots} snapshots in {expectedCount} seconds");
        // Healthy, unless a missed boundary was reported (then /health says so, as a recent gap).
        var (health, reason) = await RecorderHost.HealthAsync(app);
        if (status.LastGap is null)
            Assert.Equal("Healthy", health);
        else
            Assert.Contains("gap", reason, StringComparison.Ordinal);
        Assert.True(await RecorderHost.MetricAsync(app, "optionstracker_history_snapshots_written_total") >= range.Snapshots);
        Assert.True(await RecorderHost.MetricAsync(app, "optionstracker_history_rows_written_total{kind=\"quote\"}") >= range.Snapshots * 2);
    }

    [Fact]
    public async Task A_delivered_expiry_is_recorded_once_with_its_settlement_price()
    {
        using var host = new RecorderHost();
        await using var simulator = await RecorderHost.SimulatorAsync();
        var settings = host.Settings();
        settings["Tracker:InstrumentRefreshInterval"] = "00:00:00.500";
        await using var app = await TrackerApp.StartAsync(simulator, settings);
        await app.WaitForFullBoardAsync();
        var store = RecorderHost.Store(app);

        var delivered = simulator.DeliverNextExpiry("BTC");
        Assert.NotEmpty(delivered);
        Assert.True(simulator.TryGetDeliveryPrice(delivered[0], out var price));
        var expiry = app.Book.Index.TryGetSlot(Venue.Bybit, delivered[0], out var slot) ? slot.Instrument.ExpiryUtc : throw new InvalidOperationException("not in the book");

        await Eventually.Until(async () => RecorderHost.Recorder(app).GetStatus().IsOpen && (await store.SettlementsAsync("BTC", expiry, expiry, Token)).Count > 0,
            "the delivered expiry's settlement recorded");
        // A few more snapshots, with the delivered options still in the book: still one settlement.
        var written = RecorderHost.Recorder(app).GetStatus().SnapshotsWritten;
        await Eventually.Until(() => RecorderHost.Recorder(app).GetStatus().SnapshotsWritten >= written + 3, "three more snapshots");

        var settlements = await store.SettlementsAsync("BTC", expiry.AddDays(-1), expiry.AddDays(1), Token);
        var settlement = Assert.Single(settlements);
        Assert.Equal(new Settlement(Venue.Bybit, "BTC", expiry, price), settlement);
        Assert.Equal(1, await RecorderHost.MetricAsync(app, "optionstracker_history_settlements_written_total"));
    }

    [Fact]
    public async Task Only_the_collector_holding_the_lease_records_and_a_standby_takes_over_when_it_goes()
    {
        await using var redis = await RedisServer.StartAsync();
        using var activeHistory = new RecorderHost();
        using var standbyHistory = new RecorderHost();
        await using var simulator = await RecorderHost.SimulatorAsync();
        var active = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "collector").With(activeHistory.Settings()));
        try
        {
            await Eventually.Until(() => RecorderHost.Recorder(active).GetStatus().SnapshotsWritten >= 2, "the first collector records");
            await using var standby = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "collector").With(standbyHistory.Settings()));
            await using var web = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "web").With(standbyHistory.Settings(path: Path.Combine(standbyHistory.Directory, "web.duckdb"))));

            // The standby and the web instance record nothing while the first collector holds the lease.
            var written = RecorderHost.Recorder(active).GetStatus().SnapshotsWritten;
            await Eventually.Until(() => RecorderHost.Recorder(active).GetStatus().SnapshotsWritten >= written + 3, "three more snapshots by the active collector");
            Assert.False(RecorderHost.Recorder(standby).GetStatus().IsRecording);
            Assert.Equal(0, RecorderHost.Recorder(standby).GetStatus().SnapshotsWritten);
            Assert.False(File.Exists(standbyHistory.FilePath), "a standby opens no history file");
            var (standbyStatus, standbyReason) = await RecorderHost.HealthAsync(standby);
            Assert.Equal(("Healthy", true), (standbyStatus, standbyReason.StartsWith("standby", StringComparison.Ordinal)));
            Assert.Null(web.Services.GetService<HistoryRecorder>());
            var (webStatus, webReason) = await RecorderHost.HealthAsync(web);
            Assert.Equal(("Healthy", true), (webStatus, webReason.Contains("active collector records", StringComparison.Ordinal)));

            // The active collector goes: the standby takes the lease and records from then on.
            await active.DisposeAsync();
            await Eventually.Until(() => RecorderHost.Recorder(standby).GetStatus() is { IsRecording: true, SnapshotsWritten: >= 2 },
                "the standby records once it holds the lease");
            Assert.True(File.Exists(standbyHistory.FilePath));
            Assert.Null(web.Services.GetService<HistoryRecorder>());
        }
        finally
        {
            await active.DisposeAsync();
        }
    }
}
