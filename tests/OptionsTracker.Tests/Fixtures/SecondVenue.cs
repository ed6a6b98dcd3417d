using OptionsTracker.Book;

namespace OptionsTracker.Tests.Fixtures;

/// <summary>
/// A second venue's options put straight into a book, for the readers' tests (issue 19) before and beside the Deribit
/// client: the readers reach a venue only through the book, so options of venue <c>deribit</c> in the book are what they
/// would see from it. Priced in the coin like Deribit's inverse options (<see cref="OptionInstrument.PriceCurrency"/>):
/// the book holds USD, as a venue converts on arrival at the index of the same tick. In a running host the feed's Bybit
/// <c>VenueFeed</c> touches only Bybit's slots, so these stay.
/// </summary>
public static class SecondVenue
{
    public static readonly Venue Deribit = Venue.Parse("deribit");

    /// <summary>
    /// The hosts' settings naming both venues, Deribit's client pointed at a closed loopback port: it never lists an option,
    /// so it never touches the options the test puts in the book (a venue's feed changes only the instruments it listed).
    /// </summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string?>> BothVenues =
    [
        new("Tracker:Venues", "bybit,deribit"),
        new("Deribit:RestUrl", TrackerApp.NoExchangeRestUrl.AbsoluteUri),
        new("Deribit:WsUrl", "ws://127.0.0.1:1/ws/api/v2"),
    ];

    /// <summary>
    /// Lists on Deribit every option of <paramref name="coin"/> the book's Bybit lists at the strikes given (all when
    /// null), same expiry instant, strike and type, under Deribit's own symbol form (<c>BTC-28DEC26-100000-C</c>), and
    /// quotes each with a random two-sided book around a mark, in USD at an index of <paramref name="index"/>.
    /// </summary>
    public static IReadOnlyList<OptionSlot> ListLikeBybit(OptionBook book, string coin, double index, int seed = 11, Func<OptionInstrument, bool>? which = null,
        bool nearBybit = false)
    {
        var bybit = book.Index.All.Where(s => s.Instrument.Venue == Venue.Bybit && s.Instrument.BaseCoin == coin && (which?.Invoke(s.Instrument) ?? true)).ToArray();
        var instruments = bybit.Select(s =>
        {
            var i = s.Instrument;
            var symbol = $"{coin}-{BookBuilder.ExchangeExpiry(i.ExpiryDate)}-{i.Strike.ToString(System.Globalization.CultureInfo.InvariantCulture)}-{(i.Type == OptionType.Call ? "C" : "P")}";
            return new OptionInstrument(Deribit, symbol, coin, i.ExpiryUtc, i.Strike, i.Type, settleCoin: coin, priceCurrency: coin);
        }).ToArray();
        book.AddInstruments(instruments);
        var random = new Random(seed);
        var now = book.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var slots = new List<OptionSlot>();
        for (var i = 0; i < instruments.Length; i++)
        {
            Assert.True(book.Index.TryGetSlot(Deribit, instruments[i].Symbol, out var slot));
            if (nearBybit && bybit[i].ReadQuote() is { MarkPrice: > 0, MarkIv: > 0 } bybitQuote)
                QuoteNear(book, slot, bybitQuote, random, index, now);
            else
                Quote(book, slot, random, index, now);
            slots.Add(slot);
        }
        return slots;
    }

    /// <summary>
    /// A quote close to Bybit's of the same option, as two venues' books of one market look (a screenshot's data): the mark
    /// within ±2 % and a spread of 1 to 4 % either side, on Deribit's coin ticks; the mark IV within ±1 vol point.
    /// </summary>
    public static void QuoteNear(OptionBook book, OptionSlot slot, OptionQuote bybit, Random random, double index, long exchangeTimeMs)
    {
        // Deribit's tick is 0.0001 coin below 0.005 coin, 0.0005 above.
        double Tick(double usd) => usd / index < 0.005
            ? Math.Max(0.0001, Math.Round(usd / index / 0.0001) * 0.0001) * index
            : Math.Round(usd / index / 0.0005) * 0.0005 * index;
        var mark = bybit.MarkPrice * (1 + ((random.NextDouble() - 0.5) * 0.04));
        var markIv = bybit.MarkIv + ((random.NextDouble() - 0.5) * 0.02);
        var update = new QuoteUpdate { ExchangeTimeMs = Math.Max(exchangeTimeMs, slot.ReadQuote().ExchangeTimeMs + 1) };
        update.Set(QuoteField.IndexPrice, index);
        update.Set(QuoteField.UnderlyingPrice, index);
        update.Set(QuoteField.MarkPrice, mark);
        update.Set(QuoteField.MarkIv, markIv);
        update.Set(QuoteField.BidPrice, Tick(mark * (1 - (0.01 + (random.NextDouble() * 0.03)))));
        update.Set(QuoteField.BidIv, markIv - 0.01);
        update.Set(QuoteField.BidSize, random.Next(1, 50) / 10.0);
        update.Set(QuoteField.AskPrice, Tick(mark * (1 + 0.01 + (random.NextDouble() * 0.03))));
        update.Set(QuoteField.AskIv, markIv + 0.01);
        update.Set(QuoteField.AskSize, random.Next(1, 50) / 10.0);
        book.Apply(slot, update);
    }

    /// <summary>A new random quote of <paramref name="slot"/>: mark, bid below it and ask above (one side empty now and then), IVs, sizes.</summary>
    public static void Quote(OptionBook book, OptionSlot slot, Random random, double index, long exchangeTimeMs)
    {
        // Deribit prices in the coin with a 0.0005 BTC tick: a mark of 0.0005 to 0.2 coin, in USD at the index.
        var markCoin = Math.Round(0.0005 + (random.NextDouble() * 0.2), 4);
        var update = new QuoteUpdate { ExchangeTimeMs = Math.Max(exchangeTimeMs, slot.ReadQuote().ExchangeTimeMs + 1) };
        update.Set(QuoteField.IndexPrice, index);
        update.Set(QuoteField.UnderlyingPrice, index);
        update.Set(QuoteField.MarkPrice, markCoin * index);
        var markIv = Math.Round(0.35 + (random.NextDouble() * 0.5), 4);
        update.Set(QuoteField.MarkIv, markIv);
        var noBid = random.Next(0, 8) == 0;
        var noAsk = random.Next(0, 8) == 0;
        update.Set(QuoteField.BidPrice, noBid ? 0 : Math.Max(0.0005, markCoin - (random.Next(1, 10) * 0.0005)) * index);
        update.Set(QuoteField.BidIv, noBid ? 0 : markIv - 0.02);
        update.Set(QuoteField.BidSize, noBid ? 0 : random.Next(1, 50) / 10.0);
        update.Set(QuoteField.AskPrice, noAsk ? 0 : (markCoin + (random.Next(1, 10) * 0.0005)) * index);
        update.Set(QuoteField.AskIv, noAsk ? 0 : markIv + 0.02);
        update.Set(QuoteField.AskSize, noAsk ? 0 : random.Next(1, 50) / 10.0);
        book.Apply(slot, update);
    }
}
