using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Book;
using OptionsTracker.Measures;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Measures;

/// <summary>The definitions of docs/measures.md on hand-built books: freshest values, ties, missing values, no extrapolation.</summary>
public sealed class MarketMeasuresTests
{
    private static readonly DateTimeOffset T0 = new(2025, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(T0);

    private static CoinIndex Coin(OptionBook book, string coin = "BTC")
    {
        Assert.True(book.Index.TryGetCoin(coin, out var index));
        return index;
    }

    /// <summary>One ticker of <paramref name="symbol"/> at exchange time <paramref name="atMs"/> with only the given fields.</summary>
    private static void Quote(OptionBook book, string symbol, long atMs, double markIv = double.NaN, double underlying = double.NaN, double index = double.NaN)
    {
        Assert.True(book.Index.TryGetSlot(Venue.Bybit, symbol, out var slot), symbol);
        var update = new QuoteUpdate { Values = QuoteValues.AllMissing(), ExchangeTimeMs = atMs };
        if (!double.IsNaN(markIv))
            update.Set(QuoteField.MarkIv, markIv);
        if (!double.IsNaN(underlying))
            update.Set(QuoteField.UnderlyingPrice, underlying);
        if (!double.IsNaN(index))
            update.Set(QuoteField.IndexPrice, index);
        book.Apply(slot, update);
    }

    [Fact]
    public void Index_price_is_the_most_recently_updated_options_and_missing_or_zero_takes_no_part()
    {
        var book = BookBuilder.WithSymbols(_time, "BTC-26DEC25-90000-C-USDT", "BTC-26DEC25-95000-C-USDT", "BTC-27MAR26-90000-C-USDT", "BTC-27MAR26-95000-C-USDT");
        Assert.True(double.IsNaN(MarketMeasures.IndexPrice(Coin(book)))); // never quoted: missing, not 0

        Quote(book, "BTC-26DEC25-90000-C-USDT", atMs: 1_000, index: 95_000);
        Quote(book, "BTC-27MAR26-90000-C-USDT", atMs: 3_000, index: 97_000); // freshest, on another expiry
        Quote(book, "BTC-26DEC25-95000-C-USDT", atMs: 2_000, index: 96_000);
        Quote(book, "BTC-27MAR26-95000-C-USDT", atMs: 4_000, index: 0);     // newer, but 0 is no price
        Assert.Equal(97_000, MarketMeasures.IndexPrice(Coin(book)));
    }

    [Fact]
    public void Index_price_on_equal_update_times_is_the_first_option_in_book_order()
    {
        var book = BookBuilder.WithSymbols(_time, "BTC-26DEC25-90000-C-USDT", "BTC-26DEC25-95000-C-USDT");
        Quote(book, "BTC-26DEC25-95000-C-USDT", atMs: 1_000, index: 96_000);
        Quote(book, "BTC-26DEC25-90000-C-USDT", atMs: 1_000, index: 95_000);

        Assert.Equal(95_000, MarketMeasures.IndexPrice(Coin(book)));
    }

    [Fact]
    public void Forward_is_the_expirys_freshest_underlying_and_never_the_index_in_its_place()
    {
        var book = BookBuilder.WithSymbols(_time, "BTC-26DEC25-90000-C-USDT", "BTC-26DEC25-95000-P-USDT", "BTC-26DEC25-100000-C-USDT", "BTC-27MAR26-95000-C-USDT");
        var december = Coin(book).Expiries[0];
        var march = Coin(book).Expiries[1];

        Quote(book, "BTC-26DEC25-90000-C-USDT", atMs: 1_000, underlying: 96_000);
        Quote(book, "BTC-26DEC25-95000-P-USDT", atMs: 2_000, underlying: 96_500);
        Quote(book, "BTC-26DEC25-100000-C-USDT", atMs: 3_000, markIv: 0.5);    // newest, without an underlying
        Quote(book, "BTC-27MAR26-95000-C-USDT", atMs: 4_000, index: 95_500); // an index but no underlying

        Assert.Equal(96_500, MarketMeasures.Forward(december));
        Assert.True(double.IsNaN(MarketMeasures.Forward(march)));
        Assert.Null(MarketMeasures.AtmStrike(march, MarketMeasures.Forward(march)));
        Assert.True(double.IsNaN(MarketMeasures.AtmIv(march, MarketMeasures.Forward(march))));
    }

    [Fact]
    public void Atm_strike_is_the_listed_strike_nearest_the_forward_and_the_lower_one_on_a_tie()
    {
        var book = BookBuilder.WithSymbols(_time, "BTC-26DEC25-90000-C-USDT", "BTC-26DEC25-95000-C-USDT", "BTC-26DEC25-95000-P-USDT", "BTC-26DEC25-100000-P-USDT");
        var expiry = Coin(book).Expiries[0];

        Assert.Equal(95_000m, MarketMeasures.AtmStrike(expiry, 96_000));
        Assert.Equal(95_000m, MarketMeasures.AtmStrike(expiry, 97_500));  // tie between 95k and 100k: the lower
        Assert.Equal(100_000m, MarketMeasures.AtmStrike(expiry, 97_501));
        Assert.Equal(90_000m, MarketMeasures.AtmStrike(expiry, 1));
        Assert.Null(MarketMeasures.AtmStrike(expiry, double.NaN));
        Assert.Null(MarketMeasures.AtmStrike(expiry, 0));
    }

    [Fact]
    public void Nearest_strikes_begin_with_the_atm_strike_and_break_ties_to_the_lower()
    {
        var book = BookBuilder.WithSymbols(_time, "BTC-26DEC25-90000-C-USDT", "BTC-26DEC25-95000-C-USDT", "BTC-26DEC25-95000-P-USDT", "BTC-26DEC25-100000-P-USDT", "BTC-26DEC25-105000-C-USDT");
        var expiry = Coin(book).Expiries[0];

        Assert.Equal([95_000m], MarketMeasures.NearestStrikes(expiry, 97_500, 1));
        Assert.Equal(MarketMeasures.AtmStrike(expiry, 97_500), MarketMeasures.NearestStrikes(expiry, 97_500, 1).Single());
        Assert.Equal([90_000m, 95_000m, 100_000m], MarketMeasures.NearestStrikes(expiry, 97_500, 3).Order());
        Assert.Equal(4, MarketMeasures.NearestStrikes(expiry, 97_500, 10).Count);
        Assert.Empty(MarketMeasures.NearestStrikes(expiry, double.NaN, 3));
    }

    [Fact]
    public void Atm_iv_interpolates_in_log_moneyness_between_the_nearest_otm_put_below_and_call_above()
    {
        var book = BookBuilder.WithSymbols(_time,
            "BTC-26DEC25-90000-C-USDT", "BTC-26DEC25-90000-P-USDT", "BTC-26DEC25-95000-C-USDT", "BTC-26DEC25-95000-P-USDT",
            "BTC-26DEC25-100000-C-USDT", "BTC-26DEC25-100000-P-USDT", "BTC-26DEC25-105000-C-USDT");
        var expiry = Coin(book).Expiries[0];
        Quote(book, "BTC-26DEC25-90000-P-USDT", 1, markIv: 0.70);
        Quote(book, "BTC-26DEC25-95000-P-USDT", 1, markIv: 0.60);  // nearest OTM put below 97k
        Quote(book, "BTC-26DEC25-95000-C-USDT", 1, markIv: 0.99);  // in the money: takes no part
        Quote(book, "BTC-26DEC25-100000-C-USDT", 1, markIv: 0.50); // nearest OTM call above
        Quote(book, "BTC-26DEC25-100000-P-USDT", 1, markIv: 0.98); // in the money
        Quote(book, "BTC-26DEC25-105000-C-USDT", 2, markIv: 0.55, underlying: 97_000);

        var kPut = Math.Log(95_000 / 97_000.0);
        var kCall = Math.Log(100_000 / 97_000.0);
        var expected = 0.60 + ((0.50 - 0.60) * -kPut / (kCall - kPut));
        Assert.Equal(expected, MarketMeasures.AtmIv(expiry, MarketMeasures.Forward(expiry)), 12);
    }

    [Fact]
    public void Atm_iv_with_one_side_missing_is_the_nearest_otm_option_and_a_zero_iv_is_missing()
    {
        var book = BookBuilder.WithSymbols(_time, "BTC-26DEC25-95000-P-USDT", "BTC-26DEC25-100000-C-USDT", "BTC-26DEC25-105000-C-USDT");
        var expiry = Coin(book).Expiries[0];
        Quote(book, "BTC-26DEC25-95000-P-USDT", 1, markIv: 0);       // "no IV": missing, not 0
        Quote(book, "BTC-26DEC25-100000-C-USDT", 1);                  // no IV at all
        Quote(book, "BTC-26DEC25-105000-C-USDT", 2, markIv: 0.55, underlying: 97_000);

        Assert.Equal(0.55, MarketMeasures.AtmIv(expiry, 97_000), 12);
        Assert.True(double.IsNaN(MarketMeasures.AtmIv(expiry, 106_000))); // only ITM calls above: nothing OTM quoted
    }

    [Fact]
    public void Atm_iv_with_the_forward_on_a_strike_is_the_mean_of_its_call_and_put()
    {
        var book = BookBuilder.WithSymbols(_time, "BTC-26DEC25-100000-C-USDT", "BTC-26DEC25-100000-P-USDT", "BTC-26DEC25-105000-C-USDT");
        var expiry = Coin(book).Expiries[0];
        Quote(book, "BTC-26DEC25-100000-C-USDT", 1, markIv: 0.50);
        Quote(book, "BTC-26DEC25-100000-P-USDT", 1, markIv: 0.54);
        Quote(book, "BTC-26DEC25-105000-C-USDT", 1, markIv: 0.90);

        Assert.Equal(0.52, MarketMeasures.AtmIv(expiry, 100_000), 12);
    }

    [Fact]
    public void Days_to_expiry_are_calendar_days_to_the_delivery_instant()
    {
        var book = BookBuilder.WithSymbols(_time, "BTC-26DEC25-100000-C-USDT");
        var expiry = Coin(book).Expiries[0];

        // Delivery 26 Dec 2025 08:00 UTC, now 1 Dec 00:00 UTC: 25 days and 8 hours.
        Assert.Equal(25 + (8 / 24.0), MarketMeasures.DaysToExpiry(expiry, T0), 12);
        Assert.Equal(25 + (8 / 24.0), MarketMeasures.DaysToExpiry(expiry.Slots[0].Instrument, T0), 12);
        var measures = MarketMeasures.ForExpiry(expiry, T0);
        Assert.Equal(25 + (8 / 24.0), measures.DaysToExpiry, 12);
        Assert.True(double.IsNaN(measures.Forward));
        Assert.Null(measures.AtmStrike);
        Assert.True(double.IsNaN(measures.AtmStrikeValue));
    }

    [Fact]
    public void Headline_atm_is_that_of_the_nearest_unexpired_expiry_with_a_forward()
    {
        var book = BookBuilder.WithSymbols(_time,
            "BTC-1DEC25-80000-C-USDT",                                  // delivered at 08:00, still listed
            "BTC-2DEC25-90000-C-USDT",                                  // not quoted yet
            "BTC-5DEC25-95000-C-USDT", "BTC-5DEC25-100000-C-USDT",
            "BTC-26DEC25-110000-C-USDT");
        var now = T0.AddHours(9);
        Quote(book, "BTC-1DEC25-80000-C-USDT", 1, underlying: 80_000, index: 80_000);
        Quote(book, "BTC-5DEC25-95000-C-USDT", 2, underlying: 99_000, index: 98_000);
        Quote(book, "BTC-26DEC25-110000-C-USDT", 3, underlying: 110_000);

        var measures = MarketMeasures.ForCoin(Coin(book), now);

        Assert.Equal(new DateOnly(2025, 12, 5), measures.HeadlineExpiry!.Date);
        Assert.Equal(100_000m, measures.AtmStrike);
        Assert.Equal(98_000, measures.IndexPrice);
        Assert.Null(MarketMeasures.ForCoin(Coin(BookBuilder.WithSymbols(_time, "BTC-5DEC25-95000-C-USDT")), now).AtmStrike);
    }

    [Fact]
    public void Atm_iv_at_a_tenor_interpolates_total_variance_and_does_not_extrapolate()
    {
        // Expiries 8 Dec and 28 Dec 08:00 UTC; now 1 Dec 08:00 UTC: 7 and 27 days. Forward on the 100k strike.
        var now = T0.AddHours(8);
        var book = BookBuilder.WithSymbols(_time,
            "BTC-1DEC25-100000-C-USDT",
            "BTC-8DEC25-100000-C-USDT", "BTC-8DEC25-100000-P-USDT",
            "BTC-20DEC25-100000-C-USDT",
            "BTC-28DEC25-100000-C-USDT", "BTC-28DEC25-100000-P-USDT");
        Quote(book, "BTC-1DEC25-100000-C-USDT", 1, markIv: 2.0, underlying: 100_000);  // expires now: left out
        Quote(book, "BTC-8DEC25-100000-C-USDT", 1, markIv: 0.60, underlying: 100_000);
        Quote(book, "BTC-8DEC25-100000-P-USDT", 1, markIv: 0.60);
        Quote(book, "BTC-20DEC25-100000-C-USDT", 1, underlying: 100_000);               // no IV: left out
        Quote(book, "BTC-28DEC25-100000-C-USDT", 1, markIv: 0.80, underlying: 100_000);
        Quote(book, "BTC-28DEC25-100000-P-USDT", 1, markIv: 0.80);
        var coin = Coin(book);

        var expected = Math.Sqrt(((0.36 * 7) + ((0.64 * 27) - (0.36 * 7)) * (14 - 7) / (27 - 7.0)) / 14);
        Assert.Equal(expected, MarketMeasures.AtmIvAtTenor(coin, now, 14), 12);
        Assert.Equal(0.60, MarketMeasures.AtmIvAtTenor(coin, now, 7), 12);
        Assert.Equal(0.80, MarketMeasures.AtmIvAtTenor(coin, now, 27), 12);
        Assert.True(double.IsNaN(MarketMeasures.AtmIvAtTenor(coin, now, 3)));   // before the first expiry
        Assert.True(double.IsNaN(MarketMeasures.AtmIvAtTenor(coin, now, 30)));  // past the last
    }
}
