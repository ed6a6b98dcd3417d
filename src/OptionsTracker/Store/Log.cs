namespace OptionsTracker.Store;

// Event id blocks, one per feature (the namespace's last segment), unique across the program; operators filter on
// them, so keep ids and EventNames (= the method name) stable. Bybit 1xxx, Feed 2xxx, Api 3xxx, Store 4xxx,
// Alerts 5xxx, Security 6xxx, Health 7xxx, Dashboard 8xxx, Measures 9xxx.
// tests/OptionsTracker.Tests/Logging/EventIdTests.cs checks them.

/// <summary>Log lines of the store. Stable event ids: append, never renumber. Each state change is logged once, not per flush.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4001, EventName = "Connected", Level = LogLevel.Information, Message = "Connected to Redis at {Endpoint}")]
    public static partial void Connected(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 4002, EventName = "ConnectionFailed", Level = LogLevel.Warning, Message = "Redis at {Endpoint} is unreachable ({Reason}); keeping the state in memory and retrying")]
    public static partial void ConnectionFailed(ILogger logger, string endpoint, string reason);

    [LoggerMessage(EventId = 4003, EventName = "ConnectionRestored", Level = LogLevel.Information, Message = "Redis at {Endpoint} is back")]
    public static partial void ConnectionRestored(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 4004, EventName = "WriteFailed", Level = LogLevel.Error, Message = "Writing to Redis at {Endpoint} fails: {Error}; the book keeps the state and the next write after recovery rewrites it")]
    public static partial void WriteFailed(ILogger logger, string endpoint, string error);

    [LoggerMessage(EventId = 4005, EventName = "WritesResumed", Level = LogLevel.Information, Message = "Writes to Redis at {Endpoint} succeed again")]
    public static partial void WritesResumed(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 4006, EventName = "Rewrote", Level = LogLevel.Information, Message = "Wrote all {Count} options to Redis at {Endpoint}")]
    public static partial void Rewrote(ILogger logger, int count, string endpoint);

    [LoggerMessage(EventId = 4007, EventName = "ReadFailed", Level = LogLevel.Error, Message = "Reading from Redis at {Endpoint} fails: {Error}; serving the last known data")]
    public static partial void ReadFailed(ILogger logger, string endpoint, string error);

    [LoggerMessage(EventId = 4008, EventName = "ReadsResumed", Level = LogLevel.Information, Message = "Reads from Redis at {Endpoint} succeed again")]
    public static partial void ReadsResumed(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 4009, EventName = "Loaded", Level = LogLevel.Debug, Message = "Loaded {Count} options of {Coins} coins from Redis")]
    public static partial void Loaded(ILogger logger, int count, int coins);

    [LoggerMessage(EventId = 4010, EventName = "LeaseAcquired", Level = LogLevel.Warning, Message = "Collector {Id} holds the lease: collecting")]
    public static partial void LeaseAcquired(ILogger logger, string id);

    [LoggerMessage(EventId = 4011, EventName = "LeaseLost", Level = LogLevel.Warning, Message = "Collector {Id} lost the lease to {Holder}: standing by")]
    public static partial void LeaseLost(ILogger logger, string id, string holder);

    [LoggerMessage(EventId = 4012, EventName = "LeaseReleased", Level = LogLevel.Information, Message = "Collector {Id} released the lease")]
    public static partial void LeaseReleased(ILogger logger, string id);

    [LoggerMessage(EventId = 4013, EventName = "LeaseError", Level = LogLevel.Warning, Message = "Collector lease: {Error}")]
    public static partial void LeaseError(ILogger logger, string error);

    [LoggerMessage(EventId = 4014, EventName = "StatsFailed", Level = LogLevel.Warning, Message = "Collector stats: {Error}")]
    public static partial void StatsFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 4015, EventName = "Role", Level = LogLevel.Information, Message = "Role {Role}, store {Store}")]
    public static partial void Role(ILogger logger, string role, string store);

    [LoggerMessage(EventId = 4016, EventName = "ProvisionalLease", Level = LogLevel.Warning, Message = "Collector {Id} cannot reach Redis to take the lease: collecting provisionally until Redis answers")]
    public static partial void ProvisionalLease(ILogger logger, string id);

    [LoggerMessage(EventId = 4017, EventName = "Reconciled", Level = LogLevel.Information, Message = "Took {Count} options Bybit no longer lists out of Redis (e.g. {Example})")]
    public static partial void Reconciled(ILogger logger, int count, string example);

    [LoggerMessage(EventId = 4018, EventName = "AssetsShared", Level = LogLevel.Information, Message = "Tracked coins shared through Redis ({Key}): {Coins}")]
    public static partial void AssetsShared(ILogger logger, string key, string coins);

    [LoggerMessage(EventId = 4019, EventName = "AssetsChangedElsewhere", Level = LogLevel.Information, Message = "Tracked coins changed on another instance: {Coins}")]
    public static partial void AssetsChangedElsewhere(ILogger logger, string coins);

    [LoggerMessage(EventId = 4020, EventName = "AssetsReadFailed", Level = LogLevel.Warning, Message = "Cannot read the shared tracked coins from Redis ({Error}); trying again in {Delay}")]
    public static partial void AssetsReadFailed(ILogger logger, string error, TimeSpan delay);

    [LoggerMessage(EventId = 4600, EventName = "NoBoard", Level = LogLevel.Warning, Message = "Redis at {Endpoint} has no board (restarted empty?); keeping the last known {Count} options, marked stale, until a collector writes again")]
    public static partial void NoBoard(ILogger logger, string endpoint, int count);

    [LoggerMessage(EventId = 4601, EventName = "BoardBack", Level = LogLevel.Information, Message = "Redis at {Endpoint} has a board again: {Count} options")]
    public static partial void BoardBack(ILogger logger, string endpoint, int count);

    [LoggerMessage(EventId = 4602, EventName = "AssetsReadResumed", Level = LogLevel.Information, Message = "Reading the shared tracked coins from Redis works again")]
    public static partial void AssetsReadResumed(ILogger logger);

    [LoggerMessage(EventId = 4603, EventName = "StatsResumed", Level = LogLevel.Information, Message = "Collector stats: Redis answers again")]
    public static partial void StatsResumed(ILogger logger);

    // 4800-4849: the realised volatility shared through Redis (issue 15).
    [LoggerMessage(EventId = 4800, EventName = "RealisedVolatilitySharingFailed", Level = LogLevel.Warning,
        Message = "Cannot {Action} the realised volatility in Redis ({Error}); keeping the values this instance has, trying again in {Delay}")]
    public static partial void RealisedVolatilitySharingFailed(ILogger logger, string action, string error, TimeSpan delay);

    [LoggerMessage(EventId = 4801, EventName = "RealisedVolatilitySharingResumed", Level = LogLevel.Information, Message = "Realised volatility: Redis answers again")]
    public static partial void RealisedVolatilitySharingResumed(ILogger logger);
}
