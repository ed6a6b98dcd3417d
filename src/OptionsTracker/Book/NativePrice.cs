namespace OptionsTracker.Book;

/// <summary>
/// The one conversion between the book's USD prices and the price a coin-priced venue quotes (Deribit's inverse options,
/// priced in BTC or ETH). A venue converts every coin price to USD on arrival at the <b>index price of the same tick</b>
/// (<see cref="OptionQuote.IndexPrice"/>), so the native price is recovered exactly by dividing by it: readers that show
/// native prices (the API's <c>mark_price_native</c>, the dashboard) call this, never their own rule.
/// </summary>
public static class NativePrice
{
    /// <summary>The USD price per coin of price for a quote of <paramref name="instrument"/>: 1 when it is priced in dollars.</summary>
    public static double UsdPerUnit(OptionInstrument instrument, in OptionQuote quote) =>
        instrument.IsCoinPriced ? quote.IndexPrice : 1;

    /// <summary>A USD price of the book as the venue quoted it; NaN when the conversion's index is missing.</summary>
    public static double FromUsd(double usd, OptionInstrument instrument, in OptionQuote quote)
    {
        var rate = UsdPerUnit(instrument, quote);
        return rate > 0 ? usd / rate : double.NaN;
    }

    /// <summary>
    /// A USD price of the book in the terms Black-76 on the option's forward prices it, for a model check against the
    /// venue's IV: a coin price converted at the quote's <b>underlying</b> (forward) price rather than the index. Deribit's
    /// inverse option IVs use "the forward, rather than the index, as the underlying price" (support.deribit.com "Inverse
    /// Options"): its mark IV prices <c>mark_price × underlying_price</c>, while the USD the book serves is
    /// <c>mark_price × index_price</c> (Deribit's display convention, kept). A dollar-priced option's price is returned as
    /// is. NaN when the conversion's index is missing.
    /// </summary>
    public static double AtUnderlying(double usd, OptionInstrument instrument, in OptionQuote quote) =>
        instrument.IsCoinPriced ? FromUsd(usd, instrument, quote) * quote.UnderlyingPrice : usd;

    /// <summary>A price as the venue quoted it, in USD at <paramref name="usdPerUnit"/> (the index price of the same tick).</summary>
    public static double ToUsd(double native, OptionInstrument instrument, double usdPerUnit) =>
        instrument.IsCoinPriced ? native * usdPerUnit : native;
}
