using System.Globalization;
using OptionsTracker.Book;
using OptionsTracker.Bybit;

namespace OptionsTracker.Tests.Fixtures;

/// <summary>
/// Builds books for tests: instruments by symbol or by parts, a sample board like Bybit's (<see cref="Fill"/>),
/// quotes by field name (<see cref="Quote"/>) and volatility smiles (<see cref="AddSmiles"/>). Holds no state
/// of its own, so tests do not depend on the order they run in.
/// </summary>
public static class BookBuilder
{
    public static OptionInstrument Instrument(string symbol)
    {
        Assert.True(BybitSymbol.TryCreateInstrument(symbol, null, "Trading", out var instrument), symbol);
        return instrument!;
    }

    public static OptionBook WithSymbols(TimeProvider time, params string[] symbols)
    {
        var book = new OptionBook(time);
        book.AddInstruments(symbols.Select(Instrument));
        return book;
    }

    /// <summary>Adds instruments by symbol, delivery time unknown.</summary>
    public static void Add(OptionBook book, params string[] symbols) =>
        book.AddInstruments(symbols.Select(Instrument));

    /// <summary>An instrument from its parts, delivered at 08:00 UTC on its expiry as Bybit's are.</summary>
    public static OptionInstrument Create(string coin, DateOnly expiry, decimal strike, char type)
    {
        var symbol = $"{coin}-{ExchangeExpiry(expiry)}-{strike.ToString(CultureInfo.InvariantCulture)}-{type}-USDT";
        Assert.True(BybitSymbol.TryCreateInstrument(symbol, new DateTimeOffset(expiry.ToDateTime(new TimeOnly(8, 0)), TimeSpan.Zero), "Trading", out var instrument));
        return instrument!;
    }

    /// <summary>As <see cref="Create(string, DateOnly, decimal, char)"/>, with instruments-info's price and quantity grids.</summary>
    public static OptionInstrument Create(string coin, DateOnly expiry, decimal strike, char type, double tickSize, double qtyStep)
    {
        var symbol = $"{coin}-{ExchangeExpiry(expiry)}-{strike.ToString(CultureInfo.InvariantCulture)}-{type}-USDT";
        Assert.True(BybitSymbol.TryCreateInstrument(Venue.Bybit, symbol, new DateTimeOffset(expiry.ToDateTime(new TimeOnly(8, 0)), TimeSpan.Zero),
            "Trading", tickSize, qtyStep, out var instrument));
        return instrument!;
    }

    /// <summary>
    /// Bybit's own form of an expiry in symbols: no zero padding, e.g. <c>6JAN26</c> (the tracker only parses it,
    /// so it is written here, not in the tracker).
    /// </summary>
    public static string ExchangeExpiry(DateOnly date) =>
        date.ToString("dMMMyy", CultureInfo.InvariantCulture).ToUpperInvariant();

    /// <summary>A symbol from its parts, in the short form without the settle coin.</summary>
    public static string Symbol(string coin, DateOnly expiry, double strike, OptionType type) =>
        $"{coin}-{ExchangeExpiry(expiry)}-{strike}-{(type == OptionType.Call ? "C" : "P")}";

    /// <summary>
    /// The sample board's expiries: two days out, then two either side of a new year (so label order and date
    /// order differ), then one in March.
    /// </summary>
    public static IReadOnlyList<DateOnly> Expiries(DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var dec28 = new DateOnly(today.Year, 12, 28);
        if (dec28 <= today.AddDays(3))
            dec28 = dec28.AddYears(1);
        return [today.AddDays(2), dec28, new DateOnly(dec28.Year + 1, 1, 5), new DateOnly(dec28.Year + 1, 3, 26)];
    }

    /// <summary>
    /// Fills a book with options like Bybit's: BTC on the four <see cref="Expiries"/>, XRP with decimal strikes;
    /// quotes with missing fields, some never quoted.
    /// </summary>
    public static void Fill(OptionBook book, int seed = 7)
    {
        var now = book.TimeProvider.GetUtcNow();
        var instruments = new List<OptionInstrument>();
        foreach (var expiry in Expiries(now))
        {
            foreach (var strike in new[] { 80000m, 90000m, 95000m, 100000m, 105000m, 110000m, 120000m })
            {
                instruments.Add(Create("BTC", expiry, strike, 'C'));
                instruments.Add(Create("BTC", expiry, strike, 'P'));
            }
        }
        foreach (var strike in new[] { 1.5m, 2m, 2.25m, 2.5m, 10m })
        {
            instruments.Add(Create("XRP", Expiries(now)[1], strike, 'C'));
            instruments.Add(Create("XRP", Expiries(now)[1], strike, 'P'));
        }
        book.AddInstruments(instruments);

        var random = new Random(seed);
        var index = book.Index;
        for (var i = 0; i < index.All.Count; i++)
        {
            if (i % 9 == 4)
                continue; // never quoted
            var slot = index.All[i];
            var update = new QuoteUpdate { ExchangeTimeMs = now.ToUnixTimeMilliseconds() - random.Next(0, 100_000) };
            for (var field = 0; field < QuoteFields.Count; field++)
            {
                var value = random.Next(0, 10) == 0 ? double.NaN : Math.Round(random.NextDouble() * (field == (int)QuoteField.Delta ? 2 : 500) - (field == (int)QuoteField.Delta ? 1 : 0), 4);
                update.Set((QuoteField)field, value);
            }
            var underlying = slot.Instrument.BaseCoin == "BTC" ? 101_000 + random.Next(-500, 500) : 2.3;
            update.Set(QuoteField.IndexPrice, underlying);
            update.Set(QuoteField.UnderlyingPrice, underlying);
            update.Set(QuoteField.MarkIv, Math.Round(0.3 + random.NextDouble(), 4));
            book.Apply(slot, update);
        }
    }

    /// <summary>Sets the mark price of one option, as a ticker push would.</summary>
    public static void SetMarkPrice(OptionBook book, string symbol, double markPrice)
    {
        Assert.True(book.Index.TryGetSlot(Venue.Bybit, symbol, out var slot));
        var update = new QuoteUpdate { ExchangeTimeMs = Math.Max(slot.ReadQuote().ExchangeTimeMs, book.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds()) };
        update.Set(QuoteField.MarkPrice, markPrice);
        book.Apply(slot, update);
    }

    /// <summary>
    /// Quotes one option with the given fields (the others stay missing). Its exchange time is one after the newest
    /// in the book, so each quote is the book's freshest, as if pushed in this order; taken from the book rather
    /// than a shared counter so that tests do not depend on each other.
    /// </summary>
    public static void Quote(OptionBook book, string symbol, double markIv = double.NaN, double openInterest = double.NaN,
        double underlying = double.NaN, double index = double.NaN)
    {
        Assert.True(book.Index.TryGetSlot(Venue.Bybit, symbol, out var slot), symbol);
        var update = new QuoteUpdate { ExchangeTimeMs = NextExchangeTime(book) };
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

    private static long NextExchangeTime(OptionBook book)
    {
        var newest = 0L;
        foreach (var slot in book.Index.All)
            newest = Math.Max(newest, slot.ReadQuote().ExchangeTimeMs);
        return newest + 1;
    }
}
