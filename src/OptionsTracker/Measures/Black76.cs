using MathNet.Numerics.Distributions;
using MathNet.Numerics.RootFinding;
using OptionsTracker.Book;

namespace OptionsTracker.Measures;

/// <summary>
/// The tracker's own option model, to check the exchange's marks and Greeks against: Black-76 on the expiry's forward
/// with a zero rate, as Bybit prices options (on <c>underlyingPrice</c>). Greeks in the units Bybit publishes (and the
/// simulator reproduces): delta per unit of the underlying, gamma per 1 USD of the underlying, vega per vol point
/// (0.01), theta per calendar day. Bad inputs (a non-positive forward, strike, time or volatility, or NaN) give NaN,
/// never an exception: a measure that cannot be formed is missing.
/// </summary>
public static class Black76
{
    /// <summary>The widest volatility the solver looks at: 2,000 %. Wider would be a price at its bound, not a vol.</summary>
    public const double MaxVol = 20;

    /// <summary>The narrowest: 0.01 %, below which a price is its intrinsic value to within rounding.</summary>
    public const double MinVol = 1e-4;

    private const int DaysPerYear = 365;

    /// <summary>The price of a call (<c>F·N(d1) − K·N(d2)</c>) or a put (<c>K·N(−d2) − F·N(−d1)</c>).</summary>
    /// <param name="forward">The expiry's forward.</param>
    /// <param name="strike">The strike.</param>
    /// <param name="years">Time to expiry, ACT/365 in years.</param>
    /// <param name="vol">Volatility as a fraction (0.52 = 52 %).</param>
    /// <param name="type">Call or put.</param>
    public static double Price(double forward, double strike, double years, double vol, OptionType type)
    {
        if (!Valid(forward, strike, years, vol))
            return double.NaN;
        var (d1, d2) = D(forward, strike, years, vol);
        return type == OptionType.Call
            ? forward * Normal.CDF(0, 1, d1) - strike * Normal.CDF(0, 1, d2)
            : strike * Normal.CDF(0, 1, -d2) - forward * Normal.CDF(0, 1, -d1);
    }

    /// <summary>Delta, gamma, vega and theta in the exchange's units (see the class); all NaN on bad inputs.</summary>
    public static ModelGreeks Greeks(double forward, double strike, double years, double vol, OptionType type)
    {
        if (!Valid(forward, strike, years, vol))
            return new ModelGreeks(double.NaN, double.NaN, double.NaN, double.NaN);
        var (d1, _) = D(forward, strike, years, vol);
        var sqrtT = Math.Sqrt(years);
        var density = Normal.PDF(0, 1, d1);
        var delta = type == OptionType.Call ? Normal.CDF(0, 1, d1) : Normal.CDF(0, 1, d1) - 1;
        var gamma = density / (forward * vol * sqrtT);
        var vega = forward * density * sqrtT / 100;
        // With r = 0 calls and puts lose time value alike: −F·φ(d1)·σ / (2√T) a year.
        var theta = -forward * density * vol / (2 * sqrtT) / DaysPerYear;
        return new ModelGreeks(delta, gamma, vega, theta);
    }

    /// <summary>
    /// Vega per unit of volatility, F·φ(d1)·√T (the same for a call and a put; <see cref="Greeks"/>' vega is this / 100,
    /// per vol point); NaN on bad inputs. On its own for a weight (the smile fit's, every option of every snapshot),
    /// which needs neither the delta nor the theta <see cref="Greeks"/> computes.
    /// </summary>
    public static double VegaPerUnitVol(double forward, double strike, double years, double vol)
    {
        if (!Valid(forward, strike, years, vol))
            return double.NaN;
        var (d1, _) = D(forward, strike, years, vol);
        return forward * Normal.PDF(0, 1, d1) * Math.Sqrt(years);
    }

    /// <summary>
    /// The volatility at which the model gives <paramref name="price"/> (Brent's method, polished by Newton steps), or NaN when
    /// none does: a price at or outside the no-arbitrage bounds (a call within (max(F − K, 0), F), a put within
    /// (max(K − F, 0), K)), or one that needs a vol outside [<see cref="MinVol"/>, <see cref="MaxVol"/>].
    /// </summary>
    public static double ImpliedVol(double price, double forward, double strike, double years, OptionType type)
    {
        if (!double.IsFinite(price) || !Valid(forward, strike, years, MinVol))
            return double.NaN;
        var intrinsic = type == OptionType.Call ? Math.Max(forward - strike, 0) : Math.Max(strike - forward, 0);
        var ceiling = type == OptionType.Call ? forward : strike;
        if (price <= intrinsic || price >= ceiling)
            return double.NaN;
        double Error(double vol) => Price(forward, strike, years, vol, type) - price;
        // The price rises with the vol, so a root inside the bracket exists exactly when the ends straddle it.
        if (Error(MinVol) > 0 || Error(MaxVol) < 0)
            return double.NaN;
        if (!Brent.TryFindRoot(Error, MinVol, MaxVol, 1e-10 * Math.Max(1, price), 200, out var vol))
            return double.NaN;
        // Brent brackets the root safely but stops at a price tolerance, which for an option with little vega is a wide
        // one in vol; a few Newton steps on vega finish it (quadratic from this close).
        for (var step = 0; step < 4; step++)
        {
            var vegaPerUnit = Greeks(forward, strike, years, vol, type).Vega * 100;
            if (!(vegaPerUnit > 0))
                break;
            var next = vol - Error(vol) / vegaPerUnit;
            if (!(next > MinVol && next < MaxVol))
                break;
            vol = next;
        }
        return vol;
    }

    /// <summary>
    /// As <see cref="ImpliedVol(double, double, double, double, OptionType)"/>, starting from <paramref name="guess"/>
    /// (e.g. the exchange's mark IV, usually within a few rounding steps of the answer): Newton steps on vega, which from
    /// that close converge in two or three, so a list of thousands of options solves in a few milliseconds. Falls back
    /// to the bracketed solver when the guess is missing or a step leaves the bracket or does not settle.
    /// </summary>
    public static double ImpliedVol(double price, double forward, double strike, double years, OptionType type, double guess)
    {
        if (guess > MinVol && guess < MaxVol && double.IsFinite(price) && Valid(forward, strike, years, guess))
        {
            var intrinsic = type == OptionType.Call ? Math.Max(forward - strike, 0) : Math.Max(strike - forward, 0);
            var ceiling = type == OptionType.Call ? forward : strike;
            if (price <= intrinsic || price >= ceiling)
                return double.NaN;
            var vol = guess;
            for (var step = 0; step < 8; step++)
            {
                var vegaPerUnit = Greeks(forward, strike, years, vol, type).Vega * 100;
                if (!(vegaPerUnit > 0))
                    break;
                var next = vol - ((Price(forward, strike, years, vol, type) - price) / vegaPerUnit);
                if (!(next > MinVol && next < MaxVol))
                    break;
                if (Math.Abs(next - vol) <= 1e-12 * Math.Max(1, vol))
                    return next;
                vol = next;
            }
        }
        return ImpliedVol(price, forward, strike, years, type);
    }

    private static bool Valid(double forward, double strike, double years, double vol) =>
        forward > 0 && strike > 0 && years > 0 && vol > 0 && double.IsFinite(forward) && double.IsFinite(strike)
        && double.IsFinite(years) && double.IsFinite(vol);

    private static (double D1, double D2) D(double forward, double strike, double years, double vol)
    {
        var volSqrtT = vol * Math.Sqrt(years);
        var d1 = (Math.Log(forward / strike) + 0.5 * volSqrtT * volSqrtT) / volSqrtT;
        return (d1, d1 - volSqrtT);
    }
}

/// <summary>The model's Greeks of one option, in the exchange's units (see <see cref="Black76"/>).</summary>
public readonly record struct ModelGreeks(double Delta, double Gamma, double Vega, double Theta);
