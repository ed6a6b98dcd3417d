using OptionsTracker.Book;

namespace OptionsTracker.Api;

/// <summary>
/// One stream client's position in the book (the pull model): the change sequence it has seen and the index (the
/// instrument set) it was last sent. Each call takes only the slots changed since, so changes coalesce by
/// construction and a slow client costs the feed nothing. The index is the book's own immutable one, shared by every
/// client, so a client keeps no set of its own: a thousand clients of a 900-option coin would otherwise hold a
/// thousand copies of its symbols. Not thread-safe: one per client.
/// </summary>
internal sealed class OptionStreamCursor(OptionBook book, string asset, DateOnly? expiry)
{
    private long _seen;
    private BookIndex? _sent;

    public string Asset { get; } = asset;

    public DateOnly? Expiry { get; } = expiry;

    /// <summary>
    /// Every matching option; later changes are counted from here. Slots, not rows: the caller reads each quote as it
    /// writes it, so a client holds 8 bytes per option between taking and sending, not a ~220-byte copy of the quote.
    /// </summary>
    public void TakeSnapshot(List<OptionSlot> slots)
    {
        var index = book.Index;
        _seen = book.Sequence;
        _sent = index;
        slots.AddRange(SlotsOf(index));
    }

    /// <summary>Completes when the book has changed since the last snapshot or changes taken.</summary>
    public Task WaitForChangeAsync(CancellationToken cancellationToken) =>
        book.Index.Version != _sent?.Version ? Task.CompletedTask : book.WaitForChangeAsync(_seen, cancellationToken);

    /// <summary>Options changed (or newly listed) since the last call, and those (venue, symbol) no longer listed.</summary>
    public void TakeChanges(List<OptionSlot> changed, List<InstrumentKey> removed)
    {
        var index = book.Index;
        // Read after the index: a change racing this scan is either taken now or counted after this sequence.
        var sequence = book.Sequence;
        if (index.Version == _sent?.Version)
        {
            foreach (var slot in SlotsOf(index))
            {
                if (slot.ChangeSequence > _seen)
                    changed.Add(slot);
            }
        }
        else
        {
            // Listings and deliveries are rare: the two key sets are built for this call only.
            var before = new HashSet<InstrumentKey>();
            if (_sent is not null)
            {
                foreach (var slot in SlotsOf(_sent))
                    before.Add(slot.Instrument.Key);
            }
            var current = new HashSet<InstrumentKey>();
            foreach (var slot in SlotsOf(index))
            {
                current.Add(slot.Instrument.Key);
                if (slot.ChangeSequence > _seen || !before.Contains(slot.Instrument.Key))
                    changed.Add(slot);
            }
            foreach (var key in before)
            {
                if (!current.Contains(key))
                    removed.Add(key);
            }
            _sent = index;
        }
        _seen = sequence;
    }

    private IReadOnlyList<OptionSlot> SlotsOf(BookIndex index) =>
        index.TryGetCoin(Asset, out var coin) ? OptionSelection.SlotsOf(coin, Expiry) : [];
}
