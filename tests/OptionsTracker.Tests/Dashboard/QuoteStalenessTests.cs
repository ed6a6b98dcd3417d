using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Book;
using OptionsTracker.Dashboard;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Dashboard;

/// <summary>Which cells flash, and when a row counts as stale (issue 14, items 3 and 8), on a book the test writes.</summary>
public sealed class QuoteStalenessTests
{
    private const string Symbol = "BTC-26DEC25-95000-C-USDT";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 12, 1, 0, 0, 0, TimeSpan.Zero));

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    [Fact]
    public void Only_price_cells_flash_when_prices_iv_and_greeks_all_move()
    {
        var book = BookBuilder.WithSymbols(_time, [Symbol]);
        Apply(book, price: 100, iv: 0.5, delta: 0.5);
        var board = new LiveBoard(book);
        board.Refresh("BTC", NowMs);
        var row = board.Rows.Single();

        _time.Advance(TimeSpan.FromSeconds(1));
        Apply(book, price: 120, iv: 0.55, delta: 0.6);
        board.Refresh("BTC", NowMs);

        Assert.All(new[] { QuoteField.BidPrice, QuoteField.AskPrice, QuoteField.MarkPrice, QuoteField.LastPrice },
            field => Assert.Equal("flash-up", row.FlashClass(field, NowMs)));
        Assert.All(new[] { QuoteField.MarkIv, QuoteField.Delta, QuoteField.UnderlyingPrice },
            field => Assert.Equal("", row.FlashClass(field, NowMs)));
    }

    [Fact]
    public void A_quote_older_than_the_stale_limit_is_greyed_with_its_age_and_an_unchanged_push_makes_it_current_again()
    {
        var book = BookBuilder.WithSymbols(_time, [Symbol]);
        Apply(book, price: 100, iv: 0.5, delta: 0.5);
        var board = new LiveBoard(book) { StaleAfterMs = 5_000 };
        board.Refresh("BTC", NowMs);
        var row = board.Rows.Single();

        _time.Advance(TimeSpan.FromSeconds(5));
        board.Refresh("BTC", NowMs);
        Assert.Null(board.StaleClass(row));
        Assert.Null(board.StaleTitle(row));

        _time.Advance(TimeSpan.FromSeconds(2));
        board.Refresh("BTC", NowMs);
        Assert.Equal("stale", board.StaleClass(row));
        Assert.Equal("stale: last quote 7 s ago", board.StaleTitle(row));

        // The exchange pushes the same values again: nothing on screen changes, but the quote is current.
        Apply(book, price: 100, iv: 0.5, delta: 0.5);
        Assert.False(board.Refresh("BTC", NowMs));
        Assert.Null(board.StaleClass(row));
        Assert.Equal(0, row.QuoteAgeMs(NowMs));
    }

    [Fact]
    public void A_never_quoted_option_is_not_called_stale()
    {
        var book = BookBuilder.WithSymbols(_time, [Symbol]);
        var board = new LiveBoard(book) { StaleAfterMs = 5_000 };
        _time.Advance(TimeSpan.FromMinutes(1));
        board.Refresh("BTC", NowMs);

        var row = board.Rows.Single();
        Assert.Null(row.QuoteAgeMs(NowMs));
        Assert.Null(board.StaleClass(row));
    }

    private void Apply(OptionBook book, double price, double iv, double delta)
    {
        Assert.True(book.Index.TryGetSlot(Venue.Bybit, Symbol, out var slot));
        var update = new QuoteUpdate { Values = QuoteValues.AllMissing(), ExchangeTimeMs = NowMs };
        update.Set(QuoteField.BidPrice, price - 1);
        update.Set(QuoteField.AskPrice, price + 1);
        update.Set(QuoteField.MarkPrice, price);
        update.Set(QuoteField.LastPrice, price);
        update.Set(QuoteField.MarkIv, iv);
        update.Set(QuoteField.Delta, delta);
        update.Set(QuoteField.UnderlyingPrice, 96_000 + price);
        book.Apply(slot, update);
    }
}
