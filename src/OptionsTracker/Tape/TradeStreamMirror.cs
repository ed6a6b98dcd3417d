using Microsoft.Extensions.Options;
using OptionsTracker.Diagnostics;
using OptionsTracker.Feed;
using OptionsTracker.Store;
using StackExchange.Redis;

namespace OptionsTracker.Tape;

/// <summary>
/// Fills this instance's tape from the active collector's Redis streams, with the collector's sequences
/// (<see cref="TradeTape.Mirror"/>), so every instance serves the same trades under the same sequences and a stream
/// client resumes on any of them. Runs on web instances, and on a collector while it does not hold the lease (a
/// standby): a standby that takes the lease reads the streams once more before its feed starts
/// (<see cref="CollectorLease.AddHandover"/>), so its tape continues the sequences where the previous collector left
/// them. StackExchange.Redis has no blocking read (it multiplexes one connection), so it polls: every
/// <see cref="TapeOptions.RedisPoll"/> one non-blocking <c>XREAD COUNT … STREAMS trades:{COIN} {last sequence}-0</c> per
/// coin, one key per command (a Redis Cluster routes each to its slot). The coins: the tracked set, shared by every
/// instance through Redis (<see cref="SharedAssets"/>), enabled or not, and any coin already on the tape.
/// </summary>
public sealed class TradeStreamMirror : BackgroundService
{
    /// <summary>Entries read per coin and command; a coin with more is read again at once.</summary>
    public const int BatchSize = 1000;

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private readonly TradeTape _tape;
    private readonly RedisConnection _connection;
    private readonly RedisOptionStore _store;
    private readonly TrackedAssets _assets;
    private readonly CollectorLease? _lease;
    private readonly TapeOptions _options;
    private readonly StoreOptions _storeOptions;
    private readonly TimeProvider _time;
    private readonly ILogger<TradeStreamMirror> _logger;
    private readonly LogThrottle _errorLog;
    private readonly LogThrottle _entryLog;
    private readonly Prometheus.Counter _mirrored;
    private readonly Prometheus.Counter _malformed;
    // Coins whose stream was found behind this tape (logged once per episode).
    private readonly HashSet<string> _behind = new(StringComparer.OrdinalIgnoreCase);
    private readonly SemaphoreSlim _readGate = new(1, 1);
    private long _nextBehindCheck;
    private long _mirroredCount;

    public TradeStreamMirror(TradeTape tape, RedisConnection connection, RedisOptionStore store, TrackedAssets assets, IServiceProvider services,
        IOptions<TapeOptions> options, IOptions<StoreOptions> storeOptions, MetricsRegistry metrics, TimeProvider time, ILogger<TradeStreamMirror> logger)
    {
        _tape = tape;
        _connection = connection;
        _store = store;
        _assets = assets;
        _options = options.Value;
        _storeOptions = storeOptions.Value;
        _time = time;
        _logger = logger;
        _errorLog = new LogThrottle(time, LogThrottle.DefaultInterval);
        _entryLog = new LogThrottle(time, LogThrottle.DefaultInterval);
        _mirrored = metrics.Factory.CreateCounter("optionstracker_tape_redis_mirrored_total",
            "Trades this instance took from the collector's Redis trade streams.");
        _malformed = metrics.Factory.CreateCounter("optionstracker_tape_redis_malformed_total",
            "Entries of the Redis trade streams skipped because they are not trades this tape wrote.");
        // On a collecting role: the standby's last read when it takes the lease, before its feed appends.
        _lease = services.GetService<CollectorLease>();
        _lease?.AddHandover(HandoverAsync);
    }

    /// <summary>Trades mirrored since start (tests and diagnostics).</summary>
    public long Mirrored => Interlocked.Read(ref _mirroredCount);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var multiplexer = await _connection.GetAsync(stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                var delay = _options.RedisPoll;
                // The lease holder's feed appends to this tape: nothing to mirror.
                if (_lease is not { IsHeld: true })
                {
                    try
                    {
                        await ReadAllAsync(multiplexer.GetDatabase(), stoppingToken);
                        if (_errorLog.Recover())
                            Log.TradeStreamReadsResumed(_logger, _connection.Endpoint);
                        _store.SetProblem("trades mirror", null);
                    }
                    catch (Exception e) when (e is RedisException or TimeoutException && !stoppingToken.IsCancellationRequested)
                    {
                        var error = e is TimeoutException ? $"Redis did not answer within {_storeOptions.CommandTimeout}" : e.Message;
                        if (_errorLog.ShouldLog(RedisConnection.FaultKind(e)))
                            Log.TradeStreamReadFailed(_logger, _connection.Endpoint, error);
                        _store.SetProblem("trades mirror", $"the collector's trades cannot be read from Redis: {error}");
                        delay = RetryDelay > delay ? RetryDelay : delay;
                    }
                }
                await Task.Delay(delay, _time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    /// <summary>
    /// Run when this collector takes the lease: reads every stream to its end, so the feed's first append continues
    /// the previous collector's sequences. Bounded by twice the command timeout; a Redis that does not answer does not
    /// hold the collector back (nobody else can write to it either).
    /// </summary>
    private async Task HandoverAsync(CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(_storeOptions.CommandTimeout * 2);
        try
        {
            var multiplexer = await _connection.GetAsync(bounded.Token);
            var taken = await ReadAllAsync(multiplexer.GetDatabase(), bounded.Token);
            var sequences = string.Join(", ", _tape.Coins.Select(c => $"{c} {_tape.LastSequence(c) + 1}"));
            Log.TradeStreamHandover(_logger, taken, sequences.Length == 0 ? "1" : sequences);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Log.TradeStreamHandoverFailed(_logger, e is OperationCanceledException ? "Redis did not answer in time" : e.Message);
        }
    }

    /// <summary>Reads every coin's new entries into the tape; returns how many were taken. One reader at a time.</summary>
    private async Task<int> ReadAllAsync(IDatabase database, CancellationToken cancellationToken)
    {
        await _readGate.WaitAsync(cancellationToken);
        try
        {
            var taken = 0;
            var coins = new HashSet<string>(_tape.Coins, StringComparer.OrdinalIgnoreCase);
            foreach (var asset in _assets.All)
                coins.Add(asset.Coin.ToUpperInvariant());
            foreach (var coin in coins)
                taken += await ReadCoinAsync(database, coin, cancellationToken);
            return taken;
        }
        finally
        {
            _readGate.Release();
        }
    }

    private async Task<int> ReadCoinAsync(IDatabase database, string coin, CancellationToken cancellationToken)
    {
        var key = _connection.Keys.Trades(coin);
        var taken = 0;
        while (true)
        {
            var last = _tape.LastSequence(coin);
            var entries = await database.StreamReadAsync(key, TradeStreamEntry.Id(last), BatchSize).WaitAsync(_storeOptions.CommandTimeout, cancellationToken);
            if (entries.Length == 0)
            {
                if (last > 0)
                    await CheckBehindAsync(database, key, coin, last, cancellationToken);
                return taken;
            }
            _behind.Remove(coin);
            var trades = new List<Trade>(entries.Length);
            foreach (var entry in entries)
            {
                if (TradeStreamEntry.TryParse(entry, out var trade, out var error))
                {
                    trades.Add(trade);
                }
                else
                {
                    _malformed.Inc();
                    if (_entryLog.ShouldLog("malformed"))
                        Log.TradeStreamEntryMalformed(_logger, (string?)entry.Id ?? "", key.ToString(), error);
                }
            }
            var mirrored = _tape.Mirror(coin, trades);
            taken += mirrored;
            _mirrored.Inc(mirrored);
            Interlocked.Add(ref _mirroredCount, mirrored);
            if (entries.Length < BatchSize)
                return taken;
        }
    }

    /// <summary>
    /// A stream that ends before this tape's last sequence started over (the collector and Redis both restarted with
    /// nothing): said once, so an operator knows why this instance serves no new trades until they pass its own.
    /// </summary>
    private async Task CheckBehindAsync(IDatabase database, RedisKey key, string coin, long last, CancellationToken cancellationToken)
    {
        // An extra command per coin: not on every poll, twice a minute is soon enough for a log line.
        if (_behind.Contains(coin) || _time.GetTimestamp() < Interlocked.Read(ref _nextBehindCheck))
            return;
        Interlocked.Exchange(ref _nextBehindCheck, _time.GetTimestamp() + 30 * _time.TimestampFrequency);
        var newest = await database.StreamRangeAsync(key, "-", "+", 1, Order.Descending).WaitAsync(_storeOptions.CommandTimeout, cancellationToken);
        if (newest.Length == 1 && TradeStreamEntry.TryParseId(newest[0].Id, out var streamLast) && streamLast < last)
        {
            _behind.Add(coin);
            Log.TradeStreamBehind(_logger, key.ToString(), streamLast, last);
        }
    }

    public override void Dispose()
    {
        _readGate.Dispose();
        base.Dispose();
    }
}
