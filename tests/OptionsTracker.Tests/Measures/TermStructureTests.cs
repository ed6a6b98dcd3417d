using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Book;
using OptionsTracker.Measures;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Measures;

/// <summary>
/// The constant tenors (../shared/ANALYTICS.md, "Constant tenors") on a synthetic book whose per-expiry figures are
/// known by construction: ATM IV by total variance linear in T, RR and BF linear in T between the same two expiries, an
/// expiry's own figures at its own T, nothing outside the expiries, and expiries without an ATM IV or already past left out.
/// </summary>
public sealed class TermStructureTests
{
    private const double Forward = 100_000;
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// One expiry's smile, out-of-the-money options only: puts at 80k (−0.10 Δ), 90k (−0.25 Δ) and 100k, calls at 100k,
    /// 110k (0.25 Δ) and 120k (0.10 Δ). Both 100k options sit at the forward, so the ATM IV is theirs; each wing's IV is
    /// quoted exactly at its delta, so the 25Δ and 10Δ IVs are those numbers. NaN leaves an option without a mark IV;
    /// <see cref="WithTenDelta"/> false leaves out the 10Δ wings; <see cref="WithForward"/> false quotes no underlying price.
    /// </summary>
    private sealed record Smile(int Days, double Atm, double Put25, double Call25, double Put10, double Call10, bool WithTenDelta = true, bool WithForward = true)
    {
        public double Years => Days / 365.0;
        public double Rr25 => Call25 - Put25;
        public double Bf25 => ((Call25 + Put25) / 2) - Atm;
        public double Rr10 => WithTenDelta ? Call10 - Put10 : double.NaN;
        public double Bf10 => WithTenDelta ? ((Call10 + Put10) / 2) - Atm : double.NaN;
    }

    private static readonly Smile Expired = new(-1, 0.99, 1.2, 0.8, 1.4, 0.9);
    private static readonly Smile Ten = new(10, 0.60, 0.66, 0.62, 0.75, 0.68);
    private static readonly Smile Twenty = new(20, 0.55, 0.60, 0.57, 0.68, 0.63);
    // IVs quoted but no forward (no option carries an underlying price): no ATM IV, so no part in any tenor. (With a
    // forward, any out-of-the-money IV makes an ATM IV, and the wings need such IVs: this is how an expiry lacks one.)
    private static readonly Smile NoAtm = new(30, 0.95, 0.30, 0.90, 0.35, 0.95, WithForward: false);
    private static readonly Smile Forty = new(40, 0.50, 0.56, 0.52, double.NaN, double.NaN, WithTenDelta: false);

    [Fact]
    public void Atm_iv_at_a_tenor_interpolates_total_variance_and_skew_linearly_in_t_between_the_expiries_around_it()
    {
        var expiries = Figures(Expired, Ten, Twenty, NoAtm, Forty);

        // 15 days: halfway between 10 and 20 days.
        var at15 = TermStructure.AtTenor(expiries, 15, double.NaN);
        Assert.Equal(Math.Sqrt(((Ten.Atm * Ten.Atm * Ten.Years) + (Twenty.Atm * Twenty.Atm * Twenty.Years)) / 2 / (15 / 365.0)), at15.AtmIv, 12);
        Assert.Equal((Ten.Rr25 + Twenty.Rr25) / 2, at15.Rr25, 12);
        Assert.Equal((Ten.Bf25 + Twenty.Bf25) / 2, at15.Bf25, 12);
        Assert.Equal((Ten.Rr10 + Twenty.Rr10) / 2, at15.Rr10, 12);
        Assert.Equal((Ten.Bf10 + Twenty.Bf10) / 2, at15.Bf10, 12);
        Assert.Equal(15, at15.TenorDays);

        // 25 days: between 20 and 40, the 30-day expiry skipped for want of an ATM IV (a quarter of the way).
        var at25 = TermStructure.AtTenor(expiries, 25, double.NaN);
        var w = (Twenty.Atm * Twenty.Atm * Twenty.Years) + (((Forty.Atm * Forty.Atm * Forty.Years) - (Twenty.Atm * Twenty.Atm * Twenty.Years)) * 0.25);
        Assert.Equal(Math.Sqrt(w / (25 / 365.0)), at25.AtmIv, 12);
        Assert.Equal(Twenty.Rr25 + ((Forty.Rr25 - Twenty.Rr25) * 0.25), at25.Rr25, 12);
        Assert.Equal(Twenty.Bf25 + ((Forty.Bf25 - Twenty.Bf25) * 0.25), at25.Bf25, 12);
        // The later expiry has no 10Δ wings: the 10Δ figures at the tenor are missing, not the earlier expiry's.
        Assert.True(double.IsNaN(at25.Rr10) && double.IsNaN(at25.Bf10));

        // 30 days, the skipped expiry's own T: still between 20 and 40 (halfway), not an exact match.
        var at30 = TermStructure.AtTenor(expiries, 30, double.NaN);
        Assert.Equal((Twenty.Rr25 + Forty.Rr25) / 2, at30.Rr25, 12);
        Assert.Equal(Math.Sqrt(((Twenty.Atm * Twenty.Atm * Twenty.Years) + (Forty.Atm * Forty.Atm * Forty.Years)) / 2 / (30 / 365.0)), at30.AtmIv, 12);
    }

    [Fact]
    public void At_an_expirys_own_t_the_tenor_is_that_expirys_figures()
    {
        var expiries = Figures(Expired, Ten, Twenty, NoAtm, Forty);

        var at20 = TermStructure.AtTenor(expiries, 20, double.NaN);

        Assert.Equal(Twenty.Atm, at20.AtmIv, 12);
        Assert.Equal(Twenty.Rr25, at20.Rr25, 12);
        Assert.Equal(Twenty.Bf25, at20.Bf25, 12);
        Assert.Equal(Twenty.Rr10, at20.Rr10, 12);
        Assert.Equal(Twenty.Bf10, at20.Bf10, 12);
        var at40 = TermStructure.AtTenor(expiries, 40, double.NaN);
        Assert.Equal(Forty.Atm, at40.AtmIv, 12);
        Assert.True(double.IsNaN(at40.Rr10));
    }

    [Fact]
    public void Before_the_first_or_past_the_last_expiry_every_figure_is_missing_and_a_past_expiry_takes_no_part()
    {
        var expiries = Figures(Expired, Ten, Twenty, NoAtm, Forty);

        // 5 days: before the first unexpired expiry. Were the expiry delivered yesterday counted, 5 days would lie
        // between it and the 10-day one.
        foreach (var tenor in new[] { 5.0, 9.99, 40.01, 60, 180 })
        {
            var figures = TermStructure.AtTenor(expiries, tenor, 0.4);
            Assert.True(double.IsNaN(figures.AtmIv) && double.IsNaN(figures.Rr25) && double.IsNaN(figures.Bf25)
                && double.IsNaN(figures.Rr10) && double.IsNaN(figures.Bf10) && double.IsNaN(figures.Vrp), $"{tenor} days: nothing");
            // The realised volatility is a fact of its own: it stays.
            Assert.Equal(0.4, figures.Hv);
        }
        // Without any expiry, nothing either.
        Assert.True(double.IsNaN(TermStructure.AtTenor([], 30, double.NaN).AtmIv));
    }

    [Fact]
    public void The_volatility_risk_premium_is_atm_iv_at_the_tenor_minus_the_realised_volatility()
    {
        var expiries = Figures(Ten, Twenty, Forty);

        var at30 = TermStructure.AtTenor(expiries, 30, 0.42);
        var unknown = TermStructure.AtTenor(expiries, 30, double.NaN);

        Assert.Equal(0.42, at30.Hv);
        Assert.Equal(at30.AtmIv - 0.42, at30.Vrp, 12);
        Assert.True(at30.Vrp > 0);
        Assert.True(double.IsNaN(unknown.Vrp) && double.IsNaN(unknown.Hv));
    }

    [Fact]
    public void Per_expiry_figures_are_the_constructed_smiles_and_an_expiry_without_atm_iv_has_none()
    {
        var expiries = Figures(Ten, NoAtm, Forty);

        Assert.Equal(Ten.Atm, expiries[0].AtmIv, 12);
        Assert.Equal(Ten.Rr25, expiries[0].Skew25.RiskReversal, 12);
        Assert.Equal(Ten.Bf10, expiries[0].Skew10.Butterfly, 12);
        Assert.Equal(10, expiries[0].DaysToExpiry, 9);
        Assert.Equal(Forward, expiries[0].Forward);
        Assert.Equal(100_000m, expiries[0].AtmStrike);
        Assert.True(double.IsNaN(expiries[1].AtmIv) && double.IsNaN(expiries[1].Forward) && expiries[1].AtmStrike is null);
        Assert.True(double.IsNaN(expiries[1].Skew25.RiskReversal));
        Assert.True(double.IsNaN(expiries[2].Skew10.RiskReversal));
    }

    /// <summary>The per-expiry figures of a book holding <paramref name="smiles"/>, as the snapshot computes them at T0.</summary>
    private static ExpiryFigures[] Figures(params Smile[] smiles)
    {
        var time = new FakeTimeProvider(T0);
        var book = new OptionBook(time);
        var stamp = T0.ToUnixTimeMilliseconds();
        foreach (var smile in smiles)
        {
            var expiry = DateOnly.FromDateTime(T0.UtcDateTime).AddDays(smile.Days);
            var options = new List<(decimal Strike, char Type, double Delta, double Iv)>
            {
                (90_000m, 'P', -0.25, smile.Put25), (100_000m, 'P', -0.5, smile.Atm),
                (100_000m, 'C', 0.5, smile.Atm), (110_000m, 'C', 0.25, smile.Call25),
            };
            if (smile.WithTenDelta)
                options.AddRange([(80_000m, 'P', -0.10, smile.Put10), (120_000m, 'C', 0.10, smile.Call10)]);
            book.AddInstruments(options.Select(o => BookBuilder.Create("BTC", expiry, o.Strike, o.Type)));
            foreach (var (strike, type, delta, iv) in options)
            {
                var instrument = BookBuilder.Create("BTC", expiry, strike, type);
                Assert.True(book.Index.TryGetSlot(Venue.Bybit, instrument.Symbol, out var slot), instrument.Symbol);
                var update = new QuoteUpdate { Values = QuoteValues.AllMissing(), ExchangeTimeMs = stamp++ };
                if (!double.IsNaN(iv))
                    update.Set(QuoteField.MarkIv, iv);
                update.Set(QuoteField.Delta, delta);
                if (smile.WithForward)
                    update.Set(QuoteField.UnderlyingPrice, Forward);
                book.Apply(slot, update);
            }
        }
        Assert.True(book.Index.TryGetCoin("BTC", out var coin));
        Assert.Equal(smiles.Length, coin.Expiries.Count);
        return TermStructure.ForCoin(coin, T0);
    }
}
