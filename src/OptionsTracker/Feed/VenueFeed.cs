using Cronos;
using OptionsTracker.Book;

namespace OptionsTracker.Feed;

/// <summary>
/// Runs one venue for the tracked coins while this process collects: per coin, lists its options (the venue retries
/// until it answers), fills the book within the configured filter, has the venue subscribe them and load the snapshot so
/// the book is full before the stream catches up. Then it keeps the instrument set current (delivery at expiry, a
/// periodic and a daily refresh, listing status changes) and asks the venue for settlement prices. It knows nothing of
/// the venue's protocol: that, its retry policy and its connections are the venue's.
/// </summary>
internal sealed class VenueFeed(
    IVenue venue,
    OptionBook book,
    FeedStatus status,
    TrackerOptions tracker,
    TimeProvider time,
    ILogger logger)
{
    private readonly InstrumentFilter _filter = new(tracker);
    private readonly CronExpression _dailyRefresh = CronExpression.Parse(tracker.DailyRefreshCron);

    // Coins being tracked, each with its bootstrap (cancelled when the coin is untracked). Guarded by _trackLock.
    private readonly Dictionary<string, CoinFeed> _coins = new(StringComparer.Ordinal);
    private readonly Lock _trackLock = new();
    // The last refresh started: each waits for the one before (see RefreshCoinAsync). Guarded by _trackLock.
    private Task _lastRefresh = Task.CompletedTask;
    private CancellationToken _stopping;
    private bool _started;

    // When the lifecycle loop next asks the venue for settlement prices (UTC ticks; MaxValue while none is missing).
    // Written by the lifecycle loop and the bootstraps, so kept in one long that is read and written whole.
    private long _nextSettlementTicks = DateTimeOffset.MaxValue.UtcTicks;

    public IVenue Venue => venue;

    private DateTimeOffset NextSettlement
    {
        get => new(Interlocked.Read(ref _nextSettlementTicks), TimeSpan.Zero);
        set => Interlocked.Exchange(ref _nextSettlementTicks, value.UtcTicks);
    }

    /// <summary>
    /// Collects the coins <paramref name="enabled"/> gives until <paramref name="stoppingToken"/> is cancelled (shutdown or
    /// lease lost). The set is read under the lock that <see cref="FollowAsync"/> takes, so a change arriving meanwhile is
    /// either in it or followed afterwards.
    /// </summary>
    public async Task CollectAsync(Func<IReadOnlyList<string>> enabled, CancellationToken stoppingToken)
    {
        IReadOnlyList<string> coins;
        lock (_trackLock)
        {
            coins = enabled();
            _stopping = stoppingToken;
            _started = true;
            foreach (var coin in coins)
                StartCoinLocked(coin);
        }
        Log.Tracking(logger, string.Join(",", coins), venue.RestUrl, venue.StreamUrl);

        var startedAt = time.GetTimestamp();
        try
        {
            await Task.WhenAll(
                GuardAsync(ct => ReportProgressAsync(startedAt, ct), stoppingToken),
                GuardAsync(venue.RunAsync, stoppingToken),
                GuardAsync(LifecycleLoopAsync, stoppingToken),
                GuardAsync(FollowListingChangesAsync, stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
        List<CoinFeed> running;
        lock (_trackLock)
        {
            running = [.. _coins.Values];
            // Collecting stopped (shutdown or lease lost): a later lease starts every coin afresh.
            _coins.Clear();
            _started = false;
        }
        await Task.WhenAll(running.Select(c => c.Bootstrap));
        foreach (var coin in running)
            coin.Cancellation.Dispose();
    }

    /// <summary>
    /// The tracked set changed: track the enabled coins not running yet, drop the running ones no longer enabled.
    /// Idempotent, so changes arriving together or out of order settle on the current set.
    /// </summary>
    public async Task FollowAsync(IReadOnlyList<string> wanted)
    {
        List<string> dropped;
        lock (_trackLock)
        {
            if (!_started)
                return;
            dropped = [.. _coins.Keys.Except(wanted, StringComparer.Ordinal)];
        }
        foreach (var coin in wanted)
            Track(coin);
        foreach (var coin in dropped)
            await UntrackAsync(coin);
    }

    /// <summary>Starts tracking <paramref name="coin"/> at once (instruments, subscription, snapshot), without a restart.</summary>
    private void Track(string coin)
    {
        lock (_trackLock)
        {
            if (_started && !_stopping.IsCancellationRequested && !_coins.ContainsKey(coin))
                StartCoinLocked(coin);
        }
    }

    /// <summary>Stops tracking <paramref name="coin"/>: its bootstrap ends, its options leave the book and the feed.</summary>
    private async Task UntrackAsync(string coin)
    {
        CoinFeed? feed;
        lock (_trackLock)
            _coins.Remove(coin, out feed);
        if (feed is not null)
        {
            await feed.Cancellation.CancelAsync();
            // Awaited before removing, so a bootstrap half-way cannot add the options back afterwards.
            await feed.Bootstrap;
            feed.Cancellation.Dispose();
        }
        IReadOnlyList<OptionInstrument> removed;
        lock (_trackLock)
        {
            status.RemoveCoin(venue.Id, coin);
            removed = book.RemoveWhere(i => i.Venue == venue.Id && string.Equals(i.BaseCoin, coin, StringComparison.Ordinal));
            if (removed.Count > 0)
                venue.Untrack(removed);
        }
        if (removed.Count > 0)
            Log.Removed(logger, removed.Count, removed[0].Symbol);
    }

    private void StartCoinLocked(string coin)
    {
        status.SetCoin(venue.Id, coin, CoinLoadState.Loading);
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        _coins[coin] = new CoinFeed(cancellation, RunBootstrapAsync(coin, cancellation.Token));
    }

    private async Task RunBootstrapAsync(string coin, CancellationToken cancellationToken)
    {
        try
        {
            await GuardAsync(async ct =>
            {
                try
                {
                    await BootstrapCoinAsync(coin, ct);
                }
                catch (VenueRefusedException refused)
                {
                    // Asking again would fail the same way: say so in /health and stop (the venue logged the request).
                    status.SetCoin(venue.Id, coin, CoinLoadState.Refused);
                    Log.CoinRefused(logger, coin, venue.Name, refused.Message);
                }
            }, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Untracked or shutting down.
        }
    }

    private sealed record CoinFeed(CancellationTokenSource Cancellation, Task Bootstrap);

    /// <summary>
    /// Runs one of the feed's loops until it completes, restarting it after an unexpected failure: an
    /// exception escaping ExecuteAsync would stop the whole host.
    /// </summary>
    private async Task GuardAsync(Func<CancellationToken, Task> loop, CancellationToken cancellationToken)
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        // A loop that keeps failing the same way is logged (with its stack) when it starts failing, then rarely.
        var failureLog = new Diagnostics.LogThrottle(time, Diagnostics.LogThrottle.DefaultInterval);
        while (true)
        {
            try
            {
                await loop(cancellationToken);
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                var delay = backoff.Next();
                if (failureLog.ShouldLog(ex.GetType().Name))
                    Log.FeedLoopFailed(logger, ex, delay);
                await Task.Delay(delay, time, cancellationToken);
            }
        }
    }

    /// <summary>Instruments, then subscription and snapshot, for one coin; the venue retries until it answers.</summary>
    private async Task BootstrapCoinAsync(string coin, CancellationToken cancellationToken)
    {
        while (true)
        {
            var instruments = await venue.ListInstrumentsAsync(coin, cancellationToken);
            if (instruments.Count == 0)
            {
                status.SetCoin(venue.Id, coin, CoinLoadState.NoOptions);
                Log.NoOptions(logger, coin, venue.Name, tracker.InstrumentRefreshInterval);
                await Task.Delay(tracker.InstrumentRefreshInterval, time, cancellationToken);
                continue;
            }
            var now = time.GetUtcNow();
            // Delivered options still listed (Delivering, until 12:00 UTC) are kept with their last values;
            // PreLaunch and delivered ones are never subscribed (see ListingStatus).
            var live = instruments.Where(i => IsListedNow(i, now) && _filter.Includes(i, double.NaN, now)).ToList();
            book.AddInstruments(live);
            MarkDelivered(now);
            if (_filter.NeedsIndexPrice)
            {
                // The strike range is measured around the index, which only the snapshot tells: read it, then
                // drop what lies outside before subscribing.
                await venue.LoadSnapshotAsync(coin, cancellationToken);
                var indexPrice = IndexPriceOf(coin);
                var outside = book.RemoveWhere(i => i.Venue == venue.Id && i.BaseCoin == coin && !_filter.Includes(i, indexPrice, now));
                var outsideSymbols = outside.Select(i => i.Symbol).ToHashSet(StringComparer.Ordinal);
                venue.Track(live.Where(i => IsSubscribed(i, now) && !outsideSymbols.Contains(i.Symbol)));
            }
            else
            {
                // Subscribe first: the connections open while the snapshot is read.
                venue.Track(live.Where(i => IsSubscribed(i, now)));
            }
            status.SetCoin(venue.Id, coin, CoinLoadState.Loaded);
            Log.CoinLoaded(logger, coin, book.Index.TryGetCoin(coin, out var index) ? index.Slots.Count : 0);
            if (!_filter.NeedsIndexPrice)
                await venue.LoadSnapshotAsync(coin, cancellationToken);
            return;
        }
    }

    /// <summary>
    /// Whether a listed option belongs in the book at <paramref name="now"/>: before delivery always; after it while the
    /// exchange may still list it as Delivering, until 12:00 UTC of the delivery day.
    /// </summary>
    private static bool IsListedNow(OptionInstrument instrument, DateTimeOffset now) =>
        now < ListingStatuses.DeliveringUntil(instrument);

    /// <summary>Only trading options are subscribed: PreLaunch and delivered topics must never hold a connection back.</summary>
    private static bool IsSubscribed(OptionInstrument instrument, DateTimeOffset now) =>
        ListingStatuses.At(instrument, now) == ListingStatus.Trading;

    /// <summary>
    /// Marks every option whose delivery time has come as Delivering and unsubscribes it; it keeps its last values and
    /// waits for its settlement price.
    /// </summary>
    private void MarkDelivered(DateTimeOffset now)
    {
        List<OptionSlot>? delivered = null;
        var unpriced = false;
        foreach (var slot in book.Index.All)
        {
            if (slot.Instrument.Venue != venue.Id)
                continue;
            if (slot.Instrument.ExpiryUtc <= now && book.SetListing(slot, ListingStatus.Delivering) == ApplyResult.Changed)
                (delivered ??= []).Add(slot);
            else if (!unpriced && slot.ReadQuote() is { Status: ListingStatus.Delivering } quote && double.IsNaN(quote.DeliveryPrice))
                unpriced = true; // e.g. listed as Delivering already when it was added
        }
        if (unpriced && NextSettlement == DateTimeOffset.MaxValue)
            NextSettlement = now;
        if (delivered is null)
            return;
        venue.Untrack(delivered.Select(s => s.Instrument));
        Log.Delivered(logger, delivered.Count, delivered[0].Instrument.Symbol);
        NextSettlement = now;
    }

    private async Task ReportProgressAsync(long startedAt, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        var lastReported = -1;
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            var venueStatus = venue.GetStatus();
            var total = venueStatus.Topics;
            // Topics the exchange keeps refusing are reported by /health; they must not keep this report waiting.
            var subscribed = venueStatus.Connections.Sum(s => s.SubscribedTopics + s.RefusedTopics.Count);
            var allLoaded = !status.CoinsOf(venue.Id, CoinLoadState.Loading).Any();
            if (allLoaded && total > 0 && subscribed >= total)
            {
                Log.BoardLive(logger, total, venueStatus.Connections.Count, time.GetElapsedTime(startedAt));
                return;
            }
            if (subscribed != lastReported && total > 0)
            {
                Log.SubscribeProgress(logger, subscribed, total);
                lastReported = subscribed;
            }
        }
    }

    /// <summary>At most a minute ahead: the plan is made from the book as it is (see <see cref="LifecycleLoopAsync"/>).</summary>
    private static readonly TimeSpan LifecyclePlanHorizon = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Marks options Delivering at their delivery instant and asks the venue for their settlement prices, and refreshes the
    /// instrument set periodically (which is also when delivered options leave).
    /// </summary>
    private async Task LifecycleLoopAsync(CancellationToken cancellationToken)
    {
        var nextRefresh = time.GetUtcNow() + tracker.InstrumentRefreshInterval;
        var nextDaily = NextDailyRefresh(time.GetUtcNow());
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            var nextExpiry = DateTimeOffset.MaxValue;
            foreach (var slot in book.Index.All)
            {
                if (slot.Instrument.Venue == venue.Id && slot.Instrument.ExpiryUtc > now && slot.Instrument.ExpiryUtc < nextExpiry)
                    nextExpiry = slot.Instrument.ExpiryUtc;
            }
            // At most a minute ahead: the plan is made from the book as it is, and a board that loads (or lists an
            // expiry) after the plan was made must still be delivered on time, within a minute.
            var wakeAt = Min(Min(Min(nextExpiry, NextSettlement), Min(nextRefresh, nextDaily)), now + LifecyclePlanHorizon);
            if (wakeAt > now)
                await Task.Delay(wakeAt - now, time, cancellationToken);

            MarkDelivered(time.GetUtcNow());
            if (time.GetUtcNow() >= NextSettlement)
                NextSettlement = await venue.SettleAsync(cancellationToken);
            now = time.GetUtcNow();
            if (now >= nextRefresh || now >= nextDaily)
            {
                var loaded = status.CoinsOf(venue.Id, CoinLoadState.Loaded).ToList();
                foreach (var coin in loaded)
                    await RefreshCoinAsync(coin, cancellationToken);
                nextRefresh = time.GetUtcNow() + tracker.InstrumentRefreshInterval;
                // From the instant this refresh began: a daily run that came due while it worked (a slow exchange, a
                // stepped test clock) runs next, instead of being skipped for a day.
                nextDaily = NextDailyRefresh(now);
            }
        }
    }

    /// <summary>
    /// Refreshes at once the coins whose listing the venue announced a change of (<see cref="IVenue.ListingChanges"/>):
    /// announcements arriving together make one refresh per coin.
    /// </summary>
    private async Task FollowListingChangesAsync(CancellationToken cancellationToken)
    {
        if (venue.ListingChanges is not { } reader)
            return;
        var coins = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            coins.Clear();
            while (reader.TryRead(out var coin))
                coins.Add(coin);
            // Only coins loaded: one still bootstrapping lists everything anyway, one not tracked is not ours.
            coins.IntersectWith(status.CoinsOf(venue.Id, CoinLoadState.Loaded));
            if (coins.Count == 0)
                continue;
            Log.ListingChangeRefresh(logger, venue.Name, string.Join(",", coins));
            foreach (var coin in coins)
                await RefreshCoinAsync(coin, cancellationToken);
        }
    }

    /// <summary>The next run of the daily refresh (cron in UTC), strictly after <paramref name="now"/>.</summary>
    private DateTimeOffset NextDailyRefresh(DateTimeOffset now) =>
        _dailyRefresh.GetNextOccurrence(now, TimeZoneInfo.Utc) ?? DateTimeOffset.MaxValue;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private double IndexPriceOf(string coin) =>
        book.Index.TryGetCoin(coin, out var index) ? Measures.MarketMeasures.IndexPrice(index) : double.NaN;

    /// <summary>
    /// Adds what the venue newly lists, follows status changes (a PreLaunch option that trades now is subscribed), and
    /// removes what it no longer lists, and delivered options after 12:00 UTC of their delivery day. A failed or empty
    /// answer removes nothing: the tool we replace deleted the whole board when its fetch came back empty.
    /// </summary>
    public async Task RefreshCoinAsync(string coin, CancellationToken cancellationToken)
    {
        // The periodic refresh and an announced change may come together: one at a time, or a refresh holding an older
        // list could remove an option the other has just added.
        Task refresh;
        lock (_trackLock)
            _lastRefresh = refresh = AfterAsync(_lastRefresh, coin, cancellationToken);
        await refresh;
    }

    private async Task AfterAsync(Task previous, string coin, CancellationToken cancellationToken)
    {
        // The previous refresh's failure is its caller's.
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await RefreshCoinOnceAsync(coin, cancellationToken);
    }

    private async Task RefreshCoinOnceAsync(string coin, CancellationToken cancellationToken)
    {
        var listed = await venue.TryListInstrumentsAsync(coin, cancellationToken);
        if (listed is null)
            return;
        var held = book.Index.TryGetCoin(coin, out var index) ? index.Slots.Count : 0;
        if (listed.Count == 0)
        {
            Log.EmptyRefreshIgnored(logger, coin, held);
            return;
        }

        var now = time.GetUtcNow();
        var indexPrice = IndexPriceOf(coin);
        IReadOnlyList<OptionInstrument> added;
        lock (_trackLock)
        {
            // Untracked while the list was being fetched: adding now would bring its options back.
            if (!_coins.ContainsKey(coin))
                return;
            added = book.AddInstruments(listed.Where(i => IsListedNow(i, now) && _filter.Includes(i, indexPrice, now)));
            if (added.Count > 0)
                venue.Track(added.Where(i => IsSubscribed(i, now)));
        }
        if (added.Count > 0)
            Log.Listed(logger, coin, added.Count, added[0].Symbol);
        var launched = FollowStatuses(listed, now);
        MarkDelivered(now);

        var listedSymbols = listed.Select(i => i.Symbol).ToHashSet(StringComparer.Ordinal);
        // Gone from the venue's list, delivered before today's 12:00 UTC, or (as the index moves) out of the
        // configured strike range.
        var removed = book.RemoveWhere(i => i.Venue == venue.Id && i.BaseCoin == coin
            && (!listedSymbols.Contains(i.Symbol) || !IsListedNow(i, now) || !_filter.Includes(i, indexPrice, now)));
        if (removed.Count > 0)
        {
            venue.Untrack(removed);
            Log.Removed(logger, removed.Count, removed[0].Symbol);
        }
        if (added.Count > 0 || launched > 0)
            await venue.LoadSnapshotAsync(coin, cancellationToken);
    }

    /// <summary>
    /// Follows the statuses the venue lists for options already in the book: PreLaunch → Trading subscribes the option, an
    /// early Delivering unsubscribes it (delivery itself is the clock's: <see cref="MarkDelivered"/>). Returns how many
    /// started trading.
    /// </summary>
    private int FollowStatuses(IReadOnlyList<OptionInstrument> listed, DateTimeOffset now)
    {
        var index = book.Index;
        List<OptionInstrument>? launched = null, stopped = null;
        foreach (var instrument in listed)
        {
            if (!index.TryGetSlot(instrument.Key, out var slot))
                continue;
            var was = slot.ReadQuote().Status;
            var listing = ListingStatuses.At(instrument, now);
            // Delivered stays delivered: a listing read before the delivery instant must not bring it back.
            if (listing == was || was == ListingStatus.Delivering || book.SetListing(slot, listing) != ApplyResult.Changed)
                continue;
            if (listing == ListingStatus.Trading)
                (launched ??= []).Add(instrument);
            else if (was == ListingStatus.Trading)
                (stopped ??= []).Add(instrument);
        }
        if (stopped is not null)
        {
            venue.Untrack(stopped);
            NextSettlement = now;
        }
        if (launched is null)
            return 0;
        venue.Track(launched);
        Log.Launched(logger, launched.Count, launched[0].Symbol);
        return launched.Count;
    }
}
