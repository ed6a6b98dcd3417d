using Microsoft.Extensions.Logging;

namespace OptionsTracker.Simulator;

/// <summary>
/// Every log line of the simulator. Event ids are stable (tests and dashboards may filter on them): add new ones at the
/// end, never renumber.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Bybit simulator listening: REST {RestUrl}, WebSocket {WsUrl}, {InstrumentCount} instruments")]
    public static partial void Started(ILogger logger, Uri restUrl, Uri wsUrl, int instrumentCount);

    [LoggerMessage(2, LogLevel.Debug, "Connection {ConnectionId} opened from {Remote}")]
    public static partial void ConnectionOpened(ILogger logger, string connectionId, string? remote);

    [LoggerMessage(3, LogLevel.Debug, "Connection {ConnectionId} closed")]
    public static partial void ConnectionClosed(ILogger logger, string connectionId);

    [LoggerMessage(4, LogLevel.Debug, "Connection {ConnectionId} ended with an error")]
    public static partial void ConnectionFailed(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(5, LogLevel.Debug, "Connection {ConnectionId} sent a message that is not a valid request")]
    public static partial void InvalidRequest(ILogger logger, string connectionId);

    [LoggerMessage(6, LogLevel.Error, "Market step failed")]
    public static partial void MarketStepFailed(ILogger logger, Exception exception);

    [LoggerMessage(7, LogLevel.Information, "Listed {Symbol}")]
    public static partial void InstrumentListed(ILogger logger, string symbol);

    [LoggerMessage(8, LogLevel.Information, "Delivered {Count} {BaseCoin} options")]
    public static partial void ExpiryDelivered(ILogger logger, string baseCoin, int count);

    [LoggerMessage(9, LogLevel.Information, "Fault: {Fault}")]
    public static partial void FaultInjected(ILogger logger, string fault);

    [LoggerMessage(10, LogLevel.Debug, "Connection {ConnectionId} sent a message over {Limit} bytes; closing it")]
    public static partial void RequestTooLarge(ILogger logger, string connectionId, int limit);
}
