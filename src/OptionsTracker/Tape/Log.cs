namespace OptionsTracker.Tape;

// Event id block of the tape: 11xxx (see Dashboard/Log.cs for the blocks of every feature).
// Sub-blocks: 11000–11099 the tape itself, 11100–11199 the Redis stream (writer and mirror), 11200–11299 flow,
// 11300–11399 recording trades into the history.

/// <summary>Log lines of the trade tape. Stable event ids: append, never renumber.</summary>
internal static partial class Log
{
    // 11000–11099: the tape itself.

    [LoggerMessage(EventId = 11000, EventName = "TapeStarted", Level = LogLevel.Information,
        Message = "Tape: keeping the newest {Keep} trades of each coin in memory")]
    public static partial void TapeStarted(ILogger logger, int keep);

    // 11200–11299: flow.

    [LoggerMessage(EventId = 11200, EventName = "FlowHistoryFailed", Level = LogLevel.Warning,
        Message = "Flow of {Coin}: the history's trades could not be read; the figures cover the tape only")]
    public static partial void FlowHistoryFailed(ILogger logger, Exception exception, string coin);

    [LoggerMessage(EventId = 11201, EventName = "FlowHistoryPageFull", Level = LogLevel.Warning,
        Message = "Flow of {Coin}: {Page} recorded trades share the millisecond {Time}; the figures stop there")]
    public static partial void FlowHistoryPageFull(ILogger logger, string coin, int page, DateTimeOffset time);
}
