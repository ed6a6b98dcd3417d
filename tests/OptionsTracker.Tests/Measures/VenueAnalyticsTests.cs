using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Book;
using OptionsTracker.Measures;

namespace OptionsTracker.Tests.Measures;

/// <summary>
/// The analytics of a coin listed by two venues: each venue's figures equal those of a board holding only that venue's
/// options; the combined figures take each expiry's IV figures from the venue with more open interest in it and sum what
/// counts contracts (OI, max pain, GEX) strike by strike; a coin of one venue is unchanged.
/// </summary>
public sealed class VenueAnalyticsTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Near = new(2030, 1, 31, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Far = new(2030, 3, 29, 8, 0, 0, TimeSpan.Zero);

    // A second venue's id: the measures know venues only as ids (nothing outside a venue's folder names it).
    private static readonly Venue Other = Venue.Parse("deribit");

    internal sealed record Leg(Venue Venue, DateTimeOffset Expiry, decimal Strike, OptionType Type);

    /// <summary>
    /// BTC: the near expiry on both venues (Bybit IVs around 50 %, OI 10 per option; Deribit around 60 %, OI
    /// <paramref name="otherOi"/>), the far expiry on Bybit only; ETH on Bybit only. Index and forwards at 100,000 (BTC)
    /// and 3,000 (ETH); deltas and gammas from a smooth smile so the skew and GEX have inputs.
    /// </summary>
    internal static OptionBook Board(FakeTimeProvider time, Func<Leg, bool> include, double otherOi = 30)
    {
        var book = new OptionBook(time);
        var legs = new List<(Leg Leg, string Coin, double Spot)>();
        foreach (var (venue, expiry) in new[] { (Venue.Bybit, Near), (Other, Near), (Venue.Bybit, Far) })
        {
            for (var strike = 80_000m; strike <= 120_000m; strike += 5_000m)
            {
                legs.Add((new Leg(venue, expiry, strike, OptionType.Call), "BTC", 100_000));
                legs.Add((new Leg(venue, expiry, strike, OptionType.Put), "BTC", 100_000));
            }
        }
        for (var strike = 2_500m; strike <= 3_500m; strike += 250m)
        {
            legs.Add((new Leg(Venue.Bybit, Near, strike, OptionType.Call), "ETH", 3_000));
            legs.Add((new Leg(Venue.Bybit, Near, strike, OptionType.Put), "ETH", 3_000));
        }
        var kept = legs.Where(l => include(l.Leg)).ToList();
        book.AddInstruments(kept.Select(l => new OptionInstrument(l.Leg.Venue,
            $"{l.Coin}-{l.Leg.Expiry:ddMMMyy}-{l.Leg.Strike}-{(l.Leg.Type == OptionType.Call ? 'C' : 'P')}{(l.Leg.Venue == Venue.Bybit ? "-USDT" : "")}".ToUpperInvariant(),
            l.Coin, l.Leg.Expiry, l.Leg.Strike, l.Leg.Type, priceCurrency: l.Leg.Venue == Venue.Bybit ? null : l.Coin)));
        foreach (var (leg, coin, spot) in kept)
        {
            Assert.True(book.Index.TryGetCoin(coin, out var index));
            var slot = index.Slots.Single(s => s.Instrument.Venue == leg.Venue && s.Instrument.ExpiryUtc == leg.Expiry
                && s.Instrument.Strike == leg.Strike && s.Instrument.Type == leg.Type);
            var moneyness = Math.Log((double)leg.Strike / spot);
            var level = leg.Venue == Venue.Bybit ? 0.50 : 0.60;
            var callDelta = 0.5 - (moneyness * 3);
            var update = new QuoteUpdate { Values = QuoteValues.AllMissing(), ExchangeTimeMs = T0.ToUnixTimeMilliseconds() };
            update.Set(QuoteField.MarkIv, level + (0.2 * moneyness * moneyness) - (0.05 * moneyness));
            update.Set(QuoteField.Delta, leg.Type == OptionType.Call ? Math.Clamp(callDelta, 0.01, 0.99) : Math.Clamp(callDelta, 0.01, 0.99) - 1);
            update.Set(QuoteField.Gamma, 0.00002 * Math.Exp(-moneyness * moneyness * 20) * 100_000 / spot);
            update.Set(QuoteField.OpenInterest, leg.Venue == Venue.Bybit ? 10 : otherOi);
            update.Set(QuoteField.Volume24h, 1);
            update.Set(QuoteField.IndexPrice, spot);
            update.Set(QuoteField.UnderlyingPrice, spot);
            book.Apply(slot, update);
        }
        return book;
    }

    private static MarketAnalytics Analytics(OptionBook book, TimeProvider time) =>
        new(new InMemoryOptionStore(book), new RealisedVolatility(), time, Options.Create(new AnalyticsOptions()));

    private static void AssertSameIvFigures(ExpiryFigures expected, ExpiryFigures actual)
    {
        Assert.Equal(expected.Expiry.ExpiryUtc, actual.Expiry.ExpiryUtc);
        Assert.Equal(expected.Forward, actual.Forward);
        Assert.Equal(expected.AtmStrike, actual.AtmStrike);
        Assert.Equal(expected.AtmIv, actual.AtmIv, 12);
        Assert.Equal(expected.Skew25.RiskReversal, actual.Skew25.RiskReversal, 12);
        Assert.Equal(expected.Skew25.Butterfly, actual.Skew25.Butterfly, 12);
        Assert.Equal(expected.Skew10.RiskReversal, actual.Skew10.RiskReversal, 12);
    }

    [Fact]
    public void Each_venue_s_figures_equal_those_of_a_board_of_its_options_alone()
    {
        var time = new FakeTimeProvider(T0);
        var analytics = Analytics(Board(time, _ => true), time);
        foreach (var venue in new[] { Venue.Bybit, Other })
        {
            var alone = Analytics(Board(time, l => l.Venue == venue), time).Get("BTC")!;
            var own = analytics.Get("BTC", venue)!;
            Assert.Equal(venue, own.Venue);
            Assert.Equal([venue], own.Venues);
            Assert.Equal(alone.Expiries.Count, own.Expiries.Count);
            for (var i = 0; i < own.Expiries.Count; i++)
            {
                AssertSameIvFigures(alone.Expiries[i], own.Expiries[i]);
                Assert.Equal(alone.Expiries[i].MaxPain, own.Expiries[i].MaxPain);
                Assert.Equal(alone.Expiries[i].PutCallOi, own.Expiries[i].PutCallOi, 12);
            }
            Assert.Equal(alone.Positioning.TotalGex, own.Positioning.TotalGex, 6);
            Assert.Equal(alone.Positioning.MaxPain, own.Positioning.MaxPain);
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"{venue}: near ATM IV {own.Expiries[0].AtmIv:0.0000}, RR25 {own.Expiries[0].Skew25.RiskReversal:0.0000}, total GEX {own.Positioning.TotalGex:0}");
        }
        Assert.Null(analytics.Get("BTC", Venue.Parse("okx")));
        Assert.Null(analytics.Get("ETH", Other)); // ETH is on Bybit only
    }

    [Fact]
    public void Combined_figures_take_iv_from_the_venue_with_more_oi_and_sum_what_counts_contracts()
    {
        var time = new FakeTimeProvider(T0);
        var book = Board(time, _ => true);
        var analytics = Analytics(book, time);
        var combined = analytics.Get("BTC")!;
        var bybit = analytics.Get("BTC", Venue.Bybit)!;
        var other = analytics.Get("BTC", Other)!;
        Assert.Null(combined.Venue);
        Assert.Equal([Venue.Bybit, Other], combined.Venues);
        Assert.Equal(2, combined.Expiries.Count);

        // Near: Deribit holds 30 per option against Bybit's 10, so its smile gives the IV figures; far: Bybit's alone.
        AssertSameIvFigures(other.Expiries[0], combined.Expiries[0]);
        Assert.Equal(Other, combined.Expiries[0].SmileVenue);
        AssertSameIvFigures(bybit.Expiries[1], combined.Expiries[1]);
        Assert.Equal(Venue.Bybit, combined.Expiries[1].SmileVenue);
        Assert.Same(other.Fits[0], combined.Fits[0]);
        Assert.Equal(combined.Expiries[0].Expiry.Slots.Count, bybit.Expiries[0].Expiry.Slots.Count + other.Expiries[0].Expiry.Slots.Count);

        // What counts contracts: both venues' options, strike by strike.
        Assert.Equal(MarketMeasures.MaxPain(combined.Expiries[0].Expiry.Slots), combined.Expiries[0].MaxPain);
        foreach (var strike in combined.Positioning.Strikes)
        {
            var b = bybit.Positioning.Strikes.Single(s => s.Strike == strike.Strike);
            var o = other.Positioning.Strikes.SingleOrDefault(s => s.Strike == strike.Strike);
            Assert.Equal(b.CallOi + (double.IsNaN(o.CallOi) ? 0 : o.CallOi), strike.CallOi, 9);
            Assert.Equal(b.PutOi + (double.IsNaN(o.PutOi) ? 0 : o.PutOi), strike.PutOi, 9);
        }
        // Every expiry's forward is the same 100,000 on both venues, so the combined GEX is the sum of the venues'.
        Assert.Equal(bybit.Positioning.TotalGex + other.Positioning.TotalGex, combined.Positioning.TotalGex, 6);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"total GEX: bybit {bybit.Positioning.TotalGex:0}, deribit {other.Positioning.TotalGex:0}, combined {combined.Positioning.TotalGex:0}");

        // Tenors from the combined expiries, as the term structure interpolates them.
        var tenor30 = combined.Tenors.Single(t => t.TenorDays == 30);
        Assert.Equal(TermStructure.AtTenor(combined.Expiries, 30, double.NaN).AtmIv, tenor30.AtmIv, 12);
    }

    [Fact]
    public void The_iv_venue_follows_the_open_interest_and_a_coin_of_one_venue_is_its_venue_s_figures()
    {
        var time = new FakeTimeProvider(T0);
        var analytics = Analytics(Board(time, _ => true, otherOi: 4), time);
        var combined = analytics.Get("BTC")!;
        Assert.Equal(Venue.Bybit, combined.Expiries[0].SmileVenue); // 10 against 4: Bybit's smile now
        AssertSameIvFigures(analytics.Get("BTC", Venue.Bybit)!.Expiries[0], combined.Expiries[0]);

        var eth = analytics.Get("ETH")!;
        var ethBybit = analytics.Get("ETH", Venue.Bybit)!;
        Assert.Null(eth.Venue);
        Assert.Equal([Venue.Bybit], eth.Venues);
        AssertSameIvFigures(ethBybit.Expiries[0], eth.Expiries[0]);
        Assert.Equal(ethBybit.Positioning.TotalGex, eth.Positioning.TotalGex);
        Assert.Same(eth.Index, ethBybit.Index); // one venue: its own index is the coin's, nothing more is built
    }
}
