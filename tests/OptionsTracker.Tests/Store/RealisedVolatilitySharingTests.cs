using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OptionsTracker.Bybit;
using OptionsTracker.Measures;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;
using StackExchange.Redis;

namespace OptionsTracker.Tests.Store;

/// <summary>
/// With Redis, only the collector asks Bybit for the realised volatility; it shares the values through
/// <c>analytics:hv:{coin}</c> and a web instance reads them, so <c>hv</c> is the same on every instance.
/// </summary>
public class RealisedVolatilitySharingTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_web_instance_never_asks_Bybit_and_serves_the_collectors_realised_volatility()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var simulator = await BybitSimulator.StartAsync(
            new SimulatorOptions { BaseCoins = ["BTC", "SOL"], TargetInstrumentCount = 200 }, Cancel);

        // The web instance first, alone: no poller there, and no request reaches the exchange while it runs.
        await using var web = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "web"));
        Assert.DoesNotContain(web.Services.GetServices<IHostedService>(), s => s is RealisedVolatilityPoller);
        using (var health = await web.Client.GetAsync("/health", Cancel))
            TestContext.Current.TestOutputHelper?.WriteLine($"web up: /health {(int)health.StatusCode}");
        Assert.Equal(0, simulator.HistoricalVolatilityRequestsReceived);

        await using var collector = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "collector"));
        var collected = collector.Services.GetRequiredService<RealisedVolatility>();
        var served = web.Services.GetRequiredService<RealisedVolatility>();
        await Eventually.Until(() => collected.Get("BTC").Count == 8 && collected.Get("SOL").Count == 6, "the collector's realised volatility");
        await Eventually.Until(() => served.Get("BTC").SequenceEqual(collected.Get("BTC")) && served.Get("SOL").SequenceEqual(collected.Get("SOL")),
            "the web instance to read the same values");

        // In Redis: one small hash per coin, a value and a time per period.
        using (var admin = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint))
        {
            var hash = await admin.GetDatabase().HashGetAllAsync("analytics:hv:BTC");
            Assert.Equal(16, hash.Length);
            var seven = collected.Get("BTC").Single(p => p.PeriodDays == 7);
            Assert.Equal(seven.Value, (double)hash.Single(e => e.Name == "7").Value);
            Assert.Equal(seven.Time.ToUnixTimeMilliseconds(), (long)hash.Single(e => e.Name == "7_time").Value);
        }

        // Both instances answer the same hv per period (and, where the web board has the tenor, the same premium over it).
        await Eventually.Until(() => web.Book.Index.Count == simulator.InstrumentCount, "the web instance's board");
        var fromWeb = await HvAsync(web, "BTC");
        var fromCollector = await HvAsync(collector, "BTC");
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", fromWeb.Select(p => $"{p.Key}d {p.Value}")));
        Assert.Equal(8, fromWeb.Count);
        Assert.Equal(fromCollector, fromWeb);
        var term = JsonNode.Parse(await web.Client.GetStringAsync("/api/analytics/BTC/term", Cancel))!;
        Assert.NotEmpty(term["tenors"]!.AsArray());
        Assert.All(term["tenors"]!.AsArray(), t => Assert.Equal(fromWeb[(int)(double)t!["tenor_days"]!], (double?)t["hv"]));
    }

    private static async Task<Dictionary<int, double?>> HvAsync(TrackerApp app, string coin)
    {
        var json = JsonNode.Parse(await app.Client.GetStringAsync($"/api/analytics/{coin}/volatility", Cancel))!;
        return json["data"]!.AsArray().ToDictionary(i => (int)i!["period_days"]!, i => (double?)i!["hv"]);
    }
}
