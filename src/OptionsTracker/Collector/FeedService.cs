using Cronos;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.Bybit;

namespace OptionsTracker.Collector;

/// <summary>
/// Runs the feed: per base coin, fetches instruments (retrying until the exchange answers), fills the book,
/// hands the topics to the shard supervisor and applies the REST ticker snapshot so the book is full before
/// the WebSocket catches up. Then it keeps the instrument set current (removal at delivery, a periodic and a
/// daily refresh, within the configured symbol set) and re-reads snapshots for shards that came back after a
/// drop. It runs only while this process holds the collector lease (always without Redis); losing the lease
/// unsubscribes every topic.
/// </summary>
public sealed class FeedService(
    OptionBook book,
    BybitRestClient rest,
    ShardSupervisor supervisor,
    FeedStatus status,
    TrackedAssets assets,
    IOptions<TrackerOptions> tracker,
    IOptions<BybitOptions> bybit,
    ICollectorLease lease,
    TimeProvider time,
    ILogger<FeedService> logger) : BackgroundService
{
    private readonly InstrumentFilter _filter = new(tracker.Value);
    private readonly CronExpression _dailyRefresh = CronExpression.Parse(tracker.Value.DailyRefreshCron);

    // Coins being tracked, each with its bootstrap (cancelled when the coin is untracked). Guarded by _trackLock.
    private readonly Dictionary<string, CoinFeed> _coins = new(StringComparer.Ordinal);
    private readonly Lock _trackLock = new();
    private CancellationToken _stopping;
    private bool _started;

    /// <summary>How often to ask again for delivery prices Bybit has not given yet (new-delivery-price: "query 1 minute after settlement").</summary>
    private static readonly TimeSpan DeliveryPriceRetry = TimeSpan.FromMinutes(1);

    // When the lifecycle loop next asks for delivery prices (UTC ticks; MaxValue while none is missing). Written by the
    // lifecycle loop and the bootstraps, so kept in one long that is read and written whole.
    private long _nextDeliveryPriceAttemptTicks = DateTimeOffset.MaxValue.UtcTicks;

    private DateTimeOffset NextDeliveryPriceAttempt
    {
        get => new(Interlocked.Read(ref _nextDeliveryPriceAttemptTicks), TimeSpan.Zero);
        set => Interlocked.Exchange(ref _nextDeliveryPriceAttemptTicks, value.UtcTicks);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        assets.Changed += OnAssetsChanged;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var held = await lease.AcquireAsync(stoppingToken);
                using var collecting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, held);
                await CollectAsync(collecting.Token);
                if (stoppingToken.IsCancellationRequested)
                    return;
                // Another collector is active now: stop feeding this book and close the connections (they would
                // only count against Bybit's limits); start over if the lease comes back.
                await supervisor.StopAllAsync();
                Log.StoppedCollecting(logger);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
        finally
        {
            assets.Changed -= OnAssetsChanged;
        }
    }

    /// <summary>
    /// The tracked set changed (on this instance's dashboard, or on another's through the shared store): track the
    /// enabled coins not running yet, drop the running ones no longer enabled. Idempotent, so changes arriving
    /// together or out of order settle on the current set.
    /// </summary>
    private void OnAssetsChanged() => _ = FollowAssetsAsync();

    private async Task FollowAssetsAsync()
    {
        try
        {
            var wanted = assets.Enabled;
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
        catch (Exception e)
        {
            Log.FollowAssetsFailed(logger, e.Message);
        }
    }

    private async Task CollectAsync(CancellationToken stoppingToken)
    {
        IReadOnlyList<string> coins;
        lock (_trackLock)
        {
            // The persisted set (coins added from the dashboard) wins over configuration.
            coins = assets.Enabled;
            _stopping = stoppingToken;
            _started = true;
            foreach (var coin in coins)
                StartCoinLocked(coin);
        }
        Log.Tracking(logger, string.Join(",", coins), bybit.Value.RestUrl, bybit.Value.WsUrl);

        var startedAt = time.GetTimestamp();
        try
        {
            await Task.WhenAll(
                GuardAsync(ct => ReportProgressAsync(startedAt, ct), stoppingToken),
                GuardAsync(SnapshotRequestsLoopAsync, stoppingToken),
                GuardAsync(LifecycleLoopAsync, stoppingToken));
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
    /// Starts tracking <paramref name="coin"/> at once (instruments, subscription, snapshot), without a restart.
    /// Before the service runs this does nothing: it starts with <see cref="TrackedAssets.Enabled"/>.
    /// </summary>
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
            status.RemoveCoin(coin);
            removed = book.RemoveWhere(i => string.Equals(i.BaseCoin, coin, StringComparison.Ordinal));
            if (removed.Count > 0)
                supervisor.RemoveSymbols(removed.Select(i => i.Symbol));
        }
        if (removed.Count > 0)
            Log.Removed(logger, removed.Count, removed[0].Symbol);
    }

    private void StartCoinLocked(string coin)
    {
        status.SetCoin(coin, CoinLoadState.Loading);
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
                catch (BybitApiException refused) when (refused.IsParameterError)
                {
                    // Asking again would fail the same way: say so in /health and stop (the client logged the request).
                    status.SetCoin(coin, CoinLoadState.Refused);
                    status.RestFailed($"{coin}: {refused.Message}");
                    Log.CoinRefused(logger, coin, refused.Message);
                }
            }, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Untracked or shutting down.
        }
    }

    private sealed record CoinFeed(CancellationTokenSource Cancellation, Task Bootstrap);

    /// Runs one of the feed's loops until it completes, restarting it after an unexpected failure: an
    /// exception escaping ExecuteAsync would stop the whole host.
    /// </summary>
    private async Task GuardAsync(Func<CancellationToken, Task> loop, CancellationToken cancellationToken)
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        // A loop that keeps failing the same way is logged (with its stack) when it starts failing, then rarely.
        var failureLog = new Health.LogThrottle(time, Health.LogThrottle.DefaultInterval);
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

    /// <summary>Instruments, then subscription and snapshot, for one coin; retries until it succeeds.</summary>
    private async Task BootstrapCoinAsync(string coin, CancellationToken cancellationToken)
    {
        while (true)
        {
            var instruments = await RetryAsync($"Fetching {coin} instruments", ct => rest.GetInstrumentsAsync(coin, ct), cancellationToken);
            if (instruments.Count == 0)
            {
                status.SetCoin(coin, CoinLoadState.NoOptions);
                Log.NoOptions(logger, coin, tracker.Value.InstrumentRefreshInterval);
                await Task.Delay(tracker.Value.InstrumentRefreshInterval, time, cancellationToken);
                continue;
            }
            var now = time.GetUtcNow();
            // Delivered options Bybit still lists (Delivering, until 12:00 UTC) are kept with their last values;
            // PreLaunch and delivered ones are never subscribed (see ListingStatus).
            var live = instruments.Where(i => IsListedNow(i, now) && _filter.Includes(i, double.NaN, now)).ToList();
            book.AddInstruments(live);
            MarkDelivered(now);
            if (_filter.NeedsIndexPrice)
            {
                // The strike range is measured around the index, which only the snapshot tells: read it, then
                // drop what lies outside before subscribing.
                await LoadSnapshotAsync(coin, cancellationToken);
                var indexPrice = IndexPriceOf(coin);
                var outside = book.RemoveWhere(i => i.BaseCoin == coin && !_filter.Includes(i, indexPrice, now));
                var outsideSymbols = outside.Select(i => i.Symbol).ToHashSet(StringComparer.Ordinal);
                supervisor.AddSymbols(live.Where(i => IsSubscribed(i, now)).Select(i => i.Symbol).Where(symbol => !outsideSymbols.Contains(symbol)));
            }
            else
            {
                // Subscribe first: the connections open while the snapshot is read.
                supervisor.AddSymbols(live.Where(i => IsSubscribed(i, now)).Select(i => i.Symbol));
            }
            status.SetCoin(coin, CoinLoadState.Loaded);
            Log.CoinLoaded(logger, coin, book.Index.TryGetCoin(coin, out var index) ? index.Slots.Count : 0);
            if (!_filter.NeedsIndexPrice)
                await LoadSnapshotAsync(coin, cancellationToken);
            return;
        }
    }

    private async Task LoadSnapshotAsync(string coin, CancellationToken cancellationToken)
    {
        var result = await RetryAsync($"Reading {coin} tickers", ct => rest.LoadTickersAsync(coin, book, ct), cancellationToken);
        Log.SnapshotApplied(logger, coin, result.Items, result.Changed);
    }

    /// <summary>
    /// Whether a listed option belongs in the book at <paramref name="now"/>: before delivery always; after it while Bybit
    /// may still list it as Delivering, until 12:00 UTC of the delivery day.
    /// </summary>
    private static bool IsListedNow(OptionInstrument instrument, DateTimeOffset now) =>
        now < ListingStatuses.DeliveringUntil(instrument);

    /// <summary>Only trading options are subscribed: PreLaunch and delivered topics must never hold a connection back.</summary>
    private static bool IsSubscribed(OptionInstrument instrument, DateTimeOffset now) =>
        ListingStatuses.At(instrument, now) == ListingStatus.Trading;

    /// <summary>
    /// Marks every option whose delivery time has come as Delivering and unsubscribes it; it keeps its last values and
    /// waits for its delivery price.
    /// </summary>
    private void MarkDelivered(DateTimeOffset now)
    {
        List<OptionSlot>? delivered = null;
        var unpriced = false;
        foreach (var slot in book.Index.All)
        {
            if (slot.Instrument.ExpiryUtc <= now && book.SetListing(slot, ListingStatus.Delivering) == ApplyResult.Changed)
                (delivered ??= []).Add(slot);
            else if (!unpriced && slot.ReadQuote() is { Status: ListingStatus.Delivering } quote && double.IsNaN(quote.DeliveryPrice))
                unpriced = true; // e.g. listed as Delivering already when it was added
        }
        if (unpriced && NextDeliveryPriceAttempt == DateTimeOffset.MaxValue)
            NextDeliveryPriceAttempt = now;
        if (delivered is null)
            return;
        supervisor.RemoveSymbols(delivered.Select(s => s.Instrument.Symbol));
        Log.Delivered(logger, delivered.Count, delivered[0].Instrument.Symbol);
        NextDeliveryPriceAttempt = now;
    }

    /// <summary>
    /// Asks Bybit for the settlement price of every delivered option still without one, per coin. A coin Bybit has no
    /// price for yet is asked again after <see cref="DeliveryPriceRetry"/>; a failure never touches the book.
    /// </summary>
    private async Task FetchDeliveryPricesAsync(CancellationToken cancellationToken)
    {
        var waiting = book.Index.All
            .Where(s => s.ReadQuote() is { Status: ListingStatus.Delivering } quote && double.IsNaN(quote.DeliveryPrice))
            .GroupBy(s => s.Instrument.BaseCoin, StringComparer.Ordinal)
            .ToList();
        var missing = 0;
        foreach (var coin in waiting)
        {
            DeliveryPrices prices;
            try
            {
                prices = await rest.GetDeliveryPricesAsync(coin.Key, cancellationToken);
                status.RestSucceeded();
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                missing += coin.Count();
                if (ex is not BybitHttpException { IsIpBan: true } and not BybitApiException { IsParameterError: true })
                    Log.RestRetry(logger, $"Reading {coin.Key} delivery prices", ex.Message, DeliveryPriceRetry);
                continue;
            }
            foreach (var slot in coin)
            {
                var price = prices.PriceOf(slot.Instrument.Symbol, slot.Instrument.ExpiryUtc);
                if (double.IsNaN(price))
                    missing++;
                else
                    book.SetListing(slot, ListingStatus.Delivering, price);
            }
        }
        NextDeliveryPriceAttempt = missing > 0 ? time.GetUtcNow() + DeliveryPriceRetry : DateTimeOffset.MaxValue;
    }

    private async Task ReportProgressAsync(long startedAt, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        var lastReported = -1;
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            var total = supervisor.TopicCount;
            // Topics the exchange keeps refusing are reported by /health; they must not keep this report waiting.
            var subscribed = supervisor.GetStatus().Sum(s => s.SubscribedTopics + s.RefusedTopics.Count);
            var allLoaded = status.Coins.Values.All(s => s != CoinLoadState.Loading);
            if (allLoaded && total > 0 && subscribed >= total)
            {
                Log.BoardLive(logger, total, supervisor.ShardCount, time.GetElapsedTime(startedAt));
                return;
            }
            if (subscribed != lastReported && total > 0)
            {
                Log.SubscribeProgress(logger, subscribed, total);
                lastReported = subscribed;
            }
        }
    }

    private async Task SnapshotRequestsLoopAsync(CancellationToken cancellationToken)
    {
        // After an outage every shard asks at once, several per coin: read each coin's snapshot once per batch.
        var reader = supervisor.SnapshotRequests;
        var coins = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            coins.Clear();
            while (reader.TryRead(out var coin))
                coins.Add(coin);
            foreach (var coin in coins)
            {
                try
                {
                    await LoadSnapshotAsync(coin, cancellationToken);
                }
                catch (BybitApiException refused) when (refused.IsParameterError)
                {
                    // Not retried (the client logged the request once); the live feed goes on, the next request asks anew.
                    status.RestFailed($"{coin}: {refused.Message}");
                }
            }
        }
    }

    /// <summary>
    /// Marks options Delivering at their delivery instant and fetches their delivery prices, and refreshes the instrument
    /// set periodically (which is also when delivered options leave).
    /// </summary>
    private static readonly TimeSpan LifecyclePlanHorizon = TimeSpan.FromMinutes(1);

    private async Task LifecycleLoopAsync(CancellationToken cancellationToken)
    {
        var nextRefresh = time.GetUtcNow() + tracker.Value.InstrumentRefreshInterval;
        var nextDaily = NextDailyRefresh(time.GetUtcNow());
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            var nextExpiry = DateTimeOffset.MaxValue;
            foreach (var slot in book.Index.All)
            {
                if (slot.Instrument.ExpiryUtc > now && slot.Instrument.ExpiryUtc < nextExpiry)
                    nextExpiry = slot.Instrument.ExpiryUtc;
            }
            // At most a minute ahead: the plan is made from the book as it is, and a board that loads (or lists an
            // expiry) after the plan was made must still be delivered on time, within a minute.
            var wakeAt = Min(Min(Min(nextExpiry, NextDeliveryPriceAttempt), Min(nextRefresh, nextDaily)), now + LifecyclePlanHorizon);
            if (wakeAt > now)
                await Task.Delay(wakeAt - now, time, cancellationToken);

            MarkDelivered(time.GetUtcNow());
            if (time.GetUtcNow() >= NextDeliveryPriceAttempt)
                await FetchDeliveryPricesAsync(cancellationToken);
            now = time.GetUtcNow();
            if (now >= nextRefresh || now >= nextDaily)
            {
                var loaded = status.Coins.Where(c => c.Value == CoinLoadState.Loaded).Select(c => c.Key).ToList();
                foreach (var coin in loaded)
                    await RefreshCoinAsync(coin, cancellationToken);
                nextRefresh = time.GetUtcNow() + tracker.Value.InstrumentRefreshInterval;
                // From the instant this refresh began: a daily run that came due while it worked (a slow exchange, a
                // stepped test clock) runs next, instead of being skipped for a day.
                nextDaily = NextDailyRefresh(now);
            }
        }
    }

    /// <summary>The next run of the daily refresh (cron in UTC), strictly after <paramref name="now"/>.</summary>
    private DateTimeOffset NextDailyRefresh(DateTimeOffset now) =>
        _dailyRefresh.GetNextOccurrence(now, TimeZoneInfo.Utc) ?? DateTimeOffset.MaxValue;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private double IndexPriceOf(string coin) =>
        book.Index.TryGetCoin(coin, out var index) ? Measures.MarketMeasures.IndexPrice(index) : double.NaN;

    /// <summary>
    /// Adds what Bybit newly lists, follows status changes (a PreLaunch option that trades now is subscribed), and removes
    /// what it no longer lists, and delivered options after 12:00 UTC of their delivery day. A failed or empty answer
    /// removes nothing: the tool we replace deleted the whole board when its fetch came back empty.
    /// </summary>
    internal async Task RefreshCoinAsync(string coin, CancellationToken cancellationToken)
    {
        IReadOnlyList<OptionInstrument> listed;
        try
        {
            listed = await rest.GetInstrumentsAsync(coin, cancellationToken);
            status.RestSucceeded();
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            status.RestFailed($"instrument refresh for {coin}: {ex.Message}");
            // An IP ban is logged once by the gate, a parameter error once by the client; anything else each time.
            if (ex is not (BybitHttpException { IsIpBan: true } or BybitApiException { IsParameterError: true }))
                Log.RestRetry(logger, $"Refreshing {coin} instruments", ex.Message, tracker.Value.InstrumentRefreshInterval);
            return;
        }
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
                supervisor.AddSymbols(added.Where(i => IsSubscribed(i, now)).Select(i => i.Symbol));
        }
        if (added.Count > 0)
            Log.Listed(logger, coin, added.Count, added[0].Symbol);
        var launched = FollowStatuses(listed, now);
        MarkDelivered(now);

        var listedSymbols = listed.Select(i => i.Symbol).ToHashSet(StringComparer.Ordinal);
        // Gone from the exchange's list, delivered before today's 12:00 UTC, or (as the index moves) out of the
        // configured strike range.
        var removed = book.RemoveWhere(i => i.BaseCoin == coin
            && (!listedSymbols.Contains(i.Symbol) || !IsListedNow(i, now) || !_filter.Includes(i, indexPrice, now)));
        if (removed.Count > 0)
        {
            supervisor.RemoveSymbols(removed.Select(i => i.Symbol));
            Log.Removed(logger, removed.Count, removed[0].Symbol);
        }
        if (added.Count > 0 || launched > 0)
            await LoadSnapshotAsync(coin, cancellationToken);
    }

    /// <summary>
    /// Follows the statuses Bybit lists for options already in the book: PreLaunch → Trading subscribes the option, an
    /// early Delivering unsubscribes it (delivery itself is the clock's: <see cref="MarkDelivered"/>). Returns how many
    /// started trading.
    /// </summary>
    private int FollowStatuses(IReadOnlyList<OptionInstrument> listed, DateTimeOffset now)
    {
        var index = book.Index;
        List<string>? launched = null, stopped = null;
        foreach (var instrument in listed)
        {
            if (!index.TryGetSlot(instrument.Symbol, out var slot))
                continue;
            var was = slot.ReadQuote().Status;
            var listing = ListingStatuses.At(instrument, now);
            // Delivered stays delivered: a listing read before the delivery instant must not bring it back.
            if (listing == was || was == ListingStatus.Delivering || book.SetListing(slot, listing) != ApplyResult.Changed)
                continue;
            if (listing == ListingStatus.Trading)
                (launched ??= []).Add(instrument.Symbol);
            else if (was == ListingStatus.Trading)
                (stopped ??= []).Add(instrument.Symbol);
        }
        if (stopped is not null)
        {
            supervisor.RemoveSymbols(stopped);
            NextDeliveryPriceAttempt = now;
        }
        if (launched is null)
            return 0;
        supervisor.AddSymbols(launched);
        Log.Launched(logger, launched.Count, launched[0]);
        return launched.Count;
    }

    /// <summary>
    /// Retries a REST call until it succeeds: exponential backoff with jitter. After an HTTP 403 (Bybit's IP ban) the
    /// call is retried at once: the <see cref="RestGate"/> holds it, with every other REST call, until the ban ends. A
    /// parameter error (retCode 10001) is not retried: the same request would fail the same way forever.
    /// </summary>
    private async Task<T> RetryAsync<T>(string what, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var backoff = new Backoff(bybit.Value.RestRetryDelay, bybit.Value.MaxRestRetryDelay);
        // Retried for as long as the exchange is away: the first failure (and a new kind of one) is logged, then rarely.
        var retryLog = new Health.LogThrottle(time, Health.LogThrottle.DefaultInterval);
        while (true)
        {
            try
            {
                var result = await call(cancellationToken);
                status.RestSucceeded();
                return result;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not OperationCanceledException
                && ex is not BybitApiException { IsParameterError: true })
            {
                var reason = ex is HttpRequestException http ? $"cannot reach {bybit.Value.RestUrl}: {http.Message}" : ex.Message;
                status.RestFailed(reason);
                if (ex is BybitHttpException { IsIpBan: true })
                    continue; // Logged once by the gate, which pauses this and every other call until the ban ends.
                var delay = backoff.Next();
                if (retryLog.ShouldLog(ex is BybitHttpException bybitError ? $"HTTP {bybitError.StatusCode}" : ex.GetType().Name))
                    Log.RestRetry(logger, what, reason, delay);
                await Task.Delay(delay, time, cancellationToken);
            }
        }
    }
}
