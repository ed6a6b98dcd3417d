namespace OptionsTracker.Book;

/// <summary>
/// One option in the book: its fixed instrument and its latest quote. The quote is guarded by a seqlock:
/// <see cref="_version"/> is odd while a writer copies in, and readers retry until they see the same even
/// version before and after their copy. Writers take the odd version with a compare-and-swap, so the rare
/// second writer (the REST snapshot after a reconnect) waits for the shard instead of tearing its write.
/// Nothing here allocates.
/// </summary>
public sealed class OptionSlot
{
    private int _version;
    private OptionQuote _quote = OptionQuote.Empty;
    private long _changeSequence;

    internal OptionSlot(OptionInstrument instrument)
    {
        Instrument = instrument;
        _quote.Status = instrument.Status;
    }

    public OptionInstrument Instrument { get; }

    /// <summary>
    /// The book's change sequence number of this slot's last change (0 = never quoted; <see cref="long.MaxValue"/>
    /// for the instant a change is being stamped, so it counts as newer than any cursor).
    /// </summary>
    public long ChangeSequence => Volatile.Read(ref _changeSequence);

    /// <summary>A consistent copy of the latest quote. Safe from any thread.</summary>
    public OptionQuote ReadQuote()
    {
        var spinner = new SpinWait();
        while (true)
        {
            var before = Volatile.Read(ref _version);
            if ((before & 1) == 0)
            {
                var copy = _quote;
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref _version) == before)
                    return copy;
            }
            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>
    /// Applies the fields present in <paramref name="update"/>. An update older than the stored exchange time
    /// is ignored (a late REST snapshot must not replace a newer WebSocket push). Returns whether any value
    /// changed; a change takes the next number of <paramref name="bookSequence"/>.
    /// </summary>
    internal ApplyResult Apply(in QuoteUpdate update, long receivedAtMs, ref long bookSequence)
    {
        var version = AcquireWrite();
        try
        {
            if (update.ExchangeTimeMs < _quote.ExchangeTimeMs)
                return ApplyResult.Stale;

            var changed = _quote.ExchangeTimeMs == 0;
            var mask = update.PresentMask;
            for (var field = 0; mask != 0; field++, mask >>= 1)
            {
                if ((mask & 1) == 0)
                    continue;
                var value = update.Values[field];
                ref var stored = ref _quote.Values[field];
                // NaN != NaN, so compare bit patterns: missing stays missing without counting as a change.
                if (BitConverter.DoubleToInt64Bits(stored) != BitConverter.DoubleToInt64Bits(value))
                {
                    stored = value;
                    changed = true;
                }
            }
            _quote.ExchangeTimeMs = update.ExchangeTimeMs;
            _quote.ReceivedAtMs = receivedAtMs;
            if (!changed)
                return ApplyResult.Unchanged;
            // Mark the slot changed before the book's sequence moves, then stamp it with that sequence. A reader
            // that sees the new sequence number therefore also sees this slot as changed: without the mark it
            // could take the new number as its cursor while the slot still showed its old stamp, and skip the
            // change for good. Stamping inside the write section keeps stamps increasing per slot.
            Volatile.Write(ref _changeSequence, long.MaxValue);
            Volatile.Write(ref _changeSequence, Interlocked.Increment(ref bookSequence));
            return ApplyResult.Changed;
        }
        finally
        {
            Volatile.Write(ref _version, version + 2);
        }
    }

    /// <summary>
    /// Sets the listing status and the delivery price (NaN keeps the one known). Written by the collector's lifecycle
    /// (or a web instance's store reader), at most a few times in an option's life; a change takes the next number of
    /// <paramref name="bookSequence"/> like a quote change, so every reader of changes sees it.
    /// </summary>
    internal ApplyResult SetListing(ListingStatus status, double deliveryPrice, ref long bookSequence)
    {
        var version = AcquireWrite();
        try
        {
            var price = double.IsNaN(deliveryPrice) ? _quote.DeliveryPrice : deliveryPrice;
            if (_quote.Status == status && BitConverter.DoubleToInt64Bits(_quote.DeliveryPrice) == BitConverter.DoubleToInt64Bits(price))
                return ApplyResult.Unchanged;
            _quote.Status = status;
            _quote.DeliveryPrice = price;
            Volatile.Write(ref _changeSequence, long.MaxValue);
            Volatile.Write(ref _changeSequence, Interlocked.Increment(ref bookSequence));
            return ApplyResult.Changed;
        }
        finally
        {
            Volatile.Write(ref _version, version + 2);
        }
    }

    private int AcquireWrite()
    {
        var spinner = new SpinWait();
        while (true)
        {
            var version = Volatile.Read(ref _version);
            if ((version & 1) == 0 && Interlocked.CompareExchange(ref _version, version + 1, version) == version)
                return version;
            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }
}

public enum ApplyResult : byte
{
    Unchanged,
    Changed,
    Stale,
}
