using Microsoft.Extensions.Logging;

namespace OptionsTracker.Api;

// Event id blocks, one per feature (the namespace's last segment), unique across the program; operators filter on
// them, so keep ids and EventNames (= the method name) stable. Bybit 1xxx, Feed 2xxx, Api 3xxx, Store 4xxx,
// Alerts 5xxx, Security 6xxx, Health 7xxx, Dashboard 8xxx, Measures 9xxx.
// tests/OptionsTracker.Tests/Logging/EventIdTests.cs checks them.

/// <summary>The API's log messages. Event ids 3xxx are the API's; keep ids and names stable.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3000, EventName = "BadQueryBody", Level = LogLevel.Debug, Message = "Rejected a query body: {Reason}")]
    public static partial void BadQueryBody(ILogger logger, string reason);

    [LoggerMessage(EventId = 3001, EventName = "StreamSubscribed", Level = LogLevel.Debug, Message = "Stream client {ClientId} ({Transport}) subscribed to {Asset} {Expiry}")]
    public static partial void StreamSubscribed(ILogger logger, string clientId, string transport, string asset, string expiry);

    [LoggerMessage(EventId = 3002, EventName = "StreamEnded", Level = LogLevel.Debug, Message = "Stream client {ClientId} ({Transport}) left after {Sends} sends")]
    public static partial void StreamEnded(ILogger logger, string clientId, string transport, long sends);

    [LoggerMessage(EventId = 3003, EventName = "StreamFailed", Level = LogLevel.Warning, Message = "Stream client {ClientId} ({Transport}) failed")]
    public static partial void StreamFailed(ILogger logger, Exception exception, string clientId, string transport);

    // 3400–3499: stream limits (slow clients, floods, caps).
    [LoggerMessage(EventId = 3400, EventName = "StreamClientTooSlow", Level = LogLevel.Debug,
        Message = "Stream client {ClientId} ({Transport}) dropped: a message was not taken within {SendTimeout} (Api:StreamSendTimeout)")]
    public static partial void StreamClientTooSlow(ILogger logger, string clientId, string transport, TimeSpan sendTimeout);

    [LoggerMessage(EventId = 3401, EventName = "StreamClientFlooding", Level = LogLevel.Debug,
        Message = "Stream client {ClientId} (websocket) closed: more than {PerSecond} messages per second (Api:WsMaxMessagesPerSecond)")]
    public static partial void StreamClientFlooding(ILogger logger, string clientId, int perSecond);

    [LoggerMessage(EventId = 3402, EventName = "StreamLimitReached", Level = LogLevel.Warning,
        Message = "Stream limit reached: {Open} streams open (Api:MaxStreams); new streams are answered 429 ({Refused} so far). Logged at most every 5 minutes")]
    public static partial void StreamLimitReached(ILogger logger, int open, long refused);

    // 3880–3899: the analytics stream (issue 15).
    [LoggerMessage(EventId = 3880, EventName = "TermStreamSubscribed", Level = LogLevel.Debug, Message = "Stream client {ClientId} (sse) subscribed to the term figures of {Asset}")]
    public static partial void TermStreamSubscribed(ILogger logger, string clientId, string asset);

    // 3950–3999: the trade tape's API (issue 17).
    [LoggerMessage(EventId = 3950, EventName = "TradeStreamSubscribed", Level = LogLevel.Debug, Message = "Stream client {ClientId} ({Transport}) subscribed to the trades of {Asset} after sequence {After}")]
    public static partial void TradeStreamSubscribed(ILogger logger, string clientId, string transport, string asset, long after);

    [LoggerMessage(EventId = 3951, EventName = "TradeStreamOverrun", Level = LogLevel.Debug,
        Message = "Stream client {ClientId} ({Transport}) closed: it fell behind the tape of {Asset} (trades after sequence {Position} were forgotten before they were sent)")]
    public static partial void TradeStreamOverrun(ILogger logger, string clientId, string transport, string asset, long position);

    [LoggerMessage(EventId = 3960, EventName = "TradeHistoryReadFailed", Level = LogLevel.Warning,
        Message = "Trades of {Asset} older than the tape could not be read from the history; answered with the tape's only")]
    public static partial void TradeHistoryReadFailed(ILogger logger, string asset, Exception exception);
}
