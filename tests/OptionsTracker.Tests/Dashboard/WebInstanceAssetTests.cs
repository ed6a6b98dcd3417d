using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Bybit;
using OptionsTracker.Dashboard;
using OptionsTracker.Feed;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;
using OptionsTracker.Tests.Store;

namespace OptionsTracker.Tests.Dashboard;

/// <summary>A web instance never talks to an exchange: a coin added on its page is saved for the active collector to check.</summary>
public class WebInstanceAssetTests
{
    [Fact]
    public async Task A_coin_added_on_a_web_instance_is_saved_unchecked_and_the_collector_reports_a_coin_without_options()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = ["BTC", "SOL"] }, TestContext.Current.CancellationToken);
        var trackBtc = new Dictionary<string, string?> { ["Tracker:Assets"] = "BTC" };
        await using var collector = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "collector").With(trackBtc));
        await Eventually.Until(() => collector.Book.Index.Count == simulator.GetInstruments("BTC").Count, "the collector to load BTC");
        await using var web = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "web").With(trackBtc));
        var webAssets = web.Services.GetRequiredService<TrackedAssets>();
        await Eventually.Until(() => webAssets.Location.StartsWith("Redis", StringComparison.Ordinal), "the web instance to use the shared set");

        // Nothing on the web instance can call an exchange.
        Assert.Empty(web.Services.GetServices<IVenue>());
        Assert.Null(web.Services.GetService<BybitRestClient>());
        var editor = web.Services.CreateScope().ServiceProvider.GetRequiredService<AssetEditor>();
        Assert.False(editor.ChecksWithExchange);

        // A coin the exchange lists: saved, and the collector subscribes it.
        Assert.Null(await editor.AddAsync("sol", TestContext.Current.CancellationToken));
        await Eventually.Until(() => collector.Supervisor.TopicCount == simulator.InstrumentCount, "the collector to subscribe SOL");
        await Eventually.Until(() => web.Book.Index.TryGetCoin("SOL", out _), "SOL to reach the web instance");

        // A coin it does not list: saved too (the web instance cannot know), and the collector says so in health,
        // which the web instance shows as the collector's verdict.
        Assert.Null(await editor.AddAsync("doge", TestContext.Current.CancellationToken));
        Assert.Contains("DOGE", webAssets.Enabled);
        await Eventually.Until(() => collector.Services.GetRequiredService<FeedStatus>().Coins.GetValueOrDefault("DOGE") == CoinLoadState.NoOptions,
            "the collector to find no DOGE options");
        await Eventually.Until(() => web.Report.Reason.Contains("Bybit lists no options for DOGE", StringComparison.Ordinal),
            "the web instance's health to name DOGE", timeoutSeconds: 60);
    }
}
