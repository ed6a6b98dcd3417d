using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Book;
using OptionsTracker.Feed;
using OptionsTracker.Health;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Feed;

/// <summary>The feed runs exchanges only through <see cref="IVenue"/>: here the real Bybit venue against the simulator.</summary>
public class VenueSeamTests
{
    [Fact]
    public async Task The_feed_runs_the_registered_venue_and_its_status_reads_through_the_seam()
    {
        await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = ["BTC", "SOL"] }, TestContext.Current.CancellationToken);
        await using var app = await TrackerApp.StartAsync(simulator);
        await app.WaitForFullBoardAsync();

        var venue = Assert.Single(app.Services.GetServices<IVenue>());
        Assert.Equal(Venue.Bybit, venue.Id);
        Assert.Equal("Bybit", venue.Name);
        Assert.Equal(simulator.RestUrl, venue.RestUrl);

        var status = venue.GetStatus();
        Assert.Equal(simulator.InstrumentCount, status.Topics);
        Assert.All(status.Connections, c => Assert.Equal(ShardState.Live, c.State));
        Assert.Equal(simulator.InstrumentCount, status.Connections.Sum(c => c.SubscribedTopics));
        Assert.Null(status.RequestError);
        Assert.Null(status.RequestsPaused);
        Assert.Empty(status.RefusedSymbols);
        Assert.True(status.Totals.Messages > 0);
        TestContext.Current.TestOutputHelper?.WriteLine($"{status.Connections.Count} connections, {status.Totals.Messages} messages");

        var sol = await venue.ListInstrumentsAsync("SOL", TestContext.Current.CancellationToken);
        Assert.Equal(simulator.GetInstruments("SOL").Select(i => i.Symbol).Order(StringComparer.Ordinal), sol.Select(i => i.Symbol).Order(StringComparer.Ordinal));
        Assert.True(await venue.ListsOptionsAsync("BTC", TestContext.Current.CancellationToken));
        Assert.False(await venue.ListsOptionsAsync("DOGE", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_tracked_coin_the_venue_lists_no_options_for_is_named_in_health_while_the_others_are_served()
    {
        await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = ["BTC"] }, TestContext.Current.CancellationToken);
        await using var app = await TrackerApp.StartAsync(simulator, new Dictionary<string, string?> { ["Tracker:Assets"] = "BTC,DOGE" });
        await app.WaitForFullBoardAsync();

        var report = app.Report;
        Assert.Equal(FeedState.Live, report.State);
        Assert.EndsWith("; Bybit lists no options for DOGE", report.Reason, StringComparison.Ordinal);
        Assert.Equal(CoinLoadState.NoOptions, app.Services.GetRequiredService<FeedStatus>().Coins["DOGE"]);
    }
}
