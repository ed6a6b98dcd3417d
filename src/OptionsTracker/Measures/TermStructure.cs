using OptionsTracker.Book;

namespace OptionsTracker.Measures;

/// <summary>
/// The term structure of a coin (ANALYTICS.md "Per expiry" and "Constant tenors"): each expiry's figures, and the same
/// figures at constant tenors interpolated between the expiries around them. The term endpoint, its stream, the Skew &amp;
/// term view, the tenor alert rules and (next) the history all read these, through <see cref="MarketAnalytics"/>.
/// </summary>
public static class TermStructure
{
    /// <summary>The constant tenors, in days, every reader shows.</summary>
    public static IReadOnlyList<int> Tenors { get; } = [7, 14, 30, 60, 90, 180];

    /// <summary>The deltas the skew is measured at.</summary>
    public const double Delta25 = 0.25;

    public const double Delta10 = 0.10;

    /// <summary>One expiry's figures at <paramref name="now"/>. Allocates (max pain's working list): per refresh, not per message.</summary>
    public static ExpiryFigures ForExpiry(ExpiryIndex expiry, DateTimeOffset now)
    {
        var forward = MarketMeasures.Forward(expiry);
        var atmIv = MarketMeasures.AtmIv(expiry, forward);
        var putCall = MarketMeasures.PutCall(expiry.Slots);
        return new ExpiryFigures(
            expiry,
            MarketMeasures.DaysToExpiry(expiry, now),
            forward,
            MarketMeasures.AtmStrike(expiry, forward),
            atmIv,
            MarketMeasures.Skew(expiry, forward, atmIv, Delta25),
            MarketMeasures.Skew(expiry, forward, atmIv, Delta10),
            putCall.OiRatio ?? double.NaN,
            putCall.VolumeRatio ?? double.NaN,
            MarketMeasures.MaxPain(expiry.Slots));
    }

    /// <summary>Every expiry of the coin, chronological.</summary>
    public static ExpiryFigures[] ForCoin(CoinIndex coin, DateTimeOffset now)
    {
        var figures = new ExpiryFigures[coin.Expiries.Count];
        for (var i = 0; i < figures.Length; i++)
            figures[i] = ForExpiry(coin.Expiries[i], now);
        return figures;
    }

    /// <summary>
    /// The figures at a constant tenor τ: ATM IV by total variance w = σ²·T linear in T between the two unexpired
    /// expiries around τ that have an ATM IV, then σ = √(w / τ); risk reversals and butterflies linear in T between the
    /// same two expiries (NaN when either lacks one). At an expiry's own T, its figures. NaN before the first or past the
    /// last such expiry: no extrapolation. <paramref name="realised"/> is the realised volatility for the tenor (NaN
    /// when unknown); the volatility risk premium is ATM IV − realised.
    /// </summary>
    public static TenorFigures AtTenor(IReadOnlyList<ExpiryFigures> expiries, double tenorDays, double realised)
    {
        var (before, after, weight) = Bracket(expiries, tenorDays);
        if (before < 0)
            return new TenorFigures(tenorDays, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, realised, double.NaN);
        var target = tenorDays / MarketMeasures.DaysPerYear;
        var b = expiries[before];
        var a = expiries[after];
        double Linear(double x, double y) => x + ((y - x) * weight);
        var w = Linear(b.AtmIv * b.AtmIv * b.Years, a.AtmIv * a.AtmIv * a.Years);
        var atm = w > 0 ? Math.Sqrt(w / target) : double.NaN;
        return new TenorFigures(
            tenorDays,
            atm,
            Linear(b.Skew25.RiskReversal, a.Skew25.RiskReversal),
            Linear(b.Skew25.Butterfly, a.Skew25.Butterfly),
            Linear(b.Skew10.RiskReversal, a.Skew10.RiskReversal),
            Linear(b.Skew10.Butterfly, a.Skew10.Butterfly),
            realised,
            atm - realised);
    }

    /// <summary>
    /// The two expiries around τ (unexpired, with an ATM IV) and the weight of the later one, linear in T; the same index
    /// twice with weight 0 on an exact match; (-1, -1, NaN) when τ is not bracketed.
    /// </summary>
    private static (int Before, int After, double Weight) Bracket(IReadOnlyList<ExpiryFigures> expiries, double tenorDays)
    {
        var target = tenorDays / MarketMeasures.DaysPerYear;
        if (!(target > 0))
            return (-1, -1, double.NaN);
        var before = -1;
        for (var i = 0; i < expiries.Count; i++)
        {
            var e = expiries[i];
            if (e.Years <= 0 || !(e.AtmIv > 0))
                continue;
            if (e.Years == target)
                return (i, i, 0);
            if (e.Years > target)
            {
                if (before < 0)
                    return (-1, -1, double.NaN);
                var b = expiries[before].Years;
                return (before, i, (target - b) / (e.Years - b));
            }
            before = i;
        }
        return (-1, -1, double.NaN);
    }
}

/// <summary>
/// One expiry's figures (IV fractions; NaN or null where missing): the term endpoint's item. <see cref="Skew25"/> and
/// <see cref="Skew10"/> carry the IVs at the call and put delta, the risk reversal and the butterfly.
/// </summary>
public readonly record struct ExpiryFigures(
    ExpiryIndex Expiry,
    double DaysToExpiry,
    double Forward,
    decimal? AtmStrike,
    double AtmIv,
    SkewMeasures Skew25,
    SkewMeasures Skew10,
    double PutCallOi,
    double PutCallVolume,
    decimal? MaxPain)
{
    private readonly ExpiryIndex? _smile;

    /// <summary>T in years, ACT/365.</summary>
    public double Years => DaysToExpiry / MarketMeasures.DaysPerYear;

    /// <summary>
    /// The options the IV figures (forward, ATM, skew) were read from and the smile fit and surface read: one venue's.
    /// The same as <see cref="Expiry"/> for one venue's figures; in the combined figures of several venues,
    /// <see cref="Expiry"/> holds every venue's options (what the OI, volume, max pain and GEX sum) and this the options
    /// of the venue the IVs are taken from (<see cref="CoinAnalytics.Combine"/>): two venues' smiles are not mixed.
    /// </summary>
    public ExpiryIndex Smile
    {
        get => _smile ?? Expiry;
        init => _smile = value;
    }

    /// <summary>The venue the IV figures are of (that of <see cref="Smile"/>'s options); default when the expiry lists none.</summary>
    public Venue SmileVenue => Smile.Slots.Count > 0 ? Smile.Slots[0].Instrument.Venue : default;
}

/// <summary>The figures at one constant tenor (IV fractions; NaN where missing): the term endpoint's <c>tenors</c> item.</summary>
public readonly record struct TenorFigures(
    double TenorDays, double AtmIv, double Rr25, double Bf25, double Rr10, double Bf10, double Hv, double Vrp);
