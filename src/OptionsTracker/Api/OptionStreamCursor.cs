using OptionsTracker.Book;

namespace OptionsTracker.Api;

/// <summary>
/// One stream client's position in the book (the pull model): the change sequence it has seen and the
/// instrument set it was last sent. Each call takes only the latest quote of each slot changed since, so
/// changes coalesce by construction and a slow client costs the feed nothing. Not thread-safe: one per client.
/// </summary>
internal sealed class OptionStreamCursor(OptionBook book, string asset, DateOnly? expiry)
{
    private long _seen;
    private long _indexVersion = -1;
    private HashSet<string> _symbols = new(StringComparer.Ordinal);

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
        _indexVersion = index.Version;
        _symbols.Clear();
        foreach (var slot in SlotsOf(index))
        {
            _symbols.Add(slot.Instrument.Symbol);
            slots.Add(slot);
        }
    }

    /// <summary>Completes when the book has changed since the last snapshot or changes taken.</summary>
    public Task WaitForChangeAsync(CancellationToken cancellationToken) =>
        book.Index.Version != _indexVersion ? Task.CompletedTask : book.WaitForChangeAsync(_seen, cancellationToken);

    /// <summary>Options changed (or newly listed) since the last call, and symbols no longer listed.</summary>
    public void TakeChanges(List<OptionSlot> changed, List<string> removed)
    {
        var index = book.Index;
        // Read after the index: a change racing this scan is either taken now or counted after this sequence.
        var sequence = book.Sequence;
        if (index.Version == _indexVersion)
        {
            foreach (var slot in SlotsOf(index))
            {
                if (slot.ChangeSequence > _seen)
                    changed.Add(slot);
            }
        }
        else
        {
            var current = new HashSet<string>(StringComparer.Ordinal);
            foreach (var slot in SlotsOf(index))
            {
                current.Add(slot.Instrument.Symbol);
                if (slot.ChangeSequence > _seen || !_symbols.Contains(slot.Instrument.Symbol))
                    changed.Add(slot);
            }
            foreach (var symbol in _symbols)
            {
                if (!current.Contains(symbol))
                    removed.Add(symbol);
            }
            _symbols = current;
            _indexVersion = index.Version;
        }
        _seen = sequence;
    }

    private IReadOnlyList<OptionSlot> SlotsOf(BookIndex index) =>
        index.TryGetCoin(Asset, out var coin) ? OptionSelection.SlotsOf(coin, Expiry) : [];
}
