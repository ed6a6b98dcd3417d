using Microsoft.Extensions.Options;
using OptionsTracker.Diagnostics;
using OptionsTracker.Store;
using StackExchange.Redis;

namespace OptionsTracker.Tape;

/// <summary>
/// Copies the active collector's tape into Redis, one stream per coin (<see cref="RedisKeys.Trades"/>,
/// <see cref="TradeStreamEntry"/>), for web instances to mirror. Runs only while this process holds the collector lease.
/// It pulls from the tape by sequence (<see cref="TradeTape.After"/>) when woken by <see cref="TradeTape.AnyAppendedAsync"/>,
/// and sends each batch pipelined, one <c>XADD … MAXLEN ~ Tape:Keep {sequence}-0</c> per trade: the feed never waits for
/// it. Per coin it remembers the last sequence Redis holds; that is read from Redis itself (the stream's last entry)
/// when a term starts, after a failure and after a reconnection, so a Redis that was down gets everything the tape still
/// holds once it answers (none lost while the tape holds them, <see cref="TapeOptions.Keep"/>; a gap beyond is logged and
/// counted), and a Redis that restarted empty gets the tape written again. Redis refuses an entry id not after the
/// stream's last, so a trade is never in a stream twice.
/// </summary>
public sealed class TradeStreamWriter(
    TradeTape tape,
    RedisConnection connection,
    RedisOptionStore store,
    CollectorLease lease,
    IOptions<TapeOptions> tapeOptions,
    IOptions<StoreOptions> storeOptions,
    MetricsRegistry metrics,
    TimeProvider time,
    ILogger<TradeStreamWriter> logger) : BackgroundService
{
    /// <summary>Trades sent in one pipelined round.</summary>
    public const int BatchSize = 1000;

    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(3);
    private readonly Prometheus.Counter _written = metrics.Factory.CreateCounter("optionstracker_tape_redis_written_total",
        "Trades the active collector wrote to the Redis trade streams.");
    private readonly Prometheus.Counter _missed = metrics.Factory.CreateCounter("optionstracker_tape_redis_missed_total",
        "Trades that left the tape (Tape:Keep) before Redis could take them.");
    private readonly Prometheus.Gauge _pending = metrics.Factory.CreateGauge("optionstracker_tape_redis_pending",
        "Trades on the tape not yet in Redis (while Redis is down, what it will be sent).");
    private readonly TapeOptions _tape = tapeOptions.Value;
    private readonly StoreOptions _store = storeOptions.Value;
    private readonly LogThrottle _errorLog = new(time, LogThrottle.DefaultInterval);
    // The last sequence Redis holds, per coin; absent = to be read from Redis. Touched by the writing loop only.
    private readonly Dictionary<string, long> _inRedis = new(StringComparer.OrdinalIgnoreCase);
    private long _writtenCount;

    /// <summary>Trades written to Redis since start (tests and diagnostics).</summary>
    public long Written => Interlocked.Read(ref _writtenCount);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        metrics.Registry.AddBeforeCollectCallback(() => _pending.Set(Pending()));
        try
        {
            var multiplexer = await connection.GetAsync(stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                var held = await lease.AcquireAsync(stoppingToken);
                using var term = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, held);
                Log.TradeStreamWriting(logger, connection.Keys.Trades("{COIN}").ToString(), connection.Endpoint, _tape.Keep);
                try
                {
                    await WriteWhileHeldAsync(multiplexer, term.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // Another collector holds the lease: it writes the streams now.
                    lock (_inRedis)
                        _inRedis.Clear();
                    Recovered(log: false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    /// <summary>On a clean stop, one last round, so Redis ends with what the tape ends with (before the lease is released).</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (!lease.IsHeld || !connection.IsConnected)
            return;
        try
        {
            var multiplexer = await connection.GetAsync(cancellationToken);
            await WriteAllAsync(multiplexer.GetDatabase(), cancellationToken);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or OperationCanceledException or ObjectDisposedException)
        {
            // Shutdown's time ran out or Redis is away: the next collector's tape has what it mirrored.
        }
    }

    private async Task WriteWhileHeldAsync(ConnectionMultiplexer multiplexer, CancellationToken cancellationToken)
    {
        lock (_inRedis)
            _inRedis.Clear();
        var restorations = connection.Restorations;
        Feed.Backoff? backoff = null;
        while (true)
        {
            // Taken before reading the tape: an append made while this round writes wakes the next one.
            var appended = tape.AnyAppendedAsync();
            if (restorations != connection.Restorations)
            {
                // Redis may have restarted empty: what it holds is read again.
                restorations = connection.Restorations;
                lock (_inRedis)
                    _inRedis.Clear();
            }
            TimeSpan? retry = null;
            try
            {
                await WriteAllAsync(multiplexer.GetDatabase(), cancellationToken);
                backoff?.Reset();
                Recovered(log: true);
            }
            catch (Exception e) when (e is RedisException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                lock (_inRedis)
                    _inRedis.Clear();
                backoff ??= new Feed.Backoff(TimeSpan.FromMilliseconds(100), MaxRetryDelay);
                retry = backoff.Next();
                Failed(e);
            }
            if (retry is { } delay)
                await Task.Delay(delay, time, cancellationToken);
            else
                await appended.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Writes every coin's trades Redis does not hold yet, in batches, until the tape has no more.</summary>
    private async Task WriteAllAsync(IDatabase database, CancellationToken cancellationToken)
    {
        foreach (var coin in tape.Coins)
        {
            var key = connection.Keys.Trades(coin);
            long last;
            bool known;
            lock (_inRedis)
                known = _inRedis.TryGetValue(coin, out last);
            if (!known)
            {
                last = await StreamLastAsync(database, key, cancellationToken);
                var tapeLast = tape.LastSequence(coin);
                if (last > tapeLast)
                    Log.TradeStreamAhead(logger, key.ToString(), last, tapeLast);
                // A stream with entries continues from its last: trades after it that the tape no longer holds are a
                // gap. An empty one (Redis restarted without its data) lost what it had by itself: the tape is written again.
                known = last > 0;
            }
            while (true)
            {
                var batch = tape.After(coin, last, BatchSize);
                if (batch.Count == 0)
                    break;
                if (known && batch[0].Sequence > last + 1)
                {
                    var missed = batch[0].Sequence - last - 1;
                    _missed.Inc(missed);
                    Log.TradeStreamGap(logger, missed, coin, last + 1, batch[0].Sequence - 1);
                }
                await WriteBatchAsync(database, key, batch, cancellationToken);
                last = batch[^1].Sequence;
                known = true;
                lock (_inRedis)
                    _inRedis[coin] = last;
            }
            lock (_inRedis)
                _inRedis[coin] = last;
        }
    }

    private async Task WriteBatchAsync(IDatabase database, RedisKey key, IReadOnlyList<Trade> trades, CancellationToken cancellationToken)
    {
        var batch = database.CreateBatch();
        var pending = new Task[trades.Count];
        for (var i = 0; i < trades.Count; i++)
        {
            pending[i] = batch.StreamAddAsync(key, TradeStreamEntry.ToEntries(trades[i]), messageId: TradeStreamEntry.Id(trades[i].Sequence),
                maxLength: (long)_tape.Keep, useApproximateMaxLength: true);
        }
        batch.Execute();
        await Task.WhenAll(pending).WaitAsync(_store.CommandTimeout, cancellationToken);
        _written.Inc(trades.Count);
        Interlocked.Add(ref _writtenCount, trades.Count);
    }

    /// <summary>The sequence of the stream's last entry; 0 for a stream that does not exist (or holds none of ours).</summary>
    private async Task<long> StreamLastAsync(IDatabase database, RedisKey key, CancellationToken cancellationToken)
    {
        var last = await database.StreamRangeAsync(key, "-", "+", 1, Order.Descending).WaitAsync(_store.CommandTimeout, cancellationToken);
        return last.Length == 1 && TradeStreamEntry.TryParseId(last[0].Id, out var sequence) ? sequence : 0;
    }

    private long Pending()
    {
        long pending = 0;
        foreach (var coin in tape.Coins)
        {
            long inRedis;
            lock (_inRedis)
                inRedis = _inRedis.GetValueOrDefault(coin);
            pending += Math.Max(0, tape.LastSequence(coin) - inRedis);
        }
        return lease.IsHeld ? pending : 0;
    }

    private void Failed(Exception e)
    {
        var error = e is TimeoutException ? $"Redis did not answer within {_store.CommandTimeout}" : e.Message;
        if (_errorLog.ShouldLog(RedisConnection.FaultKind(e)))
            Log.TradeStreamWriteFailed(logger, connection.Endpoint, error);
        store.SetProblem("trades", $"trades cannot be written to Redis: {error} ({Pending()} waiting on the tape)");
    }

    private void Recovered(bool log)
    {
        if (!_errorLog.IsFaulted)
            return;
        if (_errorLog.Recover() && log)
            Log.TradeStreamWritesResumed(logger, connection.Endpoint);
        store.SetProblem("trades", null);
    }
}
