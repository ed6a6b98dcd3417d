using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.Feed;

namespace OptionsTracker.Bybit;

/// <summary>
/// Bybit behind the feed's <see cref="IVenue"/> seam: its REST client and retry policy (exponential backoff with jitter;
/// an HTTP 403 IP ban waits at the <see cref="RestGate"/>; a retCode 10001 parameter error is never retried), its
/// WebSocket shards, its re-snapshot after a reconnect and its delivery prices. The feed never sees any of these types.
/// </summary>
public sealed class BybitVenue(
    OptionBook book,
    BybitRestClient rest,
    ShardSupervisor supervisor,
    RestGate gate,
    BybitTradeFeed trades,
    IOptions<BybitOptions> options,
    TimeProvider time,
    ILogger<BybitVenue> logger) : IVenue
{
    /// <summary>How often to ask again for delivery prices Bybit has not given yet (new-delivery-price: "query 1 minute after settlement").</summary>
    private static readonly TimeSpan DeliveryPriceRetry = TimeSpan.FromMinutes(1);

    private volatile string? _requestError;

    // The symbols tracked per coin: the coin's trade topic (publicTrade.{coin}) is subscribed while it has any.
    private readonly Dictionary<string, HashSet<string>> _trackedByCoin = new(StringComparer.Ordinal);
    private readonly Lock _trackLock = new();

    public Venue Id => Venue.Bybit;

    public string Name => "Bybit";

    public Uri RestUrl => options.Value.RestUrl;

    public Uri StreamUrl => options.Value.WsUrl;

    public Task<IReadOnlyList<OptionInstrument>> ListInstrumentsAsync(string coin, CancellationToken cancellationToken) =>
        RefusedForGood(coin, () => RetryAsync($"Fetching {coin} instruments", ct => rest.GetInstrumentsAsync(coin, ct), cancellationToken));

    public async Task<IReadOnlyList<OptionInstrument>?> TryListInstrumentsAsync(string coin, CancellationToken cancellationToken)
    {
        try
        {
            var listed = await rest.GetInstrumentsAsync(coin, cancellationToken);
            _requestError = null;
            return listed;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            _requestError = $"instrument refresh for {coin}: {ex.Message}";
            // An IP ban is logged once by the gate, a parameter error once by the client; anything else each time.
            if (ex is not (BybitHttpException { IsIpBan: true } or BybitApiException { IsParameterError: true }))
                Log.RefreshFailed(logger, $"Refreshing {coin} instruments", ex.Message);
            return null;
        }
    }

    public Task LoadSnapshotAsync(string coin, CancellationToken cancellationToken) =>
        RefusedForGood(coin, async () =>
        {
            var result = await RetryAsync($"Reading {coin} tickers", ct => rest.LoadTickersAsync(coin, book, ct), cancellationToken);
            Log.SnapshotApplied(logger, coin, result.Items, result.Changed);
            return result;
        });

    public void Track(IEnumerable<OptionInstrument> instruments)
    {
        var list = instruments as IReadOnlyCollection<OptionInstrument> ?? [.. instruments];
        supervisor.AddSymbols(list.Select(i => i.Symbol));
        // Options subscribe to trades by coin: the first tracked option of a coin brings its trade topic (on the same
        // shards, within the same per-connection limits), unless the tape is off.
        if (!trades.Enabled)
            return;
        List<string>? started = null;
        lock (_trackLock)
        {
            foreach (var instrument in list)
            {
                if (!_trackedByCoin.TryGetValue(instrument.BaseCoin, out var symbols))
                    _trackedByCoin[instrument.BaseCoin] = symbols = new HashSet<string>(StringComparer.Ordinal);
                if (symbols.Add(instrument.Symbol) && symbols.Count == 1)
                    (started ??= []).Add(instrument.BaseCoin);
            }
        }
        if (started is null)
            return;
        foreach (var coin in started)
            trades.Track(coin);
        supervisor.AddTopics(started.Select(TradeTopicHandler.TopicOf));
    }

    public void Untrack(IEnumerable<OptionInstrument> instruments)
    {
        var list = instruments as IReadOnlyCollection<OptionInstrument> ?? [.. instruments];
        supervisor.RemoveSymbols(list.Select(i => i.Symbol));
        List<string>? stopped = null;
        lock (_trackLock)
        {
            foreach (var instrument in list)
            {
                if (_trackedByCoin.TryGetValue(instrument.BaseCoin, out var symbols) && symbols.Remove(instrument.Symbol) && symbols.Count == 0)
                {
                    _trackedByCoin.Remove(instrument.BaseCoin);
                    (stopped ??= []).Add(instrument.BaseCoin);
                }
            }
        }
        if (stopped is null)
            return;
        // The last option of the coin left: so does its trade topic, and what the feed still held goes on the tape.
        supervisor.RemoveTopics(stopped.Select(TradeTopicHandler.TopicOf));
        foreach (var coin in stopped)
            trades.Untrack(coin);
    }

    public Task<bool> ListsOptionsAsync(string coin, CancellationToken cancellationToken) => rest.ListsOptionsAsync(coin, cancellationToken);

    public async Task StopAsync()
    {
        lock (_trackLock)
            _trackedByCoin.Clear();
        await supervisor.StopAllAsync();
        trades.StopAll();
    }

    public VenueStatus GetStatus()
    {
        var shards = supervisor.GetStatus(out var totals);
        var refused = shards.SelectMany(s => s.RefusedTopics)
            .Select(t => t.StartsWith(TickerTopicHandler.Prefix, StringComparison.Ordinal) ? ShardSupervisor.SymbolOf(t) : t).Order(StringComparer.Ordinal).ToList();
        var pause = gate.BannedUntil is { } until
            ? new VenuePause(until, "Bybit has banned this IP for too many requests (HTTP 403)")
            : null;
        // A refused trade topic is in `refused` (named like any topic); a failing backfill is said here.
        return new VenueStatus(shards, totals, supervisor.TopicCount, refused, _requestError, pause, trades.GetStatus().Problem);
    }

    /// <summary>
    /// Re-reads the snapshot of every coin whose connection came back after a drop: what changed while it was away is not
    /// sent again on the stream.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // The trade feed's own work (backfills, block ids, the RFQ stream) runs while collecting, like the re-snapshots; a
        // failure of the re-snapshots stops it too, so the feed's guard restarts both together.
        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tradeWork = trades.RunAsync(both.Token);
        try
        {
            await ResnapshotAsync(cancellationToken);
        }
        finally
        {
            await both.CancelAsync();
            try
            {
                await tradeWork;
            }
            catch (OperationCanceledException)
            {
                // Stopped with the re-snapshots.
            }
        }
    }

    private async Task ResnapshotAsync(CancellationToken cancellationToken)
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
                catch (VenueRefusedException)
                {
                    // Not retried (the client logged the request once); the live feed goes on, the next request asks anew.
                }
            }
        }
    }

    /// <summary>
    /// Asks Bybit for the settlement price of every delivered option still without one, per coin. A coin Bybit has no
    /// price for yet is asked again after <see cref="DeliveryPriceRetry"/>; a failure never touches the book.
    /// </summary>
    public async Task<DateTimeOffset> SettleAsync(CancellationToken cancellationToken)
    {
        var waiting = book.Index.All
            .Where(s => s.Instrument.Venue == Id && s.ReadQuote() is { Status: ListingStatus.Delivering } quote && double.IsNaN(quote.DeliveryPrice))
            .GroupBy(s => s.Instrument.BaseCoin, StringComparer.Ordinal)
            .ToList();
        var missing = 0;
        foreach (var coin in waiting)
        {
            DeliveryPrices prices;
            try
            {
                prices = await rest.GetDeliveryPricesAsync(coin.Key, cancellationToken);
                _requestError = null;
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
        return missing > 0 ? time.GetUtcNow() + DeliveryPriceRetry : DateTimeOffset.MaxValue;
    }

    /// <summary>A parameter error (retCode 10001) is said in the status and becomes the feed's "refused for good".</summary>
    private async Task<T> RefusedForGood<T>(string coin, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (BybitApiException refused) when (refused.IsParameterError)
        {
            _requestError = $"{coin}: {refused.Message}";
            throw new VenueRefusedException(refused.Message, refused);
        }
    }

    /// <summary>
    /// Retries a REST call until it succeeds: exponential backoff with jitter. After an HTTP 403 (Bybit's IP ban) the
    /// call is retried at once: the <see cref="RestGate"/> holds it, with every other REST call, until the ban ends. A
    /// parameter error (retCode 10001) is not retried: the same request would fail the same way forever.
    /// </summary>
    private async Task<T> RetryAsync<T>(string what, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var result = await RestRetry.UntilAnsweredAsync(call, Classify, failure => _requestError = failure.Reason,
            (failure, delay) => Log.RestRetry(logger, what, failure.Reason, delay),
            new Backoff(options.Value.RestRetryDelay, options.Value.MaxRestRetryDelay), time, cancellationToken);
        _requestError = null;
        return result;
    }

    /// <summary>
    /// Bybit's reading of a failed request: a parameter error is for good; an IP ban is waited out at the gate (which logs
    /// it and holds this and every other call until the ban ends); anything else backs off, one fault per HTTP status.
    /// </summary>
    private RestCallFailure Classify(Exception ex)
    {
        if (ex is BybitApiException { IsParameterError: true })
            return new RestCallFailure(RestFailureKind.Permanent, ex.Message, "");
        var reason = ex is HttpRequestException http ? $"cannot reach {options.Value.RestUrl}: {http.Message}" : ex.Message;
        return ex is BybitHttpException bybitError
            ? new RestCallFailure(bybitError.IsIpBan ? RestFailureKind.Paused : RestFailureKind.Transient, reason, $"HTTP {bybitError.StatusCode}")
            : new RestCallFailure(RestFailureKind.Transient, reason, ex.GetType().Name);
    }
}
