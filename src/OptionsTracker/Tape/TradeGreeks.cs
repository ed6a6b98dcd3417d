using OptionsTracker.Book;
using OptionsTracker.Measures;

namespace OptionsTracker.Tape;

/// <summary>
/// The one definition of a trade's Greeks "at trade time", which the flow figures add up: Black-76 (the tracker's own
/// model, <see cref="Black76"/>) at the trade's own IV (its mark IV when it has none), on the underlying price the venue
/// quoted for the option when the trade arrived (the index price when there is none), with the time to expiry measured
/// from the trade's time. Deterministic from the trade's fields, so a reader can recompute every flow figure.
/// </summary>
public static class TradeGreeks
{
    private const double MsPerYear = 365d * 24 * 3600 * 1000;

    /// <summary>The trade with <see cref="Trade.Delta"/>, <see cref="Trade.Gamma"/> and <see cref="Trade.Vega"/> filled in.</summary>
    /// <param name="trade">The trade (its IV, mark IV, index price, strike, type, expiry and time are read).</param>
    /// <param name="underlyingPrice">The option's underlying price at arrival (Bybit's <c>underlyingPrice</c>); NaN for the index price.</param>
    public static Trade With(Trade trade, double underlyingPrice)
    {
        var vol = double.IsFinite(trade.Iv) && trade.Iv > 0 ? trade.Iv : trade.MarkIv;
        var forward = double.IsFinite(underlyingPrice) && underlyingPrice > 0 ? underlyingPrice : trade.IndexPrice;
        var years = (trade.ExpiryUtc.ToUnixTimeMilliseconds() - trade.TimeMs) / MsPerYear;
        var greeks = Black76.Greeks(forward, (double)trade.Strike, years, vol, trade.Type);
        return trade with { Delta = greeks.Delta, Gamma = greeks.Gamma, Vega = greeks.Vega };
    }
}
