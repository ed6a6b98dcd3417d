using OptionsTracker.Book;

namespace OptionsTracker.Deribit;

/// <summary>
/// The one place where Deribit's units become the book's (docs/venues.md, "Normalisation"): called on every ticker, every
/// book-summary item and every trade, after parsing and before anything is stored.
/// <list type="bullet">
/// <item>Prices: an inverse option (BTC, ETH) is quoted in its coin; each price becomes USD at the index price of the same
/// message (<see cref="NativePrice.ToUsd"/>), as Deribit itself shows USD prices ("calculated by using the latest index
/// price"). A coin price whose message carries no index price is left out (the book keeps its last USD value). Linear
/// options are quoted in USDC, taken as USD (<see cref="OptionInstrument.PriceCurrency"/> null).</item>
/// <item>IVs and the 24 h change: percent → fraction.</item>
/// <item>An empty side (price null or 0): price and IV missing (NaN), size 0.</item>
/// <item>Sizes, open interest, volume: Deribit gives options' amounts in the base coin already (1 BTC per inverse contract;
/// the linear options' amounts are in the base coin too, their contract multiplier notwithstanding): unchanged.</item>
/// <item>Greeks: Deribit's Black-Scholes delta, gamma, vega and theta, in the units Bybit uses (per coin, per USD, USD per
/// vol point, USD per day): unchanged.</item>
/// </list>
/// Allocation-free: it works on the parsed update in place.
/// </summary>
internal static class DeribitNormalisation
{
    private const double PercentToFraction = 0.01;

    private static ReadOnlySpan<QuoteField> CoinPrices =>
        [QuoteField.BidPrice, QuoteField.AskPrice, QuoteField.LastPrice, QuoteField.HighPrice24h, QuoteField.LowPrice24h, QuoteField.MarkPrice];

    private static ReadOnlySpan<QuoteField> Percentages => [QuoteField.BidIv, QuoteField.AskIv, QuoteField.MarkIv, QuoteField.Change24h];

    /// <summary>Turns a parsed update of <paramref name="instrument"/>, in Deribit's units, into the book's.</summary>
    public static void Normalise(ref QuoteUpdate update, OptionInstrument instrument)
    {
        foreach (var field in Percentages)
        {
            if (update.Has(field))
                update.Values[(int)field] *= PercentToFraction;
        }
        EmptySide(ref update, QuoteField.BidPrice, QuoteField.BidSize, QuoteField.BidIv);
        EmptySide(ref update, QuoteField.AskPrice, QuoteField.AskSize, QuoteField.AskIv);
        if (!instrument.IsCoinPriced)
            return;
        var index = update.Has(QuoteField.IndexPrice) ? update.Values[(int)QuoteField.IndexPrice] : double.NaN;
        foreach (var field in CoinPrices)
        {
            if (!update.Has(field))
                continue;
            if (index > 0)
                update.Values[(int)field] = NativePrice.ToUsd(update.Values[(int)field], instrument, index);
            else
                update.PresentMask &= ~(1u << (int)field); // no rate in this message: keep the last USD value
        }
    }

    /// <summary>A coin price in USD at <paramref name="indexPrice"/> (trades); NaN when either is missing.</summary>
    public static double ToUsd(double native, OptionInstrument? instrument, bool coinPriced, double indexPrice)
    {
        if (!coinPriced)
            return native;
        if (!(indexPrice > 0) || double.IsNaN(native))
            return double.NaN;
        return instrument is null ? native * indexPrice : NativePrice.ToUsd(native, instrument, indexPrice);
    }

    /// <summary>An IV in percent as a fraction (NaN stays NaN; 0, Deribit's "none", is missing).</summary>
    public static double IvFraction(double percent) => percent > 0 ? percent * PercentToFraction : double.NaN;

    private static void EmptySide(ref QuoteUpdate update, QuoteField price, QuoteField size, QuoteField iv)
    {
        if (!update.Has(price))
            return;
        var value = update.Values[(int)price];
        if (!double.IsNaN(value) && value != 0)
            return;
        update.Set(price, double.NaN);
        if (update.Has(iv))
            update.Set(iv, double.NaN);
        if (update.Has(size))
            update.Set(size, 0);
    }
}
