using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Feed;
using OptionsTracker.Health;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Feed;

/// <summary>
/// The feed under the exchange's harder behaviours, end to end (simulator ⇄ tracker over loopback): topics refused for
/// good, an outage and the recovery after it, coins added and removed before a cut, and what stats count meanwhile.
/// </summary>
public class FeedRecoveryTests
{
    private static Task<BybitSimulator> Simulator(params string[] coins) =>
        BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = coins.Length > 0 ? coins : ["BTC"], PushInterval = TimeSpan.FromMilliseconds(200) },
            TestContext.Current.CancellationToken);

    private static void Print(string figure)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(figure);
        TestContext.Current.SendDiagnosticMessage(figure);
    }

    private static async Task<JsonElement> GetJsonAsync(TrackerApp app, string path)
    {
        using var json = JsonDocument.Parse(await app.Client.GetStringAsync(path, TestContext.Current.CancellationToken));
        return json.RootElement.Clone();
    }

    private static async Task<(HttpStatusCode Status, string State, string Reason)> HealthAsync(TrackerApp app)
    {
        using var response = await app.Client.GetAsync("/health", TestContext.Current.CancellationToken);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return (response.StatusCode, json.RootElement.GetProperty("status").GetString()!, json.RootElement.GetProperty("reason").GetString() ?? "");
    }

    [Fact]
    public async Task Topics_refused_for_good_are_named_in_health_counted_in_stats_and_metrics_and_do_not_hold_the_feed_back()
    {
        await using var simulator = await Simulator();
        var refused = simulator.GetInstruments("BTC").Skip(5).Take(2).Select(i => i.Symbol).Order(StringComparer.Ordinal).ToArray();
        simulator.Faults.RefuseTopicsForever(refused.Select(s => "tickers." + s));
        await using var app = await TrackerApp.StartAsync(simulator, new Dictionary<string, string?>
        {
            ["Bybit:MaxTopicsPerConnection"] = "300",
            ["Bybit:RefuseLimit"] = "3",
        });

        // Every connection live; the feed degraded only by the two refused topics.
        await Eventually.Until(() => app.Report is { State: FeedState.Degraded, RefusedTopics: 2 } report
            && report.Shards.All(s => s.State == OptionsTracker.Feed.ShardState.Live)
            && report.SubscribedTopics == simulator.InstrumentCount - 2, "every connection live with two topics refused");

        var health = await HealthAsync(app);
        Assert.Equal(HttpStatusCode.OK, health.Status);
        Assert.Equal("Degraded", health.State);
        Assert.Equal($"2 topics refused by the exchange: {refused[0]}; {refused[1]}", health.Reason);

        var stats = await GetJsonAsync(app, "/api/stats");
        Assert.Equal(2, stats.GetProperty("refused_topics").GetInt32());
        Assert.Equal(2, stats.GetProperty("shards").EnumerateArray().Sum(s => s.GetProperty("refused").GetInt32()));
        Assert.Equal(app.Supervisor.ShardCount, stats.GetProperty("connections").GetInt32());
        var metrics = await app.Client.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Contains("optionstracker_refused_topics 2", metrics);

        // After a drop, the connections come back live and the snapshot is read again: the refused topics block neither.
        var restRequests = simulator.RestRequestsReceived;
        simulator.Faults.DropAllConnections();
        await Eventually.Until(() => app.Report.Reconnects >= app.Supervisor.ShardCount, "every connection to reconnect");
        await Eventually.Until(() => app.Report is { State: FeedState.Degraded, RefusedTopics: 2 } report
            && report.Shards.All(s => s.State == OptionsTracker.Feed.ShardState.Live), "every connection live again");
        await Eventually.Until(() => simulator.RestRequestsReceived > restRequests, "the ticker snapshot to be read again");
    }

    [Fact]
    public async Task After_an_outage_every_option_moves_again_within_seconds_of_the_exchange_answering()
    {
        await using var simulator = await Simulator("BTC", "ETH", "SOL");
        // Production backoff (1 s doubling to 60 s) and probe (at most 2 s), so the figures mean something.
        await using var app = await TrackerApp.StartAsync(simulator, new Dictionary<string, string?>
        {
            ["Bybit:ReconnectDelay"] = "00:00:01",
            ["Bybit:MaxReconnectDelay"] = "00:01:00",
            ["Bybit:MaxProbeDelay"] = "00:00:02",
        });
        await app.WaitForFullBoardAsync();
        var shards = app.Supervisor.ShardCount;
        var openedBefore = simulator.ConnectionsOpened;

        // The exchange goes away: every connection dropped, every new one refused, for several probe rounds.
        var outage = Stopwatch.StartNew();
        simulator.Faults.RejectNewConnections = true;
        simulator.Faults.DropAllConnections();
        await Eventually.Until(() => simulator.ConnectionsRejected >= shards + 6, "several rounds of refused connections");
        await Eventually.Until(() => app.Report.SubscribedTopics == 0, "no topic counted while no connection is up");
        var rejected = simulator.ConnectionsRejected;
        var outageLength = outage.Elapsed;

        var restoredAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var recovery = Stopwatch.StartNew();
        simulator.Faults.RejectNewConnections = false;
        TimeSpan? firstConnection = null, allLive = null;
        await Eventually.Until(() =>
        {
            firstConnection ??= simulator.ConnectionCount > 0 ? recovery.Elapsed : null;
            allLive ??= app.Report.Shards.All(s => s.State == OptionsTracker.Feed.ShardState.Live) ? recovery.Elapsed : null;
            return app.Book.Index.All.All(s => s.ReadQuote().ReceivedAtMs > restoredAtMs);
        }, "every option to update after the exchange answers again", 30);
        var everyOptionMoved = recovery.Elapsed;
        await Eventually.Until(() => app.Report.State == FeedState.Live, "the feed to be live");

        Print($"outage {outageLength.TotalSeconds:0.0} s with {rejected} refused connection attempts over {shards} shards");
        Print($"after the exchange answered: first connection {firstConnection?.TotalSeconds:0.00} s, all {shards} shards live {allLive?.TotalSeconds:0.00} s, "
            + $"every one of {app.Book.Index.Count} options updated {everyOptionMoved.TotalSeconds:0.00} s; {simulator.ConnectionsOpened - openedBefore} connections opened");
        Assert.Equal(shards, simulator.ConnectionCount);
        // Bybit allows 500 new connections per 5 minutes: the outage and the recovery used a small part of that.
        Assert.True(rejected + simulator.ConnectionsOpened - openedBefore < 500);
    }

    [Fact]
    public async Task Adding_and_removing_a_coin_then_cutting_the_feed_ends_healthy()
    {
        await using var simulator = await Simulator("BTC", "ETH", "SOL");
        await using var app = await TrackerApp.StartAsync(simulator.RestUrl, simulator.WsUrl, ["BTC", "SOL"], simulator: simulator);
        var assets = app.Services.GetRequiredService<TrackedAssets>();
        var btcSol = simulator.GetInstruments("BTC").Count + simulator.GetInstruments("SOL").Count;
        await Eventually.Until(() => app.Report is { State: FeedState.Live } report && report.SubscribedTopics == btcSol, "BTC and SOL live");
        var shardsBefore = app.Supervisor.ShardCount;

        await assets.AddAsync("ETH", TestContext.Current.CancellationToken);
        await Eventually.Until(() => app.Report is { State: FeedState.Live } report && report.SubscribedTopics == simulator.InstrumentCount,
            "ETH added and live", 60);
        var shardsWithEth = app.Supervisor.ShardCount;
        Assert.True(shardsWithEth > shardsBefore);
        await assets.RemoveAsync("ETH", TestContext.Current.CancellationToken);
        await Eventually.Until(() => app.Supervisor.TopicCount == btcSol && simulator.Connections.Sum(c => c.SubscribedTopicCount) == btcSol,
            "ETH unsubscribed");
        // Connections left with no topic are closed, not kept waiting for topics that will never come.
        await Eventually.Until(() => simulator.ConnectionCount == app.Supervisor.ShardCount, "the emptied connections to close");
        Assert.All(app.Report.Shards, s => Assert.True(s.AssignedTopics > 0, $"shard {s.Id} has no topic"));

        // Cut the feed for a few probe rounds, then let it back.
        simulator.Faults.RejectNewConnections = true;
        simulator.Faults.DropAllConnections();
        await Eventually.Until(() => simulator.ConnectionsRejected >= 3, "the cut to be noticed");
        simulator.Faults.RejectNewConnections = false;

        await Eventually.Until(async () => (await HealthAsync(app)).State == "Healthy", "the feed to be healthy again", 30);
        var report = app.Report;
        Assert.Equal(FeedState.Live, report.State);
        Assert.Equal(report.Shards.Count, report.LiveConnections);
        Assert.Equal(btcSol, report.SubscribedTopics);
        Print($"shards: {shardsBefore} for BTC and SOL, {shardsWithEth} with ETH, {report.Shards.Count} after removing ETH");
    }

    [Fact]
    public async Task Stats_and_metrics_count_no_subscription_on_connections_that_are_down()
    {
        await using var simulator = await Simulator();
        await using var app = await TrackerApp.StartAsync(simulator, new Dictionary<string, string?> { ["Bybit:MaxTopicsPerConnection"] = "300" });
        await app.WaitForFullBoardAsync();

        simulator.Faults.RejectNewConnections = true;
        simulator.Faults.DropAllConnections();
        await Eventually.Until(() => app.Report.LiveConnections == 0 && simulator.ConnectionsRejected >= 2, "every connection down");

        var stats = await GetJsonAsync(app, "/api/stats");
        Assert.Equal(0, stats.GetProperty("connections").GetInt32());
        Assert.Equal(0, stats.GetProperty("subscribed_topics").GetInt32());
        Assert.Equal(simulator.InstrumentCount, stats.GetProperty("total_topics").GetInt32());
        Assert.All(stats.GetProperty("shards").EnumerateArray(), s => Assert.Equal(0, s.GetProperty("subscribed").GetInt32()));
        var metrics = await app.Client.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Contains("optionstracker_subscribed_topics 0", metrics);
        Assert.Contains("optionstracker_connections 0", metrics);

        simulator.Faults.RejectNewConnections = false;
        await Eventually.Until(() => app.Report.State == FeedState.Live && app.Report.SubscribedTopics == simulator.InstrumentCount, "the feed back");
    }
}
