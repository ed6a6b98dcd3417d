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

    internal OptionSlot(OptionInstrument instrument) => Instrument = instrument;

    public OptionInstrument Instrument { get; }

    /// <summary>The book's change sequence number of this slot's last change (0 = never quoted).</summary>
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
    /// changed; the caller then stamps the change sequence.
    /// </summary>
    internal ApplyResult Apply(in QuoteUpdate update, long receivedAtMs)
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
            return changed ? ApplyResult.Changed : ApplyResult.Unchanged;
        }
        finally
        {
            Volatile.Write(ref _version, version + 2);
        }
    }

    internal void StampChange(long sequence) => Volatile.Write(ref _changeSequence, sequence);

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
