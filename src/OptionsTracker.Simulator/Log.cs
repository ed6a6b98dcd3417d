using Microsoft.Extensions.Logging;

namespace OptionsTracker.Simulator;

// Event ids 1-999, unique within the simulator (its own program); EventName = the method name. Keep them stable:
// tests and dashboards may filter on them.
// tests/OptionsTracker.Tests/Logging/EventIdTests.cs checks them.

/// <summary>
/// Every log line of the simulator. Event ids are stable (tests and dashboards may filter on them): add new ones at the
/// end, never renumber.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, EventName = "Started", Level = LogLevel.Information, Message = "Bybit simulator listening: REST {RestUrl}, WebSocket {WsUrl}, {InstrumentCount} instruments")]
    public static partial void Started(ILogger logger, Uri restUrl, Uri wsUrl, int instrumentCount);

    [LoggerMessage(EventId = 2, EventName = "ConnectionOpened", Level = LogLevel.Debug, Message = "Connection {ConnectionId} opened from {Remote}")]
    public static partial void ConnectionOpened(ILogger logger, string connectionId, string? remote);

    [LoggerMessage(EventId = 3, EventName = "ConnectionClosed", Level = LogLevel.Debug, Message = "Connection {ConnectionId} closed")]
    public static partial void ConnectionClosed(ILogger logger, string connectionId);

    [LoggerMessage(EventId = 4, EventName = "ConnectionFailed", Level = LogLevel.Debug, Message = "Connection {ConnectionId} ended with an error")]
    public static partial void ConnectionFailed(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(EventId = 5, EventName = "InvalidRequest", Level = LogLevel.Debug, Message = "Connection {ConnectionId} sent a message that is not a valid request")]
    public static partial void InvalidRequest(ILogger logger, string connectionId);

    [LoggerMessage(EventId = 6, EventName = "MarketStepFailed", Level = LogLevel.Error, Message = "Market step failed")]
    public static partial void MarketStepFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7, EventName = "InstrumentListed", Level = LogLevel.Information, Message = "Listed {Symbol}")]
    public static partial void InstrumentListed(ILogger logger, string symbol);

    [LoggerMessage(EventId = 8, EventName = "ExpiryDelivered", Level = LogLevel.Information, Message = "Delivered {Count} {BaseCoin} options")]
    public static partial void ExpiryDelivered(ILogger logger, string baseCoin, int count);

    [LoggerMessage(EventId = 9, EventName = "FaultInjected", Level = LogLevel.Information, Message = "Fault: {Fault}")]
    public static partial void FaultInjected(ILogger logger, string fault);

    [LoggerMessage(EventId = 10, EventName = "RequestTooLarge", Level = LogLevel.Debug, Message = "Connection {ConnectionId} sent a message over {Limit} bytes; closing it")]
    public static partial void RequestTooLarge(ILogger logger, string connectionId, int limit);

    // 950-999: the trade tape (issue 17).

    [LoggerMessage(EventId = 950, EventName = "TradesEmitted", Level = LogLevel.Debug, Message = "{Count} {BaseCoin} trades emitted, seq up to {Sequence}")]
    public static partial void TradesEmitted(ILogger logger, int count, string baseCoin, long sequence);

    [LoggerMessage(EventId = 951, EventName = "BlockEmitted", Level = LogLevel.Debug, Message = "Block {RfqId} on {BaseCoin}: {Strategy}, {Legs} legs")]
    public static partial void BlockEmitted(ILogger logger, string rfqId, string baseCoin, string strategy, int legs);

    [LoggerMessage(EventId = 952, EventName = "TradeStepFailed", Level = LogLevel.Error, Message = "Making trades failed")]
    public static partial void TradeStepFailed(ILogger logger, Exception exception);
}
