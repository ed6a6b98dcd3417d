using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Book;
using OptionsTracker.Measures;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Measures;

/// <summary>The IV surface (docs/analytics.md, "The IV surface") on a synthetic smile whose values are known.</summary>
public sealed class SurfaceTests
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

    private static int Column(double k) => Surface.Moneyness.Select((x, i) => (x, i)).Single(p => Math.Abs(p.x - k) < 1e-9).i;

    private static int DeltaColumn(string label) => Surface.Columns.Select((c, i) => (c, i)).Single(p => p.c.Label == label).i;

    [Fact]
    public void Moneyness_cells_interpolate_linearly_in_k_among_the_out_of_the_money_options_and_are_missing_outside_them()
    {
        var surface = Build(Smile);
        var row = Assert.Single(surface.ByMoneyness);

        // k = −0.10 lies between the 90,000 put (ln 0.9) and the 95,000 put (ln 0.95).
        double Between(double k, double k1, double iv1, double k2, double iv2) => iv1 + ((iv2 - iv1) * (k - k1) / (k2 - k1));
        Assert.Equal(Between(-0.10, Math.Log(0.90), 0.56, Math.Log(0.95), 0.52), row[Column(-0.10)], 12);
        // k = 0: the strike at the forward, put and call both 50 %.
        Assert.Equal(0.50, row[Column(0)], 12);
        // k = 0.25 between the 120,000 call (ln 1.2) and the 130,000 call (ln 1.3).
        Assert.Equal(Between(0.25, Math.Log(1.2), 0.58, Math.Log(1.3), 0.63), row[Column(0.25)], 12);
        // The quotes run from ln 0.8 = −0.223 to ln 1.3 = 0.262: nothing beyond, no extrapolation.
        Assert.True(double.IsNaN(row[Column(-0.25)]));
        Assert.True(double.IsNaN(row[Column(0.30)]));
        Assert.True(double.IsNaN(row[Column(-0.5)]) && double.IsNaN(row[Column(0.5)]));
        Assert.Equal(Surface.Moneyness.Count(k => k >= Math.Log(0.8) && k <= Math.Log(1.3)), row.Count(double.IsFinite));
    }

    [Fact]
    public void Delta_cells_are_the_iv_at_each_delta_and_the_atm_column_the_atm_iv()
    {
        var surface = Build(Smile);
        var row = Assert.Single(surface.ByDelta);

        Assert.Equal(13, row.Length);
        Assert.Equal(0.54, row[DeltaColumn("25Δ call")], 12);
        Assert.Equal(0.52 + (0.04 * 7 / 12), row[DeltaColumn("25Δ put")], 12);
        Assert.Equal(0.62, row[DeltaColumn("10Δ put")], 12);
        // 40Δ call between 100,000 (0.52, 50 %) and 105,000 (0.38, 51 %); 40Δ put between 100,000 (−0.48) and 95,000 (−0.32).
        Assert.Equal(0.50 + (0.01 * (0.40 - 0.52) / (0.38 - 0.52)), row[DeltaColumn("40Δ call")], 12);
        Assert.Equal(0.50 + (0.02 * (-0.40 + 0.48) / (-0.32 + 0.48)), row[DeltaColumn("40Δ put")], 12);
        Assert.Equal(0.50, row[DeltaColumn("ATM")], 12);
        Assert.Equal(surface.Expiries[0].AtmIv, row[DeltaColumn("ATM")]);
    }

    [Fact]
    public void A_missing_iv_is_skipped_a_one_sided_smile_fills_one_side_and_a_delivered_expiry_has_no_row()
    {
        // 90,000's put without an IV: k = −0.10 now lies between the 85,000 and 95,000 puts.
        var surface = Build(Smile, skipPutIvAt: 90_000);
        Assert.Equal(0.62 + ((0.52 - 0.62) * (-0.10 - Math.Log(0.85)) / (Math.Log(0.95) - Math.Log(0.85))), surface.ByMoneyness[0][Column(-0.10)], 12);

        // Calls only: the k ≥ 0 side and the call deltas.
        var calls = Build(Smile, puts: false);
        Assert.True(double.IsNaN(calls.ByMoneyness[0][Column(-0.05)]));
        Assert.Equal(0.50, calls.ByMoneyness[0][Column(0)], 12);
        Assert.True(double.IsNaN(calls.ByDelta[0][DeltaColumn("25Δ put")]));
        Assert.Equal(0.54, calls.ByDelta[0][DeltaColumn("25Δ call")], 12);

        // After delivery the expiry is no row of the surface.
        _time.Advance(TimeSpan.FromDays(30));
        Assert.Empty(Build(Smile).Expiries);
    }

    private Surface Build((int Strike, double CallDelta, double PutDelta, double Iv)[] smile, bool puts = true, int skipPutIvAt = 0)
    {
        var symbols = smile.SelectMany(p => new[] { $"BTC-26DEC25-{p.Strike}-C-USDT", $"BTC-26DEC25-{p.Strike}-P-USDT" }).ToArray();
        var book = BookBuilder.WithSymbols(_time, symbols);
        foreach (var (strike, callDelta, putDelta, iv) in smile)
        {
            Quote(book, $"BTC-26DEC25-{strike}-C-USDT", callDelta, iv);
            if (puts)
                Quote(book, $"BTC-26DEC25-{strike}-P-USDT", putDelta, strike == skipPutIvAt ? 0 : iv);
        }
        Assert.True(book.Index.TryGetCoin("BTC", out var coin));
        return Surface.From(TermStructure.ForCoin(coin, _time.GetUtcNow()));
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
