using OptionsTracker.Book;

namespace OptionsTracker.Tests.Api;

/// <summary>
/// Fills a book with options like Bybit's: BTC on four expiries (two either side of a new year, so label
/// order and date order differ), XRP with decimal strikes; quotes with missing fields, some never quoted.
/// </summary>
internal static class SampleBook
{
    public static IReadOnlyList<DateOnly> Expiries(DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var dec28 = new DateOnly(today.Year, 12, 28);
        if (dec28 <= today.AddDays(3))
            dec28 = dec28.AddYears(1);
        return [today.AddDays(2), dec28, new DateOnly(dec28.Year + 1, 1, 5), new DateOnly(dec28.Year + 1, 3, 26)];
    }

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

    public static OptionInstrument Create(string coin, DateOnly expiry, decimal strike, char type)
    {
        var symbol = $"{coin}-{OptionSymbol.FormatExchangeExpiry(expiry)}-{strike.ToString(System.Globalization.CultureInfo.InvariantCulture)}-{type}-USDT";
        Assert.True(OptionInstrument.TryCreate(Venue.Bybit, symbol, new DateTimeOffset(expiry.ToDateTime(new TimeOnly(8, 0)), TimeSpan.Zero), "Trading", out var instrument));
        return instrument!;
    }

    /// <summary>Sets the mark price of one option, as a ticker push would.</summary>
    public static void SetMarkPrice(OptionBook book, string symbol, double markPrice)
    {
        Assert.True(book.Index.TryGetSlot(Venue.Bybit, symbol, out var slot));
        var update = new QuoteUpdate { ExchangeTimeMs = Math.Max(slot.ReadQuote().ExchangeTimeMs, book.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds()) };
        update.Set(QuoteField.MarkPrice, markPrice);
        book.Apply(slot, update);
    }
}
