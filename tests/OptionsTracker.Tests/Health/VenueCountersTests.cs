using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OptionsTracker.Tests.Api;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Health;

/// <summary>
/// Each venue's own message counter (issue 19), in <c>/api/stats</c> (<c>venues</c>) and <c>/metrics</c>
/// (<c>optionstracker_venue_messages_received_total{venue}</c>): what the load harness reads to give messages per second
/// per venue. Both simulators over real sockets; Deribit pushes at a third of Bybit's pace, so a counter credited to the
/// wrong venue would leave its simulator's bounds.
/// </summary>
public sealed class VenueCountersTests
{
    [Fact]
    public async Task Each_venue_counts_the_messages_its_simulator_sent_and_the_venues_sum_to_the_total()
    {
        await using var host = await TrackerApp.StartWithBothVenuesAsync(configureDeribit: o => o.PushInterval = TimeSpan.FromMilliseconds(300));
        var bybit = host.Simulator!;
        var deribit = host.Deribit!;
        using var http = host.Http();
        await Eventually.Until(() => deribit.Connections.Sum(c => c.Channels.Count(IsTicker)) == deribit.InstrumentCount
            && bybit.Connections.Sum(c => c.SubscribedTopicCount) == bybit.InstrumentCount,
            "every option of both venues subscribed", 90);

        // The tracker counts no message its simulator did not send (read the tracker first, then the simulator), and
        // every message sent before a moment is counted soon after it (nothing is dropped without a fault).
        long bybitSentBefore = bybit.TickerMessagesSent, deribitSentBefore = deribit.TickerMessagesSent;
        JsonObject stats = new();
        await Eventually.Until(async () =>
        {
            stats = (await OptionsApiTests.GetJsonAsync(http, "/api/stats")).AsObject();
            return Messages(stats, "bybit") >= bybitSentBefore && Messages(stats, "deribit") >= deribitSentBefore;
        }, "both venues' counters past what their simulators had sent", 60);
        long bybitSentAfter = bybit.TickerMessagesSent, deribitSentAfter = deribit.TickerMessagesSent;

        TestContext.Current.TestOutputHelper?.WriteLine($"Bybit {Messages(stats, "bybit")} counted of {bybitSentBefore}..{bybitSentAfter} sent; "
            + $"Deribit {Messages(stats, "deribit")} of {deribitSentBefore}..{deribitSentAfter}");
        Assert.InRange(Messages(stats, "bybit"), bybitSentBefore, bybitSentAfter);
        Assert.InRange(Messages(stats, "deribit"), deribitSentBefore, deribitSentAfter);
        var venues = stats["venues"]!.AsArray();
        Assert.Equal(["bybit", "deribit"], venues.Select(v => (string)v!["venue"]!).ToArray());
        Assert.Equal((long)stats["messages_processed"]!, venues.Sum(v => (long)v!["messages_processed"]!));
        Assert.Equal((int)stats["subscribed_topics"]!, venues.Sum(v => (int)v!["subscribed_topics"]!));
        Assert.Equal((int)stats["connections"]!, venues.Sum(v => (int)v!["connections"]!));
        Assert.Equal(bybit.InstrumentCount, (int)Venue(stats, "bybit")["subscribed_topics"]!);
        // Deribit's topics are its tickers and the listings channel of each currency (instrument.state.option.{currency}).
        Assert.Equal(deribit.Connections.Sum(c => c.Channels.Count(ch => IsTicker(ch) || ch.StartsWith("instrument.state.", StringComparison.Ordinal))),
            (int)Venue(stats, "deribit")["subscribed_topics"]!);
        Assert.All(venues, v => Assert.Equal(0, (long)v!["malformed_messages"]!));

        // /metrics reads one report per scrape: the venues' series sum to the total's.
        var text = await host.Client.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        var bybitSeries = Value(text, "optionstracker_venue_messages_received_total{venue=\"bybit\"}");
        var deribitSeries = Value(text, "optionstracker_venue_messages_received_total{venue=\"deribit\"}");
        Assert.True(bybitSeries >= Messages(stats, "bybit") && deribitSeries >= Messages(stats, "deribit"), "a counter went backwards");
        Assert.Equal(Value(text, "optionstracker_messages_received_total"), bybitSeries + deribitSeries);
    }

    private static bool IsTicker(string channel) => channel.StartsWith("ticker.", StringComparison.Ordinal);

    private static JsonObject Venue(JsonObject stats, string venue) =>
        stats["venues"]!.AsArray().Single(v => (string)v!["venue"]! == venue)!.AsObject();

    private static long Messages(JsonObject stats, string venue) => (long)Venue(stats, venue)["messages_processed"]!;

    private static double Value(string exposition, string series)
    {
        var match = Regex.Match(exposition, "^" + Regex.Escape(series) + @" (\S+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"{series} is not exposed");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
