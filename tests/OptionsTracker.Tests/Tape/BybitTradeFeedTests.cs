using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Book;
using OptionsTracker.Bybit;
using OptionsTracker.Diagnostics;
using OptionsTracker.Tape;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Tape;

/// <summary>
/// The feed's queue between Bybit and the tape, driven directly: order, duplicates, the hold while a coin recovers and
/// its merge with the REST answer, block ids from RFQ messages, symbols the book does not hold. The same over real
/// sockets against the simulator is in BybitTradeFeedEndToEndTests.
/// </summary>
public class BybitTradeFeedTests
{
    private const string Call = "BTC-25DEC26-100000-C-USDT";
    private const string Put = "BTC-25DEC26-90000-P-USDT";
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private sealed record Setup(BybitTradeFeed Feed, TradeTape Tape, OptionBook Book, FakeTimeProvider Time)
    {
        public long Now => Time.GetUtcNow().ToUnixTimeMilliseconds();

        public IReadOnlyList<Trade> OnTape(string coin = "BTC") => Tape.After(coin, 0);

        public void Live(params RawTrade[] raws)
        {
            var bad = 0;
            Feed.Receive(Feed.ToTrades(raws, ref bad), Now);
            Assert.Equal(0, bad);
        }

        public List<Trade> Rest(params RawTrade[] raws)
        {
            var bad = 0;
            return Feed.ToTrades(raws, ref bad);
        }
    }

    private static Setup Create(TimeSpan? blockWait = null)
    {
        var time = new FakeTimeProvider(Start);
        var book = BookBuilder.WithSymbols(time, Call, Put);
        BookBuilder.Quote(book, Call, underlying: 101_000);
        var tape = new TradeTape(Options.Create(new TapeOptions()));
        var options = Options.Create(new BybitOptions { BlockTradeWait = blockWait ?? TimeSpan.FromSeconds(2), RfqWsUrl = "" });
        var rest = new BybitRestClient(new HttpClient { BaseAddress = TrackerApp.NoExchangeRestUrl }, options,
            new RestGate(time, options, NullLogger<RestGate>.Instance), NullLogger<BybitRestClient>.Instance);
        var feed = new BybitTradeFeed(book, tape, options, Options.Create(new TapeOptions()), time, NullLoggerFactory.Instance, rest, new MetricsRegistry());
        feed.Track("BTC");
        return new Setup(feed, tape, book, time);
    }

    private static RawTrade TradeOf(string id, long timeMs, string symbol = Call, double size = 1, double price = 500, bool block = false,
        TradeSide side = TradeSide.Buy, long seq = 0) =>
        new(id, symbol, timeMs, side, size, price, Iv: 0.5, MarkIv: 0.48, MarkPrice: 490, IndexPrice: 100_000, block, IsRpi: false, seq == 0 ? timeMs : seq);

    [Fact]
    public void Live_trades_go_on_at_once_in_exchange_order_and_one_sent_twice_goes_on_once()
    {
        var s = Create();
        var t0 = s.Now;

        s.Live(TradeOf("a", t0), TradeOf("b", t0 + 1));
        s.Live(TradeOf("b", t0 + 1), TradeOf("c", t0 + 2));

        Assert.Equal(["a", "b", "c"], s.OnTape().Select(t => t.Id));
        Assert.Equal([1L, 2L, 3L], s.OnTape().Select(t => t.Sequence));
        var status = s.Feed.GetStatus();
        Assert.Equal((3L, 1L), (status.Appended, status.Duplicates));
    }

    [Fact]
    public void A_trade_carries_the_options_fields_and_its_greeks_at_the_underlying_the_book_had()
    {
        var s = Create();

        s.Live(TradeOf("a", s.Now));

        var trade = Assert.Single(s.OnTape());
        Assert.Equal(("BTC", 100_000m, OptionType.Call), (trade.BaseCoin, trade.Strike, trade.Type));
        Assert.Equal(s.Book.Index.All.Single(x => x.Instrument.Symbol == Call).Instrument.ExpiryUtc, trade.ExpiryUtc);
        Assert.Equal((0.5, 0.48, 490d, 100_000d), (trade.Iv, trade.MarkIv, trade.MarkPrice, trade.IndexPrice));
        var expected = TradeGreeks.With(trade with { Delta = double.NaN, Gamma = double.NaN, Vega = double.NaN }, 101_000);
        Assert.Equal((expected.Delta, expected.Gamma, expected.Vega), (trade.Delta, trade.Gamma, trade.Vega));
        Assert.True(trade.Delta is > 0 and < 1);
    }

    [Fact]
    public void While_a_coin_recovers_its_live_trades_wait_and_the_rest_answer_goes_before_them_each_trade_once()
    {
        var s = Create();
        var t0 = s.Now;
        s.Live(TradeOf("a", t0), TradeOf("b", t0 + 1));

        s.Feed.Recover("BTC");
        s.Live(TradeOf("e", t0 + 10), TradeOf("f", t0 + 11));
        Assert.Equal(["a", "b"], s.OnTape().Select(t => t.Id));

        // The REST window: what the tape has (a, b), what the stream missed (c, d) and what it held (e), newest first.
        var rest = s.Rest(TradeOf("e", t0 + 10), TradeOf("d", t0 + 3), TradeOf("c", t0 + 2), TradeOf("b", t0 + 1), TradeOf("a", t0));
        s.Feed.CompleteRecovery("BTC", 1, rest, fullPage: false, failure: null);

        Assert.Equal(["a", "b", "c", "d", "e", "f"], s.OnTape().Select(t => t.Id));
        Assert.Equal(0, s.Feed.GetStatus().Gaps);
    }

    [Fact]
    public void A_failed_backfill_lets_the_held_trades_go_on_and_counts_a_possible_gap()
    {
        var s = Create();
        s.Feed.Recover("BTC");
        s.Live(TradeOf("a", s.Now), TradeOf("b", s.Now + 1));
        Assert.Empty(s.OnTape());

        s.Feed.CompleteRecovery("BTC", 1, null, fullPage: false, failure: "HTTP 503");

        Assert.Equal(["a", "b"], s.OnTape().Select(t => t.Id));
        Assert.Equal(1, s.Feed.GetStatus().Gaps);
    }

    [Fact]
    public void A_full_rest_window_starting_after_the_tapes_newest_trade_counts_a_possible_gap()
    {
        var s = Create();
        var t0 = s.Now;
        s.Live(TradeOf("a", t0));
        s.Feed.Recover("BTC");

        s.Feed.CompleteRecovery("BTC", 1, s.Rest(TradeOf("y", t0 + 100), TradeOf("x", t0 + 50)), fullPage: true, failure: null);

        Assert.Equal(["a", "x", "y"], s.OnTape().Select(t => t.Id));
        Assert.Equal(1, s.Feed.GetStatus().Gaps);
    }

    [Fact]
    public void The_answer_of_an_older_recovery_does_not_end_a_newer_one()
    {
        var s = Create();
        s.Feed.Recover("BTC");
        s.Feed.Recover("BTC");
        s.Live(TradeOf("b", s.Now + 5));

        s.Feed.CompleteRecovery("BTC", 1, s.Rest(TradeOf("a", s.Now)), fullPage: false, failure: null);
        Assert.Empty(s.OnTape());
        s.Feed.CompleteRecovery("BTC", 2, s.Rest(TradeOf("a", s.Now), TradeOf("b", s.Now + 5)), fullPage: false, failure: null);

        Assert.Equal(["a", "b"], s.OnTape().Select(t => t.Id));
    }

    [Fact]
    public void Block_legs_wait_for_their_rfq_message_and_share_its_id_and_the_trades_after_them_wait_with_them()
    {
        var s = Create();
        var t0 = s.Now;
        s.Live(TradeOf("leg1", t0, Call, size: 25, price: 510, block: true), TradeOf("leg2", t0, Put, size: 25, price: 300, block: true, side: TradeSide.Sell),
            TradeOf("after", t0 + 1));
        Assert.Empty(s.OnTape());

        s.Feed.ReceiveBlocks([new RfqBlock("rfq-1", "custom", t0, t0 + 5,
            [new RfqLeg("option", Call, "Buy", 510, 25), new RfqLeg("option", Put, "Sell", 300, 25)])], s.Now);

        var tape = s.OnTape();
        Assert.Equal(["leg1", "leg2", "after"], tape.Select(t => t.Id));
        Assert.Equal(["rfq-1", "rfq-1", null], tape.Select(t => t.BlockId));
        Assert.Equal(2, s.Feed.GetStatus().BlockLegsMatched);
    }

    [Fact]
    public void A_block_trade_whose_rfq_message_came_first_takes_its_id_at_once()
    {
        var s = Create();
        s.Feed.ReceiveBlocks([new RfqBlock("rfq-2", "custom", s.Now, s.Now, [new RfqLeg("option", Call, "Buy", 505, 10)])], s.Now);

        s.Live(TradeOf("leg", s.Now, Call, size: 10, price: 505, block: true));

        Assert.Equal("rfq-2", Assert.Single(s.OnTape()).BlockId);
    }

    [Fact]
    public void A_block_trade_without_its_rfq_message_goes_on_without_an_id_after_the_wait()
    {
        var s = Create(blockWait: TimeSpan.FromSeconds(2));
        s.Live(TradeOf("leg", s.Now, Call, size: 10, block: true), TradeOf("after", s.Now + 1));
        // A leg of another size is another block's.
        s.Feed.ReceiveBlocks([new RfqBlock("other", "custom", s.Now, s.Now, [new RfqLeg("option", Call, "Buy", 500, 11)])], s.Now);
        s.Feed.Tick(s.Now);
        Assert.Empty(s.OnTape());

        s.Time.Advance(TimeSpan.FromSeconds(2.5));
        s.Feed.Tick(s.Now);

        var tape = s.OnTape();
        Assert.Equal(["leg", "after"], tape.Select(t => t.Id));
        Assert.All(tape, t => Assert.Null(t.BlockId));
        Assert.True(tape[0].IsBlock);
        Assert.Equal(1, s.Feed.GetStatus().BlockLegsUnmatched);
    }

    [Fact]
    public void A_trade_of_an_option_the_book_does_not_hold_goes_on_from_its_symbol_and_an_unreadable_symbol_is_counted()
    {
        var s = Create();
        var bad = 0;

        var trades = s.Feed.ToTrades([TradeOf("n", s.Now, "BTC-27MAR27-120000-P-USDT"), TradeOf("x", s.Now, "BTCUSDT")], ref bad);
        s.Feed.Receive(trades, s.Now);

        Assert.Equal(1, bad);
        var trade = Assert.Single(s.OnTape());
        Assert.Equal((120_000m, OptionType.Put, new DateTimeOffset(2027, 3, 27, 8, 0, 0, TimeSpan.Zero)), (trade.Strike, trade.Type, trade.ExpiryUtc));
        // No underlying in the book: the Greeks are formed on the index price.
        Assert.True(double.IsFinite(trade.Delta) && trade.Delta < 0);
    }
}
