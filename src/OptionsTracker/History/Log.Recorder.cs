namespace OptionsTracker.History;

// The recorder's and the backfill's lines: sub-block 10200–10299 (see Log.cs). In a file of their own so the parts of
// the history (stores, reading, replay) append to Log.cs without touching these.
internal static partial class Log
{
    [LoggerMessage(EventId = 10200, EventName = "RecorderStarted", Level = LogLevel.Information,
        Message = "History: recording the board every {Interval} into the {Store} store ({Source})")]
    public static partial void RecorderStarted(ILogger logger, TimeSpan interval, string store, HistorySource source);

    [LoggerMessage(EventId = 10201, EventName = "RecorderStandby", Level = LogLevel.Information,
        Message = "History: not recording: this collector lost the lease ({Discarded} snapshots pending discarded); the active collector records")]
    public static partial void RecorderStandby(ILogger logger, int discarded);

    [LoggerMessage(EventId = 10202, EventName = "StoreOpened", Level = LogLevel.Information,
        Message = "History: the {Store} store is open ({Source}); last snapshot recorded {LastRecorded}")]
    public static partial void StoreOpened(ILogger logger, string store, HistorySource source, string lastRecorded);

    [LoggerMessage(EventId = 10203, EventName = "StoreUnavailable", Level = LogLevel.Warning,
        Message = "History: the {Store} store is unavailable ({Reason}); {Pending} snapshots pending, trying again in {Delay}")]
    public static partial void StoreUnavailable(ILogger logger, Exception exception, string store, string reason, int pending, TimeSpan delay);

    [LoggerMessage(EventId = 10204, EventName = "StoreRecovered", Level = LogLevel.Information,
        Message = "History: the {Store} store is writing again; {Pending} snapshots to catch up, {Dropped} dropped meanwhile")]
    public static partial void StoreRecovered(ILogger logger, string store, int pending, long dropped);

    [LoggerMessage(EventId = 10205, EventName = "SnapshotsDropped", Level = LogLevel.Warning,
        Message = "History: more than History:MaxPending ({MaxPending}) snapshots waiting for the store: the oldest ({Time:O}) dropped, {Dropped} so far")]
    public static partial void SnapshotsDropped(ILogger logger, int maxPending, DateTimeOffset time, long dropped);

    [LoggerMessage(EventId = 10206, EventName = "ClockBehind", Level = LogLevel.Warning,
        Message = "History: the clock ({Now:O}) is behind the last snapshot recorded ({Last:O}); snapshots are skipped until it passes it")]
    public static partial void ClockBehind(ILogger logger, DateTimeOffset now, DateTimeOffset last);

    [LoggerMessage(EventId = 10207, EventName = "ClockPassed", Level = LogLevel.Information,
        Message = "History: the clock passed the last snapshot recorded again; {Skipped} snapshots were skipped")]
    public static partial void ClockPassed(ILogger logger, long skipped);

    [LoggerMessage(EventId = 10208, EventName = "SnapshotGap", Level = LogLevel.Warning,
        Message = "History: gap: no snapshot from {From:O} to {To:O} ({Missed} missed): {Reason}")]
    public static partial void SnapshotGap(ILogger logger, DateTimeOffset from, DateTimeOffset to, long missed, string reason);

    [LoggerMessage(EventId = 10209, EventName = "RetentionApplied", Level = LogLevel.Information,
        Message = "History: retention removed {Rows} quote rows (every snapshot kept {KeepFull}, hourly ones {KeepHourly})")]
    public static partial void RetentionApplied(ILogger logger, long rows, TimeSpan keepFull, TimeSpan keepHourly);

    [LoggerMessage(EventId = 10210, EventName = "RetentionFailed", Level = LogLevel.Warning,
        Message = "History: retention failed; trying again in {Delay}")]
    public static partial void RetentionFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(EventId = 10211, EventName = "BackfillPlanned", Level = LogLevel.Information,
        Message = "History: backfill from {Venue}: {Requests} realised volatility requests for {Coins} back to {From:O}, and the settlement history")]
    public static partial void BackfillPlanned(ILogger logger, string venue, int requests, string coins, DateTimeOffset from);

    [LoggerMessage(EventId = 10212, EventName = "BackfillCompleted", Level = LogLevel.Information,
        Message = "History: backfill from {Venue} done: {Points} realised volatility points, {Settlements} settlements new in the store")]
    public static partial void BackfillCompleted(ILogger logger, string venue, long points, long settlements);

    [LoggerMessage(EventId = 10213, EventName = "BackfillFailed", Level = LogLevel.Warning,
        Message = "History: backfill of {Coin} from {Venue} failed ({Reason}); trying again in {Delay}")]
    public static partial void BackfillFailed(ILogger logger, string coin, string venue, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 10214, EventName = "SettlementsRecorded", Level = LogLevel.Information,
        Message = "History: {Count} settlements recorded as the book delivered them")]
    public static partial void SettlementsRecorded(ILogger logger, int count);

    [LoggerMessage(EventId = 10215, EventName = "CaptureFailed", Level = LogLevel.Error,
        Message = "History: taking the snapshot of {Time:O} failed; it is skipped")]
    public static partial void CaptureFailed(ILogger logger, Exception exception, DateTimeOffset time);

    [LoggerMessage(EventId = 10216, EventName = "PendingWrittenAtStop", Level = LogLevel.Information,
        Message = "History: {Written} pending snapshots written at shutdown, {Left} left unwritten")]
    public static partial void PendingWrittenAtStop(ILogger logger, int written, int left);

    [LoggerMessage(EventId = 10217, EventName = "RecorderLoopFailed", Level = LogLevel.Error,
        Message = "History: the recorder failed; it starts over in {Delay}")]
    public static partial void RecorderLoopFailed(ILogger logger, Exception exception, TimeSpan delay);
}
