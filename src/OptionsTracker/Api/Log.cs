using Microsoft.Extensions.Logging;

namespace OptionsTracker.Api;

/// <summary>The API's log messages. Event ids 3000–3099 are the API's; keep ids and names stable.</summary>
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Debug, "Rejected a query body: {Reason}")]
    public static partial void BadQueryBody(ILogger logger, string reason);

    [LoggerMessage(3001, LogLevel.Debug, "Stream client {ClientId} ({Transport}) subscribed to {Asset} {Expiry}")]
    public static partial void StreamSubscribed(ILogger logger, string clientId, string transport, string asset, string expiry);

    [LoggerMessage(3002, LogLevel.Debug, "Stream client {ClientId} ({Transport}) left after {Sends} sends")]
    public static partial void StreamEnded(ILogger logger, string clientId, string transport, long sends);

    [LoggerMessage(3003, LogLevel.Warning, "Stream client {ClientId} ({Transport}) failed")]
    public static partial void StreamFailed(ILogger logger, Exception exception, string clientId, string transport);
}
