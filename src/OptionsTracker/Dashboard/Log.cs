namespace OptionsTracker.Dashboard;

/// <summary>Log lines of the dashboard. Stable event ids: append, never renumber.</summary>
internal static partial class Log
{
    [LoggerMessage(5001, LogLevel.Warning, "A dashboard circuit stopped its live updates")]
    public static partial void LiveLoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(5002, LogLevel.Information, "Dashboard: {Action} {Coin}")]
    public static partial void AssetChanged(ILogger logger, string action, string coin);
}
