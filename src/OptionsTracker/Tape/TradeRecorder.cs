using OptionsTracker.Diagnostics;
using OptionsTracker.Feed;
using OptionsTracker.History;

namespace OptionsTracker.Tape;

/// <summary>
/// Records the tape's trades into the history (<see cref="IHistoryStore.WriteTradesAsync"/>) while this process holds
/// the collector lease, like <see cref="HistoryRecorder"/> (never on a web instance, where it is not registered). It
/// pulls each coin's new trades by sequence (<see cref="TradeTape.After"/>) in batches when woken by
/// <see cref="TradeTape.AnyAppendedAsync"/>, at most one write round per <see cref="MinInterval"/>, and remembers the
/// last sequence recorded per coin: the feed never waits for it, and a store that fails is retried with backoff while
/// the trades wait on the tape, so nothing is lost or written twice as long as the tape still holds them
/// (<see cref="TapeOptions.Keep"/> per coin); what left the tape meanwhile is a gap, logged, counted and shown in
/// /health. A term starts by recording everything the tape holds (the store keeps a trade once by venue and id, so what
/// the previous collector recorded is not duplicated).
/// </summary>
public sealed class TradeRecorder : BackgroundService
{
    /// <summary>Trades per write.</summary>
    public const int BatchSize = 1000;

    /// <summary>The least time between two write rounds: a burst of trades is written in a few batches, not one write a trade.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>A gap keeps /health Degraded this long after it was found.</summary>
    public static readonly TimeSpan GapReportTime = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    private readonly TradeTape _tape;
    private readonly IHistoryStore _store;
    private readonly HistorySource _source;
    private readonly ICollectorLease _lease;
    private readonly TimeProvider _time;
    private readonly ILogger<TradeRecorder> _logger;
    private readonly LogThrottle _errorLog;
    private readonly Prometheus.Counter _written;
    private readonly Prometheus.Counter _missed;
    private readonly Prometheus.Counter _failures;
    private readonly Prometheus.Histogram _writeSeconds;
    private readonly Prometheus.Gauge _pending;
    private readonly Lock _lock = new();
    // Under _lock (read by /health and /metrics): the last sequence recorded per coin, and the state.
    private readonly Dictionary<string, long> _recorded = new(StringComparer.OrdinalIgnoreCase);
    private bool _recording;
    private string? _problem;
    private long _writtenCount;
    private long _missedCount;
    private TradeGap? _lastGap;

    public TradeRecorder(TradeTape tape, IHistoryStore store, HistorySource source, ICollectorLease lease, MetricsRegistry metrics,
        TimeProvider time, ILogger<TradeRecorder> logger)
    {
        _tape = tape;
        _store = store;
        _source = source;
        _lease = lease;
        _time = time;
        _logger = logger;
        _errorLog = new LogThrottle(time, LogThrottle.DefaultInterval);
        var factory = metrics.Factory;
        _written = factory.CreateCounter("optionstracker_history_trades_written_total",
            "Trades of the tape handed to the history store (a trade it had already is kept once).");
        _missed = factory.CreateCounter("optionstracker_history_trades_missed_total",
            "Trades that left the tape (Tape:Keep) before the history store could take them.");
        _failures = factory.CreateCounter("optionstracker_history_trades_write_failures_total",
            "Trade writes to the history store that failed (retried while the tape holds the trades).");
        _writeSeconds = factory.CreateHistogram("optionstracker_history_trades_write_seconds", "Time to write one batch of trades to the history store.",
            new Prometheus.HistogramConfiguration { Buckets = Prometheus.Histogram.ExponentialBuckets(0.0005, 2, 14) });
        _pending = factory.CreateGauge("optionstracker_history_trades_pending", "Trades on the tape not yet recorded in the history.");
        metrics.Registry.AddBeforeCollectCallback(() => _pending.Set(GetStatus().Pending));
    }

    /// <summary>What /health says of the trades' recording.</summary>
    public TradeRecorderStatus GetStatus()
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            long pending = 0;
            if (_recording)
            {
                foreach (var coin in _tape.Coins)
                    pending += Math.Max(0, _tape.LastSequence(coin) - _recorded.GetValueOrDefault(coin));
            }
            var recentGap = _lastGap is { } gap && now - gap.NotedAt < GapReportTime ? gap : null;
            return new TradeRecorderStatus(_recording, _problem, Interlocked.Read(ref _writtenCount), pending,
                Interlocked.Read(ref _missedCount), _lastGap, recentGap);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var held = await _lease.AcquireAsync(stoppingToken);
                using var recording = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, held);
                try
                {
                    await RecordWhileHeldAsync(recording.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // The lease went to another collector: it records now (from its own tape, which mirrored this one's).
                    lock (_lock)
                    {
                        _recording = false;
                        _problem = null;
                    }
                    Log.TradeRecorderStandby(_logger);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown: StopAsync records what is left.
        }
    }

    /// <summary>On a clean stop, what the tape holds and the history does not is written while shutdown allows.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        bool recording;
        lock (_lock)
            recording = _recording && _problem is null;
        if (!recording)
            return;
        try
        {
            await RecordAllAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            // The store failed or shutdown's time ran out: the next collector records what its tape holds.
        }
    }

    private async Task RecordWhileHeldAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _recording = true;
            _problem = null;
            // Everything the tape holds (the store skips what it has): nothing this process had not recorded is missed.
            _recorded.Clear();
        }
        var backoff = new Backoff(RetryDelay, MaxRetryDelay);
        var opened = false;
        while (true)
        {
            var appended = _tape.AnyAppendedAsync();
            TimeSpan? retry = null;
            try
            {
                if (!opened)
                {
                    await _store.OpenAsync(_source, cancellationToken);
                    opened = true;
                    Log.TradeRecorderStarted(_logger, _store.Name);
                }
                await RecordAllAsync(cancellationToken);
                backoff.Reset();
                Recovered();
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                retry = backoff.Next();
                Failed(e, retry.Value);
            }
            if (retry is { } delay)
            {
                await Task.Delay(delay, _time, cancellationToken);
                continue;
            }
            await Task.Delay(MinInterval, _time, cancellationToken);
            await appended.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Writes every coin's trades after its last recorded one, in batches, until the tape has no more.</summary>
    private async Task RecordAllAsync(CancellationToken cancellationToken)
    {
        foreach (var coin in _tape.Coins)
        {
            long last;
            bool known;
            lock (_lock)
                known = _recorded.TryGetValue(coin, out last);
            while (true)
            {
                var batch = _tape.After(coin, last, BatchSize);
                if (batch.Count == 0)
                    break;
                if (known && batch[0].Sequence > last + 1)
                {
                    // Gone for good: reported once, and a failed write below retries from here, not from before the gap.
                    Missed(coin, last + 1, batch[0].Sequence - 1);
                    last = batch[0].Sequence - 1;
                }
                var started = _time.GetTimestamp();
                try
                {
                    await _store.WriteTradesAsync(batch, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _failures.Inc();
                    // Where this coin stands is kept: the retry starts with this batch (and finds the gap if it left the tape).
                    lock (_lock)
                        _recorded[coin] = last;
                    throw;
                }
                _writeSeconds.Observe(_time.GetElapsedTime(started).TotalSeconds);
                _written.Inc(batch.Count);
                Interlocked.Add(ref _writtenCount, batch.Count);
                last = batch[^1].Sequence;
                known = true;
                lock (_lock)
                    _recorded[coin] = last;
            }
        }
    }

    private void Missed(string coin, long from, long to)
    {
        var missed = to - from + 1;
        _missed.Inc(missed);
        Interlocked.Add(ref _missedCount, missed);
        lock (_lock)
            _lastGap = new TradeGap(coin, from, to, _time.GetUtcNow());
        Log.TradeRecordGap(_logger, missed, coin, from, to);
    }

    private void Failed(Exception e, TimeSpan delay)
    {
        var error = e.Message;
        long pending;
        lock (_lock)
            _problem = error;
        pending = GetStatus().Pending;
        if (_errorLog.ShouldLog(e.GetType().Name))
            Log.TradeRecordFailed(_logger, _store.Name, error, pending, delay);
    }

    private void Recovered()
    {
        lock (_lock)
            _problem = null;
        if (_errorLog.Recover())
            Log.TradeRecordResumed(_logger, _store.Name);
    }
}

/// <summary>Trades of <see cref="Coin"/> with sequences <see cref="From"/> to <see cref="To"/> that were never recorded.</summary>
public sealed record TradeGap(string Coin, long From, long To, DateTimeOffset NotedAt)
{
    public long Missed => To - From + 1;
}

/// <summary>The trade recorder's state for /health.</summary>
/// <param name="Recording">This process holds the lease and records.</param>
/// <param name="Problem">The store's error while writes fail; null when fine.</param>
/// <param name="Written">Trades handed to the store since start.</param>
/// <param name="Pending">Trades on the tape not yet recorded.</param>
/// <param name="Missed">Trades that left the tape before they could be recorded, since start.</param>
/// <param name="LastGap">The last such gap.</param>
/// <param name="RecentGap">The last gap while it is recent (<see cref="TradeRecorder.GapReportTime"/>).</param>
public sealed record TradeRecorderStatus(bool Recording, string? Problem, long Written, long Pending, long Missed, TradeGap? LastGap, TradeGap? RecentGap);
