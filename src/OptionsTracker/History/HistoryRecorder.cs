using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.Diagnostics;
using OptionsTracker.Feed;
using OptionsTracker.Measures;

namespace OptionsTracker.History;

/// <summary>
/// Records the board while this process holds the collector lease (always in the single <c>all</c> process; never on a
/// standby or a <c>web</c> instance, where it is not even registered). Three loops meet in a bounded buffer:
/// <list type="bullet">
/// <item>the capture: at every <see cref="HistoryOptions.Interval"/> boundary of the UTC clock (so minute snapshots
/// fall on whole minutes and the hourly retention keeps clean hours) one <see cref="BoardSnapshot"/>
/// (<see cref="BoardCapture"/>: every option's quote read through its own cursor, never on the feed's path, and every
/// tracked coin's measures), timed at that boundary, strictly increasing;</item>
/// <item>the writer: opens the store, writes snapshots oldest first, the settlements the book delivers and the realised
/// volatility the poller fetches; a store that fails is retried with backoff while the buffer keeps at most
/// <see cref="HistoryOptions.MaxPending"/> snapshots (then drops the oldest, counted as a gap), and catches up when it
/// is back (a snapshot is idempotent by time, so a retry is never a duplicate);</item>
/// <item>the backfill (<see cref="HistoryBackfill"/>) and the retention (at start, then hourly).</item>
/// </list>
/// Its state is <see cref="GetStatus"/> (/health's <c>history</c> entry) and <c>optionstracker_history_*</c> in /metrics.
/// </summary>
public sealed class HistoryRecorder : BackgroundService
{
    /// <summary>First wait after a failed write or open; doubles up to <see cref="MaxRetryDelay"/>.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);

    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>How often retention runs (and once at start).</summary>
    public static readonly TimeSpan RetentionPeriod = TimeSpan.FromHours(1);

    /// <summary>A gap keeps /health Degraded this long after it ended (or five intervals, when longer).</summary>
    public static readonly TimeSpan GapReportTime = TimeSpan.FromMinutes(5);

    private readonly OptionBook _book;
    private readonly IHistoryStore _store;
    private readonly HistorySource _source;
    private readonly TrackedAssets _assets;
    private readonly RealisedVolatility _realised;
    private readonly ICollectorLease _lease;
    private readonly HistoryBackfill _backfill;
    private readonly HistoryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<HistoryRecorder> _logger;
    private readonly BoardCapture _capture;
    private readonly SnapshotBuffer _buffer;
    private readonly HistoryMetrics _metrics;
    private readonly LogThrottle _storeLog;
    private readonly LogThrottle _dropLog;
    private readonly Lock _stateLock = new();

    // Written by the capture loop only.
    private DateTimeOffset _lastCaptured;
    private bool _clockBehind;
    private long _skippedWhileBehind;
    private readonly List<Settlement> _delivered = [];
    private readonly HashSet<(Venue, string, DateTimeOffset)> _settled = [];

    // Written by the writer loop only (read by health under _stateLock where it matters).
    private PendingSnapshot? _inFlight;
    private DateTimeOffset _lastWritten;
    private long _realisedVersionWritten = -1;
    private readonly List<Settlement> _settlementsToWrite = [];
    private TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Read by /health: under _stateLock.
    private bool _recording;
    private bool _isOpen;
    private string? _problem;
    private DateTimeOffset _lastRecorded;
    private DateTimeOffset _lastStored;
    private HistoryGap? _lastGap;

    // How long the last capture took (the capture loop's own: read and written by it only).
    private TimeSpan _lastCaptureTook;
    private bool _gapOpen;
    private readonly Queue<Settlement> _deliveredQueue = new();

    public HistoryRecorder(
        OptionBook book,
        IHistoryStore store,
        HistorySource source,
        MarketAnalytics analytics,
        TrackedAssets assets,
        RealisedVolatility realised,
        ICollectorLease lease,
        IEnumerable<IVenueHistory> venues,
        IOptions<HistoryOptions> options,
        MetricsRegistry metrics,
        TimeProvider time,
        ILogger<HistoryRecorder> logger)
    {
        _book = book;
        _store = store;
        _source = source;
        _assets = assets;
        _realised = realised;
        _lease = lease;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _capture = new BoardCapture(book, analytics);
        _buffer = new SnapshotBuffer(_options.MaxPending, OnDropped);
        _metrics = new HistoryMetrics(metrics, this);
        _storeLog = new LogThrottle(time, LogThrottle.DefaultInterval);
        _dropLog = new LogThrottle(time, LogThrottle.DefaultInterval);
        _backfill = new HistoryBackfill(store, [.. venues], assets, _options, _metrics, time, logger);
    }

    public IHistoryStore Store => _store;

    internal TimeProvider Clock => _time;

    /// <summary>What /health says of the history: recording or not, and why it is Degraded when it is.</summary>
    public HistoryRecorderStatus GetStatus()
    {
        var now = _time.GetUtcNow();
        lock (_stateLock)
        {
            var pending = _buffer.Count + (_inFlight is null ? 0 : 1);
            var gapReport = _options.Interval * 5 > GapReportTime ? _options.Interval * 5 : GapReportTime;
            var recentGap = _lastGap is { } gap && (_gapOpen || now - gap.NotedAt < gapReport) ? gap : (HistoryGap?)null;
            return new HistoryRecorderStatus(
                _recording, _isOpen, _problem, pending, _metrics.Dropped, _metrics.Skipped, _metrics.SnapshotsWritten,
                _lastRecorded == default ? null : _lastRecorded, _lastGap, recentGap, _clockBehind, _options.Interval, _store.Name);
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
                    // The lease went to another collector: it records now. What is pending here is not ours to write.
                    int discarded;
                    lock (_stateLock)
                    {
                        _recording = false;
                        discarded = _buffer.Discard() + (_inFlight is null ? 0 : 1);
                        if (_inFlight is not null)
                            _buffer.Return(_inFlight);
                        _inFlight = null;
                    }
                    Log.RecorderStandby(_logger, discarded);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown: StopAsync writes what is pending.
        }
    }

    /// <summary>On a clean stop, what is pending is written while the host's shutdown allows.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        bool open;
        lock (_stateLock)
            open = _isOpen && _recording;
        if (!open)
            return;
        var written = 0;
        try
        {
            while (_inFlight is not null || _buffer.TryTake(out _inFlight))
            {
                await WriteSnapshotAsync(_inFlight!, cancellationToken);
                _buffer.Return(_inFlight!);
                _inFlight = null;
                written++;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            // The store failed or shutdown's time ran out: the rest is lost, as the log says.
        }
        var left = _buffer.Count + (_inFlight is null ? 0 : 1);
        if (written + left > 0)
            Log.PendingWrittenAtStop(_logger, written, left);
    }

    private async Task RecordWhileHeldAsync(CancellationToken cancellationToken)
    {
        lock (_stateLock)
        {
            _recording = true;
            _isOpen = false;
            _problem = null;
        }
        _opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _lastCaptured = default;
        _lastWritten = default;
        _realisedVersionWritten = -1;
        _settled.Clear();
        _capture.Restart();
        Log.RecorderStarted(_logger, _options.Interval, _store.Name, _source);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Each loop catches and retries its own faults and runs until the lease is lost or the host stops (the backfill
        // may finish before); one that fails anyway stops the others, and recording starts over a little later.
        await Task.WhenAll(
            GuardAsync(WriteLoopAsync, stop),
            GuardAsync(CaptureLoopAsync, stop),
            GuardAsync(ct => AfterOpenAsync(RetentionLoopAsync, ct), stop),
            GuardAsync(ct => AfterOpenAsync(_backfill.RunAsync, ct), stop));
        cancellationToken.ThrowIfCancellationRequested();
        await Task.Delay(MaxRetryDelay, _time, cancellationToken);
    }

    private async Task GuardAsync(Func<CancellationToken, Task> loop, CancellationTokenSource stop)
    {
        try
        {
            await loop(stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The lease was lost, the host stops, or another loop failed.
        }
        catch (Exception e)
        {
            Log.RecorderLoopFailed(_logger, e, MaxRetryDelay);
            await stop.CancelAsync();
        }
    }

    private async Task AfterOpenAsync(Func<CancellationToken, Task> loop, CancellationToken cancellationToken)
    {
        await _opened.Task.WaitAsync(cancellationToken);
        await loop(cancellationToken);
    }

    // ---- Capture -------------------------------------------------------------------------------------------------

    /// <summary>The boundary of the interval grid (aligned to the Unix epoch) at or before <paramref name="time"/>, in whole ms.</summary>
    internal static DateTimeOffset Floor(DateTimeOffset time, TimeSpan interval)
    {
        var ms = time.ToUnixTimeMilliseconds();
        var step = (long)interval.TotalMilliseconds;
        return DateTimeOffset.FromUnixTimeMilliseconds(ms - ((ms % step) + step) % step);
    }

    private async Task CaptureLoopAsync(CancellationToken cancellationToken)
    {
        var interval = _options.Interval;
        while (true)
        {
            var now = _time.GetUtcNow();
            var next = Floor(now, interval) + interval;
            await Task.Delay(next - now, _time, cancellationToken);
            now = _time.GetUtcNow();
            var at = Floor(now, interval);
            DateTimeOffset lastStored;
            lock (_stateLock)
                lastStored = _lastStored;
            var last = _lastCaptured > lastStored ? _lastCaptured : lastStored;
            if (at <= last)
            {
                // Woken a hair early (at == the last capture, the clock did not go back) or the clock went back: skip
                // until it passes the last recorded time, so snapshot times stay strictly increasing.
                if (now < last)
                {
                    _metrics.Skip();
                    _skippedWhileBehind++;
                    if (!_clockBehind)
                    {
                        lock (_stateLock)
                            _clockBehind = true;
                        Log.ClockBehind(_logger, now, last);
                    }
                }
                continue;
            }
            if (_clockBehind)
            {
                lock (_stateLock)
                    _clockBehind = false;
                Log.ClockPassed(_logger, _skippedWhileBehind);
                _skippedWhileBehind = 0;
            }
            if (_lastCaptured != default && at - _lastCaptured > interval)
            {
                // Boundaries were passed without a snapshot: the last capture outlasted the interval (at a short interval,
                // while the process starts), or the clock jumped forward, or the process stood still (a suspended machine)
                // or got no CPU in time. The reason says which the recorder can tell.
                var missed = (long)((at - _lastCaptured) / interval) - 1;
                var reason = _lastCaptureTook >= interval
                    ? string.Create(CultureInfo.InvariantCulture, $"the last capture took {_lastCaptureTook.TotalSeconds:F1} s, longer than History:Interval ({interval})")
                    : "the recorder woke late: the clock jumped forward, or the process was paused or short of CPU";
                NoteGap(_lastCaptured + interval, at - interval, missed, reason);
            }
            Capture(at);
        }
    }

    private void Capture(DateTimeOffset at)
    {
        var pending = _buffer.Rent();
        var started = Stopwatch.GetTimestamp();
        try
        {
            _delivered.Clear();
            _capture.Capture(pending.Snapshot, at, _assets.Enabled, _delivered);
        }
        catch (Exception e)
        {
            _buffer.Return(pending);
            Log.CaptureFailed(_logger, e, at);
            return;
        }
        _lastCaptureTook = Stopwatch.GetElapsedTime(started);
        _metrics.Captured(_lastCaptureTook);
        pending.Previous = _lastCaptured;
        _lastCaptured = at;
        lock (_stateLock)
        {
            foreach (var settlement in _delivered)
            {
                if (_settled.Add((settlement.Venue, settlement.Coin, settlement.DeliveryTime)))
                    _deliveredQueue.Enqueue(settlement);
            }
        }
        if (pending.Snapshot.Quotes.Count == 0)
        {
            // Nothing tracked yet (the feed is still loading): nothing to record, and no gap either.
            _buffer.Return(pending);
            _lastCaptured = pending.Previous;
            return;
        }
        _buffer.Add(pending);
    }

    private void OnDropped(PendingSnapshot dropped)
    {
        var dropCount = _metrics.Drop();
        NoteGap(dropped.Snapshot.Time, dropped.Snapshot.Time, 1, $"the store is behind: more than History:MaxPending ({_options.MaxPending}) snapshots waiting");
        if (_dropLog.ShouldLog("dropped"))
            Log.SnapshotsDropped(_logger, _options.MaxPending, dropped.Snapshot.Time, dropCount);
    }

    private void NoteGap(DateTimeOffset from, DateTimeOffset to, long missed, string reason)
    {
        HistoryGap gap;
        bool extended;
        lock (_stateLock)
        {
            // Consecutive drops are one gap: it grows until a snapshot after it is written.
            extended = _gapOpen && _lastGap is { } open && open.Reason == reason && from > open.To;
            gap = extended
                ? _lastGap!.Value with { To = to, Missed = _lastGap.Value.Missed + missed, NotedAt = _time.GetUtcNow() }
                : new HistoryGap(from, to, missed, reason, _time.GetUtcNow());
            _lastGap = gap;
            _gapOpen = true;
        }
        _metrics.Gap(gap, isNew: !extended, _options.Interval);
        if (!extended)
            Log.SnapshotGap(_logger, from, to, missed, reason);
    }

    // ---- Writing -------------------------------------------------------------------------------------------------

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        var backoff = new Backoff(RetryDelay, MaxRetryDelay);
        while (true)
        {
            try
            {
                await OpenAsync(cancellationToken);
                await WriteSettlementsAsync(cancellationToken);
                await WriteRealisedVolatilityAsync(cancellationToken);
                if (_inFlight is null)
                {
                    PendingSnapshot? next;
                    lock (_stateLock)
                        next = _buffer.TryTake(out var taken) ? _inFlight = taken : null;
                    if (next is null)
                    {
                        await _buffer.WaitAsync(cancellationToken);
                        continue;
                    }
                }
                await WriteSnapshotAsync(_inFlight!, cancellationToken);
                lock (_stateLock)
                {
                    _buffer.Return(_inFlight!);
                    _inFlight = null;
                }
                if (backoff.Failures > 0)
                {
                    backoff.Reset();
                    Recovered();
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                var reason = Describe(e);
                lock (_stateLock)
                    _problem = reason;
                var delay = backoff.Next();
                if (_storeLog.ShouldLog(e.GetType().Name))
                    Log.StoreUnavailable(_logger, e, _store.Name, reason, _buffer.Count + (_inFlight is null ? 0 : 1), delay);
                await Task.Delay(delay, _time, cancellationToken);
            }
        }
    }

    private void Recovered()
    {
        lock (_stateLock)
            _problem = null;
        if (_storeLog.Recover())
            Log.StoreRecovered(_logger, _store.Name, _buffer.Count, _metrics.Dropped);
    }

    private async Task OpenAsync(CancellationToken cancellationToken)
    {
        if (_opened.Task.IsCompleted)
            return;
        await _store.OpenAsync(_source, cancellationToken);
        // The last snapshot already recorded (by an earlier run): a clock behind it must not record before it.
        var last = DateTimeOffset.MinValue;
        foreach (var coin in _book.Index.Coins.Concat(_assets.Enabled).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (await _store.RangeAsync(coin, cancellationToken) is { } range && range.Last > last)
                last = range.Last;
        }
        lock (_stateLock)
        {
            _isOpen = true;
            _problem = null;
            if (last != DateTimeOffset.MinValue)
            {
                _lastStored = last;
                if (last > _lastRecorded)
                    _lastRecorded = last;
            }
        }
        _opened.TrySetResult();
        if (_storeLog.Recover())
            Log.StoreRecovered(_logger, _store.Name, _buffer.Count, _metrics.Dropped);
        Log.StoreOpened(_logger, _store.Name, _source, last == DateTimeOffset.MinValue ? "never" : last.ToString("O"));
    }

    private async Task WriteSnapshotAsync(PendingSnapshot pending, CancellationToken cancellationToken)
    {
        var snapshot = pending.Snapshot;
        if (pending.Previous != _lastWritten)
        {
            // The capture its flags are relative to never reached the store (dropped): every quote is written as changed,
            // so no "unchanged" points at a row that is not there.
            var quotes = CollectionsMarshal.AsSpan(snapshot.Quotes);
            for (var i = 0; i < quotes.Length; i++)
                quotes[i] = quotes[i] with { Changed = true };
        }
        var started = Stopwatch.GetTimestamp();
        await _store.WriteSnapshotAsync(snapshot, cancellationToken);
        _metrics.Written(snapshot, Stopwatch.GetElapsedTime(started));
        _lastWritten = snapshot.Time;
        lock (_stateLock)
        {
            if (snapshot.Time > _lastRecorded)
                _lastRecorded = snapshot.Time;
            if (_gapOpen && _lastGap is { } gap && snapshot.Time > gap.To)
                _gapOpen = false;
        }
    }

    private async Task WriteSettlementsAsync(CancellationToken cancellationToken)
    {
        lock (_stateLock)
        {
            while (_deliveredQueue.TryDequeue(out var settlement))
                _settlementsToWrite.Add(settlement);
        }
        if (_settlementsToWrite.Count == 0)
            return;
        await _store.WriteSettlementsAsync(_settlementsToWrite, cancellationToken);
        _metrics.SettlementsWritten(_settlementsToWrite.Count);
        Log.SettlementsRecorded(_logger, _settlementsToWrite.Count);
        _settlementsToWrite.Clear();
    }

    /// <summary>The realised volatility the poller fetched since the last write (one point per coin and period).</summary>
    private async Task WriteRealisedVolatilityAsync(CancellationToken cancellationToken)
    {
        var version = _realised.Version;
        if (version == _realisedVersionWritten)
            return;
        foreach (var coin in _assets.Enabled)
        {
            var points = _realised.Get(coin);
            if (points.Count > 0)
                await _store.WriteRealisedVolatilityAsync(coin, points, cancellationToken);
        }
        _realisedVersionWritten = version;
    }

    private static string Describe(Exception e) => e switch
    {
        HistorySourceMismatchException => $"source mismatch: {e.Message}",
        // The DuckDB store's words for another process's lock (its own, and DuckDB's), not any "lock" in a path.
        _ when e.Message.Contains("locked by another process", StringComparison.Ordinal)
            || e.Message.Contains("Could not set lock", StringComparison.Ordinal)
            || e.Message.Contains("Conflicting lock", StringComparison.Ordinal) => $"file locked: {e.Message}",
        _ => $"store unavailable: {e.Message}",
    };

    // ---- Retention -----------------------------------------------------------------------------------------------

    private async Task RetentionLoopAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var delay = RetentionPeriod;
            try
            {
                var removed = await _store.ApplyRetentionAsync(_time.GetUtcNow(), _options.KeepFull, _options.KeepHourly, cancellationToken);
                _metrics.RetentionRemoved(removed);
                Log.RetentionApplied(_logger, removed, _options.KeepFull, _options.KeepHourly);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                delay = TimeSpan.FromMinutes(1);
                Log.RetentionFailed(_logger, e, delay);
            }
            await Task.Delay(delay, _time, cancellationToken);
        }
    }
}

/// <summary>A span without snapshots: the first and last missing snapshot times, how many, and why.</summary>
public readonly record struct HistoryGap(DateTimeOffset From, DateTimeOffset To, long Missed, string Reason, DateTimeOffset NotedAt);

/// <summary>The recorder's state as /health reports it.</summary>
public sealed record HistoryRecorderStatus(
    bool IsRecording,
    bool IsOpen,
    string? Problem,
    int Pending,
    long Dropped,
    long Skipped,
    long SnapshotsWritten,
    DateTimeOffset? LastRecorded,
    HistoryGap? LastGap,
    HistoryGap? RecentGap,
    bool ClockBehind,
    TimeSpan Interval,
    string Store);
