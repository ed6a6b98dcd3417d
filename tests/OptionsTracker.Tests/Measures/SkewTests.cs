using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Book;
using OptionsTracker.Measures;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Measures;

/// <summary>IV at a target delta, risk reversal and butterfly (../shared/ANALYTICS.md, "Per expiry") on synthetic smiles whose values are known.</summary>
public sealed class SkewTests
{
    private const double Forward = 100_000;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 12, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>Strike, call delta, put delta, IV (the same for the call and the put of a strike).</summary>
    private static readonly (int Strike, double CallDelta, double PutDelta, double Iv)[] Smile =
    [
        (80_000, 0.95, -0.05, 0.70),
        (85_000, 0.90, -0.10, 0.62),
        (90_000, 0.80, -0.20, 0.56),
        (95_000, 0.68, -0.32, 0.52),
        (100_000, 0.52, -0.48, 0.50),
        (105_000, 0.38, -0.62, 0.51),
        (110_000, 0.30, -0.70, 0.53),
        (115_000, 0.20, -0.80, 0.55),
        (120_000, 0.12, -0.88, 0.58),
        (130_000, 0.06, -0.94, 0.63),
    ];

    [Fact]
    public void Iv_at_a_delta_interpolates_linearly_in_delta_among_the_out_of_the_money_side()
    {
        var expiry = Build(Smile);

        // 25Δ call between 110,000 (0.30, 53 %) and 115,000 (0.20, 55 %): halfway, 54 %.
        Assert.Equal(0.54, MarketMeasures.IvAtDelta(expiry, Forward, 0.25), 12);
        // 25Δ put between 95,000 (−0.32, 52 %) and 90,000 (−0.20, 56 %): 7/12 of the way, 54.333… %.
        Assert.Equal(0.52 + (0.04 * 7 / 12), MarketMeasures.IvAtDelta(expiry, Forward, -0.25), 12);
        // Exactly quoted: 10Δ put at 85,000.
        Assert.Equal(0.62, MarketMeasures.IvAtDelta(expiry, Forward, -0.10), 12);
        // 10Δ call between 120,000 (0.12, 58 %) and 130,000 (0.06, 63 %): a third of the way, 59.666… %.
        Assert.Equal(0.58 + (0.05 / 3), MarketMeasures.IvAtDelta(expiry, Forward, 0.10), 12);

        var atm = MarketMeasures.AtmIv(expiry, Forward);
        var skew = MarketMeasures.Skew(expiry, Forward, atm, 0.25);
        Assert.Equal(0.54 - (0.52 + (0.04 * 7 / 12)), skew.RiskReversal, 12);
        Assert.Equal(((0.54 + 0.52 + (0.04 * 7 / 12)) / 2) - atm, skew.Butterfly, 12);
    }

    [Fact]
    public void A_target_outside_the_quoted_deltas_or_a_missing_side_is_missing_not_extrapolated()
    {
        // The wings stop at 110,000 and 90,000: the calls reach down to 0.30, the puts to −0.20.
        var expiry = Build(Smile.Where(p => p.Strike is >= 90_000 and <= 110_000).ToArray());
        Assert.True(double.IsNaN(MarketMeasures.IvAtDelta(expiry, Forward, 0.25)));
        Assert.True(double.IsNaN(MarketMeasures.IvAtDelta(expiry, Forward, -0.10)));
        Assert.Equal(0.52 + (0.04 * 7 / 12), MarketMeasures.IvAtDelta(expiry, Forward, -0.25), 12);
        var skew = MarketMeasures.Skew(expiry, Forward, MarketMeasures.AtmIv(expiry, Forward), 0.25);
        Assert.True(double.IsNaN(skew.RiskReversal) && double.IsNaN(skew.Butterfly));

        // One-sided: no puts quoted at all.
        var callsOnly = Build(Smile, puts: false);
        Assert.True(double.IsNaN(MarketMeasures.IvAtDelta(callsOnly, Forward, -0.25)));
        Assert.Equal(0.54, MarketMeasures.IvAtDelta(callsOnly, Forward, 0.25), 12);

        // Without a forward nothing is out of the money.
        Assert.True(double.IsNaN(MarketMeasures.IvAtDelta(expiry, double.NaN, 0.25)));
    }

    [Fact]
    public void An_option_without_a_mark_iv_takes_no_part()
    {
        // 115,000's call loses its IV (Bybit's "" or 0): 25Δ call then lies between 110,000 (0.30) and 120,000 (0.12).
        var expiry = Build(Smile, skipCallIvAt: 115_000);
        Assert.Equal(0.53 + ((0.58 - 0.53) * (0.25 - 0.30) / (0.12 - 0.30)), MarketMeasures.IvAtDelta(expiry, Forward, 0.25), 12);
    }

    [Fact]
    public void A_missing_bid_changes_nothing_the_measures_read_from_the_mark()
    {
        // Two books with the same smile and bids two vol points under the mark; in the second, the 110,000 call and the
        // 90,000 put (the wings of the 25Δ interpolation) have no bid: Bybit's bid price "" and bid IV 0. ATM IV, the
        // 25Δ IVs, RR and BF are of mark IVs, so both books give the same figures, none of them missing.
        var full = Build(Smile);
        var noBid = Build(Smile);
        foreach (var (expiry, missing) in new[] { (full, ""), (noBid, "BTC-26DEC25-110000-C-USDT BTC-26DEC25-90000-P-USDT") })
        {
            foreach (var slot in expiry.Slots)
            {
                var update = new QuoteUpdate { Values = QuoteValues.AllMissing(), ExchangeTimeMs = _time.GetUtcNow().ToUnixTimeMilliseconds() };
                var hasBid = !missing.Contains(slot.Instrument.Symbol, StringComparison.Ordinal);
                update.Set(QuoteField.BidIv, hasBid ? slot.ReadQuote().MarkIv - 0.02 : 0);
                update.Set(QuoteField.BidSize, hasBid ? 5 : 0);
                if (hasBid)
                    update.Set(QuoteField.BidPrice, 1_000);
                _bookOf[expiry].Apply(slot, update);
            }
        }
        Assert.Equal(0, noBid.Slots.Single(s => s.Instrument.Symbol == "BTC-26DEC25-110000-C-USDT").ReadQuote().BidIv);

        var atm = MarketMeasures.AtmIv(full, Forward);
        var expected = MarketMeasures.Skew(full, Forward, atm, 0.25);
        Assert.Equal(atm, MarketMeasures.AtmIv(noBid, Forward), 12);
        var skew = MarketMeasures.Skew(noBid, Forward, MarketMeasures.AtmIv(noBid, Forward), 0.25);
        Assert.Equal(0.54, skew.CallIv, 12);
        Assert.Equal(expected.CallIv, skew.CallIv, 12);
        Assert.Equal(expected.PutIv, skew.PutIv, 12);
        Assert.Equal(expected.RiskReversal, skew.RiskReversal, 12);
        Assert.Equal(expected.Butterfly, skew.Butterfly, 12);
    }

    private readonly Dictionary<ExpiryIndex, OptionBook> _bookOf = [];

    private ExpiryIndex Build((int Strike, double CallDelta, double PutDelta, double Iv)[] smile, bool puts = true, int skipCallIvAt = 0)
    {
        var symbols = smile.SelectMany(p => new[] { $"BTC-26DEC25-{p.Strike}-C-USDT", $"BTC-26DEC25-{p.Strike}-P-USDT" }).ToArray();
        var book = BookBuilder.WithSymbols(_time, symbols);
        foreach (var (strike, callDelta, putDelta, iv) in smile)
        {
            Quote(book, $"BTC-26DEC25-{strike}-C-USDT", callDelta, strike == skipCallIvAt ? 0 : iv);
            if (puts)
                Quote(book, $"BTC-26DEC25-{strike}-P-USDT", putDelta, iv);
        }
        Assert.True(book.Index.TryGetCoin("BTC", out var coin));
        _bookOf[coin.Expiries.Single()] = book;
        return coin.Expiries.Single();
    }

    private void Quote(OptionBook book, string symbol, double delta, double iv)
    {
        Assert.True(book.Index.TryGetSlot(Venue.Bybit, symbol, out var slot), symbol);
        var update = new QuoteUpdate { Values = QuoteValues.AllMissing(), ExchangeTimeMs = _time.GetUtcNow().ToUnixTimeMilliseconds() };
        update.Set(QuoteField.MarkIv, iv);
        update.Set(QuoteField.Delta, delta);
        update.Set(QuoteField.UnderlyingPrice, Forward);
        book.Apply(slot, update);
    }
}
