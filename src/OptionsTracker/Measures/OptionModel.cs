using OptionsTracker.Book;

namespace OptionsTracker.Measures;

/// <summary>
/// The tracker's own Black-76 (<see cref="Black76"/>) against the exchange's numbers for one option (docs/analytics.md,
/// "The model against the exchange"): the IV solved from the mark price, the Greeks at the exchange's mark IV, and
/// each one's difference from the exchange's, flagged when beyond a stated tolerance.
/// <list type="bullet">
/// <item>Forward = the option's own <c>underlying</c> (Bybit's <c>underlyingPrice</c>, the expiry's forward), rate 0.</item>
/// <item>Price = the mark in USD; for a coin-priced option (Deribit's inverse ones) the coin mark × the forward, the price
/// the venue's IV is of (<see cref="NativePrice.AtUnderlying"/>), not the book's USD at the index.</item>
/// <item>T = (delivery − the quote's exchange time) / 365 days: the instant the exchange computed its mark and Greeks
/// for, so an option quoted a while ago is compared like with like rather than with a T that has moved on since.</item>
/// <item>Greeks at the exchange's mark IV, not at the model IV: that isolates the Greek formulas and units from the IV
/// (a Greek divergence then means another formula or unit, an IV divergence another price), and the mark IV is the
/// volatility the exchange computed its Greeks at.</item>
/// </list>
/// Computed when an answer asks for it, never per message. Missing inputs give NaN (null in the API).
/// </summary>
public static class OptionModel
{
    /// <summary>
    /// IV: 0.5 vol point (0.005). Bybit publishes mark IV to 4 decimals (0.01 vol point) and marks to 8; an IV off by
    /// more than fifty rounding steps is a price the exchange's IV does not explain.
    /// </summary>
    public const double IvTolerance = 0.005;

    /// <summary>Delta: 0.01 (Bybit publishes 8 decimals; 0.01 is a hedge of 1 % of a contract).</summary>
    public const double DeltaTolerance = 0.01;

    /// <summary>Gamma, vega and theta: 5 % of the exchange's value…</summary>
    public const double RelativeTolerance = 0.05;

    /// <summary>
    /// …but never less than 1e-8, one unit of the 8 decimals Bybit publishes them with: a far wing's gamma of 3e-9 is sent
    /// as 0.00000000, which is no divergence.
    /// </summary>
    public const double GreekFloor = 1e-8;

    private const double MsPerYear = 365.0 * 24 * 60 * 60 * 1000;

    /// <summary>The model's figures for one option's quote.</summary>
    public static ModelCheck Of(OptionInstrument instrument, in OptionQuote quote)
    {
        if (!quote.HasData)
            return ModelCheck.Missing;
        var forward = quote.UnderlyingPrice;
        var strike = instrument.StrikeValue;
        var years = (instrument.ExpiryUtc.ToUnixTimeMilliseconds() - quote.ExchangeTimeMs) / MsPerYear;
        var markIv = quote.MarkIv;
        // From the exchange's mark IV: the same root (to 1e-12), found in a few Newton steps instead of a bracketed search.
        // A coin-priced option's mark in USD at its forward, not the index the book converts at: like with like with the
        // venue's IV (Book/NativePrice.AtUnderlying); a dollar price is used as it is.
        var price = NativePrice.AtUnderlying(quote.MarkPrice, instrument, quote);
        var iv = Black76.ImpliedVol(price, forward, strike, years, instrument.Type, markIv);
        // Bybit sends 0 for an IV it has none of; Black76 gives NaN for a vol ≤ 0.
        var greeks = Black76.Greeks(forward, strike, years, markIv, instrument.Type);
        var ivDiff = iv - (markIv > 0 ? markIv : double.NaN);
        var ivAllowance = IvAllowance(forward, strike, years, markIv, greeks.Delta);
        var deltaDiff = greeks.Delta - quote.Delta;
        var gammaDiff = greeks.Gamma - quote.Gamma;
        var vegaDiff = greeks.Vega - quote.Vega;
        var thetaDiff = greeks.Theta - quote.Theta;
        return new ModelCheck(
            iv, greeks.Delta, greeks.Gamma, greeks.Vega, greeks.Theta,
            ivDiff, deltaDiff, gammaDiff, vegaDiff, thetaDiff,
            Divergent(ivDiff, ivAllowance, deltaDiff, gammaDiff, quote.Gamma, vegaDiff, quote.Vega, thetaDiff, quote.Theta))
        {
            IvAllowance = ivAllowance,
        };
    }

    /// <summary>
    /// The IV difference allowed: <see cref="IvTolerance"/>, or more where the mark's own inputs cannot pin the IV that
    /// close. The forward comes with 8 significant digits (Bybit's underlyingPrice), and an option deep in the money near
    /// expiry is worth nearly delta × F with a tiny vega, so half that digit alone moves its IV by |delta| × ½ digit / vega
    /// (a BTC put 6 % in the money 88 minutes before expiry: 0.012, which CI met as a false divergence of 0.0076).
    /// </summary>
    public static double IvAllowance(double forward, double strike, double years, double markIv, double delta)
    {
        var vega = Black76.VegaPerUnitVol(forward, strike, years, markIv);
        if (!(forward > 0) || !(vega > 0) || !double.IsFinite(delta))
            return IvTolerance;
        var halfDigit = Math.Pow(10, Math.Floor(Math.Log10(forward)) - 7) / 2;
        return Math.Max(IvTolerance, Math.Abs(delta) * halfDigit / vega);
    }

    /// <summary>Whether a relative divergence of gamma, vega or theta is beyond tolerance (NaN: not comparable).</summary>
    public static bool? BeyondRelative(double diff, double exchange) =>
        double.IsFinite(diff) ? Math.Abs(diff) > Math.Max(RelativeTolerance * Math.Abs(exchange), GreekFloor) : null;

    public static bool? BeyondIv(double diff, double allowance = IvTolerance) => double.IsFinite(diff) ? Math.Abs(diff) > allowance : null;

    public static bool? BeyondDelta(double diff) => double.IsFinite(diff) ? Math.Abs(diff) > DeltaTolerance : null;

    /// <summary>True when any comparable figure is beyond its tolerance; false when all are within; null when none is comparable.</summary>
    private static bool? Divergent(double iv, double ivAllowance, double delta, double gamma, double exchangeGamma, double vega, double exchangeVega,
        double theta, double exchangeTheta)
    {
        bool? result = null;
        foreach (var beyond in (ReadOnlySpan<bool?>)[BeyondIv(iv, ivAllowance), BeyondDelta(delta), BeyondRelative(gamma, exchangeGamma), BeyondRelative(vega, exchangeVega), BeyondRelative(theta, exchangeTheta)])
        {
            if (beyond is { } value)
                result = (result ?? false) | value;
        }
        return result;
    }
}

/// <summary>
/// The model's figures of one option (<see cref="OptionModel"/>): IV as a fraction, Greeks in the exchange's units (delta
/// per unit of the underlying, gamma per 1 USD, vega per vol point, theta per calendar day), each difference model −
/// exchange in the same unit. NaN where an input is missing; <see cref="Divergent"/> null when nothing could be compared.
/// </summary>
public readonly record struct ModelCheck(
    double Iv, double Delta, double Gamma, double Vega, double Theta,
    double IvDiff, double DeltaDiff, double GammaDiff, double VegaDiff, double ThetaDiff,
    bool? Divergent)
{
    /// <summary>The IV difference this option is allowed (<see cref="OptionModel.IvAllowance"/>).</summary>
    public double IvAllowance { get; init; } = OptionModel.IvTolerance;

    public static ModelCheck Missing { get; } = new(
        double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, null);
}
