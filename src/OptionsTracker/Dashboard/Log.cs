namespace OptionsTracker.Dashboard;

// Event id blocks, one per feature (the namespace's last segment), unique across the program; operators filter on
// them, so keep ids and EventNames (= the method name) stable. Bybit 1xxx, Feed 2xxx, Api 3xxx, Store 4xxx,
// Alerts 5xxx, Security 6xxx, Health 7xxx, Dashboard 8xxx, Measures 9xxx, History 10xxx, Tape 11xxx,
// Deribit 12xxx, Strategies 13xxx.
// tests/OptionsTracker.Tests/Logging/EventIdTests.cs checks them.

/// <summary>Log lines of the dashboard. Stable event ids: append, never renumber (8001/8002 were 5001/5002, which Alerts also used).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 8001, EventName = "LiveLoopFailed", Level = LogLevel.Warning, Message = "A dashboard circuit stopped its live updates")]
    public static partial void LiveLoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 8002, EventName = "AssetChanged", Level = LogLevel.Information, Message = "Dashboard: {Action} {Coin}")]
    public static partial void AssetChanged(ILogger logger, string action, string coin);

    // 8900–8949: the dashboard's history (issue 16: time control, history charts, IV rank).
    [LoggerMessage(EventId = 8900, EventName = "HistoryReadFailed", Level = LogLevel.Warning,
        Message = "Dashboard: reading the history ({What} of {Coin}) failed; the page says so where the history would be")]
    public static partial void HistoryReadFailed(ILogger logger, string what, string coin, Exception exception);

    // 8910–8949: the trade tape's views (issue 17: tape view, flow charts, an option's trades).
    [LoggerMessage(EventId = 8910, EventName = "TapeReaderCaughtUp", Level = LogLevel.Debug,
        Message = "Dashboard: the tape view of {Coin} fell more than {Limit} trades behind between two renders; it shows the newest again")]
    public static partial void TapeReaderCaughtUp(ILogger logger, string coin, int limit);

    [LoggerMessage(EventId = 8911, EventName = "FlowReadFailed", Level = LogLevel.Warning,
        Message = "Dashboard: reading the flow of {Coin} failed; the view says so and tries again")]
    public static partial void FlowReadFailed(ILogger logger, string coin, Exception exception);

    // 8920–8929: the strategy builder (issue 18).
    [LoggerMessage(EventId = 8920, EventName = "StrategyLibraryFailed", Level = LogLevel.Warning,
        Message = "Dashboard: the strategy library failed to {Action}; the builder says so and keeps its legs")]
    public static partial void StrategyLibraryFailed(ILogger logger, string action, Exception exception);
}
