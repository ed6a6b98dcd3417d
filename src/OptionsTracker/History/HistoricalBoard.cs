using OptionsTracker.Book;

namespace OptionsTracker.History;

/// <summary>
/// A coin's board as one snapshot recorded it: the snapshot's time (<see cref="AsOf"/>, the <c>as_of</c> of a time-travel
/// answer) and every option it held with its quote then.
/// </summary>
public sealed class HistoricalBoard(string coin, DateTimeOffset asOf, IReadOnlyList<RecordedQuote> quotes)
{
    public string Coin { get; } = coin;

    public DateTimeOffset AsOf { get; } = asOf;

    public IReadOnlyList<RecordedQuote> Quotes { get; } = quotes;

    /// <summary>
    /// A book holding exactly this board, for the readers written against the live book (the API's handlers, the
    /// analytics, the dashboard) to serve the past with the same code, hence the same definitions. Its clock is
    /// <paramref name="time"/>; the quotes keep their recorded exchange and receive times.
    /// </summary>
    public OptionBook ToBook(TimeProvider time)
    {
        var book = new OptionBook(time);
        book.AddInstruments(Quotes.Select(q => q.Instrument));
        var index = book.Index;
        const uint everyField = (1u << QuoteFields.Count) - 1;
        foreach (var recorded in Quotes)
        {
            if (!index.TryGetSlot(recorded.Instrument.Key, out var slot))
                continue;
            var quote = recorded.Quote;
            if (quote.HasData)
            {
                var update = new QuoteUpdate { Values = quote.Values, PresentMask = everyField, ExchangeTimeMs = quote.ExchangeTimeMs };
                book.Apply(slot, update, quote.ReceivedAtMs);
            }
            book.SetListing(slot, quote.Status, quote.DeliveryPrice);
        }
        return book;
    }
}
