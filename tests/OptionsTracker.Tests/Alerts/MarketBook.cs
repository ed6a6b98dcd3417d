using OptionsTracker.Book;

namespace OptionsTracker.Tests.Alerts;

/// <summary>Fills a book directly with quotes: instruments named from their expiry date, fields by name.</summary>
public static class MarketBook
{
    private static long s_exchangeTime = 1;

    public static string Symbol(string coin, DateOnly expiry, double strike, OptionType type) =>
        $"{coin}-{OptionSymbol.FormatExchangeExpiry(expiry)}-{strike}-{(type == OptionType.Call ? "C" : "P")}";

    public static void Add(OptionBook book, params string[] symbols) =>
        book.AddInstruments(symbols.Select(Fixtures.BookBuilder.Instrument));

    public static void Quote(OptionBook book, string symbol, double markIv = double.NaN, double openInterest = double.NaN,
        double underlying = double.NaN, double index = double.NaN)
    {
        Assert.True(book.Index.TryGetSlot(Venue.Bybit, symbol, out var slot), symbol);
        var update = new QuoteUpdate { ExchangeTimeMs = Interlocked.Increment(ref s_exchangeTime) };
        if (!double.IsNaN(markIv))
            update.Set(QuoteField.MarkIv, markIv);
        if (!double.IsNaN(openInterest))
            update.Set(QuoteField.OpenInterest, openInterest);
        if (!double.IsNaN(underlying))
            update.Set(QuoteField.UnderlyingPrice, underlying);
        if (!double.IsNaN(index))
            update.Set(QuoteField.IndexPrice, index);
        book.Apply(slot, update);
    }

    /// <summary>
    /// A call and a put at strikes 90k, 100k, 110k for each expiry, forward 100k (so 100k is ATM and, both its call and
    /// put being out of the money, the ATM IV is exactly theirs), with the given ATM mark IV per expiry and 20 vol
    /// points more away from the money.
    /// </summary>
    public static void AddSmiles(OptionBook book, string coin, params (DateOnly Expiry, double AtmIv)[] expiries)
    {
        foreach (var (expiry, atmIv) in expiries)
        {
            foreach (var strike in new[] { 90_000.0, 100_000.0, 110_000.0 })
            {
                foreach (var type in new[] { OptionType.Call, OptionType.Put })
                {
                    var symbol = Symbol(coin, expiry, strike, type);
                    Add(book, symbol);
                    Quote(book, symbol, markIv: strike == 100_000 ? atmIv : atmIv + 0.2, underlying: 100_000, index: 100_000);
                }
            }
        }
    }
}
