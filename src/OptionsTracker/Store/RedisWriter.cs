using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.Diagnostics;
using OptionsTracker.Feed;
using StackExchange.Redis;

namespace OptionsTracker.Store;

/// <summary>
/// Copies the book to Redis behind the feed's back: every flush it takes the slots changed since the last
/// successful flush (each once, with its latest value) and sends, pipelined, one <c>HSET</c> + <c>EXPIRE</c>
/// per option, one <c>SADD</c> per index set and one <c>PUBLISH</c> of the symbols written. The feed never
/// waits for it. A failed flush keeps its cursor; the next one after a failure, or after a reconnection
/// (Redis may have restarted empty), rewrites the whole book, so what is current is in Redis again as soon
/// as it is back. The memory this needs is the book itself: bounded by the number of options.
/// </summary>
public sealed class RedisWriter(
    OptionBook book,
    RedisConnection connection,
    RedisOptionStore store,
    CollectorLease lease,
    FeedStatus feedStatus,
    IOptions<StoreOptions> options,
    MetricsRegistry metrics,
    TimeProvider time,
    ILogger<RedisWriter> logger,
    LogThrottle writeLog) : BackgroundService
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(3);
    private readonly Prometheus.Histogram _writeSeconds = metrics.Factory.CreateHistogram("optionstracker_store_write_seconds",
        "Time to write one flush of changed options to the store.",
        new Prometheus.HistogramConfiguration { Buckets = Prometheus.Histogram.ExponentialBuckets(0.0005, 2, 14) });
    private readonly StoreOptions _options = options.Value;
    private readonly RedisKeys _keys = connection.Keys;
    // Where Redis is relative to the book: what changed, was listed or delisted since the last successful flush.
    private readonly BookCursor _cursor = new(book);
    private bool _rewriteAll = true;
    private bool _reconciled;
    private int _restorations;
    private string? _lastError;
    // After a failure, flushes back off (up to a few seconds) so a Redis that refuses writes is not sent the
    // whole board every flush interval.
    private Backoff? _backoff;
    private long _retryAt;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var multiplexer = await connection.GetAsync(stoppingToken);
            using var timer = new PeriodicTimer(_options.FlushInterval, time);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (!lease.IsHeld)
                {
                    // A standby, or a collector that lost the lease: the active one writes.
                    Reset();
                    continue;
                }
                await FlushSafelyAsync(multiplexer, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    /// <summary>On a clean stop, one last flush, so Redis ends with what the book ends with.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (!lease.IsHeld || !connection.IsConnected)
            return;
        var multiplexer = await connection.GetAsync(cancellationToken);
        await FlushSafelyAsync(multiplexer, cancellationToken);
    }

    private void Reset()
    {
        _rewriteAll = true;
        _reconciled = false;
        // The next active term starts from a snapshot: what it must delete, reconciliation finds.
        _cursor.Restart();
        // What this process failed to write is no longer its concern.
        if (_lastError is not null)
        {
            _lastError = null;
            writeLog.Recover();
            store.SetProblem("writer", null);
        }
    }

    private async Task FlushSafelyAsync(ConnectionMultiplexer multiplexer, CancellationToken cancellationToken)
    {
        if (connection.Restorations != _restorations)
        {
            _restorations = connection.Restorations;
            _rewriteAll = true;
        }
        if (!multiplexer.IsConnected)
        {
            _rewriteAll = true;
            return;
        }
        if (time.GetTimestamp() < _retryAt)
            return;
        try
        {
            // Taken before the flush: reconciliation needs every loaded option already written, or it would empty a coin's
            // set of a stale member before the flush that fills it (a coin loaded between the flush's snapshot and the
            // reconciliation would have its set briefly empty for readers).
            var coinStates = _reconciled ? null : feedStatus.VenueCoins.ToArray();
            await FlushAsync(multiplexer.GetDatabase(), cancellationToken);
            if (coinStates is not null)
                await ReconcileAsync(multiplexer.GetDatabase(), coinStates, cancellationToken);
            _backoff?.Reset();
            _retryAt = 0;
            if (_lastError is not null)
            {
                if (writeLog.Recover())
                    Log.WritesResumed(logger, connection.Endpoint);
                _lastError = null;
                store.SetProblem("writer", null);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // What the failed flush took is taken again (its deletions too), with the whole book rewritten.
            _cursor.Rewind();
            _rewriteAll = true;
            _backoff ??= new Backoff(_options.FlushInterval, MaxRetryDelay);
            _retryAt = time.GetTimestamp() + (long)(_backoff.Next().TotalSeconds * time.TimestampFrequency);
            var error = ex is TimeoutException ? $"Redis did not answer within {_options.CommandTimeout}" : ex.Message;
            // Tried again every few seconds: logged when the fault starts or changes kind, then rarely.
            if (writeLog.ShouldLog(RedisConnection.FaultKind(ex)))
                Log.WriteFailed(logger, connection.Endpoint, error);
            _lastError = error;
            store.SetProblem("writer", $"writes to Redis fail: {error}");
        }
    }

    private async Task FlushAsync(IDatabase database, CancellationToken cancellationToken)
    {
        var changes = _cursor.TakeChanges();
        var rewriteAll = _rewriteAll;
        if (!rewriteAll && changes.IsEmpty)
            return;
        // Only flushes that write something are timed: idle rounds would crowd the histogram's lowest bucket.
        var started = time.GetTimestamp();

        // Listed options are in Changed: written even before their first quote, so readers see them.
        var changed = rewriteAll ? changes.Index.All : changes.Changed;
        var removed = changes.Delisted;
        var batch = database.CreateBatch();
        var pending = new List<Task>(changed.Count * 2 + removed.Count * 3 + 16);
        var ttl = _options.Ttl;
        var sets = new Dictionary<RedisKey, HashSet<RedisValue>>();
        var message = new System.Text.StringBuilder();
        // Deletions first, in the batch and in the message: an option delisted and listed again since the last flush
        // is in both lists, and must end written (a web instance applies the message's tokens in order).
        for (var i = 0; i < removed.Count; i++)
        {
            var instrument = removed[i].Instrument;
            var member = RedisKeys.Member(instrument.Key);
            pending.Add(batch.KeyDeleteAsync(_keys.Option(member)));
            pending.Add(batch.SetRemoveAsync(_keys.Coin(instrument.BaseCoin), member));
            pending.Add(batch.SetRemoveAsync(_keys.Expiry(instrument.BaseCoin, instrument.ExpiryLabel), member));
            message.Append('-').Append(member).Append(' ');
        }
        for (var i = 0; i < changed.Count; i++)
        {
            var slot = changed[i];
            var instrument = slot.Instrument;
            var member = RedisKeys.Member(instrument.Key);
            var key = _keys.Option(member);
            pending.Add(batch.HashSetAsync(key, QuoteHash.ToEntries(instrument, slot.ReadQuote())));
            pending.Add(batch.KeyExpireAsync(key, ttl));
            AddMember(sets, _keys.Coins, instrument.BaseCoin);
            AddMember(sets, _keys.Coin(instrument.BaseCoin), member);
            AddMember(sets, _keys.Expiries(instrument.BaseCoin), instrument.ExpiryLabel);
            AddMember(sets, _keys.Expiry(instrument.BaseCoin, instrument.ExpiryLabel), member);
            message.Append(member).Append(' ');
        }
        foreach (var (set, members) in sets)
        {
            pending.Add(batch.SetAddAsync(set, [.. members]));
            pending.Add(batch.KeyExpireAsync(set, ttl));
        }
        // Sent last on the same connection, so a reader that hears it finds the hashes already written.
        if (message.Length > 0)
            pending.Add(batch.PublishAsync(_keys.Changes, message.ToString(0, message.Length - 1)));
        batch.Execute();
        await Task.WhenAll(pending).WaitAsync(_options.CommandTimeout, cancellationToken);
        _writeSeconds.Observe(time.GetElapsedTime(started).TotalSeconds);

        _rewriteAll = false;
        if (rewriteAll)
            Log.Rewrote(logger, changed.Count, connection.Endpoint);
    }

    /// <summary>
    /// Once per lease term, after a flush that began with every tracked coin loaded (<paramref name="states"/>, read
    /// before it, so that flush wrote every listed option): takes out of Redis the options of those coins
    /// that the exchange no longer lists but that are still indexed there (delisted or delivered while no
    /// collector was active, or by a collector that died before its next flush). Before every coin is loaded
    /// an option missing from the book may just not be loaded yet, so nothing is removed then.
    /// </summary>
    private async Task ReconcileAsync(IDatabase database, KeyValuePair<(Venue Venue, string Coin), CoinLoadState>[] states,
        CancellationToken cancellationToken)
    {
        // Per (venue, coin): with two venues, one may have loaded a coin while the other has not yet, and the other's keys
        // must not be taken for orphans meanwhile.
        if (states.Length == 0 || states.Any(state => state.Value == CoinLoadState.Loading))
            return;
        var index = book.Index;
        var loadedVenues = states.Where(c => c.Value == CoinLoadState.Loaded).Select(c => c.Key).ToHashSet();
        var loaded = loadedVenues.Select(c => c.Coin).Distinct(StringComparer.Ordinal).ToArray();
        var members = await Task.WhenAll(loaded.Select(c => database.SetMembersAsync(_keys.Coin(c))))
            .WaitAsync(_options.CommandTimeout, cancellationToken);
        // Members as stored; one this process cannot read (another version's venue) is not its to remove.
        var orphans = new List<(string Coin, string Member, string Symbol)>();
        for (var i = 0; i < loaded.Length; i++)
        {
            foreach (var value in members[i])
            {
                var member = (string)value!;
                // Only a venue whose options of this coin are loaded here can say one of its options is gone.
                if (RedisKeys.TryParseMember(member, out var key) && loadedVenues.Contains((key.Venue, loaded[i])) && !index.TryGetSlot(key, out _))
                    orphans.Add((loaded[i], member, key.Symbol));
            }
        }
        if (orphans.Count > 0)
        {
            var batch = database.CreateBatch();
            var pending = new List<Task>();
            foreach (var (coin, member, symbol) in orphans)
            {
                pending.Add(batch.KeyDeleteAsync(_keys.Option(member)));
                pending.Add(batch.SetRemoveAsync(_keys.Coin(coin), member));
                // The hash may be gone (expired), so the expiry set is found from the symbol: the venues' symbols
                // (Bybit's, Deribit's) carry the label's date; one that does not is left to the set's TTL.
                if (ExpiryLabel.TryFindIn(symbol, out var date))
                    pending.Add(batch.SetRemoveAsync(_keys.Expiry(coin, ExpiryLabel.Format(date)), member));
            }
            pending.Add(batch.PublishAsync(_keys.Changes, string.Join(' ', orphans.Select(o => "-" + o.Member))));
            batch.Execute();
            await Task.WhenAll(pending).WaitAsync(_options.CommandTimeout, cancellationToken);
            Log.Reconciled(logger, orphans.Count, orphans[0].Member);
        }
        _reconciled = true;
    }

    private static void AddMember(Dictionary<RedisKey, HashSet<RedisValue>> sets, RedisKey set, string member)
    {
        if (!sets.TryGetValue(set, out var members))
            sets[set] = members = [];
        members.Add(member);
    }
}
