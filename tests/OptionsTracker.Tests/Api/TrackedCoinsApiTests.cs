using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Feed;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Api;

/// <summary>The API answers for the coins the feed and the dashboard track (one set), not for the configured ones.</summary>
public sealed class TrackedCoinsApiTests
{
    [Fact]
    public async Task A_coin_added_answers_at_once_while_it_loads_and_a_disabled_or_removed_one_answers_404_like_an_unknown_one()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var simulator = await BybitSimulator.StartAsync(
            new SimulatorOptions { BaseCoins = ["BTC", "SOL"], PushInterval = TimeSpan.FromMilliseconds(200) }, cancellationToken);
        await using var app = await TrackerApp.StartAsync(simulator.RestUrl, simulator.WsUrl, ["BTC"],
            new Dictionary<string, string?> { ["Tracker:InstrumentRefreshInterval"] = "00:00:00.500" }, simulator);
        await Eventually.Until(() => app.Book.Index.Count == simulator.GetInstruments("BTC").Count, "BTC's options in the book");
        var assets = app.Services.GetRequiredService<TrackedAssets>();
        await AssertNotTrackedAsync(app, "SOL");

        // The exchange lists no SOL option for the moment, so SOL stays without options for as long as the test needs.
        simulator.Faults.EmptyInstrumentLists = true;
        Assert.True(await assets.AddAsync("SOL", cancellationToken));
        Assert.Equal(0, await TotalAsync(app, "/api/options/sol"));
        foreach (var path in (string[])["/api/expiries/SOL", "/api/summary/SOL", "/api/symbols?asset=SOL"])
        {
            using var response = await app.Client.GetAsync(path, cancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode}");
        }

        simulator.Faults.EmptyInstrumentLists = false;
        var sol = simulator.GetInstruments("SOL").Count;
        await Eventually.Until(async () => await TotalAsync(app, "/api/options/SOL") == sol, "SOL's options in the API");

        // Disabled: unknown at once, though its options may still be leaving the book.
        Assert.True(await assets.SetEnabledAsync("SOL", false, cancellationToken));
        await AssertNotTrackedAsync(app, "SOL");

        Assert.True(await assets.SetEnabledAsync("SOL", true, cancellationToken));
        Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync("/api/options/SOL", cancellationToken)).StatusCode);
        Assert.True(await assets.RemoveAsync("SOL", cancellationToken));
        await AssertNotTrackedAsync(app, "SOL");
    }

    private static async Task AssertNotTrackedAsync(TrackerApp app, string coin)
    {
        foreach (var path in (string[])[$"/api/options/{coin}", $"/api/summary/{coin}", $"/api/expiries/{coin}"])
        {
            using var response = await app.Client.GetAsync(path, TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path} answered {(int)response.StatusCode}");
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
            Assert.EndsWith("Tracked assets: BTC.", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    private static async Task<int> TotalAsync(TrackerApp app, string path)
    {
        using var response = await app.Client.GetAsync(path, TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("total").GetInt32();
    }
}
