using Microsoft.Extensions.Options;
using OptionsTracker.Book;

namespace OptionsTracker.Tape;

/// <summary>
/// The recent trades of each coin, in memory: a bounded ring per coin (<see cref="TapeOptions.Keep"/>) with its own
/// sequence. The collector <see cref="Append"/>s what its venues receive (a trade already on the tape, by venue and id,
/// is dropped, so a WebSocket and a REST backfill that overlap deliver it once); a web instance <see cref="Mirror"/>s
/// the collector's trades with the sequences they were given. Readers (API, streams, alerts, the recorder, Redis)
/// pull by sequence with <see cref="After"/> and wait with <see cref="WaitAsync"/>: nothing is pushed, so a slow
/// reader never holds the feed. Thread-safe.
/// </summary>
public sealed class TradeTape
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, CoinTape> _coins = new(StringComparer.OrdinalIgnoreCase);
    private readonly ChangeSignal _anyAppended = new();
    private readonly int _keep;
    private long _duplicates;
    private long _tooOld;

    public TradeTape(IOptions<TapeOptions> options) => _keep = options.Value.Keep;

    /// <summary>Trades kept per coin.</summary>
    public int Keep => _keep;

    /// <summary>Trades dropped because the tape had them already (the same venue and id).</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Trades dropped because they are older than everything a full ring still holds (seen before, forgotten since).</summary>
    public long TooOld => Interlocked.Read(ref _tooOld);

    /// <summary>The coins with a tape (every coin that had a trade), upper case.</summary>
    public IReadOnlyList<string> Coins
    {
        get { lock (_lock) return [.. _coins.Keys]; }
    }

    /// <summary>Completed by the next append or mirror of any coin (the recorder and the Redis writer wait on it).</summary>
    public Task AnyAppendedAsync() => _anyAppended.NextAsync();

    /// <summary>
    /// Appends trades (any coins, in the order given; the caller orders them by exchange order), giving each its
    /// <see cref="Trade.Sequence"/>. Drops those already on the tape and those older than a full ring's oldest.
    /// Returns the trades appended, with their sequences.
    /// </summary>
    public IReadOnlyList<Trade> Append(IEnumerable<Trade> trades)
    {
        var appended = new List<Trade>();
        foreach (var trade in trades)
        {
            var tape = TapeOf(trade.BaseCoin);
            var added = tape.Append(trade);
            if (added is not null)
                appended.Add(added);
        }
        if (appended.Count > 0)
            _anyAppended.Notify();
        return appended;
    }

    /// <summary>
    /// Takes trades of <paramref name="coin"/> that already carry their sequence (the collector's, read from Redis), in
    /// sequence order; those not newer than the tape's last are skipped. Returns how many were taken.
    /// </summary>
    public int Mirror(string coin, IReadOnlyList<Trade> trades)
    {
        var tape = TapeOf(coin);
        var taken = tape.Mirror(trades);
        if (taken > 0)
            _anyAppended.Notify();
        return taken;
    }

    /// <summary>The sequence of the coin's newest trade; 0 when it has none.</summary>
    public long LastSequence(string coin) => Find(coin)?.LastSequence ?? 0;

    /// <summary>Up to <paramref name="max"/> trades of the coin after <paramref name="afterSequence"/>, oldest first.</summary>
    public IReadOnlyList<Trade> After(string coin, long afterSequence, int max = int.MaxValue) =>
        Find(coin)?.After(afterSequence, max) ?? [];

    /// <summary>
    /// The coin's trades after <paramref name="afterSequence"/>, oldest first, into <paramref name="into"/> (as many as fit);
    /// returns how many. For readers that poll in a loop (the streams): a buffer of their own, reused, so a read allocates nothing.
    /// </summary>
    public int After(string coin, long afterSequence, Span<Trade> into) => Find(coin)?.After(afterSequence, into) ?? 0;

    /// <summary>The sequence of the coin's oldest trade held; 0 when it has none.</summary>
    public long OldestSequence(string coin) => Find(coin)?.OldestSequence ?? 0;

    /// <summary>The time (Unix ms) of the coin's oldest trade held, or null when it has none.</summary>
    public long? OldestTimeMs(string coin) => Find(coin)?.OldestTimeMs;

    /// <summary>Whether the coin's tape holds this trade (by venue and id).</summary>
    public bool Contains(string coin, Venue venue, string id) => Find(coin)?.Contains(venue, id) ?? false;

    /// <summary>Up to <paramref name="max"/> trades of the coin that pass <paramref name="filter"/>, newest first.</summary>
    public IReadOnlyList<Trade> Newest(string coin, int max, Func<Trade, bool>? filter = null) =>
        Find(coin)?.Newest(max, filter) ?? [];

    /// <summary>
    /// Completes when the coin has a trade after <paramref name="afterSequence"/> (at once when it has one already).
    /// </summary>
    public async Task WaitAsync(string coin, long afterSequence, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (Find(coin) is not { } tape)
            {
                // No trade of this coin yet: wait for the next append of any coin and look again, rather than create an
                // empty tape for whatever coin a reader names.
                var any = _anyAppended.NextAsync();
                if (Find(coin) is null)
                    await any.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            var next = tape.Signal.NextAsync();
            if (tape.LastSequence > afterSequence)
                return;
            await next.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private CoinTape? Find(string coin)
    {
        lock (_lock)
            return _coins.GetValueOrDefault(coin);
    }

    private CoinTape TapeOf(string coin)
    {
        lock (_lock)
        {
            if (!_coins.TryGetValue(coin, out var tape))
                _coins[coin.ToUpperInvariant()] = tape = new CoinTape(this, _keep);
            return tape;
        }
    }

    /// <summary>One coin's ring: the newest <c>keep</c> trades and the ids among them.</summary>
    private sealed class CoinTape(TradeTape owner, int keep)
    {
        private readonly Lock _lock = new();
        private readonly Trade?[] _ring = new Trade?[keep];
        private readonly HashSet<(Venue, string)> _ids = [];
        private int _count;
        private int _head; // where the next trade goes
        private long _lastSequence;

        public ChangeSignal Signal { get; } = new();

        public long LastSequence
        {
            get { lock (_lock) return _lastSequence; }
        }

        public Trade? Append(Trade trade)
        {
            Trade added;
            lock (_lock)
            {
                if (_ids.Contains((trade.Venue, trade.Id)))
                {
                    Interlocked.Increment(ref owner._duplicates);
                    return null;
                }
                if (_count == _ring.Length && trade.TimeMs < OldestUnlocked().TimeMs)
                {
                    Interlocked.Increment(ref owner._tooOld);
                    return null;
                }
                added = trade with { Sequence = _lastSequence + 1 };
                Put(added);
            }
            Signal.Notify();
            return added;
        }

        public int Mirror(IReadOnlyList<Trade> trades)
        {
            var taken = 0;
            lock (_lock)
            {
                foreach (var trade in trades)
                {
                    if (trade.Sequence <= _lastSequence)
                        continue;
                    Put(trade);
                    taken++;
                }
            }
            if (taken > 0)
                Signal.Notify();
            return taken;
        }

        private void Put(Trade trade)
        {
            if (_ring[_head] is { } evicted)
                _ids.Remove((evicted.Venue, evicted.Id));
            _ring[_head] = trade;
            _ids.Add((trade.Venue, trade.Id));
            _head = (_head + 1) % _ring.Length;
            _count = Math.Min(_count + 1, _ring.Length);
            _lastSequence = trade.Sequence;
        }

        private Trade OldestUnlocked() => At(0);

        /// <summary>The trade at position <paramref name="index"/> from the oldest held (under the lock).</summary>
        private Trade At(int index) => _ring[(_head - _count + index + _ring.Length) % _ring.Length]!;

        public long OldestSequence
        {
            get { lock (_lock) return _count == 0 ? 0 : OldestUnlocked().Sequence; }
        }

        public long? OldestTimeMs
        {
            get { lock (_lock) return _count == 0 ? null : OldestUnlocked().TimeMs; }
        }

        public bool Contains(Venue venue, string id)
        {
            lock (_lock)
                return _ids.Contains((venue, id));
        }

        public int After(long afterSequence, Span<Trade> into)
        {
            lock (_lock)
            {
                if (_count == 0 || afterSequence >= _lastSequence || into.IsEmpty)
                    return 0;
                var low = FirstAfterUnlocked(afterSequence);
                var take = Math.Min(into.Length, _count - low);
                for (var i = 0; i < take; i++)
                    into[i] = At(low + i);
                return take;
            }
        }

        /// <summary>The position of the first trade after the sequence (under the lock).</summary>
        private int FirstAfterUnlocked(long afterSequence)
        {
            // Sequences on the ring increase (with holes after a mirror's gap): binary search for the first one after.
            int low = 0, high = _count;
            while (low < high)
            {
                var middle = (low + high) >>> 1;
                if (At(middle).Sequence > afterSequence)
                    high = middle;
                else
                    low = middle + 1;
            }
            return low;
        }

        public List<Trade> After(long afterSequence, int max)
        {
            lock (_lock)
            {
                if (_count == 0 || afterSequence >= _lastSequence)
                    return [];
                // Sequences on the ring increase (with holes after a mirror's gap): binary search for the first one after.
                int low = 0, high = _count;
                while (low < high)
                {
                    var middle = (low + high) >>> 1;
                    if (At(middle).Sequence > afterSequence)
                        high = middle;
                    else
                        low = middle + 1;
                }
                var take = Math.Min(max, _count - low);
                var result = new List<Trade>(take);
                for (var i = low; i < low + take; i++)
                    result.Add(At(i));
                return result;
            }
        }

        public List<Trade> Newest(int max, Func<Trade, bool>? filter)
        {
            lock (_lock)
            {
                var result = new List<Trade>(Math.Min(max, _count));
                for (var i = 1; i <= _count && result.Count < max; i++)
                {
                    var trade = _ring[(_head - i + _ring.Length) % _ring.Length]!;
                    if (filter is null || filter(trade))
                        result.Add(trade);
                }
                return result;
            }
        }
    }
}
