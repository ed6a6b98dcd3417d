using OptionsTracker.Book;
using OptionsTracker.Measures;

namespace OptionsTracker.History;

/// <summary>
/// Takes one snapshot of the board into a reused <see cref="BoardSnapshot"/>: every option of the book with a consistent
/// copy of its quote (each slot's seqlock read), whether it changed since the previous capture (the recorder's own
/// <see cref="BookCursor"/> over the whole book: the feed's path is never touched), the coins covered, and the measures of
/// every tracked coin from the one analytics snapshot everyone reads (<see cref="MarketAnalytics.Get"/>, collected by
/// <see cref="MeasureNames.Collect"/>). In steady state (no listing since the last capture, buffers grown) the quotes cost
/// no allocation: a 4,000-option board is a copy of 4,000 quotes. Not thread-safe: one per recorder.
/// </summary>
public sealed class BoardCapture(OptionBook book, MarketAnalytics? analytics = null)
{
    private readonly BookCursor _cursor = new(book);
    private readonly HashSet<OptionSlot> _changed = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// Fills <paramref name="into"/> (cleared first) with the board at <paramref name="time"/>; the measures of each coin in
    /// <paramref name="measuredCoins"/> that has options. Each option delivered with a settlement price that changed since
    /// the previous capture is added to <paramref name="delivered"/> (when given).
    /// </summary>
    public void Capture(BoardSnapshot into, DateTimeOffset time, IReadOnlyList<string> measuredCoins, List<Settlement>? delivered = null)
    {
        into.Clear();
        into.Time = time;
        var changes = _cursor.TakeChanges();
        _changed.Clear();
        var changed = changes.Changed;
        for (var i = 0; i < changed.Count; i++)
            _changed.Add(changed[i]);

        // The index the cursor brought us to: every slot reported changed is in it.
        var index = changes.Index;
        var coins = index.Coins;
        for (var i = 0; i < coins.Count; i++)
            into.Coins.Add(coins[i]);
        var all = index.All;
        if (into.Quotes.Capacity < all.Count)
            into.Quotes.Capacity = all.Count;
        for (var i = 0; i < all.Count; i++)
        {
            var slot = all[i];
            var quote = slot.ReadQuote();
            var isChanged = _changed.Contains(slot);
            into.Quotes.Add(new RecordedQuote(slot.Instrument, quote, isChanged));
            if (isChanged && delivered is not null && quote.Status == ListingStatus.Delivering && !double.IsNaN(quote.DeliveryPrice))
            {
                var instrument = slot.Instrument;
                delivered.Add(new Settlement(instrument.Venue, instrument.BaseCoin, instrument.ExpiryUtc, quote.DeliveryPrice));
            }
        }

        if (analytics is null)
            return;
        for (var i = 0; i < measuredCoins.Count; i++)
        {
            if (!index.TryGetCoin(measuredCoins[i], out var coin) || analytics.Get(measuredCoins[i]) is not { } figures)
                continue;
            MeasureNames.Collect(figures, into.Measures);
            // Several venues: each one's own figures too, under its names (MeasureNames.ForVenue).
            if (!coin.IsMultiVenue)
                continue;
            foreach (var venue in coin.Venues)
            {
                if (analytics.Get(measuredCoins[i], venue) is { } own)
                    MeasureNames.Collect(own, into.Measures);
            }
        }
    }

    /// <summary>Forgets the previous capture: the next one reports every option as changed.</summary>
    public void Restart() => _cursor.Restart();
}
