namespace OptionsTracker.Book;

/// <summary>
/// The latest state of every tracked option: a table of slots behind an immutable <see cref="BookIndex"/>,
/// plus a global change sequence. Writers (one WebSocket shard per slot, and the REST snapshot) apply
/// quotes without locks; readers pull what changed since the sequence number they last saw.
/// </summary>
public sealed class OptionBook
{
    private readonly Lock _structureLock = new();
    private readonly TimeProvider _timeProvider;
    private volatile BookIndex _index = BookIndex.Empty;
    private long _sequence;

    public OptionBook(TimeProvider timeProvider) => _timeProvider = timeProvider;

    /// <summary>The current instrument set. Take it once per read and use that copy throughout.</summary>
    public BookIndex Index => _index;

    /// <summary>The change sequence: increases by one for every quote change and instrument-set change.</summary>
    public long Sequence => Volatile.Read(ref _sequence);

    public ChangeSignal Changed { get; } = new();

    public TimeProvider TimeProvider => _timeProvider;

    /// <summary>Adds instruments not yet in the book; known ones keep their slot and quote. Returns those added.</summary>
    public IReadOnlyList<OptionInstrument> AddInstruments(IEnumerable<OptionInstrument> instruments)
    {
        lock (_structureLock)
        {
            var current = _index;
            var added = new List<OptionInstrument>();
            var slots = new List<OptionSlot>(current.All);
            var seen = new HashSet<InstrumentKey>();
            foreach (var instrument in instruments)
            {
                if (current.TryGetSlot(instrument.Key, out _) || !seen.Add(instrument.Key))
                    continue;
                slots.Add(new OptionSlot(instrument));
                added.Add(instrument);
            }
            if (added.Count > 0)
                Publish(slots);
            return added;
        }
    }

    /// <summary>Removes the given options (delivered or delisted). Returns the instruments removed.</summary>
    public IReadOnlyList<OptionInstrument> RemoveInstruments(IEnumerable<InstrumentKey> keys)
    {
        var remove = keys.ToHashSet();
        return RemoveWhere(i => remove.Contains(i.Key));
    }

    /// <summary>Removes options whose delivery time has come.</summary>
    public IReadOnlyList<OptionInstrument> RemoveExpired(DateTimeOffset now) => RemoveWhere(i => i.ExpiryUtc <= now);

    public IReadOnlyList<OptionInstrument> RemoveWhere(Func<OptionInstrument, bool> predicate)
    {
        lock (_structureLock)
        {
            var current = _index;
            var removed = new List<OptionInstrument>();
            var kept = new List<OptionSlot>(current.Count);
            foreach (var slot in current.All)
            {
                if (predicate(slot.Instrument))
                    removed.Add(slot.Instrument);
                else
                    kept.Add(slot);
            }
            if (removed.Count > 0)
                Publish(kept);
            return removed;
        }
    }

    /// <summary>Applies a parsed ticker to a slot. Allocation-free; callable from any thread.</summary>
    public ApplyResult Apply(OptionSlot slot, in QuoteUpdate update) =>
        Apply(slot, update, _timeProvider.GetUtcNow().ToUnixTimeMilliseconds());

    /// <summary>
    /// Applies a parsed ticker received at <paramref name="receivedAtMs"/> (local clock, ms since the Unix epoch), for a
    /// caller that has already read the clock for this message. Allocation-free; callable from any thread.
    /// </summary>
    public ApplyResult Apply(OptionSlot slot, in QuoteUpdate update, long receivedAtMs)
    {
        var result = slot.Apply(update, receivedAtMs, ref _sequence);
        if (result == ApplyResult.Changed)
            Changed.Notify();
        return result;
    }

    /// <summary>
    /// Sets a slot's listing status and delivery price (NaN keeps the known price); a change counts like a quote change.
    /// Rare (a few times in an option's life); callable from any thread.
    /// </summary>
    public ApplyResult SetListing(OptionSlot slot, ListingStatus status, double deliveryPrice = double.NaN)
    {
        var result = slot.SetListing(status, deliveryPrice, ref _sequence);
        if (result == ApplyResult.Changed)
            Changed.Notify();
        return result;
    }

    /// <summary>Adds to <paramref name="changed"/> every slot changed after <paramref name="sinceSequence"/>.</summary>
    public void CollectChangedSince(long sinceSequence, BookIndex index, List<OptionSlot> changed)
    {
        foreach (var slot in index.All)
        {
            if (slot.ChangeSequence > sinceSequence)
                changed.Add(slot);
        }
    }

    /// <summary>Completes once <see cref="Sequence"/> exceeds <paramref name="sinceSequence"/>.</summary>
    public Task WaitForChangeAsync(long sinceSequence, CancellationToken cancellationToken)
    {
        var next = Changed.NextAsync();
        // Registered before the check, so a change between the two cannot be missed.
        return Sequence > sinceSequence ? Task.CompletedTask : next.WaitAsync(cancellationToken);
    }

    private void Publish(List<OptionSlot> slots)
    {
        var sequence = Interlocked.Increment(ref _sequence);
        // A full fence, not a volatile write: Notify's read of the waiters must not move before it, or a reader that
        // registered and then checked the index (BookCursor.WaitForChangeAsync) could miss both the index and the wake.
        Interlocked.Exchange(ref _index, new BookIndex(sequence, slots));
        Changed.Notify();
    }
}
