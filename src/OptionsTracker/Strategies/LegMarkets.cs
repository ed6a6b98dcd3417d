using OptionsTracker.Book;

namespace OptionsTracker.Strategies;

/// <summary>A leg's market and its expiry's smile read from the book's quotes.</summary>
public static class LegMarkets
{
    /// <summary>
    /// The market of an option from its quote, on <paramref name="expiryForward"/> (the analytics' forward of its expiry,
    /// one for every leg of that expiry, so legs quoted a moment apart never see two forwards); the quote's own
    /// underlying price when there is none.
    /// </summary>
    public static LegMarket Of(in OptionQuote quote, double expiryForward) => new()
    {
        Bid = quote.BidPrice > 0 ? quote.BidPrice : double.NaN,
        BidSize = quote.BidSize,
        Ask = quote.AskPrice > 0 ? quote.AskPrice : double.NaN,
        AskSize = quote.AskSize,
        Mark = quote.MarkPrice,
        MarkIv = quote.MarkIv,
        Forward = expiryForward > 0 ? expiryForward : quote.UnderlyingPrice,
        Delta = quote.Delta,
        Gamma = quote.Gamma,
        Vega = quote.Vega,
        Theta = quote.Theta,
    };

    /// <summary>The expiry's smile: each option's mark IV at its strike, on <paramref name="forward"/>.</summary>
    public static ExpirySmile SmileOf(ExpiryIndex expiry, double forward) =>
        ExpirySmile.Of(forward, expiry.Slots.Select(s => (s.Instrument.StrikeValue, s.ReadQuote().MarkIv)));
}
