using OptionsTracker.Book;
using OptionsTracker.History;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.History;

/// <summary>
/// The backfill on first start against the simulator's Bybit endpoints (historical-volatility with its 30-day windows,
/// new-delivery-price): it fills the realised volatility of every period and the settlement history into the store, and
/// a restart asks nothing the store already holds.
/// </summary>
public sealed class RecorderBackfillTests(ITestOutputHelper output)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Backfill_fills_realised_volatility_and_settlements_and_a_restart_does_not_ask_again()
    {
        using var host = new RecorderHost();
        await using var simulator = await RecorderHost.SimulatorAsync();
        // A delivery before the tracker starts: only the settlement history (new-delivery-price) knows it.
        var delivered = simulator.DeliverNextExpiry("BTC");
        Assert.True(simulator.TryGetDeliveryPrice(delivered[0], out var price));
        // BTC alone, 31 days: two windows per period (30 days, then the day before), few enough rows for a busy machine.
        var settings = host.Settings(backfill: "31.00:00:00");
        settings["Tracker:Assets"] = "BTC";
        var started = TimeProvider.System.GetUtcNow();

        DateTimeOffset lastPoint;
        var logs = new Alerts.CapturingLoggerProvider();
        using var printLogs = RecorderHost.PrintHistoryLogsAtEnd(logs, output);
        await using (var app = await TrackerApp.StartAsync(simulator, settings, logs: logs, logLevel: Microsoft.Extensions.Logging.LogLevel.Information))
        {
            await Eventually.Until(async () => await RecorderHost.MetricAsync(app, "optionstracker_history_backfill_progress") == 1,
                "the backfill done", timeoutSeconds: 180);
            var store = RecorderHost.Store(app);
            var requests = simulator.HistoricalVolatilityRanges.ToList();
            output.WriteLine($"first start: {requests.Count} ranged requests");
            // Two windows (31 days in spans of at most 30) per period, each within Bybit's limits.
            Assert.Equal(2 * 8, requests.Count);
            Assert.All(requests, r => Assert.True(r.End - r.Start <= TimeSpan.FromDays(30), $"{r} spans at most 30 days"));

            foreach (var coin in new[] { "BTC" })
            {
                foreach (var period in new[] { 7, 30, 270 })
                {
                    var points = await store.RealisedVolatilityAsync(coin, period, started.AddDays(-32), started.AddHours(1), Token);
                    // Hourly, from 31 days back to the last whole hour, without a hole.
                    Assert.InRange(points[0].Time, started.AddDays(-31), started.AddDays(-31).AddHours(1));
                    Assert.True(started - points[^1].Time < TimeSpan.FromHours(1), $"{coin} {period}: the last point is of the last hour");
                    for (var i = 1; i < points.Count; i++)
                        Assert.Equal(TimeSpan.FromHours(1), points[i].Time - points[i - 1].Time);
                    Assert.All(points, p => Assert.True(p.PeriodDays == period && p.Value > 0));
                }
            }
            var settlements = await store.SettlementsAsync("BTC", started.AddDays(-60), started.AddDays(60), Token);
            var settlement = Assert.Single(settlements);
            Assert.Equal((Venue.Bybit, "BTC", price), (settlement.Venue, settlement.Coin, settlement.Price));
            lastPoint = (await store.RealisedVolatilityAsync("BTC", 7, started.AddDays(-32), started.AddHours(1), Token))[^1].Time;
        }

        var before = simulator.HistoricalVolatilityRanges.Count;
        await using (var again = await TrackerApp.StartAsync(simulator, settings))
        {
            await Eventually.Until(async () => await RecorderHost.MetricAsync(again, "optionstracker_history_backfill_progress") == 1,
                "the second backfill done");
            var asked = simulator.HistoricalVolatilityRanges.Skip(before).ToList();
            output.WriteLine($"restart: {asked.Count} ranged requests: {string.Join(", ", asked)}");
            // Only what is newer than the last recorded point (a new hour, if one passed): never the 31 days again.
            Assert.All(asked, r => Assert.True(r.Start > lastPoint, $"{r} asks only after {lastPoint:O}"));
            var settlements = await RecorderHost.Store(again).SettlementsAsync("BTC", started.AddDays(-60), started.AddDays(60), Token);
            Assert.Single(settlements);
        }
    }
}
