using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Bybit;
using OptionsTracker.Feed;
using OptionsTracker.Health;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Health;

/// <summary>
/// The trade feed in /health and /metrics, end to end against the simulator: a refused trade topic and a backfill that
/// keeps failing each make the feed Degraded with a reason naming the coin; a backfill that answers again clears it.
/// </summary>
public class TradeFeedHealthTests
{
    private const string Coin = "BTC";

    private static Task<BybitSimulator> StartSimulatorAsync() =>
        BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = [Coin], TargetInstrumentCount = 60 }, TestContext.Current.CancellationToken);

    private static Dictionary<string, string?> Settings(BybitSimulator simulator) => new()
    {
        ["Tape:Enabled"] = "true",
        ["Bybit:RfqWsUrl"] = simulator.RfqWsUrl.AbsoluteUri,
        ["Bybit:RefuseLimit"] = "3",
        // A failing backfill gives up after this (the default is 30 s).
        ["Bybit:TradeBackfillTimeout"] = "00:00:03",
    };

    private static async Task<(HttpStatusCode Status, string State, string Reason)> HealthAsync(TrackerApp app)
    {
        using var response = await app.Client.GetAsync("/health", TestContext.Current.CancellationToken);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return (response.StatusCode, json.RootElement.GetProperty("status").GetString()!, json.RootElement.GetProperty("reason").GetString() ?? "");
    }

    /// <summary>Bybit's series of the trade feed's failing-backfill gauge (every venue's trade feed metrics carry a venue label).</summary>
    private const string BybitBackfillsFailing = "optionstracker_trade_backfills_failing{venue=\"bybit\"}";

    /// <summary>The value of a metric's series (its name, with its labels if it has any), and its HELP line.</summary>
    private static async Task<(double Value, string Help)> MetricAsync(TrackerApp app, string name)
    {
        var text = await app.Client.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        var lines = text.Split('\n');
        var help = lines.FirstOrDefault(l => l.StartsWith($"# HELP {name} ", StringComparison.Ordinal)) ?? "";
        var sample = lines.First(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return (double.Parse(sample[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture), help);
    }

    [Fact]
    public async Task A_refused_trade_topic_degrades_health_naming_it_and_is_counted_among_the_refused_topics()
    {
        await using var simulator = await StartSimulatorAsync();
        simulator.Faults.RefuseTopicsForever("publicTrade." + Coin);
        await using var app = await TrackerApp.StartAsync(simulator, Settings(simulator));

        await Eventually.Until(() => app.Report is { State: FeedState.Degraded, RefusedTopics: 1 }, "the trade topic counted as refused");
        var health = await HealthAsync(app);
        TestContext.Current.TestOutputHelper?.WriteLine($"/health: {health}");
        Assert.Equal(HttpStatusCode.OK, health.Status);
        Assert.Equal("Degraded", health.State);
        Assert.Contains("publicTrade." + Coin, health.Reason, StringComparison.Ordinal);

        var refused = await MetricAsync(app, "optionstracker_refused_topics");
        Assert.Equal(1, refused.Value);
        var subscribed = await MetricAsync(app, "optionstracker_subscribed_topics");
        // Every ticker acknowledged; the trade topic is not, and the description says both kinds are counted.
        Assert.Equal(simulator.InstrumentCount, subscribed.Value);
        Assert.Contains("trade topic", subscribed.Help, StringComparison.Ordinal);
        Assert.DoesNotContain("Ticker topics", subscribed.Help, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_trade_backfill_degrades_health_and_shows_in_metrics_until_one_answers()
    {
        await using var simulator = await StartSimulatorAsync();
        await using var app = await TrackerApp.StartAsync(simulator, Settings(simulator));
        var feed = app.Services.GetRequiredService<BybitTradeFeed>();
        await Eventually.Until(() => feed.GetStatus() is { Recoveries: > 0, Recovering.Count: 0 } && app.Report.State == FeedState.Live,
            "the trade topic subscribed, its first backfill read, the feed live");
        Assert.Equal(0, (await MetricAsync(app, BybitBackfillsFailing)).Value);

        // Every REST request fails from now on (Bybit's 10016, retried): the backfill after the reconnect gives up.
        simulator.Faults.FailNextRestRequests(1_000_000, RestFailure.RetCode10016);
        var recoveries = feed.GetStatus().Recoveries;
        simulator.Faults.DropAllConnections();
        await Eventually.Until(() => feed.GetStatus() is { FailingBackfills.Count: 1 } s && s.Recoveries > recoveries, "the backfill after the reconnect failed");
        await Eventually.Until(async () => (await HealthAsync(app)).Reason.Contains($"trade backfill of {Coin} failed", StringComparison.Ordinal),
            "/health names the failed backfill");
        var health = await HealthAsync(app);
        TestContext.Current.TestOutputHelper?.WriteLine($"/health: {health}");
        Assert.Equal(HttpStatusCode.OK, health.Status);
        Assert.Equal("Degraded", health.State);
        Assert.Equal(1, (await MetricAsync(app, BybitBackfillsFailing)).Value);

        // REST answers again; the next reconnect's backfill succeeds and the trades are healthy again.
        simulator.Faults.FailNextRestRequests(0, RestFailure.RetCode10016);
        recoveries = feed.GetStatus().Recoveries;
        simulator.Faults.DropAllConnections();
        await Eventually.Until(() => feed.GetStatus() is { FailingBackfills.Count: 0, Recovering.Count: 0 } s && s.Recoveries > recoveries,
            "the next backfill answered");
        await Eventually.Until(async () => (await HealthAsync(app)).State == "Healthy", "/health healthy again");
        Assert.Equal(0, (await MetricAsync(app, BybitBackfillsFailing)).Value);
    }
}
