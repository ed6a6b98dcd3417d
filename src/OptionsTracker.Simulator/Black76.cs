namespace OptionsTracker.Simulator;

/// <summary>
/// Black-76 on the forward with zero rates (Bybit quotes marks on the expiry's forward, <c>underlyingPrice</c>).
/// Vega is per vol point and theta per calendar day, the units Bybit publishes.
/// </summary>
internal static class Black76
{
    private const double InvSqrt2Pi = 0.39894228040143267794;

    /// <summary>Standard normal density.</summary>
    public static double NormalPdf(double x) => InvSqrt2Pi * Math.Exp(-0.5 * x * x);

    /// <summary>
    /// Standard normal CDF to about 1e-14, Hart's (1968) rational approximation as given by West (2005),
    /// "Better approximations to cumulative normal functions".
    /// </summary>
    public static double NormalCdf(double x)
    {
        double z = Math.Abs(x);
        double tail;
        if (z > 37)
        {
            tail = 0;
        }
        else
        {
            double e = Math.Exp(-0.5 * z * z);
            if (z < 7.07106781186547)
            {
                double n = 3.52624965998911E-02 * z + 0.700383064443688;
                n = n * z + 6.37396220353165;
                n = n * z + 33.912866078383;
                n = n * z + 112.079291497871;
                n = n * z + 221.213596169931;
                n = n * z + 220.206867912376;
                double d = 8.83883476483184E-02 * z + 1.75566716318264;
                d = d * z + 16.064177579207;
                d = d * z + 86.7807322029461;
                d = d * z + 296.564248779674;
                d = d * z + 637.333633378831;
                d = d * z + 793.826512519948;
                d = d * z + 440.413735824752;
                tail = e * n / d;
            }
            else
            {
                double f = z + 0.65;
                f = z + 4 / f;
                f = z + 3 / f;
                f = z + 2 / f;
                f = z + 1 / f;
                tail = e / f / 2.506628274631;
            }
        }

        return x > 0 ? 1 - tail : tail;
    }

    /// <summary>Price and Greeks of one option.</summary>
    /// <param name="forward">Forward of the expiry.</param>
    /// <param name="strike">Strike.</param>
    /// <param name="years">Time to expiry in years (365-day), must be positive.</param>
    /// <param name="vol">Volatility as a fraction, must be positive.</param>
    /// <param name="isCall">Call or put.</param>
    public static OptionValue Value(double forward, double strike, double years, double vol, bool isCall)
    {
        double sqrtT = Math.Sqrt(years);
        double volSqrtT = vol * sqrtT;
        double d1 = (Math.Log(forward / strike) + 0.5 * volSqrtT * volSqrtT) / volSqrtT;
        double d2 = d1 - volSqrtT;
        double pdf = NormalPdf(d1);

        double price = isCall
            ? forward * NormalCdf(d1) - strike * NormalCdf(d2)
            : strike * NormalCdf(-d2) - forward * NormalCdf(-d1);
        double delta = isCall ? NormalCdf(d1) : NormalCdf(d1) - 1;
        double gamma = pdf / (forward * volSqrtT);
        double vegaPerPoint = forward * pdf * sqrtT / 100;
        double thetaPerDay = -forward * pdf * vol / (2 * sqrtT) / 365;
        return new OptionValue(Math.Max(price, 0), delta, gamma, vegaPerPoint, thetaPerDay);
    }

    /// <summary>
    /// The volatility at which <see cref="Value"/> gives <paramref name="price"/>, by bisection on [0.001, 10] (a trade's IV
    /// needs no speed: a few microseconds each); NaN when the price is outside what those vols give.
    /// </summary>
    public static double ImpliedVol(double price, double forward, double strike, double years, bool isCall)
    {
        double lo = 0.001, hi = 10;
        if (!(price >= Value(forward, strike, years, lo, isCall).Price && price <= Value(forward, strike, years, hi, isCall).Price))
            return double.NaN;
        for (int i = 0; i < 80 && hi - lo > 1e-12; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (Value(forward, strike, years, mid, isCall).Price < price)
                lo = mid;
            else
                hi = mid;
        }

        return 0.5 * (lo + hi);
    }
}

/// <summary>A Black-76 result: price, delta, gamma, vega per vol point, theta per day.</summary>
internal readonly record struct OptionValue(double Price, double Delta, double Gamma, double VegaPerPoint, double ThetaPerDay);
