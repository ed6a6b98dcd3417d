namespace OptionsTracker.History;

/// <summary>
/// The past as the API and the dashboard read it: the store opened for this process's source, and the few views they
/// asked for last, kept by coin and snapshot time. A dashboard's slider, a chain and its smile, or a script asking the
/// same instant again land on the same snapshot: its book and analytics are built once, not per request. Bounded
/// (<see cref="Capacity"/> views, the least recently used leaves first); thread-safe.
/// </summary>
public sealed class HistoryViews(HistoryReader reader, HistorySource source, TimeProvider time)
{
    /// <summary>
    /// How long an instant asked is remembered to resolve to its snapshot, so asking it again reads nothing: short,
    /// since a snapshot at or before it may still arrive (the recorder catching up after the store was away).
    /// </summary>
    public static readonly TimeSpan InstantMemory = TimeSpan.FromSeconds(30);

    /// <summary>Views kept: a 4,000-option board's book and analytics are a few MB, so this stays well under 100 MB.</summary>
    public const int Capacity = 16;

    private readonly Lock _lock = new();

    // Most recently used last; a handful of entries, so a list scan beats any index.
    private readonly List<HistoricalView> _recent = new(Capacity);

    // (coin, instant asked) → the snapshot time it resolved to, and when that was learnt; as bounded as the views.
    private readonly List<(string Coin, DateTimeOffset At, DateTimeOffset AsOf, DateTimeOffset Learnt)> _instants = new(4 * Capacity);

    public HistorySource Source => source;

    /// <summary>The store, opened (idempotent) before the first read, as every user of it must.</summary>
    public async Task<IHistoryStore> OpenAsync(CancellationToken cancellationToken)
    {
        await reader.Store.OpenAsync(source, cancellationToken);
        return reader.Store;
    }

    /// <summary>The coin's board at or before <paramref name="at"/>, from the cache when its snapshot was read lately; null when none was recorded by then.</summary>
    public async Task<HistoricalView?> ViewAsync(string coin, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var store = await OpenAsync(cancellationToken);
        lock (_lock)
        {
            if (Remembered(coin, at) is { } asOf && Find(coin, asOf) is { } known)
                return known;
        }
        // The board is read first, since only it says which snapshot answers `at`; what the cache saves is the book and
        // the analytics built from it (the larger part for an analytics answer).
        var board = await store.BoardAtAsync(coin, at, cancellationToken);
        if (board is null)
            return null;
        lock (_lock)
        {
            Remember(coin, at, board.AsOf);
            if (Find(board.Coin, board.AsOf) is { } cached)
                return cached;
        }
        var view = await reader.ViewOfAsync(board, cancellationToken);
        lock (_lock)
        {
            // Another request may have built the same view meanwhile: keep one, so both answers share its analytics.
            if (Find(board.Coin, board.AsOf) is { } raced)
                return raced;
            if (_recent.Count == Capacity)
                _recent.RemoveAt(0);
            _recent.Add(view);
            return view;
        }
    }

    /// <summary>Under the lock: the snapshot time <paramref name="at"/> resolved to lately, if it did.</summary>
    private DateTimeOffset? Remembered(string coin, DateTimeOffset at)
    {
        var now = time.GetUtcNow();
        foreach (var (knownCoin, knownAt, asOf, learnt) in _instants)
        {
            if (knownAt == at && now - learnt < InstantMemory && string.Equals(knownCoin, coin, StringComparison.OrdinalIgnoreCase))
                return asOf;
        }
        return null;
    }

    private void Remember(string coin, DateTimeOffset at, DateTimeOffset asOf)
    {
        if (_instants.Count == _instants.Capacity)
            _instants.RemoveAt(0);
        _instants.Add((coin, at, asOf, time.GetUtcNow()));
    }

    /// <summary>Under the lock: the cached view of (coin, snapshot time), moved to the most recent end.</summary>
    private HistoricalView? Find(string coin, DateTimeOffset asOf)
    {
        for (var i = _recent.Count - 1; i >= 0; i--)
        {
            var view = _recent[i];
            if (view.AsOf == asOf && string.Equals(view.Coin, coin, StringComparison.OrdinalIgnoreCase))
            {
                _recent.RemoveAt(i);
                _recent.Add(view);
                return view;
            }
        }
        return null;
    }
}
