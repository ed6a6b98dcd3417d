using Microsoft.Extensions.Logging;

namespace OptionsTracker.Simulator.Deribit;

// Event ids 1000-1099 (the Deribit simulator's share of the simulator program's 1000-1999 block); EventName = the method
// name. tests/OptionsTracker.Tests/Logging/EventIdTests.cs checks them. Add at the end, never renumber.

/// <summary>Every log line of the Deribit simulator.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, EventName = "Started", Level = LogLevel.Information, Message = "Deribit simulator listening: REST {RestUrl}, WebSocket {WsUrl}, {InstrumentCount} options")]
    public static partial void Started(ILogger logger, Uri restUrl, Uri wsUrl, int instrumentCount);

    [LoggerMessage(EventId = 1001, EventName = "ConnectionOpened", Level = LogLevel.Debug, Message = "Deribit connection {ConnectionId} opened")]
    public static partial void ConnectionOpened(ILogger logger, long connectionId);

    [LoggerMessage(EventId = 1002, EventName = "ConnectionClosed", Level = LogLevel.Debug, Message = "Deribit connection {ConnectionId} closed: {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, long connectionId, string reason);

    [LoggerMessage(EventId = 1003, EventName = "ConnectionFailed", Level = LogLevel.Debug, Message = "Deribit connection {ConnectionId} ended with an error")]
    public static partial void ConnectionFailed(ILogger logger, long connectionId, Exception exception);

    [LoggerMessage(EventId = 1004, EventName = "InvalidRequest", Level = LogLevel.Debug, Message = "Deribit connection {ConnectionId} sent a message that is not a JSON-RPC request")]
    public static partial void InvalidRequest(ILogger logger, long connectionId);

    [LoggerMessage(EventId = 1005, EventName = "FaultInjected", Level = LogLevel.Information, Message = "Deribit simulator fault: {Fault}")]
    public static partial void FaultInjected(ILogger logger, string fault);

    [LoggerMessage(EventId = 1006, EventName = "HeartbeatMissed", Level = LogLevel.Information, Message = "Deribit connection {ConnectionId} did not answer test_request: closing it")]
    public static partial void HeartbeatMissed(ILogger logger, long connectionId);

    [LoggerMessage(EventId = 1007, EventName = "TooManyRequests", Level = LogLevel.Information, Message = "Deribit connection {ConnectionId} ran out of credits (10028)")]
    public static partial void TooManyRequests(ILogger logger, long connectionId);

    [LoggerMessage(EventId = 1008, EventName = "StepFailed", Level = LogLevel.Error, Message = "Deribit simulator step (listings, trades) failed")]
    public static partial void StepFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1009, EventName = "InstrumentStateChanged", Level = LogLevel.Debug, Message = "Deribit {InstrumentName} {State}")]
    public static partial void InstrumentStateChanged(ILogger logger, string instrumentName, string state);
}
