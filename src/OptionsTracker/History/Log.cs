namespace OptionsTracker.History;

// Event id block of the history: 10xxx (see Dashboard/Log.cs for the blocks of every feature).
// Sub-blocks: 10000–10099 the DuckDB store, 10100–10199 the PostgreSQL store, 10200–10299 the recorder and backfill,
// 10300–10399 reading (time travel, series, export), 10400–10499 replay,
// 10500–10599 trades in the stores (Log.Trades.cs).

/// <summary>Log lines of the history. Stable event ids: append, never renumber.</summary>
internal static partial class Log
{
    // 10000–10099: the DuckDB store.

    [LoggerMessage(EventId = 10000, EventName = "DuckDbOpened", Level = LogLevel.Information,
        Message = "History: DuckDB file {Path} open ({Instruments} instruments recorded)")]
    public static partial void DuckDbOpened(ILogger logger, string path, int instruments);

    [LoggerMessage(EventId = 10001, EventName = "DuckDbCorruptFileMovedAside", Level = LogLevel.Error,
        Message = "History: the DuckDB file {Path} could not be read as a database; it was moved aside to {MovedTo} (kept, not deleted) and a fresh file started")]
    public static partial void DuckDbCorruptFileMovedAside(ILogger logger, Exception exception, string path, string movedTo);

    [LoggerMessage(EventId = 10002, EventName = "DuckDbInstanceInvalidated", Level = LogLevel.Warning,
        Message = "History: DuckDB failed writing {Path} and invalidated the open database; it is reopened from what was committed on the next use")]
    public static partial void DuckDbInstanceInvalidated(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 10003, EventName = "DuckDbRetentionApplied", Level = LogLevel.Information,
        Message = "History: retention removed {Rows} quote rows from {Path}")]
    public static partial void DuckDbRetentionApplied(ILogger logger, string path, long rows);

    [LoggerMessage(EventId = 10004, EventName = "DuckDbCompactionFailed", Level = LogLevel.Warning,
        Message = "History: compacting the closed hours of {Path} failed; the quotes stay as written and compaction is tried again at the next hour")]
    public static partial void DuckDbCompactionFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 10005, EventName = "DuckDbMeasuresCompactionFailed", Level = LogLevel.Warning,
        Message = "History: sorting the closed days' or months' measures of {Path} failed; they stay as they are and it is tried again at the next snapshot")]
    public static partial void DuckDbMeasuresCompactionFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 10006, EventName = "DuckDbSchemaMigrated", Level = LogLevel.Information,
        Message = "History: migrated {Path} from schema {From} to {To} ({Rows} measure rows moved in {ElapsedMs} ms)")]
    public static partial void DuckDbSchemaMigrated(ILogger logger, string path, int from, int to, long rows, long elapsedMs);
    // 10300–10399: reading (time travel, series, export).
    [LoggerMessage(EventId = 10300, EventName = "HistoryReadFailed", Level = LogLevel.Warning,
        Message = "The history store ({Store}) failed a read; history answers are 503 until it reads again (logged at most once a minute)")]
    public static partial void HistoryReadFailed(ILogger logger, Exception exception, string store);

    [LoggerMessage(EventId = 10301, EventName = "HistoryExported", Level = LogLevel.Information,
        Message = "Exported {Rows} recorded quotes of {Assets} from {From} to {To} as {Format} in {ElapsedMs} ms")]
    public static partial void HistoryExported(ILogger logger, long rows, string assets, DateTimeOffset from, DateTimeOffset to, string format, long elapsedMs);

    [LoggerMessage(EventId = 10302, EventName = "HistoryExportTempNotRemoved", Level = LogLevel.Warning,
        Message = "The export's temporary directory {Directory} could not be removed")]
    public static partial void HistoryExportTempNotRemoved(ILogger logger, Exception exception, string directory);

    // 10600–10619: schema steps of both stores (issue 19's instruments' price currency).
    [LoggerMessage(EventId = 10600, EventName = "HistorySchemaColumnAdded", Level = LogLevel.Information,
        Message = "History: added {Column} to {Store} (schema {Version}); instruments recorded before read as dollar-priced")]
    public static partial void HistorySchemaColumnAdded(ILogger logger, string store, string column, int version);
}
