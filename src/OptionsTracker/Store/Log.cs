namespace OptionsTracker.Store;

/// <summary>Log lines of the store. Stable event ids: append, never renumber. Each state change is logged once, not per flush.</summary>
internal static partial class Log
{
    [LoggerMessage(4001, LogLevel.Information, "Connected to Redis at {Endpoint}")]
    public static partial void Connected(ILogger logger, string endpoint);

    [LoggerMessage(4002, LogLevel.Warning, "Redis at {Endpoint} is unreachable ({Reason}); keeping the state in memory and retrying")]
    public static partial void ConnectionFailed(ILogger logger, string endpoint, string reason);

    [LoggerMessage(4003, LogLevel.Information, "Redis at {Endpoint} is back")]
    public static partial void ConnectionRestored(ILogger logger, string endpoint);

    [LoggerMessage(4004, LogLevel.Error, "Writing to Redis at {Endpoint} fails: {Error}; the book keeps the state and the next write after recovery rewrites it")]
    public static partial void WriteFailed(ILogger logger, string endpoint, string error);

    [LoggerMessage(4005, LogLevel.Information, "Writes to Redis at {Endpoint} succeed again")]
    public static partial void WritesResumed(ILogger logger, string endpoint);

    [LoggerMessage(4006, LogLevel.Information, "Wrote all {Count} options to Redis at {Endpoint}")]
    public static partial void Rewrote(ILogger logger, int count, string endpoint);

    [LoggerMessage(4007, LogLevel.Error, "Reading from Redis at {Endpoint} fails: {Error}; serving the last known data")]
    public static partial void ReadFailed(ILogger logger, string endpoint, string error);

    [LoggerMessage(4008, LogLevel.Information, "Reads from Redis at {Endpoint} succeed again")]
    public static partial void ReadsResumed(ILogger logger, string endpoint);

    [LoggerMessage(4009, LogLevel.Debug, "Loaded {Count} options of {Coins} coins from Redis")]
    public static partial void Loaded(ILogger logger, int count, int coins);

    [LoggerMessage(4010, LogLevel.Warning, "Collector {Id} holds the lease: collecting")]
    public static partial void LeaseAcquired(ILogger logger, string id);

    [LoggerMessage(4011, LogLevel.Warning, "Collector {Id} lost the lease to {Holder}: standing by")]
    public static partial void LeaseLost(ILogger logger, string id, string holder);

    [LoggerMessage(4012, LogLevel.Information, "Collector {Id} released the lease")]
    public static partial void LeaseReleased(ILogger logger, string id);

    [LoggerMessage(4013, LogLevel.Warning, "Collector lease: {Error}")]
    public static partial void LeaseError(ILogger logger, string error);

    [LoggerMessage(4014, LogLevel.Warning, "Collector stats: {Error}")]
    public static partial void StatsFailed(ILogger logger, string error);

    [LoggerMessage(4015, LogLevel.Information, "Role {Role}, store {Store}")]
    public static partial void Role(ILogger logger, string role, string store);

    [LoggerMessage(4016, LogLevel.Warning, "Collector {Id} cannot reach Redis to take the lease: collecting provisionally until Redis answers")]
    public static partial void ProvisionalLease(ILogger logger, string id);

    [LoggerMessage(4017, LogLevel.Information, "Took {Count} options Bybit no longer lists out of Redis (e.g. {Example})")]
    public static partial void Reconciled(ILogger logger, int count, string example);

    [LoggerMessage(4018, LogLevel.Information, "Tracked coins shared through Redis ({Key}): {Coins}")]
    public static partial void AssetsShared(ILogger logger, string key, string coins);

    [LoggerMessage(4019, LogLevel.Information, "Tracked coins changed on another instance: {Coins}")]
    public static partial void AssetsChangedElsewhere(ILogger logger, string coins);

    [LoggerMessage(4020, LogLevel.Warning, "Cannot read the shared tracked coins from Redis ({Error}); trying again in {Delay}")]
    public static partial void AssetsReadFailed(ILogger logger, string error, TimeSpan delay);

    [LoggerMessage(EventId = 4600, EventName = "NoBoard", Level = LogLevel.Warning, Message = "Redis at {Endpoint} has no board (restarted empty?); keeping the last known {Count} options, marked stale, until a collector writes again")]
    public static partial void NoBoard(ILogger logger, string endpoint, int count);

    [LoggerMessage(EventId = 4601, EventName = "BoardBack", Level = LogLevel.Information, Message = "Redis at {Endpoint} has a board again: {Count} options")]
    public static partial void BoardBack(ILogger logger, string endpoint, int count);

    [LoggerMessage(EventId = 4602, EventName = "AssetsReadResumed", Level = LogLevel.Information, Message = "Reading the shared tracked coins from Redis works again")]
    public static partial void AssetsReadResumed(ILogger logger);

    [LoggerMessage(EventId = 4603, EventName = "StatsResumed", Level = LogLevel.Information, Message = "Collector stats: Redis answers again")]
    public static partial void StatsResumed(ILogger logger);
}
