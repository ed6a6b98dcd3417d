using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Deribit;
using OptionsTracker.Feed;
using OptionsTracker.Simulator.Deribit;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Deribit;

/// <summary>
/// Listings and closes announced on <c>instrument.state.option.{currency}</c>, against the Deribit simulator over real
/// sockets: with the periodic refresh an hour away and get_instruments answers reused for the default 10 s, an option the
/// simulator lists is served by <c>/api/options</c> within seconds, and one it closes leaves, without any connection
/// reconnecting.
/// </summary>
public sealed class DeribitInstrumentStateTests
{
    [Fact]
    public async Task A_listing_and_a_close_announced_on_instrument_state_reach_the_api_without_a_refresh_or_reconnect()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var simulator = await DeribitSimulator.StartAsync(new DeribitSimulatorOptions
        {
            BaseCoins = ["BTC", "ETH"],
            TargetInstrumentCount = 60,
        }, cancellationToken);
        await using var app = await DeribitFixtures.StartDeribitOnlyAsync(simulator, new Dictionary<string, string?>
        {
            // Far away: only the announcement can bring the listing in time.
            ["Tracker:InstrumentRefreshInterval"] = "01:00:00",
            ["Deribit:ReconnectDelay"] = "00:00:00.050",
            ["Deribit:RestRetryDelay"] = "00:00:00.050",
        });
        var venue = app.Services.GetRequiredService<DeribitVenue>();
        var states = app.Services.GetRequiredService<DeribitInstrumentStates>();
        var expected = simulator.GetInstruments().Select(i => i.InstrumentName).ToHashSet(StringComparer.Ordinal);
        await Eventually.Until(() =>
        {
            var status = venue.GetStatus();
            return expected.All(n => app.Book.Index.TryGetSlot(DeribitVenue.Id, n, out var slot) && slot.ReadQuote().HasData)
                && status.Connections.Count > 0 && status.Connections.All(c => c.State == ShardState.Live)
                && status.Connections.Sum(c => c.SubscribedTopics) == status.Topics;
        }, "the board loaded, quoted and subscribed (instrument.state channels included)", 120);
        // Both currencies' state channels are held with the tickers.
        Assert.Equal(expected.Count + 2, venue.GetStatus().Topics);
        var reconnects = venue.GetStatus().Connections.Sum(c => c.Reconnects);

        using var http = app.Http();
        var listedAt = TimeProvider.System.GetTimestamp();
        var listed = simulator.ListNewInstrument("BTC");
        await Eventually.Until(async () => (await SymbolsAsync(http, "BTC", cancellationToken)).Contains(listed),
            $"{listed} served by /api/options/BTC?venue=deribit", 60);
        var listedIn = TimeProvider.System.GetElapsedTime(listedAt);
        await Eventually.Until(() => app.Book.Index.TryGetSlot(DeribitVenue.Id, listed, out var slot) && slot.ReadQuote().HasData,
            $"{listed} quoted by its ticker", 60);
        Assert.Contains(simulator.StateChanges, c => c.InstrumentName == listed && c.State == "created");

        var closed = simulator.GetInstruments().First(i => i.BaseCurrency == "ETH").InstrumentName;
        Assert.Contains(closed, await SymbolsAsync(http, "ETH", cancellationToken));
        var closedAt = TimeProvider.System.GetTimestamp();
        simulator.CloseInstrument(closed);
        await Eventually.Until(async () => !(await SymbolsAsync(http, "ETH", cancellationToken)).Contains(closed),
            $"{closed} gone from /api/options/ETH?venue=deribit", 60);
        var closedIn = TimeProvider.System.GetElapsedTime(closedAt);
        await Eventually.Until(() => !venue.GetStatus().Connections.Any(c => c.RefusedTopics.Contains(DeribitConnections.TickerChannel(closed)))
            && venue.GetStatus().Topics == expected.Count + 2, "the closed option's ticker channel dropped, the listed one's held", 60);

        Assert.Equal(reconnects, venue.GetStatus().Connections.Sum(c => c.Reconnects));
        Assert.True(states.Notices >= 2, $"notices read: {states.Notices}");
        Console.WriteLine($"listing served after {listedIn.TotalMilliseconds:F0} ms, close after {closedIn.TotalMilliseconds:F0} ms; " +
            $"instrument.state notices read: {states.Notices}; reconnects: {reconnects}");
    }

    [Theory]
    [InlineData("""{"timestamp":1,"state":"created","instrument_name":"BTC-6JAN26-70000-C"}""", true, "created", "BTC-6JAN26-70000-C")]
    [InlineData("""{"instrument_name":"SOL_USDC-6JAN26-200-P","state":"closed","timestamp":1}""", true, "closed", "SOL_USDC-6JAN26-200-P")]
    [InlineData("""{"timestamp":1,"state":"created"}""", false, "", "")]
    [InlineData("""{"timestamp":1,"state":7,"instrument_name":"BTC-6JAN26-70000-C"}""", false, "", "")]
    [InlineData("""[1,2]""", false, "", "")]
    [InlineData("""{"state":"created","instrument_name":""", false, "", "")]
    public void A_notice_is_read_or_refused_whole(string data, bool readable, string state, string name)
    {
        Assert.Equal(readable, DeribitInstrumentStates.TryRead(System.Text.Encoding.UTF8.GetBytes(data), out var readState, out var readName));
        Assert.Equal(state, readState);
        Assert.Equal(name, readName);
    }

    private static async Task<HashSet<string>> SymbolsAsync(HttpClient http, string asset, CancellationToken cancellationToken)
    {
        using var document = await http.GetFromJsonAsync<JsonDocument>($"/api/options/{asset}?venue=deribit&fields=symbol", cancellationToken);
        return document!.RootElement.GetProperty("data").EnumerateArray()
            .Select(item => item.GetProperty("symbol").GetString()!).ToHashSet(StringComparer.Ordinal);
    }
}
