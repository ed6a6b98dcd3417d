using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;

namespace OptionsTracker.Measures;

/// <summary>
/// The one place readers get a coin's <see cref="CoinAnalytics"/>: the latest snapshot, recomputed on demand when the
/// book or the realised volatility changed since it was built, but not more often than
/// <see cref="AnalyticsOptions.MinInterval"/>, and at least every <see cref="AnalyticsOptions.MaxAge"/> (days to
/// expiry move with the clock even when no quote does). So a hundred dashboards and API clients cost one computation
/// per interval, and the feed none: it never waits on this. Thread-safe.
/// </summary>
public sealed class MarketAnalytics(IOptionStore store, RealisedVolatility realised, TimeProvider time, IOptions<AnalyticsOptions> options)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly AnalyticsOptions _options = options.Value;

    public RealisedVolatility Realised => realised;

    /// <summary>The coin's figures now (at most <see cref="AnalyticsOptions.MinInterval"/> old); null when it has no options in the book.</summary>
    public CoinAnalytics? Get(string coin)
    {
        var book = store.Book;
        var index = book.Index;
        if (!index.TryGetCoin(coin, out var coinIndex))
            return null;
        var entry = _entries.GetOrAdd(coinIndex.BaseCoin, static _ => new Entry());
        lock (entry)
        {
            var now = time.GetUtcNow();
            var current = entry.Snapshot;
            if (current is not null && ReferenceEquals(current.Index, coinIndex))
            {
                var age = now - current.At;
                var unchanged = book.Sequence == current.Sequence && realised.Version == entry.RealisedVersion;
                if (age < _options.MinInterval || (unchanged && age < _options.MaxAge))
                    return current;
            }
            // The sequence before the read: whatever changed after it makes the next call recompute.
            var sequence = book.Sequence;
            entry.RealisedVersion = realised.Version;
            entry.Snapshot = CoinAnalytics.Build(coinIndex, sequence, now, realised, current);
            return entry.Snapshot;
        }
    }

    private sealed class Entry
    {
        public CoinAnalytics? Snapshot;
        public long RealisedVersion;
    }
}
