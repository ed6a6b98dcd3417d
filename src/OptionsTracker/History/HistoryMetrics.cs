using OptionsTracker.Diagnostics;
using Prometheus;

namespace OptionsTracker.History;

/// <summary>
/// The recorder's figures in /metrics (<c>optionstracker_history_*</c>): what was written and how long it took, what
/// waits, what was lost (dropped from the buffer, skipped while the clock was behind, gaps), the age of the last
/// snapshot and the backfill's progress. Counters are kept here too, so /health reads the same numbers.
/// </summary>
internal sealed class HistoryMetrics
{
    private readonly Counter _snapshots;
    private readonly Counter _rows;
    private readonly Histogram _writeSeconds;
    private readonly Histogram _captureSeconds;
    private readonly Gauge _pending;
    private readonly Counter _dropped;
    private readonly Counter _skipped;
    private readonly Counter _gaps;
    private readonly Gauge _lastGapSeconds;
    private readonly Gauge _lastSnapshotAge;
    private readonly Counter _settlements;
    private readonly Counter _retentionRemoved;
    private readonly Gauge _backfillProgress;
    private readonly Counter _backfillRequests;
    private readonly Counter _backfillPoints;
    private long _droppedCount;
    private long _skippedCount;
    private long _writtenCount;

    public HistoryMetrics(MetricsRegistry metrics, HistoryRecorder recorder)
    {
        var factory = metrics.Factory;
        _snapshots = factory.CreateCounter("optionstracker_history_snapshots_written_total", "Snapshots of the board written to the history store.");
        _rows = factory.CreateCounter("optionstracker_history_rows_written_total", "Rows written to the history store with the snapshots, by kind (quote, measure).",
            new CounterConfiguration { LabelNames = ["kind"] });
        _writeSeconds = factory.CreateHistogram("optionstracker_history_write_seconds", "Time to write one snapshot to the history store.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 14) });
        _captureSeconds = factory.CreateHistogram("optionstracker_history_capture_seconds", "Time to take one snapshot of the board (quotes and measures), off the feed's path.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0001, 2, 14) });
        _pending = factory.CreateGauge("optionstracker_history_pending_snapshots", "Snapshots taken and not yet written (at most History:MaxPending, plus the one being written).");
        _dropped = factory.CreateCounter("optionstracker_history_snapshots_dropped_total", "Snapshots dropped because more than History:MaxPending waited for the store.");
        _skipped = factory.CreateCounter("optionstracker_history_snapshots_skipped_total", "Snapshots not taken because the clock was behind the last recorded one.");
        _gaps = factory.CreateCounter("optionstracker_history_gaps_total", "Spans without snapshots (dropped snapshots, a clock that jumped forward, a paused process).");
        _lastGapSeconds = factory.CreateGauge("optionstracker_history_last_gap_seconds", "Length of the last gap: from its first to its last missing snapshot, plus one interval.");
        _lastSnapshotAge = factory.CreateGauge("optionstracker_history_last_snapshot_age_seconds", "Seconds since the time of the last snapshot written (NaN before the first).");
        _settlements = factory.CreateCounter("optionstracker_history_settlements_written_total", "Settlement prices written to the history store (live deliveries and backfill).");
        _retentionRemoved = factory.CreateCounter("optionstracker_history_retention_rows_removed_total", "Quote rows removed by the retention (History:KeepFull, History:KeepHourly).");
        _backfillProgress = factory.CreateGauge("optionstracker_history_backfill_progress", "Share of the planned backfill requests done (0 to 1; 1 when nothing is left).");
        _backfillRequests = factory.CreateCounter("optionstracker_history_backfill_requests_total", "Requests the backfill made to the exchange.");
        _backfillPoints = factory.CreateCounter("optionstracker_history_backfill_points_total", "Realised volatility points the backfill wrote.");
        metrics.Registry.AddBeforeCollectCallback(() =>
        {
            var status = recorder.GetStatus();
            _pending.Set(status.Pending);
            _lastSnapshotAge.Set(status.LastRecorded is { } last ? Math.Max(0, (Now(recorder) - last).TotalSeconds) : double.NaN);
        });
    }

    private static DateTimeOffset Now(HistoryRecorder recorder) => recorder.Clock.GetUtcNow();

    public long Dropped => Interlocked.Read(ref _droppedCount);

    public long Skipped => Interlocked.Read(ref _skippedCount);

    public long SnapshotsWritten => Interlocked.Read(ref _writtenCount);

    public void Captured(TimeSpan took) => _captureSeconds.Observe(took.TotalSeconds);

    public void Written(BoardSnapshot snapshot, TimeSpan took)
    {
        Interlocked.Increment(ref _writtenCount);
        _snapshots.Inc();
        _rows.WithLabels("quote").Inc(snapshot.Quotes.Count);
        _rows.WithLabels("measure").Inc(snapshot.Measures.Count);
        _writeSeconds.Observe(took.TotalSeconds);
    }

    public long Drop()
    {
        _dropped.Inc();
        return Interlocked.Increment(ref _droppedCount);
    }

    public void Skip()
    {
        _skipped.Inc();
        Interlocked.Increment(ref _skippedCount);
    }

    public void Gap(HistoryGap gap, bool isNew, TimeSpan interval)
    {
        if (isNew)
            _gaps.Inc();
        _lastGapSeconds.Set((gap.To - gap.From + interval).TotalSeconds);
    }

    public void SettlementsWritten(int count) => _settlements.Inc(count);

    public void RetentionRemoved(long rows) => _retentionRemoved.Inc(rows);

    public void BackfillProgress(int done, int planned) => _backfillProgress.Set(planned == 0 ? 1 : (double)done / planned);

    public void BackfillRequest() => _backfillRequests.Inc();

    public void BackfillPoints(int points) => _backfillPoints.Inc(points);
}
