using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Book;
using OptionsTracker.Simulator;
using OptionsTracker.Store;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Store;

/// <summary>
/// A web instance is honest about the data it serves: stale once the collector's last update is older than
/// Tracker:StaleAfter, its board kept (marked stale) when Redis comes back empty, not ready with nothing to serve.
/// </summary>
public class WebInstanceStalenessTests
{
    private static readonly Dictionary<string, string?> ShortStaleLimit = new()
    {
        ["Tracker:StaleAfter"] = "00:00:02",
        // Full loads every second, so a test sees the resync that used to drop the board without waiting a minute.
        ["Store:ResyncInterval"] = "00:00:01",
    };

    private static Task<BybitSimulator> Simulator() =>
        BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = ["SOL"], PushInterval = TimeSpan.FromMilliseconds(200) },
            TestContext.Current.CancellationToken);

    [Fact]
    public async Task Web_instance_goes_stale_when_the_collector_stops_and_keeps_serving_its_board()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var simulator = await Simulator();
        var collector = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "collector"));
        await using var web = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "web").With(ShortStaleLimit));
        try
        {
            await WaitForLiveBoardAsync(web, simulator.InstrumentCount);
        }
        finally
        {
            // Stopped: no more stats, no more writes. Its last stats stay in Redis.
            await collector.DisposeAsync();
        }
        var stoppedAt = TimeProvider.System.GetTimestamp();

        await Eventually.Until(async () => await FeedStateAsync(web) == "stale", "the web instance to report its data stale");
        TestContext.Current.TestOutputHelper?.WriteLine($"stale {TimeProvider.System.GetElapsedTime(stoppedAt).TotalSeconds:0.0} s after the collector stopped (limit 2 s)");

        var health = await HealthAsync(web, "/health");
        Assert.Equal("Degraded", health.Status);
        Assert.Contains("the collector's last update was", health.Reason, StringComparison.Ordinal);
        Assert.Contains($"serving the last known board of {simulator.InstrumentCount} options", health.Reason, StringComparison.Ordinal);
        // Stale data is still data: ready, and the board is whole.
        Assert.Equal(HttpStatusCode.OK, (await HealthAsync(web, "/health/ready")).Code);
        Assert.Equal(simulator.InstrumentCount, web.Book.Index.Count);
    }

    [Fact]
    public async Task Redis_restarted_empty_keeps_the_web_board_marked_stale_until_a_collector_writes_again()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var simulator = await Simulator();
        var first = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "collector"));
        await using var web = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "web").With(ShortStaleLimit));
        try
        {
            await WaitForLiveBoardAsync(web, simulator.InstrumentCount);
        }
        finally
        {
            await first.DisposeAsync();
        }
        var reader = web.Services.GetRequiredService<RedisReader>();
        var store = web.Services.GetRequiredService<IOptionStore>();

        // Killed and back without persistence: an empty Redis, and nobody collecting.
        await redis.StopAsync();
        await redis.StartAgainAsync();
        var loads = reader.FullLoads;
        await Eventually.Until(() => reader.FullLoads > loads + 1, "the web instance to read the empty Redis (twice)");

        Assert.Equal(simulator.InstrumentCount, web.Book.Index.Count);
        Assert.Contains("Redis has no board", store.Problem, StringComparison.Ordinal);
        await Eventually.Until(async () => await FeedStateAsync(web) == "stale", "the kept board to be reported stale");
        var health = await HealthAsync(web, "/health");
        Assert.Equal("Degraded", health.Status);
        Assert.Contains("Redis has no board", health.Reason, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await HealthAsync(web, "/health/ready")).Code);

        // A collector writes again: the web instance follows it and is live.
        await using var second = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "collector"));
        var symbol = simulator.GetInstruments("SOL")[3].Symbol;
        simulator.SetMarkPrice(symbol, 77.25);
        await Eventually.Until(() => web.Book.Index.TryGetSlot(Venue.Bybit, symbol, out var slot) && slot.ReadQuote().MarkPrice == 77.25,
            "the web instance to follow the new collector", 60);
        await Eventually.Until(async () => await FeedStateAsync(web) == "live", "the web instance to be live again", 60);
        Assert.Null(store.Problem);
        Assert.Equal("Healthy", (await HealthAsync(web, "/health")).Status);
        Assert.Equal(simulator.InstrumentCount, web.Book.Index.Count);
    }

    [Fact]
    public async Task Web_instance_with_nothing_to_serve_is_not_ready_until_a_collector_fills_redis()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var simulator = await Simulator();
        await using var web = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "web").With(ShortStaleLimit));

        await Eventually.Until(async () => (await HealthAsync(web, "/health/ready")).Code == HttpStatusCode.ServiceUnavailable,
            "readiness to fail with an empty Redis");
        var ready = await HealthAsync(web, "/health/ready");
        Assert.Contains("nothing to serve", ready.Reason, StringComparison.Ordinal);
        Assert.NotEqual("live", await FeedStateAsync(web));

        await using var collector = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "collector"));
        await WaitForLiveBoardAsync(web, simulator.InstrumentCount);
        Assert.Equal(HttpStatusCode.OK, (await HealthAsync(web, "/health/ready")).Code);
    }

    private static async Task WaitForLiveBoardAsync(TrackerApp web, int expected) =>
        await Eventually.Until(async () => web.Book.Index.Count == expected && await FeedStateAsync(web) == "live",
            $"the web instance to serve all {expected} options, live", 60);

    private static async Task<string> FeedStateAsync(TrackerApp app) =>
        (await app.Client.GetFromJsonAsync<JsonElement>("/api/stats", TestContext.Current.CancellationToken)).GetProperty("feed_state").GetString()!;

    private static async Task<(HttpStatusCode Code, string Status, string Reason)> HealthAsync(TrackerApp app, string path)
    {
        using var response = await app.Client.GetAsync(path, TestContext.Current.CancellationToken);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        return (response.StatusCode, json.GetProperty("status").GetString()!, json.GetProperty("reason").GetString() ?? "");
    }
}
