using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Feed;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Store;

public sealed class TrackedCoinsFrozenRedisTests
{
    [Fact]
    public async Task A_change_stuck_on_a_frozen_redis_holds_up_neither_the_dashboard_nor_the_api_nor_a_read_of_the_coins()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var redis = await RedisServer.StartAsync();
        await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = ["BTC", "SOL"] }, cancellationToken);
        // The client waits a minute for a frozen server, longer than the bound below: a reader held up by the save
        // would fail the bound, however fast the machine.
        var settings = RedisTestSettings.For($"{redis.Endpoint},asyncTimeout=60000,syncTimeout=60000", "web").With(new Dictionary<string, string?>
        {
            ["Tracker:Assets"] = "BTC",
            ["Store:CommandTimeout"] = "00:01:00",
        });
        await using var web = await TrackerApp.StartAsync(simulator, settings);
        var assets = web.Services.GetRequiredService<TrackedAssets>();
        await Eventually.Until(() => assets.Location.StartsWith("Redis", StringComparison.Ordinal), "the shared set in use");

        // SIGSTOP: connections stay open and nothing answers.
        await redis.SignalAsync("STOP");
        Task<bool> save;
        try
        {
            save = assets.AddAsync("SOL", cancellationToken);
            var frozenAt = TimeProvider.System.GetTimestamp();
            var bound = TimeSpan.FromSeconds(30);
            using var page = await web.Client.GetAsync("/", cancellationToken).WaitAsync(bound, cancellationToken);
            using var api = await web.Client.GetAsync("/api/options/BTC", cancellationToken).WaitAsync(bound, cancellationToken);
            var enabled = assets.Enabled;
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"page and API answered {TimeProvider.System.GetElapsedTime(frozenAt).TotalMilliseconds:F0} ms into the stuck save");

            Assert.False(save.IsCompleted, $"the save waits for Redis (it ended: {save.Status} {save.Exception?.InnerException})");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal(HttpStatusCode.OK, api.StatusCode);
            // Not saved yet, so not made yet.
            Assert.Equal(["BTC"], enabled);
        }
        finally
        {
            await redis.SignalAsync("CONT");
        }

        Assert.True(await save);
        Assert.True(assets.IsEnabled("SOL"));
        Assert.Contains("\"SOL\"", (string?)await (await redis.DatabaseAsync()).StringGetAsync("config:assets"), StringComparison.Ordinal);
    }
}
