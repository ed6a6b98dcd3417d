namespace OptionsTracker.Simulator;

/// <summary>
/// Strike grids like the exchange's: round steps that grow with the expiry (BTC 500 for dailies, 1,000 weeklies,
/// 2,000 monthlies, 5,000 quarterlies) over a range that widens with volatility times the square root of time.
/// </summary>
internal static class StrikeGrid
{
    /// <summary>Half-width of the grid in standard deviations of log price.</summary>
    private const double Deviations = 2.5;

    /// <summary>The realistic step for one expiry, as a fraction of spot.</summary>
    private static double StepFraction(ExpiryKind kind) => kind switch
    {
        ExpiryKind.Daily => 0.005,
        ExpiryKind.Weekly => 0.01,
        ExpiryKind.Monthly => 0.02,
        _ => 0.05,
    };

    /// <summary>The strike step of one expiry; <paramref name="scale"/> 1 is the realistic round step.</summary>
    public static decimal Step(CoinProfile coin, ExpiryKind kind, double scale)
    {
        double raw = coin.Spot * StepFraction(kind) * scale;
        return scale == 1 ? RoundNice(raw) : RoundSignificant(raw, 2);
    }

    /// <summary>The strikes of one expiry: multiples of <paramref name="step"/> in the expiry's range, at least one.</summary>
    public static List<decimal> Strikes(CoinProfile coin, double years, decimal step)
    {
        double width = Math.Clamp(Deviations * coin.AtmVol * Math.Sqrt(years), 0.06, 1.2);
        double low = coin.Spot * Math.Exp(-width);
        double high = coin.Spot * Math.Exp(1.2 * width);

        decimal first = Math.Max(1, Math.Ceiling((decimal)low / step));
        decimal last = Math.Floor((decimal)high / step);
        var strikes = new List<decimal>();
        for (decimal k = first; k <= last; k++)
            strikes.Add(k * step);
        if (strikes.Count == 0)
            strikes.Add(Math.Max(step, Math.Round((decimal)coin.Spot / step) * step));
        return strikes;
    }

    /// <summary>The step scale whose boards total about <paramref name="target"/> instruments.</summary>
    public static double ScaleFor(IReadOnlyList<CoinProfile> coins, IReadOnlyList<(DateTimeOffset DeliveryTime, ExpiryKind Kind)> expiries, DateTimeOffset now, int target)
    {
        int Count(double scale)
        {
            int total = 0;
            foreach (var coin in coins)
            {
                foreach (var (deliveryTime, kind) in expiries)
                    total += 2 * Strikes(coin, Years(deliveryTime, now), Step(coin, kind, scale)).Count;
            }

            return total;
        }

        // Count falls as the scale grows; bisect in log space and keep the closest.
        double lo = Math.Log(1e-3), hi = Math.Log(1e3);
        double best = 1;
        int bestError = int.MaxValue;
        for (int i = 0; i < 40; i++)
        {
            double mid = 0.5 * (lo + hi);
            double scale = Math.Exp(mid);
            if (scale == 1)
                scale = 1.0000001;
            int count = Count(scale);
            if (Math.Abs(count - target) < bestError)
            {
                bestError = Math.Abs(count - target);
                best = scale;
            }

            if (count > target)
                lo = mid;
            else
                hi = mid;
        }

        return best;
    }

    public static double Years(DateTimeOffset deliveryTime, DateTimeOffset now) =>
        Math.Max((deliveryTime - now).TotalDays / 365, 1.0 / (365 * 24 * 60));

    /// <summary>1, 2, 2.5 or 5 times a power of ten, the nearest at or above <paramref name="value"/>'s mantissa.</summary>
    private static decimal RoundNice(double value)
    {
        int exponent = (int)Math.Floor(Math.Log10(value));
        double mantissa = value / Math.Pow(10, exponent);
        decimal nice = mantissa switch
        {
            <= 1.2 => 1m,
            <= 2.2 => 2m,
            <= 3.5 => 2.5m,
            <= 7.5 => 5m,
            _ => 10m,
        };
        return nice * Pow10(exponent);
    }

    private static decimal RoundSignificant(double value, int digits)
    {
        int exponent = (int)Math.Floor(Math.Log10(value)) - digits + 1;
        decimal mantissa = (decimal)Math.Round(value / Math.Pow(10, exponent));
        return mantissa * Pow10(exponent);
    }

    private static decimal Pow10(int exponent)
    {
        decimal result = 1m;
        for (int i = 0; i < exponent; i++)
            result *= 10;
        for (int i = 0; i > exponent; i--)
            result /= 10;
        return result;
    }
}
