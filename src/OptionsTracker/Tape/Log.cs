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

    // 11100–11199: the Redis stream per coin (the collector's writer, the mirror of web instances and standbys).

    [LoggerMessage(EventId = 11100, EventName = "TradeStreamWriting", Level = LogLevel.Information,
        Message = "Tape: this collector writes its trades to the Redis streams {Keys} ({Endpoint}), about {Keep} kept per coin")]
    public static partial void TradeStreamWriting(ILogger logger, string keys, string endpoint, int keep);

    [LoggerMessage(EventId = 11101, EventName = "TradeStreamWriteFailed", Level = LogLevel.Warning,
        Message = "Tape: writing trades to Redis ({Endpoint}) failed: {Error}; the tape keeps them and they are written once Redis answers")]
    public static partial void TradeStreamWriteFailed(ILogger logger, string endpoint, string error);

    [LoggerMessage(EventId = 11102, EventName = "TradeStreamWritesResumed", Level = LogLevel.Information,
        Message = "Tape: Redis ({Endpoint}) takes trades again; what waited on the tape is written")]
    public static partial void TradeStreamWritesResumed(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 11103, EventName = "TradeStreamGap", Level = LogLevel.Warning,
        Message = "Tape: {Missed} trades of {Coin} (sequences {From} to {To}) left the tape (Tape:Keep) before Redis could take them: web instances will not have them")]
    public static partial void TradeStreamGap(ILogger logger, long missed, string coin, long from, long to);

    [LoggerMessage(EventId = 11104, EventName = "TradeStreamAhead", Level = LogLevel.Warning,
        Message = "Tape: the Redis stream {Key} already ends at sequence {StreamLast}, past this collector's tape ({TapeLast}); its trades up to there are not written again (another collector wrote them)")]
    public static partial void TradeStreamAhead(ILogger logger, string key, long streamLast, long tapeLast);

    [LoggerMessage(EventId = 11105, EventName = "TradeStreamReadFailed", Level = LogLevel.Warning,
        Message = "Tape: reading the collector's trades from Redis ({Endpoint}) failed: {Error}; tried again shortly")]
    public static partial void TradeStreamReadFailed(ILogger logger, string endpoint, string error);

    [LoggerMessage(EventId = 11106, EventName = "TradeStreamReadsResumed", Level = LogLevel.Information,
        Message = "Tape: Redis ({Endpoint}) answers again; the tape catches up from the streams")]
    public static partial void TradeStreamReadsResumed(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 11107, EventName = "TradeStreamEntryMalformed", Level = LogLevel.Warning,
        Message = "Tape: entry {EntryId} of the Redis stream {Key} skipped: {Error}")]
    public static partial void TradeStreamEntryMalformed(ILogger logger, string entryId, string key, string error);

    [LoggerMessage(EventId = 11108, EventName = "TradeStreamHandover", Level = LogLevel.Information,
        Message = "Tape: lease taken; {Trades} trades read from Redis before collecting, the tape continues at {Sequences}")]
    public static partial void TradeStreamHandover(ILogger logger, int trades, string sequences);

    [LoggerMessage(EventId = 11109, EventName = "TradeStreamHandoverFailed", Level = LogLevel.Warning,
        Message = "Tape: lease taken but Redis could not be read first ({Error}); collecting anyway, the tape's sequences continue from what this instance had")]
    public static partial void TradeStreamHandoverFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 11110, EventName = "TradeStreamBehind", Level = LogLevel.Warning,
        Message = "Tape: the Redis stream {Key} ends at sequence {StreamLast}, before this instance's tape ({TapeLast}): the collector's tape started over (it and Redis both restarted); this instance serves the stream's new trades once their sequences pass its own, or after a restart")]
    public static partial void TradeStreamBehind(ILogger logger, string key, long streamLast, long tapeLast);

    // 11300–11399: recording trades into the history.

    [LoggerMessage(EventId = 11300, EventName = "TradeRecorderStarted", Level = LogLevel.Information,
        Message = "Tape: recording trades into the history ({Store})")]
    public static partial void TradeRecorderStarted(ILogger logger, string store);

    [LoggerMessage(EventId = 11301, EventName = "TradeRecordFailed", Level = LogLevel.Warning,
        Message = "Tape: recording trades into the history ({Store}) failed: {Error}; {Pending} trades wait on the tape, tried again in {Delay}")]
    public static partial void TradeRecordFailed(ILogger logger, string store, string error, long pending, TimeSpan delay);

    [LoggerMessage(EventId = 11302, EventName = "TradeRecordResumed", Level = LogLevel.Information,
        Message = "Tape: the history ({Store}) takes trades again; the waiting ones are recorded")]
    public static partial void TradeRecordResumed(ILogger logger, string store);

    [LoggerMessage(EventId = 11303, EventName = "TradeRecordGap", Level = LogLevel.Warning,
        Message = "Tape: {Missed} trades of {Coin} (sequences {From} to {To}) left the tape (Tape:Keep) before the history could take them: they are not recorded")]
    public static partial void TradeRecordGap(ILogger logger, long missed, string coin, long from, long to);

    [LoggerMessage(EventId = 11304, EventName = "TradeRecorderStandby", Level = LogLevel.Information,
        Message = "Tape: another collector holds the lease and records the trades now")]
    public static partial void TradeRecorderStandby(ILogger logger);
}
