using System.Buffers;
using OptionsTracker.Book;

namespace OptionsTracker.Measures;

/// <summary>
/// One expiry's SVI smile fit (docs/analytics.md, "The smile fit (SVI)") and each of its options' place against it:
/// the fitted IV at the option's log-moneyness and the residual, mark IV − fitted IV in vol points (rich &gt; 0, cheap
/// &lt; 0). Part of the coin's <see cref="CoinAnalytics"/> snapshot; immutable once the snapshot is published.
/// </summary>
public sealed class SmileFit
{
    internal SmileFit(ExpiryIndex expiry, double daysToExpiry, double forward, SviParameters parameters, double rmseVolPoints,
        int optionsUsed, double gridLow, double gridHigh, SmileFitPoint[] options)
    {
        Expiry = expiry;
        DaysToExpiry = daysToExpiry;
        Forward = forward;
        Parameters = parameters;
        RmseVolPoints = rmseVolPoints;
        OptionsUsed = optionsUsed;
        GridLow = gridLow;
        GridHigh = gridHigh;
        Options = options;
        ButterflyArbitrage = SviFit.HasButterflyArbitrage(parameters, gridLow, gridHigh);
    }

    public ExpiryIndex Expiry { get; }

    public double DaysToExpiry { get; }

    /// <summary>T in years, ACT/365: the T of w = iv²·T.</summary>
    public double Years => DaysToExpiry / MarketMeasures.DaysPerYear;

    /// <summary>The forward F of k = ln(K/F): the expiry's, as in its term figures.</summary>
    public double Forward { get; }

    /// <summary>The raw SVI slice in total variance.</summary>
    public SviParameters Parameters { get; }

    /// <summary>√(mean of (mark IV − fitted IV)²) over the options fitted, in vol points (1 = one percentage point of IV).</summary>
    public double RmseVolPoints { get; }

    /// <summary>How many out-of-the-money options with a mark IV the fit used.</summary>
    public int OptionsUsed { get; }

    /// <summary>The arbitrage checks' k-grid: the fitted log-moneyness range widened by <see cref="SviFit.FlagGridMargin"/> of its width on each side.</summary>
    public double GridLow { get; }

    public double GridHigh { get; }

    /// <summary>Gatheral's g(k) &lt; 0 (or w ≤ 0) somewhere on the grid: the fitted slice implies a negative density.</summary>
    public bool ButterflyArbitrage { get; }

    /// <summary>
    /// The slice's total variance above the next fitted expiry's somewhere on this slice's grid; null for the last fitted
    /// expiry. Set while the snapshot is built, before anyone reads it.
    /// </summary>
    public bool? CalendarArbitrage { get; internal set; }

    /// <summary>Every option of the expiry with a mark IV (in the money ones too), by strike then type.</summary>
    public IReadOnlyList<SmileFitPoint> Options { get; }

    /// <summary>The fitted IV (fraction) at strike <paramref name="strike"/>; NaN where the slice's variance is not positive.</summary>
    public double ModelIv(double strike) => Parameters.ImpliedVol(Math.Log(strike / Forward), Years);

    /// <summary>
    /// Fits one expiry at <paramref name="figures"/>' forward and time: the out-of-the-money options (calls K ≥ F, puts
    /// K ≤ F) with a mark IV, weighted by Black-76's vega at their own mark IV. Null without a forward, once expired,
    /// or with fewer than <see cref="SviFit.MinPoints"/> such options.
    /// </summary>
    public static SmileFit? ForExpiry(in ExpiryFigures figures, SmileFit? previous = null)
    {
        var forward = figures.Forward;
        var years = figures.Years;
        if (!(forward > 0) || !(years > 0))
            return null;
        var slots = figures.Smile.Slots;
        var count = slots.Count;
        var pool = ArrayPool<double>.Shared;
        var buffer = pool.Rent(4 * count);
        try
        {
            // Each quote is read once: the feed moves them meanwhile, and the fit and the residuals must see the same IVs.
            var ivs = buffer.AsSpan(0, count);
            var k = buffer.AsSpan(count, count);
            var w = buffer.AsSpan(2 * count, count);
            var vega = buffer.AsSpan(3 * count, count);
            var quoted = 0;
            var used = 0;
            for (var i = 0; i < count; i++)
            {
                var instrument = slots[i].Instrument;
                var iv = slots[i].ReadQuote().MarkIv;
                ivs[i] = MarketMeasures.TakesPart(iv) ? iv : double.NaN;
                if (double.IsNaN(ivs[i]))
                    continue;
                quoted++;
                var strike = instrument.StrikeValue;
                if (!MarketMeasures.IsOutOfTheMoney(instrument, forward))
                    continue;
                k[used] = Math.Log(strike / forward);
                w[used] = iv * iv * years;
                vega[used] = Black76.VegaPerUnitVol(forward, strike, years, iv);
                used++;
            }
            if (SviFit.Fit(k[..used], w[..used], vega[..used], previous?.Parameters) is not { } parameters)
                return null;

            var kMin = double.PositiveInfinity;
            var kMax = double.NegativeInfinity;
            var squares = 0.0;
            var options = new SmileFitPoint[quoted];
            var n = 0;
            for (var i = 0; i < count; i++)
            {
                var iv = ivs[i];
                if (double.IsNaN(iv))
                    continue;
                var instrument = slots[i].Instrument;
                var logMoneyness = Math.Log(instrument.StrikeValue / forward);
                var model = parameters.ImpliedVol(logMoneyness, years);
                var residual = (iv - model) * 100;
                var inFit = MarketMeasures.IsOutOfTheMoney(instrument, forward);
                if (inFit)
                {
                    kMin = Math.Min(kMin, logMoneyness);
                    kMax = Math.Max(kMax, logMoneyness);
                    squares += residual * residual;
                }
                options[n++] = new SmileFitPoint(slots[i], logMoneyness, iv, model, residual, inFit);
            }
            var margin = SviFit.FlagGridMargin * (kMax - kMin);
            return new SmileFit(figures.Smile, figures.DaysToExpiry, forward, parameters, Math.Sqrt(squares / used), used,
                kMin - margin, kMax + margin, options);
        }
        finally
        {
            pool.Return(buffer);
        }
    }

    /// <summary>
    /// Every expiry's fit, parallel to <paramref name="expiries"/> (null where none), with the calendar check of each
    /// fitted expiry against the next fitted one. <paramref name="previous"/> (the last snapshot's fits, chronological)
    /// warm-starts each expiry's search from its own previous fit, matched by delivery instant.
    /// </summary>
    public static SmileFit?[] ForCoin(IReadOnlyList<ExpiryFigures> expiries, IReadOnlyList<SmileFit?>? previous = null)
    {
        var fits = new SmileFit?[expiries.Count];
        var p = 0;
        for (var i = 0; i < fits.Length; i++)
        {
            // Both lists are chronological: walk the previous one alongside.
            var expiryUtc = expiries[i].Expiry.ExpiryUtc;
            SmileFit? start = null;
            while (previous is not null && p < previous.Count && (previous[p] is null || previous[p]!.Expiry.ExpiryUtc < expiryUtc))
                p++;
            if (previous is not null && p < previous.Count && previous[p]!.Expiry.ExpiryUtc == expiryUtc)
                start = previous[p];
            fits[i] = ForExpiry(expiries[i], start);
        }
        SmileFit? later = null;
        for (var i = fits.Length - 1; i >= 0; i--)
        {
            if (fits[i] is not { } fit)
                continue;
            fit.CalendarArbitrage = later is null ? null : SviFit.HasCalendarArbitrage(fit.Parameters, later.Parameters, fit.GridLow, fit.GridHigh);
            later = fit;
        }
        return fits;
    }
}

/// <summary>
/// One option against its expiry's fit: <paramref name="K"/> = ln(strike / F); IVs as fractions; the residual
/// (mark IV − fitted IV) in vol points, NaN where the fit has no IV; <paramref name="InFit"/> when it was one of the
/// out-of-the-money options fitted.
/// </summary>
public readonly record struct SmileFitPoint(OptionSlot Slot, double K, double MarkIv, double ModelIv, double Residual, bool InFit);
