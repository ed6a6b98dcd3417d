using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Book;
using OptionsTracker.Bybit;
using OptionsTracker.Feed;
using OptionsTracker.Simulator;
using OptionsTracker.Tape;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Tape;

/// <summary>
/// The tracker's trade feed over real sockets against the simulator (publicTrade on the option stream, recent-trade over
/// REST, blocks on the RFQ stream): every trade the simulator emitted is on the tape once, in its order, with its fields,
/// including those made while the connection was down; duplicates and malformed messages change nothing of that.
/// </summary>
public class BybitTradeFeedEndToEndTests
{
    private const string Coin = "BTC";

    private static Task<BybitSimulator> StartSimulatorAsync() =>
        BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = [Coin], TargetInstrumentCount = 120 }, TestContext.Current.CancellationToken);

    private static Dictionary<string, string?> Settings(BybitSimulator simulator, Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Tape:Enabled"] = "true",
            ["Bybit:RfqWsUrl"] = simulator.RfqWsUrl.AbsoluteUri,
            // Generous: a busy test machine may deliver the RFQ message late; only blocks wait for it.
            ["Bybit:BlockTradeWait"] = "00:00:10",
        };
        foreach (var (key, value) in more ?? [])
            settings[key] = value;
        return settings;
    }

    private sealed record Tracker(TrackerApp App, TradeTape Tape, BybitTradeFeed Feed) : IAsyncDisposable
    {
        public IReadOnlyList<Trade> OnTape => Tape.After(Coin, 0);

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    /// <summary>The tracker, once its trade topic is subscribed, its first backfill read and (when asked) its RFQ stream live.</summary>
    private static async Task<Tracker> StartTrackerAsync(BybitSimulator simulator, Dictionary<string, string?>? more = null, bool rfq = true)
    {
        var app = await TrackerApp.StartAsync(simulator, Settings(simulator, more));
        var tracker = new Tracker(app, app.Services.GetRequiredService<TradeTape>(), app.Services.GetRequiredService<BybitTradeFeed>());
        await Eventually.Until(() => tracker.Feed.GetStatus() is { Recoveries: > 0, Recovering.Count: 0 },
            "the BTC trade topic subscribed and its first backfill read");
        if (rfq)
            await Eventually.Until(() => tracker.Feed.GetStatus().RfqStream?.State == ShardState.Live, "the RFQ stream subscribed");
        return tracker;
    }

    /// <summary>Waits until the tape holds every trade the simulator emitted, then checks each is there once, in order, as emitted.</summary>
    private static async Task AssertTapeIsWhatWasEmittedAsync(Tracker tracker, BybitSimulator simulator)
    {
        var emitted = simulator.EmittedTrades(Coin);
        await Eventually.Until(() => tracker.OnTape.Select(t => t.Id).ToHashSet().IsSupersetOf(emitted.Select(t => t.Id)),
            $"the {emitted.Count} emitted trades on the tape");
        var tape = tracker.OnTape;
        Assert.Equal(emitted.Select(t => t.Id), tape.Select(t => t.Id));
        Assert.Equal(Enumerable.Range(1, tape.Count).Select(i => (long)i), tape.Select(t => t.Sequence));
        foreach (var (expected, trade) in emitted.Zip(tape))
        {
            Assert.Equal((expected.Symbol, expected.TimeMs, expected.Side, expected.Size, expected.Price),
                (trade.Symbol, trade.TimeMs, trade.Side.ToString(), trade.Size, trade.Price));
            Assert.Equal((expected.Iv, expected.MarkIv, expected.MarkPrice, expected.IndexPrice, expected.Sequence),
                (trade.Iv, trade.MarkIv, trade.MarkPrice, trade.IndexPrice, trade.ExchangeSequence));
            Assert.Equal((expected.IsBlock, expected.BlockId), (trade.IsBlock, trade.BlockId));
            Assert.True(BybitSymbol.TryParse(expected.Symbol, out var parsed));
            Assert.Equal((Coin, parsed.Strike, parsed.Type), (trade.BaseCoin, trade.Strike, trade.Type));
            // Greeks at trade time: formed, with the sign of the option's delta.
            Assert.True(double.IsFinite(trade.Delta) && double.IsFinite(trade.Gamma) && double.IsFinite(trade.Vega), trade.Id);
            Assert.True(trade.Type == OptionType.Call ? trade.Delta > 0 : trade.Delta < 0, trade.Id);
        }
    }

    [Fact]
    public async Task Every_emitted_trade_and_block_reaches_the_tape_once_in_order_with_its_fields()
    {
        await using var simulator = await StartSimulatorAsync();
        // Made before the tracker starts: the start's backfill brings them.
        simulator.EmitTrades(Coin, 5);
        await using var tracker = await StartTrackerAsync(simulator);

        simulator.EmitTrades(Coin, 40);
        var block = simulator.EmitBlock(Coin, 3);
        // A sell at the touch needs a bid: the first option quoting one (a far wing may have none).
        Assert.True(simulator.GetInstruments(Coin).Any(i => TrySell(simulator, i.Symbol)), "no option of the coin has a bid");
        simulator.EmitTrades(Coin, 10);

        await AssertTapeIsWhatWasEmittedAsync(tracker, simulator);
        var legs = tracker.OnTape.Where(t => t.IsBlock).ToList();
        Assert.Equal(block.Legs.Select(l => l.Id), legs.Select(l => l.Id));
        Assert.All(legs, l => Assert.Equal(block.RfqId, l.BlockId));
        var status = tracker.Feed.GetStatus();
        Assert.Equal((0L, 0L, 3L), (status.Gaps, status.Malformed, status.BlockLegsMatched));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"stream {status.ReceivedFromStream}, rest {status.ReceivedFromRest}, appended {status.Appended}, duplicates {status.Duplicates}");
    }

    [Fact]
    public async Task Trades_made_while_the_connection_was_down_reach_the_tape_after_the_reconnect_in_order()
    {
        await using var simulator = await StartSimulatorAsync();
        await using var tracker = await StartTrackerAsync(simulator, rfq: false);
        simulator.EmitTrades(Coin, 10);
        await Eventually.Until(() => tracker.OnTape.Count == 10, "the first trades on the tape");
        var recoveries = tracker.Feed.GetStatus().Recoveries;

        simulator.Faults.RejectNewConnections = true;
        simulator.Faults.DropAllConnections();
        await Eventually.Until(() => tracker.App.Supervisor.GetStatus(out _).All(s => s.State != ShardState.Live), "the tracker to see its connections gone");
        simulator.EmitTrades(Coin, 25);
        simulator.EmitTrades(Coin, 5);
        simulator.Faults.RejectNewConnections = false;
        await Eventually.Until(() => tracker.Feed.GetStatus() is var s && s.Recoveries > recoveries && s.Recovering.Count == 0,
            "the trade topic subscribed again and its backfill read");
        simulator.EmitTrades(Coin, 10);

        await AssertTapeIsWhatWasEmittedAsync(tracker, simulator);
        var status = tracker.Feed.GetStatus();
        // The 30 made while no connection was open can only have come from the backfill.
        Assert.True(status.ReceivedFromRest >= 30, $"{status.ReceivedFromRest} trades read from REST");
        Assert.Equal(0, status.Gaps);
    }

    [Fact]
    public async Task Trades_sent_twice_and_malformed_trade_messages_leave_every_trade_on_the_tape_once()
    {
        await using var simulator = await StartSimulatorAsync();
        await using var tracker = await StartTrackerAsync(simulator);

        simulator.Faults.SendTradesTwice(6);
        for (var i = 0; i < 6; i++)
            simulator.EmitTrades(Coin, 2);
        simulator.Faults.SendMalformedTrades(3);
        simulator.EmitTrades(Coin, 4);
        simulator.EmitBlock(Coin, 2);

        await AssertTapeIsWhatWasEmittedAsync(tracker, simulator);
        await Eventually.Until(() => tracker.Feed.GetStatus().Duplicates >= 12, "the repeated trades counted as duplicates");
        await Eventually.Until(() => tracker.App.Supervisor.GetStatus(out var totals) is var _ && totals.Malformed + tracker.Feed.GetStatus().Malformed >= 3,
            "the malformed trade messages counted");
        Assert.Equal(tracker.OnTape.Count, tracker.OnTape.Select(t => t.Id).Distinct().Count());
    }

    [Fact]
    public async Task With_the_tape_off_no_trade_topic_or_rfq_stream_is_subscribed_and_the_tape_stays_empty()
    {
        await using var simulator = await StartSimulatorAsync();
        await using var app = await TrackerApp.StartAsync(simulator, Settings(simulator, new() { ["Tape:Enabled"] = "false" }));
        var tape = app.Services.GetRequiredService<TradeTape>();
        var expected = simulator.InstrumentCount;
        // Every ticker topic acknowledged: the connections carry those, and nothing else.
        await Eventually.Until(() => app.Book.Index.Count == expected && app.Supervisor.GetStatus(out _).Sum(s => s.SubscribedTopics) == expected,
            "every ticker topic subscribed");
        Assert.Equal(expected, app.Supervisor.TopicCount);
        Assert.Equal(expected, simulator.Connections.Sum(c => c.SubscribedTopicCount));
        Assert.Equal(app.Supervisor.ShardCount, simulator.ConnectionCount);

        simulator.EmitTrades(Coin, 5);
        // A barrier: a ticker change sent after the trades has reached the book, so the trades would have too.
        var symbol = simulator.GetInstruments(Coin)[0].Symbol;
        simulator.SetMarkPrice(symbol, 1234.5);
        await Eventually.Until(() => app.Book.Index.TryGetSlot(Venue.Bybit, symbol, out var slot) && slot.ReadQuote().MarkPrice == 1234.5,
            "the ticker sent after the trades in the book");

        Assert.Empty(tape.Coins);
        Assert.Equal(0, simulator.TradeMessagesSent);
    }

    private static bool TrySell(BybitSimulator simulator, string symbol)
    {
        try
        {
            simulator.EmitTrade(symbol, "Sell");
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
