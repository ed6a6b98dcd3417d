using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Book;
using OptionsTracker.Dashboard;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Dashboard;

public sealed class LiveBoardTests
{
    private static readonly string[] Symbols =
    [
        "BTC-26DEC25-90000-C-USDT", "BTC-26DEC25-90000-P-USDT",
        "BTC-26DEC25-95000-C-USDT", "BTC-26DEC25-95000-P-USDT",
        "BTC-26DEC25-100000-C-USDT", "BTC-26DEC25-100000-P-USDT",
        "BTC-27MAR26-95000-C-USDT", "BTC-27MAR26-95000-P-USDT",
        "ETH-26DEC25-3000-C-USDT",
    ];

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 12, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Refresh_copies_only_changed_quotes_and_marks_the_moved_field()
    {
        var book = BookBuilder.WithSymbols(_time, Symbols);
        Quote(book, underlying: 96_000);
        var board = new LiveBoard(book);
        Assert.True(board.Refresh("BTC", _time.GetUtcNow().ToUnixTimeMilliseconds()));
        Assert.Equal(8, board.Rows.Count);
        var rowsVersion = board.RowsVersion;
        var row = board.Rows.First(r => r.Symbol == "BTC-26DEC25-95000-C-USDT");
        Assert.Equal("", row.FlashClass(QuoteField.MarkPrice, _time.GetUtcNow().ToUnixTimeMilliseconds()));

        _time.Advance(TimeSpan.FromSeconds(1));
        Apply(book, row.Symbol, mark: 2_000, iv: 0.5, underlying: 96_000, delta: 0.6);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        Assert.True(board.Refresh("BTC", now));

        Assert.Equal(rowsVersion, board.RowsVersion);
        Assert.Same(row, board.Rows.First(r => r.Symbol == row.Symbol));
        Assert.Equal(2_000, row.Mark);
        Assert.Equal("flash-up", row.FlashClass(QuoteField.MarkPrice, now));
        Assert.Equal("", row.FlashClass(QuoteField.Delta, now));
        Assert.Equal("", row.FlashClass(QuoteField.MarkPrice, now + OptionRow.FlashMs));
        Assert.False(board.Refresh("BTC", now));
    }

    [Fact]
    public void Chain_pairs_calls_and_puts_by_strike_and_the_smile_takes_the_out_of_the_money_side()
    {
        var book = BookBuilder.WithSymbols(_time, Symbols);
        Quote(book, underlying: 96_000);
        var board = new LiveBoard(book);
        board.Refresh("BTC", _time.GetUtcNow().ToUnixTimeMilliseconds());
        var december = board.Expiries[0];

        Assert.Equal(95_000, december.AtmStrike);
        Assert.Equal(96_000, december.Underlying);
        var chain = board.Chain(december.Expiry.ExpiryUtc);
        Assert.Equal([90_000, 95_000, 100_000], chain.Select(l => l.Strike));
        Assert.All(chain, l => Assert.True(l.Call!.IsCall && !l.Put!.IsCall));

        var smile = board.Smile(december.Expiry.ExpiryUtc);
        Assert.Equal(3, smile.Count);
        // Below the underlying the put's IV, above it the call's.
        Assert.Equal(0.29, smile[0].MarkIv, 6);
        Assert.Equal(-0.4, smile[0].Delta, 6);
        Assert.Equal(0.2, smile[2].MarkIv, 6);
        Assert.Equal(0.6, smile[2].Delta, 6);
    }

    [Fact]
    public void Smile_against_delta_runs_from_the_put_wing_through_atm_to_the_call_wing_and_leaves_out_empty_sides()
    {
        var book = BookBuilder.WithSymbols(_time, Symbols);
        var board = new LiveBoard(book);
        // 90,000: the out-of-the-money put (a 10Δ put), no bid; 100,000: the out-of-the-money call (a 10Δ call), bid and ask.
        Apply(book, "BTC-26DEC25-90000-P-USDT", mark: 50, iv: 0.6, underlying: 96_000, delta: -0.1);
        Apply(book, "BTC-26DEC25-95000-P-USDT", mark: 900, iv: 0.5, underlying: 96_000, delta: -0.45);
        Apply(book, "BTC-26DEC25-100000-C-USDT", mark: 60, iv: 0.55, underlying: 96_000, delta: 0.1,
            bid: (55, 0.54), ask: (65, 0.56));
        board.Refresh("BTC", _time.GetUtcNow().ToUnixTimeMilliseconds());

        var smile = board.Smile(board.Expiries[0].Expiry.ExpiryUtc);

        Assert.Equal([90_000, 95_000, 100_000], smile.Select(p => p.Strike));
        Assert.Equal([0.1, 0.45, 0.9], smile.Select(p => Math.Round(p.DeltaPosition, 6)));
        // Bybit sends an empty side as price 0 and IV 0: missing, not a 0 % point.
        Assert.True(double.IsNaN(smile[0].BidIv));
        Assert.True(double.IsNaN(smile[0].AskIv));
        Assert.Equal(0.54, smile[2].BidIv, 6);
        Assert.Equal(0.56, smile[2].AskIv, 6);
    }

    /// <summary>Every option quoted; IV = strike / 1e6, plus 0.1 for a call and 0.2 for a put, so the side chosen shows.</summary>
    private void Quote(OptionBook book, double underlying)
    {
        foreach (var slot in book.Index.All)
        {
            var call = slot.Instrument.Type == OptionType.Call;
            Apply(book, slot.Instrument.Symbol, mark: 100, iv: (slot.Instrument.StrikeValue / 1_000_000) + (call ? 0.1 : 0.2), underlying: underlying, delta: call ? 0.6 : -0.4);
        }
    }

    private void Apply(OptionBook book, string symbol, double mark, double iv, double underlying, double delta = 0.5,
        (double Price, double Iv)? bid = null, (double Price, double Iv)? ask = null)
    {
        Assert.True(book.Index.TryGetSlot(Venue.Bybit, symbol, out var slot));
        var update = new QuoteUpdate { Values = QuoteValues.AllMissing(), ExchangeTimeMs = _time.GetUtcNow().ToUnixTimeMilliseconds() };
        update.Set(QuoteField.MarkPrice, mark);
        update.Set(QuoteField.MarkIv, iv);
        update.Set(QuoteField.UnderlyingPrice, underlying);
        update.Set(QuoteField.IndexPrice, underlying);
        update.Set(QuoteField.Delta, delta);
        // An empty side as Bybit sends it: price 0, IV 0.
        update.Set(QuoteField.BidPrice, bid?.Price ?? 0);
        update.Set(QuoteField.BidIv, bid?.Iv ?? 0);
        update.Set(QuoteField.AskPrice, ask?.Price ?? 0);
        update.Set(QuoteField.AskIv, ask?.Iv ?? 0);
        book.Apply(slot, update);
    }
}
