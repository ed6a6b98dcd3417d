namespace OptionsTracker.Bybit;

/// <summary>
/// Every log line of the Bybit client. Event ids are stable (dashboards and alerts may filter on them):
/// append new ones, never renumber. Nothing here is logged per message above Debug.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Information, "Bybit lists {Count} options for {BaseCoin} ({Pages} pages)")]
    public static partial void InstrumentsFetched(ILogger logger, string baseCoin, int count, int pages);

    [LoggerMessage(1002, LogLevel.Warning, "Skipping instrument with unparsable symbol '{Symbol}'")]
    public static partial void UnparsableInstrument(ILogger logger, string symbol);

    [LoggerMessage(1010, LogLevel.Information, "Shard {ShardId} connecting to {Url} ({Topics} topics)")]
    public static partial void ShardConnecting(ILogger logger, int shardId, Uri url, int topics);

    [LoggerMessage(1012, LogLevel.Warning, "Shard {ShardId} connection lost: {Reason}; reconnecting in {Delay}")]
    public static partial void ShardLost(ILogger logger, int shardId, string reason, TimeSpan delay);

    [LoggerMessage(1013, LogLevel.Information, "Shard {ShardId} live: {Subscribed} of {Assigned} topics subscribed")]
    public static partial void ShardLive(ILogger logger, int shardId, int subscribed, int assigned);

    [LoggerMessage(1014, LogLevel.Warning, "Shard {ShardId}: Bybit refused {Count} topics (e.g. {Example}); retrying in {Delay}")]
    public static partial void TopicsRefused(ILogger logger, int shardId, int count, string example, TimeSpan delay);

    [LoggerMessage(1015, LogLevel.Warning, "Shard {ShardId}: {Count} topics not acknowledged within {Timeout}; subscribing again")]
    public static partial void AckTimedOut(ILogger logger, int shardId, int count, TimeSpan timeout);

    [LoggerMessage(1016, LogLevel.Warning, "Shard {ShardId}: {Count} malformed messages since the last report; latest: {Sample}")]
    public static partial void MalformedMessages(ILogger logger, int shardId, long count, string sample);

    [LoggerMessage(1017, LogLevel.Warning, "Shard {ShardId}: Bybit rejected a request: {Message}")]
    public static partial void RequestRejected(ILogger logger, int shardId, string message);

    [LoggerMessage(1018, LogLevel.Information, "Subscribing {Topics} ticker topics over {Shards} connections")]
    public static partial void Sharding(ILogger logger, int topics, int shards);

    [LoggerMessage(1019, LogLevel.Information, "Closed all {Shards} exchange connections")]
    public static partial void ShardsStopped(ILogger logger, int shards);

    [LoggerMessage(1100, LogLevel.Warning, "Shard {ShardId}: Bybit refused {Count} topics {Times} times in a row (e.g. {Example}); counted as refused, retried every {Interval}")]
    public static partial void TopicsMarkedRefused(ILogger logger, int shardId, int count, int times, string example, TimeSpan interval);

    [LoggerMessage(1101, LogLevel.Information, "Shard {ShardId}: Bybit accepted {Count} topics it had refused (e.g. {Example})")]
    public static partial void RefusedTopicsAccepted(ILogger logger, int shardId, int count, string example);

    [LoggerMessage(1102, LogLevel.Warning, "Shard {ShardId}: Bybit rejected {Op} request {RequestId} ({Count} topics, e.g. {Example}): {Message}; retrying in {Delay}")]
    public static partial void SubscribeRequestRejected(ILogger logger, int shardId, string op, string requestId, int count, string example, string message, TimeSpan delay);

    [LoggerMessage(1103, LogLevel.Warning, "Bybit's option stream at {Url} does not answer ({Reason}); shard {ShardId} probes it every {MaxDelay} at most, the other connections wait")]
    public static partial void ExchangeDown(ILogger logger, Uri url, string reason, int shardId, TimeSpan maxDelay);

    [LoggerMessage(1104, LogLevel.Information, "Bybit's option stream answers again after {Downtime}; every connection reconnects now")]
    public static partial void ExchangeBack(ILogger logger, TimeSpan downtime);

    [LoggerMessage(1105, LogLevel.Debug, "Shard {ShardId} probe of {Url} failed: {Reason}; next in {Delay}")]
    public static partial void ProbeFailed(ILogger logger, int shardId, Uri url, string reason, TimeSpan delay);

    [LoggerMessage(1106, LogLevel.Information, "Closed shard {ShardId}: no topics left on it")]
    public static partial void EmptyShardClosed(ILogger logger, int shardId);

    [LoggerMessage(EventId = 1200, EventName = "IpBanned", Level = LogLevel.Error,
        Message = "Bybit answered HTTP 403 for {Url}: an IP ban; every REST call pauses until {Until:u} ({Pause})")]
    public static partial void IpBanned(ILogger logger, string url, DateTimeOffset until, TimeSpan pause);

    [LoggerMessage(EventId = 1201, EventName = "IpBanOver", Level = LogLevel.Information, Message = "The REST pause after Bybit's IP ban is over; calling again")]
    public static partial void IpBanOver(ILogger logger);

    [LoggerMessage(EventId = 1202, EventName = "ParameterError", Level = LogLevel.Error,
        Message = "Bybit refused the request {Request} with retCode {RetCode} (parameter error: {RetMsg}); it is not retried as it is")]
    public static partial void ParameterError(ILogger logger, string request, int retCode, string retMsg);

    [LoggerMessage(EventId = 1203, EventName = "DeliveryPricesFetched", Level = LogLevel.Information,
        Message = "{BaseCoin}: delivery prices of {Count} delivered options")]
    public static partial void DeliveryPricesFetched(ILogger logger, string baseCoin, int count);
}
