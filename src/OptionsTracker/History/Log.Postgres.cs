namespace OptionsTracker.History;

// The PostgreSQL store's lines (sub-block 10100–10199, see Log.cs), in a file of their own so the parts of the history
// append to the one Log class without touching each other's lines.
internal static partial class Log
{
    [LoggerMessage(EventId = 10100, EventName = "PostgresOpened", Level = LogLevel.Information,
        Message = "History in PostgreSQL (database {Database} on {Host}): schema ready, recorded from {Source}")]
    public static partial void PostgresOpened(ILogger logger, string database, string host, HistorySource source);

    [LoggerMessage(EventId = 10101, EventName = "PostgresPartitionCreated", Level = LogLevel.Debug,
        Message = "Created history partition {Partition}")]
    public static partial void PostgresPartitionCreated(ILogger logger, string partition);

    [LoggerMessage(EventId = 10102, EventName = "PostgresSnapshotAlreadyRecorded", Level = LogLevel.Debug,
        Message = "Snapshot {Time:O} is already recorded in PostgreSQL: nothing written")]
    public static partial void PostgresSnapshotAlreadyRecorded(ILogger logger, DateTimeOffset time);

    [LoggerMessage(EventId = 10103, EventName = "PostgresPartitionDropped", Level = LogLevel.Information,
        Message = "Retention: dropped history partition {Partition} ({Rows} rows), older than the hourly retention")]
    public static partial void PostgresPartitionDropped(ILogger logger, string partition, long rows);

    [LoggerMessage(EventId = 10104, EventName = "PostgresPartitionThinned", Level = LogLevel.Information,
        Message = "Retention: thinned history partition {Partition} to the first snapshot of each hour ({Kept} of {Rows} rows kept)")]
    public static partial void PostgresPartitionThinned(ILogger logger, string partition, long kept, long rows);

    [LoggerMessage(EventId = 10105, EventName = "PostgresRetentionApplied", Level = LogLevel.Information,
        Message = "Retention applied in PostgreSQL: {Rows} quote rows removed")]
    public static partial void PostgresRetentionApplied(ILogger logger, long rows);

    [LoggerMessage(EventId = 10106, EventName = "PostgresRetried", Level = LogLevel.Warning,
        Message = "PostgreSQL {Operation} failed on a broken connection ({Error}); retried once on a new one")]
    public static partial void PostgresRetried(ILogger logger, string operation, string error);

    // 10800–10899: closed hours compacted (quote_blocks since schema 7).
    [LoggerMessage(EventId = 10800, EventName = "PostgresHoursCompacted", Level = LogLevel.Information,
        Message = "Retention: {Hours} closed hours looked at, {Rows} quote rows moved into blocks (quote_blocks)")]
    public static partial void PostgresHoursCompacted(ILogger logger, int hours, long rows);

    // 10700–10799: closed hours as QuoteBlocks (quote_blocks, schema 7).
    [LoggerMessage(EventId = 10701, EventName = "PostgresHourRowsEncoded", Level = LogLevel.Information,
        Message = "Retention: {Snapshots} option snapshots of hour rows (schemas 4-6) encoded as blocks (quote_blocks, schema 7) in {ElapsedMs} ms")]
    public static partial void PostgresHourRowsEncoded(ILogger logger, long snapshots, long elapsedMs);

    // 10900–10949: closed days of measures as day rows (measure_days, schema 5).
    [LoggerMessage(EventId = 10900, EventName = "PostgresMeasureDaysFolded", Level = LogLevel.Information,
        Message = "Retention: {Days} closed days of measures folded, {Values} measure rows moved into day rows (measure_days)")]
    public static partial void PostgresMeasureDaysFolded(ILogger logger, int days, long values);
}
