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
        var deltaDiff = greeks.Delta - quote.Delta;
        var gammaDiff = greeks.Gamma - quote.Gamma;
        var vegaDiff = greeks.Vega - quote.Vega;
        var thetaDiff = greeks.Theta - quote.Theta;
        return new ModelCheck(
            iv, greeks.Delta, greeks.Gamma, greeks.Vega, greeks.Theta,
            ivDiff, deltaDiff, gammaDiff, vegaDiff, thetaDiff,
            Divergent(ivDiff, deltaDiff, gammaDiff, quote.Gamma, vegaDiff, quote.Vega, thetaDiff, quote.Theta));
    }

    /// <summary>Whether a relative divergence of gamma, vega or theta is beyond tolerance (NaN: not comparable).</summary>
    public static bool? BeyondRelative(double diff, double exchange) =>
        double.IsFinite(diff) ? Math.Abs(diff) > Math.Max(RelativeTolerance * Math.Abs(exchange), GreekFloor) : null;

    public static bool? BeyondIv(double diff) => double.IsFinite(diff) ? Math.Abs(diff) > IvTolerance : null;

    public static bool? BeyondDelta(double diff) => double.IsFinite(diff) ? Math.Abs(diff) > DeltaTolerance : null;

    /// <summary>True when any comparable figure is beyond its tolerance; false when all are within; null when none is comparable.</summary>
    private static bool? Divergent(double iv, double delta, double gamma, double exchangeGamma, double vega, double exchangeVega, double theta, double exchangeTheta)
    {
        bool? result = null;
        foreach (var beyond in (ReadOnlySpan<bool?>)[BeyondIv(iv), BeyondDelta(delta), BeyondRelative(gamma, exchangeGamma), BeyondRelative(vega, exchangeVega), BeyondRelative(theta, exchangeTheta)])
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
    public static ModelCheck Missing { get; } = new(
        double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, null);
}
