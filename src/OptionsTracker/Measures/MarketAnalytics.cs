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
    // One entry per (coin, venue id); "" is the combined figures of every venue.
    private readonly ConcurrentDictionary<(string Coin, string Venue), Entry> _entries = new();
    private readonly AnalyticsOptions _options = options.Value;

    public RealisedVolatility Realised => realised;

    /// <summary>The coin's combined figures of every venue now (at most <see cref="AnalyticsOptions.MinInterval"/> old); null when it has no options in the book.</summary>
    public CoinAnalytics? Get(string coin) => Get(coin, null);

    /// <summary>
    /// The coin's figures of <paramref name="venue"/>'s options, or (null) combined over every venue listing it
    /// (<see cref="CoinAnalytics.Combine"/>, from each venue's own snapshot); null when there are no such options.
    /// </summary>
    public CoinAnalytics? Get(string coin, Venue? venue)
    {
        var book = store.Book;
        return book.Index.TryGetCoin(coin, out var all) ? Get(book, all, venue) : null;
    }

    private CoinAnalytics? Get(OptionBook book, CoinIndex all, Venue? venue)
    {
        var own = all;
        if (venue is { } one && !all.TryGetVenue(one, out own))
            return null;
        var entry = _entries.GetOrAdd((all.BaseCoin, venue?.Id ?? ""), static _ => new Entry());
        lock (entry)
        {
            var now = time.GetUtcNow();
            var current = entry.Snapshot;
            if (current is not null && ReferenceEquals(current.Index, own))
            {
                var age = now - current.At;
                var unchanged = book.Sequence == current.Sequence && realised.Version == entry.RealisedVersion;
                if (age < _options.MinInterval || (unchanged && age < _options.MaxAge))
                    return current;
            }
            // The sequence before the read: whatever changed after it makes the next call recompute.
            var sequence = book.Sequence;
            entry.RealisedVersion = realised.Version;
            if (venue is null && all.IsMultiVenue)
            {
                // Each venue's own snapshot (cached as when asked for alone), from the same index; the combined one
                // claims no change beyond the oldest of them.
                var each = new CoinAnalytics[all.Venues.Count];
                for (var i = 0; i < each.Length; i++)
                {
                    each[i] = Get(book, all, all.Venues[i])!;
                    sequence = Math.Min(sequence, each[i].Sequence);
                }
                entry.Snapshot = CoinAnalytics.Combine(all, each, sequence, now, realised);
            }
            else
            {
                entry.Snapshot = CoinAnalytics.BuildOne(own, venue, sequence, now, realised, current);
            }
            return entry.Snapshot;
        }
    }

    private sealed class Entry
    {
        public CoinAnalytics? Snapshot;
        public long RealisedVersion;
    }
}
