using OptionsTracker.Book;

namespace OptionsTracker.Alerts;

/// <summary>The numbers rules watch, computed from the live book. Pure functions of the index and the time.</summary>
internal static class MarketMeasures
{
    private const double DaysPerYear = 365.0;

    /// <summary>
    /// The at-the-money mark IV of <paramref name="coin"/> at <paramref name="tenorDays"/>, as a fraction; null
    /// when no expiry has an ATM IV.
    /// <para>
    /// Per expiry: the forward is the expiry's <c>underlyingPrice</c> (Bybit quotes each expiry against its own
    /// future), falling back to the index price; the ATM strike is the listed strike nearest the forward that has
    /// a mark IV; its IV is the mean of the call's and the put's mark IV (one of them when only one is quoted).
    /// Across expiries: ATM total variance w = σ²·T (T in years of 365 days) is interpolated linearly in T between
    /// the two expiries around the tenor, and σ = √(w / T). Interpolating total variance rather than σ keeps the
    /// forward variance between the two expiries non-negative, the usual way to read a term structure. Before
    /// the first expiry or past the last one, that expiry's IV is used (flat).
    /// </para>
    /// </summary>
    public static double? AtmIv(CoinIndex coin, DateTimeOffset now, double tenorDays)
    {
        var target = tenorDays / DaysPerYear;
        (double Years, double Iv)? before = null;
        foreach (var expiry in coin.Expiries)
        {
            var years = (expiry.ExpiryUtc - now).TotalDays / DaysPerYear;
            if (years <= 0 || ExpiryAtmIv(expiry) is not { } iv)
                continue;
            if (years >= target)
            {
                if (before is not { } b)
                    return iv;
                var w1 = b.Iv * b.Iv * b.Years;
                var w2 = iv * iv * years;
                var w = w1 + (w2 - w1) * (target - b.Years) / (years - b.Years);
                return w > 0 ? Math.Sqrt(w / target) : null;
            }
            before = (years, iv);
        }
        return before?.Iv;
    }

    /// <summary>The ATM mark IV of one expiry (see <see cref="AtmIv"/>), or null.</summary>
    public static double? ExpiryAtmIv(ExpiryIndex expiry)
    {
        var quotes = new (OptionInstrument Instrument, double MarkIv)[expiry.Slots.Count];
        var forward = double.NaN;
        var index = double.NaN;
        for (var i = 0; i < quotes.Length; i++)
        {
            var slot = expiry.Slots[i];
            var quote = slot.ReadQuote();
            quotes[i] = (slot.Instrument, quote.MarkIv);
            if (double.IsNaN(forward) && quote.UnderlyingPrice > 0)
                forward = quote.UnderlyingPrice;
            if (double.IsNaN(index) && quote.IndexPrice > 0)
                index = quote.IndexPrice;
        }
        if (double.IsNaN(forward))
            forward = index;
        if (double.IsNaN(forward))
            return null;

        var bestDistance = double.PositiveInfinity;
        var bestStrike = double.NaN;
        foreach (var (instrument, iv) in quotes)
        {
            var distance = Math.Abs(instrument.StrikeValue - forward);
            if (iv > 0 && distance < bestDistance)
            {
                bestDistance = distance;
                bestStrike = instrument.StrikeValue;
            }
        }
        if (double.IsNaN(bestStrike))
            return null;
        double sum = 0;
        var count = 0;
        foreach (var (instrument, iv) in quotes)
        {
            if (instrument.StrikeValue == bestStrike && iv > 0)
            {
                sum += iv;
                count++;
            }
        }
        return sum / count;
    }

    /// <summary>Total put OI over total call OI, of one expiry or all; null without call OI. Missing OI counts as none.</summary>
    public static double? PutCallOiRatio(CoinIndex coin, DateOnly? expiry)
    {
        double puts = 0, calls = 0;
        foreach (var slot in coin.Slots)
        {
            if (expiry is { } date && slot.Instrument.ExpiryDate != date)
                continue;
            var oi = slot.ReadQuote().OpenInterest;
            if (!double.IsFinite(oi))
                continue;
            if (slot.Instrument.Type == OptionType.Put)
                puts += oi;
            else
                calls += oi;
        }
        return calls > 0 ? puts / calls : null;
    }
}
