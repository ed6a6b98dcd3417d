using OptionsTracker.Feed;
using OptionsTracker.Measures;

namespace OptionsTracker.History;

/// <summary>
/// Fills the store with what the exchange serves of the past (issue 16, "Backfill on first start"): each venue's
/// realised volatility back to <see cref="HistoryOptions.Backfill"/> (at most what the venue serves: Bybit 2 years, 30
/// days per request) and its settlement history. Resumable: it asks only for what the store does not hold (before the
/// first recorded point of a coin and period, and after its last), newest window first, each window written before the
/// next is asked, so an interrupted backfill resumes where it stopped and a restart of a complete one asks nothing of
/// the realised volatility (one request per coin for the settlements, whose newest entries only the exchange knows).
/// Requests are <see cref="IVenueHistory.RequestSpacing"/> apart and go through the venue's gate (a ban pauses them);
/// a failed one is retried with backoff. Runs while the recorder records, for every coin tracked then or later.
/// </summary>
internal sealed class HistoryBackfill(
    IHistoryStore store,
    IReadOnlyList<IVenueHistory> venues,
    TrackedAssets assets,
    HistoryOptions options,
    HistoryMetrics metrics,
    TimeProvider time,
    ILogger logger)
{
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(5);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (options.Backfill <= TimeSpan.Zero || venues.Count == 0)
        {
            metrics.BackfillProgress(0, 0);
            return;
        }
        var done = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (true)
        {
            // Replaced before the coins are read, so a coin enabled during a run wakes the next wait.
            var wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnChanged() => wake.TrySetResult();
            assets.Changed += OnChanged;
            try
            {
                var coins = assets.Enabled.Where(c => !done.Contains(c)).ToList();
                if (coins.Count > 0)
                {
                    foreach (var venue in venues)
                        await BackfillAsync(venue, coins, cancellationToken);
                    done.UnionWith(coins);
                }
                await wake.Task.WaitAsync(cancellationToken);
            }
            finally
            {
                assets.Changed -= OnChanged;
            }
        }
    }

    private async Task BackfillAsync(IVenueHistory venue, List<string> coins, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var depth = options.Backfill < venue.RealisedVolatilityDepth ? options.Backfill : venue.RealisedVolatilityDepth;
        var start = now - depth;
        var windows = new List<(string Coin, int Period, DateTimeOffset From, DateTimeOffset To, bool StopWhenEmpty)>();
        foreach (var coin in coins)
        {
            foreach (var period in venue.RealisedVolatilityPeriods)
            {
                var recorded = await store.RealisedVolatilityAsync(coin, period, start, now, cancellationToken);
                if (recorded.Count == 0)
                {
                    AddWindows(coin, period, start, now, stopWhenEmpty: true);
                    continue;
                }
                // Newer than the last recorded point (a restart after a pause), then older than the first (a backfill
                // interrupted, or never run): the points are hourly, so less than an hour is nothing to ask.
                var hour = TimeSpan.FromHours(1);
                if (now - recorded[^1].Time >= hour)
                    AddWindows(coin, period, recorded[^1].Time + TimeSpan.FromMilliseconds(1), now, stopWhenEmpty: false);
                if (recorded[0].Time - start >= hour)
                    AddWindows(coin, period, start, recorded[0].Time - TimeSpan.FromMilliseconds(1), stopWhenEmpty: true);
            }
        }
        Log.BackfillPlanned(logger, venue.Venue.Id, windows.Count, string.Join(", ", coins), start);

        var planned = windows.Count + coins.Count;
        var completed = 0;
        long points = 0;
        var first = true;
        (string Coin, int Period)? exhausted = null;
        foreach (var window in windows)
        {
            if (exhausted is { } gone && gone.Coin == window.Coin && gone.Period == window.Period && window.StopWhenEmpty)
            {
                completed++;
                continue;
            }
            var got = await RetryAsync(venue, window.Coin, async () =>
            {
                await SpaceAsync(venue, first, cancellationToken);
                metrics.BackfillRequest();
                return await venue.RealisedVolatilityAsync(window.Coin, window.Period, window.From, window.To, cancellationToken);
            }, cancellationToken);
            first = false;
            if (got is null || (got.Count == 0 && window.StopWhenEmpty))
            {
                // Not served (null), or nothing that far back: the venue's data starts later, so older windows of this
                // coin and period are not asked.
                exhausted = (window.Coin, window.Period);
            }
            else if (got.Count > 0)
            {
                await RetryAsync(venue, window.Coin, async () =>
                {
                    await store.WriteRealisedVolatilityAsync(window.Coin, got, cancellationToken);
                    return true;
                }, cancellationToken);
                points += got.Count;
                metrics.BackfillPoints(got.Count);
            }
            metrics.BackfillProgress(++completed, planned);
        }

        long settlements = 0;
        foreach (var coin in coins)
        {
            var published = await RetryAsync(venue, coin, async () =>
            {
                await SpaceAsync(venue, first, cancellationToken);
                metrics.BackfillRequest();
                return await venue.SettlementsAsync(coin, cancellationToken);
            }, cancellationToken);
            first = false;
            if (published.Count > 0)
            {
                var from = published.Min(s => s.DeliveryTime);
                var to = published.Max(s => s.DeliveryTime);
                var known = await store.SettlementsAsync(coin, from, to, cancellationToken);
                var missing = published
                    .Where(p => !known.Any(k => k.Venue == venue.Venue && k.DeliveryTime == p.DeliveryTime))
                    .Select(p => new Settlement(venue.Venue, coin, p.DeliveryTime, p.Price))
                    .ToList();
                if (missing.Count > 0)
                {
                    await RetryAsync(venue, coin, async () =>
                    {
                        await store.WriteSettlementsAsync(missing, cancellationToken);
                        return true;
                    }, cancellationToken);
                    metrics.SettlementsWritten(missing.Count);
                    settlements += missing.Count;
                }
            }
            metrics.BackfillProgress(++completed, planned);
        }
        Log.BackfillCompleted(logger, venue.Venue.Id, points, settlements);

        void AddWindows(string coin, int period, DateTimeOffset from, DateTimeOffset to, bool stopWhenEmpty)
        {
            // Newest first: what is written is always a span ending at the newest point, so a restart resumes before it.
            for (var end = to; end >= from;)
            {
                var begin = end - venue.RealisedVolatilityWindow;
                if (begin < from)
                    begin = from;
                windows.Add((coin, period, begin, end, stopWhenEmpty));
                end = begin - TimeSpan.FromMilliseconds(1);
            }
        }
    }

    private Task SpaceAsync(IVenueHistory venue, bool first, CancellationToken cancellationToken) =>
        first ? Task.CompletedTask : Task.Delay(venue.RequestSpacing, time, cancellationToken);

    private async Task<T> RetryAsync<T>(IVenueHistory venue, string coin, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        var delay = FirstRetryDelay;
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                Log.BackfillFailed(logger, coin, venue.Venue.Id, e.Message, delay);
                await Task.Delay(delay, time, cancellationToken);
                delay = delay * 2 < MaxRetryDelay ? delay * 2 : MaxRetryDelay;
            }
        }
    }
}
