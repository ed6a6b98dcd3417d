using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Book;
using OptionsTracker.Measures;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Measures;

/// <summary>
/// The SVI smile fit (docs/analytics.md, "The smile fit (SVI)"): it recovers the parameters of smiles generated from
/// known SVI slices, keeps its constraints, refuses too few points, and its arbitrage flags tell an arbitrageable slice
/// (or pair of slices) from a clean one.
/// </summary>
public sealed class SviFitTests
{
    private const double Forward = 100_000;

    /// <summary>Name, T in years, the slice, and the quoted log-moneyness range.</summary>
    public static TheoryData<string, double, double, double, double, double, double, double, double> Shapes => new()
    {
        // A short expiry with a put skew: a week, 50 % ATM.
        { "short skewed", 7 / 365.0, 0.0015, 0.03, -0.45, 0.01, 0.04, -0.30, 0.20 },
        // A short expiry, symmetric smile.
        { "short symmetric", 3 / 365.0, 0.0008, 0.02, 0.0, 0.0, 0.03, -0.15, 0.15 },
        // A year out, symmetric.
        { "long symmetric", 1.0, 0.15, 0.20, 0.0, 0.0, 0.30, -1.0, 1.0 },
        // Half a year out, steep put skew.
        { "long skewed", 0.5, 0.04, 0.15, -0.6, 0.05, 0.20, -1.0, 0.7 },
        // A negative a (allowed while the minimum variance stays positive) and a call skew, as alts often show.
        { "negative a, call skew", 90 / 365.0, -0.01, 0.10, 0.3, -0.05, 0.30, -0.8, 0.8 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Fit_recovers_the_parameters_of_a_smile_generated_from_svi(
        string shape, double years, double a, double b, double rho, double m, double sigma, double kLow, double kHigh)
    {
        var truth = new SviParameters(a, b, rho, m, sigma);
        Assert.True(truth.IsAdmissible, shape);
        var (k, w, vega) = Points(truth, years, kLow, kHigh, 31);

        // Cold (a coarse grid, then Nelder–Mead), and warm from a previous fit of a smile that has moved since.
        var cold = SviFit.Fit(k, w, vega);
        var warm = SviFit.Fit(k, w, vega, truth with { A = a * 0.9, M = m + (0.02 * (kHigh - kLow)), Sigma = sigma * 1.3 });

        Assert.NotNull(cold);
        Assert.NotNull(warm);
        AssertRecovered(shape + " cold", truth, cold.Value, years, k);
        AssertRecovered(shape + " warm", truth, warm.Value, years, k);
    }

    private static void AssertRecovered(string shape, SviParameters truth, SviParameters p, double years, double[] k)
    {
        var (a, b, rho, m, sigma) = truth;
        TestContext.Current.TestOutputHelper?.WriteLine($"{shape}: truth {truth}, fit {p}");
        Assert.True(p.IsAdmissible);
        // Stated tolerance (docs/analytics.md): ρ, m and σ within 1e-4; b within 0.01 % of b; a within 0.01 % of b·σ
        // (the scale of the smile's curvature); the fitted IV within 1e-4 vol points at every quoted k. (Measured: 1e-7.)
        Assert.InRange(p.Rho - rho, -1e-4, 1e-4);
        Assert.InRange(p.M - m, -1e-4, 1e-4);
        Assert.InRange(p.Sigma - sigma, -1e-4, 1e-4);
        Assert.InRange(p.B - b, -1e-4 * b, 1e-4 * b);
        Assert.InRange(p.A - a, -1e-4 * b * sigma, 1e-4 * b * sigma);
        for (var i = 0; i < k.Length; i++)
            Assert.InRange((p.ImpliedVol(k[i], years) - truth.ImpliedVol(k[i], years)) * 100, -1e-4, 1e-4);
    }

    [Fact]
    public void Fitted_parameters_keep_the_constraints_even_when_the_data_push_past_them()
    {
        // A smile that only rises to the right (a line in total variance, steeper than any admissible ρ allows for its
        // curvature) and one dipping to near zero variance: the unconstrained least squares leaves the admissible set.
        double[] k = [-0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3];
        double[] rising = [0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007];
        double[] dip = [0.02, 0.008, 0.0005, 0.00001, 0.0005, 0.008, 0.02];
        double[] weights = [1, 1, 1, 1, 1, 1, 1];
        foreach (var w in new[] { rising, dip })
        {
            var fit = SviFit.Fit(k, w, weights);
            Assert.NotNull(fit);
            var p = fit.Value;
            TestContext.Current.TestOutputHelper?.WriteLine(p.ToString());
            Assert.True(p.B >= 0);
            Assert.True(Math.Abs(p.Rho) < 1);
            Assert.True(p.Sigma > 0);
            Assert.True(p.A + (p.B * p.Sigma * Math.Sqrt(1 - (p.Rho * p.Rho))) >= -1e-15);
        }
    }

    [Fact]
    public void Fewer_than_five_quoted_out_of_the_money_options_give_no_fit()
    {
        var truth = new SviParameters(0.04, 0.15, -0.6, 0.05, 0.20);
        var (k, w, vega) = Points(truth, 0.5, -0.5, 0.5, 4);
        Assert.Null(SviFit.Fit(k, w, vega));

        // In a book: three puts below the forward and one call above quote, and the calls below it (in the money, so
        // they do not count): four OTM options, no fit. A fifth OTM option makes one.
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 12, 1, 8, 0, 0, TimeSpan.Zero));
        var expiry = new DateOnly(2026, 3, 27);
        var book = new OptionBook(time);
        int[] strikes = [80_000, 85_000, 90_000, 95_000, 105_000, 110_000, 115_000];
        book.AddInstruments([.. strikes.SelectMany(s => new[] { BookBuilder.Create("BTC", expiry, s, 'C'), BookBuilder.Create("BTC", expiry, s, 'P') })]);
        var years = (new DateTimeOffset(expiry.ToDateTime(new TimeOnly(8, 0)), TimeSpan.Zero) - time.GetUtcNow()).TotalDays / 365;
        void QuoteAt(int strike, char type) => Quote(book, time, BookBuilder.Create("BTC", expiry, strike, type).Symbol, truth.ImpliedVol(Math.Log(strike / Forward), years));
        foreach (var strike in strikes[..3])
        {
            QuoteAt(strike, 'P');
            QuoteAt(strike, 'C');
        }
        QuoteAt(105_000, 'C');
        Assert.Null(FitOf(book, time));

        QuoteAt(110_000, 'C');
        var fit = FitOf(book, time);
        Assert.NotNull(fit);
        Assert.Equal(5, fit.OptionsUsed);
        // The in-the-money calls get a fitted IV and a residual too, and are marked as not fitted.
        Assert.Equal(8, fit.Options.Count);
        Assert.Equal(3, fit.Options.Count(o => !o.InFit));
        Assert.All(fit.Options, o => Assert.Equal((o.MarkIv - fit.Parameters.ImpliedVol(o.K, fit.Years)) * 100, o.Residual, 12));
    }

    [Fact]
    public void Butterfly_flag_marks_a_slice_with_negative_density_and_not_a_clean_one()
    {
        // Axel Vogt's slice (Gatheral and Jacquier, "Arbitrage-free SVI volatility surfaces", 2013): g(k) < 0 near k = 0.7.
        var vogt = new SviParameters(-0.0410, 0.1331, 0.3060, 0.3586, 0.4153);
        var clean = new SviParameters(0.04, 0.15, -0.6, 0.05, 0.20);
        Assert.True(vogt.Density(0.7) < 0);
        Assert.True(SviFit.HasButterflyArbitrage(vogt, -1.5, 1.5));
        Assert.False(SviFit.HasButterflyArbitrage(clean, -1.5, 1.5));
        // Checked on the grid it is given only: away from the bad region Vogt's slice passes.
        Assert.False(SviFit.HasButterflyArbitrage(vogt, -1.5, -0.5));

        // And through the fit of a book: a smile generated from Vogt's slice is flagged, a clean one is not.
        Assert.True(FitOfSmile(vogt, 1.0, -1.2, 1.2).ButterflyArbitrage);
        Assert.False(FitOfSmile(clean, 0.5, -1.0, 0.7).ButterflyArbitrage);
    }

    [Fact]
    public void Calendar_flag_marks_a_nearer_slice_above_a_later_one_at_some_k()
    {
        var near = new SviParameters(0.02, 0.10, -0.5, 0.0, 0.2);
        var later = new SviParameters(0.04, 0.12, -0.5, 0.0, 0.25);
        // Same ATM variance but a steeper put wing nearer in: it crosses the later slice on the left.
        var crossing = new SviParameters(0.02, 0.30, -0.9, 0.0, 0.05);
        Assert.False(SviFit.HasCalendarArbitrage(near, later, -1, 1));
        Assert.True(SviFit.HasCalendarArbitrage(crossing, later, -1, 1));
        Assert.True(SviFit.HasCalendarArbitrage(later, near, -1, 1));

        // Through a coin's fits: each expiry against the next fitted one, the last has none to compare with.
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 12, 1, 8, 0, 0, TimeSpan.Zero));
        DateOnly[] expiries = [new(2026, 1, 30), new(2026, 2, 27), new(2026, 3, 27)];
        var book = new OptionBook(time);
        var strikes = Enumerable.Range(0, 25).Select(i => 60_000 + (i * 5_000)).ToArray();
        book.AddInstruments([.. expiries.SelectMany(e => strikes.SelectMany(s => new[] { BookBuilder.Create("BTC", e, s, 'C'), BookBuilder.Create("BTC", e, s, 'P') }))]);
        // Total variances: near slice fine against the middle, middle above the far one.
        SviParameters[] slices = [near, new(0.06, 0.12, -0.5, 0.0, 0.25), later];
        for (var e = 0; e < expiries.Length; e++)
        {
            var years = (new DateTimeOffset(expiries[e].ToDateTime(new TimeOnly(8, 0)), TimeSpan.Zero) - time.GetUtcNow()).TotalDays / 365;
            foreach (var strike in strikes)
            {
                var iv = slices[e].ImpliedVol(Math.Log(strike / Forward), years);
                Quote(book, time, BookBuilder.Create("BTC", expiries[e], strike, 'C').Symbol, iv);
                Quote(book, time, BookBuilder.Create("BTC", expiries[e], strike, 'P').Symbol, iv);
            }
        }
        Assert.True(book.Index.TryGetCoin("BTC", out var coin));
        var fits = SmileFit.ForCoin(TermStructure.ForCoin(coin, time.GetUtcNow()));
        Assert.All(fits, f => Assert.NotNull(f));
        Assert.False(fits[0]!.CalendarArbitrage);
        Assert.True(fits[1]!.CalendarArbitrage);
        Assert.Null(fits[2]!.CalendarArbitrage);
    }

    /// <summary>Points of <paramref name="slice"/> evenly spaced in k, weighted by Black-76's vega at their IV.</summary>
    private static (double[] K, double[] W, double[] Vega) Points(SviParameters slice, double years, double kLow, double kHigh, int count)
    {
        var k = new double[count];
        var w = new double[count];
        var vega = new double[count];
        for (var i = 0; i < count; i++)
        {
            k[i] = kLow + ((kHigh - kLow) * i / (count - 1));
            w[i] = slice.TotalVariance(k[i]);
            var strike = Forward * Math.Exp(k[i]);
            vega[i] = Black76.Greeks(Forward, strike, years, Math.Sqrt(w[i] / years), k[i] >= 0 ? OptionType.Call : OptionType.Put).Vega;
        }
        return (k, w, vega);
    }

    /// <summary>A one-expiry book quoting <paramref name="slice"/>'s IVs on strikes spanning [kLow, kHigh], and its fit.</summary>
    private static SmileFit FitOfSmile(SviParameters slice, double years, double kLow, double kHigh)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 12, 1, 8, 0, 0, TimeSpan.Zero));
        var delivery = time.GetUtcNow().AddDays(Math.Round(years * 365));
        var expiry = DateOnly.FromDateTime(delivery.UtcDateTime);
        var strikes = Enumerable.Range(0, 41).Select(i => Math.Round(Forward * Math.Exp(kLow + ((kHigh - kLow) * i / 40)) / 100) * 100).Distinct().ToArray();
        var book = new OptionBook(time);
        book.AddInstruments([.. strikes.SelectMany(s => new[] { BookBuilder.Create("BTC", expiry, (decimal)s, 'C'), BookBuilder.Create("BTC", expiry, (decimal)s, 'P') })]);
        var t = (new DateTimeOffset(expiry.ToDateTime(new TimeOnly(8, 0)), TimeSpan.Zero) - time.GetUtcNow()).TotalDays / 365;
        foreach (var strike in strikes)
        {
            var iv = slice.ImpliedVol(Math.Log(strike / Forward), t);
            Quote(book, time, BookBuilder.Create("BTC", expiry, (decimal)strike, 'C').Symbol, iv);
            Quote(book, time, BookBuilder.Create("BTC", expiry, (decimal)strike, 'P').Symbol, iv);
        }
        var fit = FitOf(book, time);
        Assert.NotNull(fit);
        TestContext.Current.TestOutputHelper?.WriteLine($"{slice} → {fit.Parameters}, RMSE {fit.RmseVolPoints} vol pts");
        return fit;
    }

    private static SmileFit? FitOf(OptionBook book, TimeProvider time)
    {
        Assert.True(book.Index.TryGetCoin("BTC", out var coin));
        return SmileFit.ForExpiry(TermStructure.ForExpiry(coin.Expiries.Single(), time.GetUtcNow()));
    }

    private static void Quote(OptionBook book, TimeProvider time, string symbol, double iv)
    {
        Assert.True(book.Index.TryGetSlot(Venue.Bybit, symbol, out var slot), symbol);
        var update = new QuoteUpdate { Values = QuoteValues.AllMissing(), ExchangeTimeMs = time.GetUtcNow().ToUnixTimeMilliseconds() };
        update.Set(QuoteField.MarkIv, iv);
        update.Set(QuoteField.UnderlyingPrice, Forward);
        book.Apply(slot, update);
    }
}
