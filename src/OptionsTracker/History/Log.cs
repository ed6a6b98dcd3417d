namespace OptionsTracker.History;

// Event id block of the history: 10xxx (see Dashboard/Log.cs for the blocks of every feature).
// Sub-blocks: 10000–10099 the DuckDB store, 10100–10199 the PostgreSQL store, 10200–10299 the recorder and backfill,
// 10300–10399 reading (time travel, series, export), 10400–10499 replay.

/// <summary>Log lines of the history. Stable event ids: append, never renumber.</summary>
internal static partial class Log
{
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
}
