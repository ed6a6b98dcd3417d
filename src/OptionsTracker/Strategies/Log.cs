namespace OptionsTracker.Strategies;

// Event id blocks, one per feature (the namespace's last segment), unique across the program; operators filter on
// them, so keep ids and EventNames (= the method name) stable. Bybit 1xxx, Feed 2xxx, Api 3xxx, Store 4xxx,
// Alerts 5xxx, Security 6xxx, Health 7xxx, Dashboard 8xxx, Measures 9xxx, History 10xxx, Tape 11xxx, Deribit 12xxx,
// Strategies 13xxx (the saved strategies' library 13000–13099).
// tests/OptionsTracker.Tests/Logging/EventIdTests.cs checks them.

/// <summary>Log lines of the strategy builder. Stable event ids: append, never renumber.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 13000, EventName = "LibraryLoaded", Level = LogLevel.Information, Message = "Saved strategies: {Count} in {Location}")]
    public static partial void LibraryLoaded(ILogger logger, int count, string location);

    [LoggerMessage(EventId = 13001, EventName = "LibraryFileUnreadable", Level = LogLevel.Error, Message = "Cannot read the saved strategies in {Path} ({Error}); kept it as {Copy} and starting with none")]
    public static partial void LibraryFileUnreadable(ILogger logger, string path, string error, string copy, Exception exception);

    [LoggerMessage(EventId = 13002, EventName = "LibraryFileUncopyable", Level = LogLevel.Error, Message = "Cannot read the saved strategies in {Path} ({Error}) nor keep a copy of it ({CopyError}); starting with none, and the first save replaces it")]
    public static partial void LibraryFileUncopyable(ILogger logger, string path, string error, string copyError);

    [LoggerMessage(EventId = 13003, EventName = "SavedStrategySkipped", Level = LogLevel.Warning, Message = "Skipping a saved strategy in {Location}: {Reason}")]
    public static partial void SavedStrategySkipped(ILogger logger, string location, string reason);

    [LoggerMessage(EventId = 13004, EventName = "StrategySaved", Level = LogLevel.Information, Message = "Saved strategy '{Name}' ({Legs} legs of {Asset}) in {Location}")]
    public static partial void StrategySaved(ILogger logger, string name, int legs, string asset, string location);

    [LoggerMessage(EventId = 13005, EventName = "StrategyDeleted", Level = LogLevel.Information, Message = "Deleted saved strategy '{Name}' from {Location}")]
    public static partial void StrategyDeleted(ILogger logger, string name, string location);

    [LoggerMessage(EventId = 13006, EventName = "LibraryWriteFailed", Level = LogLevel.Error, Message = "Cannot save the strategies to {Location}; nothing changed")]
    public static partial void LibraryWriteFailed(ILogger logger, string location, Exception exception);

    [LoggerMessage(EventId = 13007, EventName = "LibraryFull", Level = LogLevel.Warning, Message = "Refused to save '{Name}': the library holds its limit of {MaxCount} strategies")]
    public static partial void LibraryFull(ILogger logger, string name, int maxCount);
}
