using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Book;
using OptionsTracker.Deribit;
using OptionsTracker.Feed;
using OptionsTracker.Simulator.Deribit;
using OptionsTracker.Tape;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Deribit;

/// <summary>
/// The Deribit venue against the Deribit simulator over real sockets, Deribit alone (Tracker:Venues=deribit): the board
/// loaded and subscribed within the limits, every field equal to its last push after normalisation, recovery after a drop,
/// after silence and after a 10028, listings and closes, and trades once each, those made while disconnected included.
/// </summary>
public sealed class DeribitFeedTests
{
    private static readonly string[] Coins = ["BTC", "ETH", "SOL"];

    private sealed class Setup : IAsyncDisposable
    {
        public required DeribitSimulator Simulator { get; init; }
        public required TrackerApp App { get; init; }
        public DeribitVenue Venue => App.Services.GetRequiredService<DeribitVenue>();
        public DeribitConnections Connections => App.Services.GetRequiredService<DeribitConnections>();

        public IReadOnlyList<DeribitInstrument> Tracked =>
            [.. Simulator.GetInstruments().Where(i => Coins.Contains(i.BaseCurrency))];

        public async ValueTask DisposeAsync()
        {
            await App.DisposeAsync();
            await Simulator.DisposeAsync();
        }
    }

    private static async Task<Setup> StartAsync(bool tape = false, double tradesPerSecond = 0)
    {
        var simulator = await DeribitSimulator.StartAsync(new DeribitSimulatorOptions
        {
            BaseCoins = ["BTC", "ETH", "SOL", "XRP"],
            TargetInstrumentCount = 240,
            // Heartbeats every 2 s, so a test sees test_requests (and would see a close for a missed answer) within seconds;
            // every half second was too tight for a loaded CI machine: an answer later than the next test_request closed a
            // connection (one reconnect where the test counts none).
            HeartbeatIntervalOverride = TimeSpan.FromSeconds(2),
            TradesPerSecond = tradesPerSecond,
            BlockEvery = 5,
        }, TestContext.Current.CancellationToken);
        try
        {
            var app = await TrackerApp.StartAsync(TrackerApp.NoExchangeRestUrl, TrackerApp.NoExchangeWsUrl, Coins, new Dictionary<string, string?>
            {
                ["Tracker:Venues"] = "deribit",
                ["Tracker:InstrumentRefreshInterval"] = "00:00:01",
                ["Deribit:RestUrl"] = simulator.RestUrl.AbsoluteUri,
                ["Deribit:WsUrl"] = simulator.WsUrl.AbsoluteUri,
                ["Deribit:Currencies"] = "BTC,ETH,USDC",
                // Small connections, so the board spreads over several, as BTC and ETH do on the real exchange.
                ["Deribit:ChannelsPerConnection"] = "80",
                ["Deribit:ChannelsPerSubscribe"] = "40",
                ["Deribit:SilenceTimeout"] = "00:00:03",
                ["Deribit:ReconnectDelay"] = "00:00:00.050",
                ["Deribit:MaxReconnectDelay"] = "00:00:00.500",
                ["Deribit:RestRetryDelay"] = "00:00:00.050",
                ["Deribit:MaxRestRetryDelay"] = "00:00:00.500",
                ["Deribit:TooManyRequestsPause"] = "00:00:01",
                ["Deribit:MaxTooManyRequestsPause"] = "00:00:02",
                ["Deribit:RefusedChannelRetry"] = "00:00:01",
                ["Deribit:InstrumentsReuse"] = "00:00:00",
                ["Tape:Enabled"] = tape ? "true" : "false",
            });
            return new Setup { Simulator = simulator, App = app };
        }
        catch
        {
            await simulator.DisposeAsync();
            throw;
        }
    }

    private static async Task WaitForBoardAsync(Setup setup, string what = "the whole board loaded, quoted and subscribed")
    {
        await Eventually.Until(() =>
        {
            var expected = setup.Tracked;
            var index = setup.App.Book.Index;
            var status = setup.Venue.GetStatus();
            return expected.Count > 0
                && expected.All(i => index.TryGetSlot(DeribitVenue.Id, i.InstrumentName, out var slot) && slot.ReadQuote().HasData)
                && index.All.Count(s => s.Instrument.Venue == DeribitVenue.Id) == expected.Count
                && status.Connections.Count > 0
                && status.Connections.All(c => c.State == ShardState.Live)
                && status.Connections.Sum(c => c.SubscribedTopics) == status.Topics;
        }, what, 120);
    }

    [Fact]
    public async Task Every_option_is_loaded_subscribed_within_the_limits_and_equal_to_its_last_push()
    {
        await using var setup = await StartAsync();
        await WaitForBoardAsync(setup);

        var status = setup.Venue.GetStatus();
        var tracked = setup.Tracked;
        Console.WriteLine($"{tracked.Count} options over {status.Connections.Count} connections, {setup.Connections.TestRequestsAnswered} test requests answered");
        Assert.All(status.Connections, c => Assert.InRange(c.AssignedTopics, 1, 80));
        Assert.True(status.Connections.Count >= tracked.Count / 80, $"{status.Connections.Count} connections for {tracked.Count} channels");
        Assert.Null(status.RequestsPaused);
        // Heartbeats were asked for and every test_request answered (the simulator closes a connection that misses one).
        await Eventually.Until(() => setup.Connections.TestRequestsAnswered > 0, "test requests answered");
        Assert.Equal(0, status.Totals.Reconnects);

        // Compare each option with the push the simulator sent last, whenever both speak of the same tick.
        var compared = new HashSet<string>(StringComparer.Ordinal);
        var mismatches = new List<string>();
        await Eventually.Until(() =>
        {
            foreach (var instrument in tracked)
            {
                if (compared.Contains(instrument.InstrumentName) || !setup.Simulator.TryGetLastPushed(instrument.InstrumentName, out var pushed)
                    || !setup.App.Book.Index.TryGetSlot(DeribitVenue.Id, instrument.InstrumentName, out var slot))
                    continue;
                var quote = slot.ReadQuote();
                if (quote.ExchangeTimeMs != pushed.Timestamp || !setup.Simulator.TryGetLastPushed(instrument.InstrumentName, out var again) || again.Timestamp != pushed.Timestamp)
                    continue;
                compared.Add(instrument.InstrumentName);
                mismatches.AddRange(Differences(instrument, pushed, quote));
            }
            return compared.Count == tracked.Count;
        }, "every option compared with its last push at the same tick", 120);
        Assert.Empty(mismatches);
    }

    /// <summary>The book's quote against Deribit's push, normalised as docs/venues.md says.</summary>
    private static IEnumerable<string> Differences(DeribitInstrument instrument, DeribitTicker pushed, OptionQuote quote)
    {
        var rate = instrument.IsInverse ? pushed.IndexPrice : 1;
        double Price(double native) => native == 0 ? double.NaN : native * rate;
        double Side(double native, double value) => native == 0 ? double.NaN : value;
        double Iv(double percent) => percent / 100;
        var expected = new (string Name, double Want, double Got)[]
        {
            ("bid", Price(pushed.BestBidPrice), quote.BidPrice),
            ("ask", Price(pushed.BestAskPrice), quote.AskPrice),
            ("bid size", pushed.BestBidPrice == 0 ? 0 : pushed.BestBidAmount, quote.BidSize),
            ("ask size", pushed.BestAskPrice == 0 ? 0 : pushed.BestAskAmount, quote.AskSize),
            ("bid iv", Side(pushed.BestBidPrice, Iv(pushed.BidIv)), quote.BidIv),
            ("ask iv", Side(pushed.BestAskPrice, Iv(pushed.AskIv)), quote.AskIv),
            ("mark", pushed.MarkPrice * rate, quote.MarkPrice),
            ("mark iv", Iv(pushed.MarkIv), quote.MarkIv),
            ("last", pushed.LastPrice * rate, quote.LastPrice),
            ("index", pushed.IndexPrice, quote.IndexPrice),
            ("underlying", pushed.UnderlyingPrice, quote.UnderlyingPrice),
            ("open interest", pushed.OpenInterest, quote.OpenInterest),
            ("delivery estimate", pushed.EstimatedDeliveryPrice, quote.PredictedDeliveryPrice),
            ("delta", pushed.Delta, quote.Delta),
            ("gamma", pushed.Gamma, quote.Gamma),
            ("vega", pushed.Vega, quote.Vega),
            ("theta", pushed.Theta, quote.Theta),
            ("volume", pushed.Volume, quote.Volume24h),
            ("volume usd", pushed.VolumeUsd, quote.Turnover24h),
            ("change", Iv(pushed.PriceChange), quote.Change24h),
            ("high", pushed.High * rate, quote.HighPrice24h),
            ("low", pushed.Low * rate, quote.LowPrice24h),
        };
        foreach (var (name, want, got) in expected)
        {
            var same = double.IsNaN(want) ? double.IsNaN(got) : Math.Abs(want - got) <= 1e-9 * Math.Max(1, Math.Abs(want));
            if (!same)
                yield return $"{instrument.InstrumentName} {name}: want {want}, got {got}";
        }
    }

    [Fact]
    public async Task Connections_recover_after_a_drop_and_after_silence_and_the_book_summary_is_read_again()
    {
        await using var setup = await StartAsync();
        await WaitForBoardAsync(setup);
        var summaries = setup.Simulator.RequestsReceived("public/get_book_summary_by_currency");

        setup.Simulator.Faults.DropAllConnections();
        await Eventually.Until(() => setup.Venue.GetStatus().Totals.Reconnects >= setup.Venue.GetStatus().Connections.Count,
            "every connection reconnected after the drop");
        await WaitForBoardAsync(setup, "the board live again after the drop");
        await Eventually.Until(() => setup.Simulator.RequestsReceived("public/get_book_summary_by_currency") > summaries,
            "the book summary read again after the reconnect");

        var afterDrop = setup.Venue.GetStatus().Totals.Reconnects;
        setup.Simulator.Faults.Silent = true;
        await Eventually.Until(() => setup.Venue.GetStatus().Connections.Any(c => c.LastError?.Contains("silent", StringComparison.Ordinal) == true),
            "a silent connection noticed");
        setup.Simulator.Faults.Silent = false;
        await Eventually.Until(() => setup.Venue.GetStatus().Totals.Reconnects > afterDrop, "the silent connections replaced");
        await WaitForBoardAsync(setup, "the board live again after the silence");
        var newest = setup.App.Book.Index.All.Max(s => s.ReadQuote().ExchangeTimeMs);
        await Eventually.Until(() => setup.App.Book.Index.All.Max(s => s.ReadQuote().ExchangeTimeMs) > newest, "quotes flowing again");
        Console.WriteLine($"reconnects: {setup.Venue.GetStatus().Totals.Reconnects}");
    }

    [Fact]
    public async Task Too_many_requests_pauses_every_request_then_the_board_comes_back()
    {
        await using var setup = await StartAsync();
        await WaitForBoardAsync(setup);

        // The next requests (the reconnects' heartbeats and subscribes) are refused with 10028, and the connection closed.
        setup.Simulator.Faults.TooManyRequests(3);
        setup.Simulator.Faults.DropAllConnections();
        await Eventually.Until(() => setup.App.Services.GetRequiredService<DeribitRequestGate>().Refusals > 0, "a 10028 answered");
        VenuePause? seen = null;
        await Eventually.Until(() => (seen ??= setup.Venue.GetStatus().RequestsPaused) is not null
            || setup.App.Services.GetRequiredService<DeribitRequestGate>().Refusals >= 1, "the pause reported");
        await WaitForBoardAsync(setup, "the board live again after the pause");
        Assert.Null(setup.Venue.GetStatus().RequestsPaused);
        Console.WriteLine($"10028 answers: {setup.App.Services.GetRequiredService<DeribitRequestGate>().Refusals}; pause seen: {seen?.Reason ?? "(over before it was read)"}");
    }

    [Fact]
    public async Task A_listed_option_is_added_and_a_closed_one_removed()
    {
        await using var setup = await StartAsync();
        await WaitForBoardAsync(setup);

        var listed = setup.Simulator.ListNewInstrument("BTC");
        await Eventually.Until(() => setup.App.Book.Index.TryGetSlot(DeribitVenue.Id, listed, out var slot) && slot.ReadQuote().HasData,
            $"{listed} in the book and quoted", 120);

        var closed = setup.Tracked.First(i => i.BaseCurrency == "ETH").InstrumentName;
        setup.Simulator.CloseInstrument(closed);
        await Eventually.Until(() => !setup.App.Book.Index.TryGetSlot(DeribitVenue.Id, closed, out _), $"{closed} removed", 120);
        await WaitForBoardAsync(setup, "the board live with the new listing and without the closed option");
    }

    [Fact]
    public async Task Trades_reach_the_tape_once_each_including_those_made_while_disconnected()
    {
        await using var setup = await StartAsync(tape: true);
        await WaitForBoardAsync(setup);
        var tape = setup.App.Services.GetRequiredService<TradeTape>();
        var made = new List<DeribitTrade>();
        made.AddRange(setup.Simulator.EmitTrades("BTC", 5));
        made.AddRange(setup.Simulator.EmitBlock("ETH", 3));
        made.AddRange(setup.Simulator.EmitTrades("USDC", 4));
        made.RemoveAll(t => !IsTracked(t)); // USDC carries XRP's too, which this tracker does not follow
        await Eventually.Until(() => made.All(t => OnTape(tape, t)), "the live trades on the tape");

        // Disconnected: the connections are dropped and refused while trades go on being made.
        setup.Simulator.Faults.RejectNewConnections = true;
        setup.Simulator.Faults.DropAllConnections();
        await Eventually.Until(() => setup.Venue.GetStatus().Connections.All(c => c.State != ShardState.Live), "every connection down");
        var whileAway = new List<DeribitTrade>();
        whileAway.AddRange(setup.Simulator.EmitTrades("BTC", 6));
        whileAway.AddRange(setup.Simulator.EmitTrades("USDC", 3));
        setup.Simulator.Faults.RejectNewConnections = false;
        await WaitForBoardAsync(setup, "the board live again");
        whileAway.RemoveAll(t => !IsTracked(t));
        made.AddRange(whileAway);
        made.AddRange(setup.Simulator.EmitTrades("ETH", 2));
        await Eventually.Until(() => made.All(t => OnTape(tape, t)), "every trade on the tape, those made while disconnected included");

        // Once each: every trade the simulator made for tracked coins is on the tape exactly once.
        var all = Coins.SelectMany(c => tape.Newest(c, 100_000, t => t.Venue == DeribitVenue.Id)).ToList();
        Assert.Equal(all.Count, all.Select(t => t.Id).Distinct(StringComparer.Ordinal).Count());
        var sample = made[0];
        var onTape = all.Single(t => t.Id == sample.TradeId);
        var inverse = !sample.InstrumentName.Contains('_', StringComparison.Ordinal);
        Assert.Equal(inverse ? sample.Price * sample.IndexPrice : sample.Price, onTape.Price, 9);
        Assert.Equal(sample.Iv / 100, onTape.Iv, 12);
        Assert.Equal(sample.Amount, onTape.Size);
        var block = all.Where(t => t.BlockId is not null).ToList();
        Assert.Equal(3, block.Count(t => made.Any(m => m.TradeId == t.Id && m.BlockTradeId == t.BlockId)));
        Console.WriteLine($"{all.Count} Deribit trades on the tape, {whileAway.Count} made while disconnected");
    }

    private static bool IsTracked(DeribitTrade trade) => Coins.Contains(DeribitInstrumentName.CoinOf(trade.InstrumentName));

    private static bool OnTape(TradeTape tape, DeribitTrade trade)
    {
        var coin = DeribitInstrumentName.CoinOf(trade.InstrumentName)!;
        return tape.Newest(coin, 100_000, t => t.Venue == DeribitVenue.Id && t.Id == trade.TradeId).Count == 1;
    }
}
