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

    /// <summary>Every option quoted; IV = strike / 1e6, plus 0.1 for a call and 0.2 for a put, so the side chosen shows.</summary>
    private void Quote(OptionBook book, double underlying)
    {
        foreach (var slot in book.Index.All)
        {
            var call = slot.Instrument.Type == OptionType.Call;
            Apply(book, slot.Instrument.Symbol, mark: 100, iv: (slot.Instrument.StrikeValue / 1_000_000) + (call ? 0.1 : 0.2), underlying: underlying, delta: call ? 0.6 : -0.4);
        }
    }

    private void Apply(OptionBook book, string symbol, double mark, double iv, double underlying, double delta = 0.5)
    {
        Assert.True(book.Index.TryGetSlot(Venue.Bybit, symbol, out var slot));
        var update = new QuoteUpdate { Values = QuoteValues.AllMissing(), ExchangeTimeMs = _time.GetUtcNow().ToUnixTimeMilliseconds() };
        update.Set(QuoteField.MarkPrice, mark);
        update.Set(QuoteField.MarkIv, iv);
        update.Set(QuoteField.UnderlyingPrice, underlying);
        update.Set(QuoteField.IndexPrice, underlying);
        update.Set(QuoteField.Delta, delta);
        book.Apply(slot, update);
    }
}
