namespace OptionsTracker.Bybit;

// Event id blocks, one per feature (the namespace's last segment), unique across the program; operators filter on
// them, so keep ids and EventNames (= the method name) stable. Bybit 1xxx, Feed 2xxx, Api 3xxx, Store 4xxx,
// Alerts 5xxx, Security 6xxx, Health 7xxx, Dashboard 8xxx, Measures 9xxx.
// tests/OptionsTracker.Tests/Logging/EventIdTests.cs checks them.

/// <summary>
/// Every log line of the Bybit client. Event ids are stable (dashboards and alerts may filter on them):
/// append new ones, never renumber. Nothing here is logged per message above Debug.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1001, EventName = "InstrumentsFetched", Level = LogLevel.Information, Message = "Bybit lists {Count} options for {BaseCoin} ({Pages} pages)")]
    public static partial void InstrumentsFetched(ILogger logger, string baseCoin, int count, int pages);

    [LoggerMessage(EventId = 1002, EventName = "UnparsableInstrument", Level = LogLevel.Warning, Message = "Skipping instrument with unparsable symbol '{Symbol}'")]
    public static partial void UnparsableInstrument(ILogger logger, string symbol);

    [LoggerMessage(EventId = 1010, EventName = "ShardConnecting", Level = LogLevel.Information, Message = "Shard {ShardId} connecting to {Url} ({Topics} topics)")]
    public static partial void ShardConnecting(ILogger logger, int shardId, Uri url, int topics);

    [LoggerMessage(EventId = 1012, EventName = "ShardLost", Level = LogLevel.Warning, Message = "Shard {ShardId} connection lost: {Reason}; reconnecting in {Delay}")]
    public static partial void ShardLost(ILogger logger, int shardId, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 1013, EventName = "ShardLive", Level = LogLevel.Information, Message = "Shard {ShardId} live: {Subscribed} of {Assigned} topics subscribed")]
    public static partial void ShardLive(ILogger logger, int shardId, int subscribed, int assigned);

    [LoggerMessage(EventId = 1014, EventName = "TopicsRefused", Level = LogLevel.Warning, Message = "Shard {ShardId}: Bybit refused {Count} topics (e.g. {Example}); retrying in {Delay}")]
    public static partial void TopicsRefused(ILogger logger, int shardId, int count, string example, TimeSpan delay);

    [LoggerMessage(EventId = 1015, EventName = "AckTimedOut", Level = LogLevel.Warning, Message = "Shard {ShardId}: {Count} topics not acknowledged within {Timeout}; subscribing again")]
    public static partial void AckTimedOut(ILogger logger, int shardId, int count, TimeSpan timeout);

    [LoggerMessage(EventId = 1016, EventName = "MalformedMessages", Level = LogLevel.Warning, Message = "Shard {ShardId}: {Count} malformed messages since the last report; latest: {Sample}")]
    public static partial void MalformedMessages(ILogger logger, int shardId, long count, string sample);

    [LoggerMessage(EventId = 1017, EventName = "RequestRejected", Level = LogLevel.Warning, Message = "Shard {ShardId}: Bybit rejected a request: {Message}")]
    public static partial void RequestRejected(ILogger logger, int shardId, string message);

    [LoggerMessage(EventId = 1018, EventName = "Sharding", Level = LogLevel.Information, Message = "Subscribing {Topics} ticker topics over {Shards} connections")]
    public static partial void Sharding(ILogger logger, int topics, int shards);

    [LoggerMessage(EventId = 1019, EventName = "ShardsStopped", Level = LogLevel.Information, Message = "Closed all {Shards} exchange connections")]
    public static partial void ShardsStopped(ILogger logger, int shards);

    [LoggerMessage(EventId = 1100, EventName = "TopicsMarkedRefused", Level = LogLevel.Warning, Message = "Shard {ShardId}: Bybit refused {Count} topics {Times} times in a row (e.g. {Example}); counted as refused, retried every {Interval}")]
    public static partial void TopicsMarkedRefused(ILogger logger, int shardId, int count, int times, string example, TimeSpan interval);

    [LoggerMessage(EventId = 1101, EventName = "RefusedTopicsAccepted", Level = LogLevel.Information, Message = "Shard {ShardId}: Bybit accepted {Count} topics it had refused (e.g. {Example})")]
    public static partial void RefusedTopicsAccepted(ILogger logger, int shardId, int count, string example);

    [LoggerMessage(EventId = 1102, EventName = "SubscribeRequestRejected", Level = LogLevel.Warning, Message = "Shard {ShardId}: Bybit rejected {Op} request {RequestId} ({Count} topics, e.g. {Example}): {Message}; retrying in {Delay}")]
    public static partial void SubscribeRequestRejected(ILogger logger, int shardId, string op, string requestId, int count, string example, string message, TimeSpan delay);

    [LoggerMessage(EventId = 1103, EventName = "ExchangeDown", Level = LogLevel.Warning, Message = "Bybit's option stream at {Url} does not answer ({Reason}); shard {ShardId} probes it every {MaxDelay} at most, the other connections wait")]
    public static partial void ExchangeDown(ILogger logger, Uri url, string reason, int shardId, TimeSpan maxDelay);

    [LoggerMessage(EventId = 1104, EventName = "ExchangeBack", Level = LogLevel.Information, Message = "Bybit's option stream answers again after {Downtime}; every connection reconnects now")]
    public static partial void ExchangeBack(ILogger logger, TimeSpan downtime);

    [LoggerMessage(EventId = 1105, EventName = "ProbeFailed", Level = LogLevel.Debug, Message = "Shard {ShardId} probe of {Url} failed: {Reason}; next in {Delay}")]
    public static partial void ProbeFailed(ILogger logger, int shardId, Uri url, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 1106, EventName = "EmptyShardClosed", Level = LogLevel.Information, Message = "Closed shard {ShardId}: no topics left on it")]
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

    // 1500-1599: the venue seam (issue 13). RestRetry and SnapshotApplied were the collector's 2002 and 2005 before the
    // retry policy moved here with the rest of what is Bybit's.
    [LoggerMessage(EventId = 1500, EventName = "RestRetry", Level = LogLevel.Warning, Message = "{What} failed: {Reason}; retrying in {Delay}")]
    public static partial void RestRetry(ILogger logger, string what, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 1501, EventName = "RefreshFailed", Level = LogLevel.Warning, Message = "{What} failed: {Reason}; asking again at the next instrument refresh")]
    public static partial void RefreshFailed(ILogger logger, string what, string reason);

    [LoggerMessage(EventId = 1502, EventName = "SnapshotApplied", Level = LogLevel.Information, Message = "{Coin}: ticker snapshot applied ({Items} items, {Changed} changed)")]
    public static partial void SnapshotApplied(ILogger logger, string coin, int items, int changed);

    // 1800-1849: realised volatility from /v5/market/historical-volatility (issue 15).
    [LoggerMessage(EventId = 1800, EventName = "RealisedVolatilityFetched", Level = LogLevel.Debug, Message = "{Coin}: realised volatility for {Periods} periods")]
    public static partial void RealisedVolatilityFetched(ILogger logger, string coin, int periods);

    [LoggerMessage(EventId = 1801, EventName = "RealisedVolatilityFailed", Level = LogLevel.Warning,
        Message = "{Coin}: realised volatility not fetched ({Reason}); keeping the last values ({Kept} periods), next try in {Delay}")]
    public static partial void RealisedVolatilityFailed(ILogger logger, string coin, string reason, int kept, TimeSpan delay);

    [LoggerMessage(EventId = 1802, EventName = "RealisedVolatilityResumed", Level = LogLevel.Information, Message = "{Coin}: realised volatility fetched again ({Periods} periods)")]
    public static partial void RealisedVolatilityResumed(ILogger logger, string coin, int periods);

    [LoggerMessage(EventId = 1803, EventName = "RealisedVolatilityNotServed", Level = LogLevel.Information,
        Message = "{Coin}: Bybit serves no realised volatility for it (its {Period}-day period is empty); hv stays empty, asked again every {Interval}")]
    public static partial void RealisedVolatilityNotServed(ILogger logger, string coin, int period, TimeSpan interval);

    // 1900-1999: the trade tape's feed (issue 17): publicTrade, the recent-trade backfill, block ids from the RFQ stream.
    [LoggerMessage(EventId = 1900, EventName = "TradeBackfill", Level = LogLevel.Information,
        Message = "{Coin}: {Count} recent trades read after the trade topic was subscribed; {Appended} new on the tape")]
    public static partial void TradeBackfill(ILogger logger, string coin, int count, long appended);

    [LoggerMessage(EventId = 1901, EventName = "TradeBackfillFailed", Level = LogLevel.Warning,
        Message = "{Coin}: recent trades not read ({Reason}); the {Held} trades held meanwhile go on the tape, trades made while the stream was away may be missing")]
    public static partial void TradeBackfillFailed(ILogger logger, string coin, string reason, int held);

    [LoggerMessage(EventId = 1902, EventName = "TradeBackfillRetry", Level = LogLevel.Warning,
        Message = "{Coin}: reading recent trades failed: {Reason}; retrying in {Delay}")]
    public static partial void TradeBackfillRetry(ILogger logger, string coin, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 1903, EventName = "TradeGap", Level = LogLevel.Warning,
        Message = "{Coin}: possible gap in the tape: its newest trade was at {Newest:O}, Bybit's recent-trade window ({Count} trades) starts at {WindowStart:O}")]
    public static partial void TradeGap(ILogger logger, string coin, DateTimeOffset newest, DateTimeOffset windowStart, int count);

    [LoggerMessage(EventId = 1904, EventName = "MalformedTrades", Level = LogLevel.Warning,
        Message = "{Count} Bybit trade items unreadable since the last report (skipped; the rest of their messages kept); latest: {Sample}")]
    public static partial void MalformedTrades(ILogger logger, long count, string sample);

    [LoggerMessage(EventId = 1905, EventName = "TradesHeldOverflow", Level = LogLevel.Warning,
        Message = "{Coin}: more than {Limit} trades held (Bybit:TradeHoldLimit); they go on the tape now, without waiting for the backfill or block ids")]
    public static partial void TradesHeldOverflow(ILogger logger, string coin, int limit);

    [LoggerMessage(EventId = 1906, EventName = "RfqStreamStarting", Level = LogLevel.Information,
        Message = "Block trades: reading {Url} (topic {Topic}) for the block ids of block trade legs")]
    public static partial void RfqStreamStarting(ILogger logger, Uri url, string topic);

    [LoggerMessage(EventId = 1907, EventName = "RfqBackfill", Level = LogLevel.Information,
        Message = "Block trades: {Count} recent blocks read from /v5/rfq/public-trades after the RFQ topic was subscribed; {New} not seen before")]
    public static partial void RfqBackfill(ILogger logger, int count, int @new);

    [LoggerMessage(EventId = 1908, EventName = "RfqBackfillRetry", Level = LogLevel.Warning,
        Message = "Block trades: reading /v5/rfq/public-trades failed: {Reason}; retrying in {Delay}")]
    public static partial void RfqBackfillRetry(ILogger logger, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 1909, EventName = "RfqBackfillFailed", Level = LogLevel.Warning,
        Message = "Block trades: /v5/rfq/public-trades not read ({Reason}); block legs traded while the RFQ stream was away may lack their block id")]
    public static partial void RfqBackfillFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1910, EventName = "RfqBackfillNeedsKey", Level = LogLevel.Warning,
        Message = "Block trades: Bybit refused /v5/rfq/public-trades without an API key ({Reason}); not asked again (the tracker holds no key): block ids come from the RFQ stream only")]
    public static partial void RfqBackfillNeedsKey(ILogger logger, string reason);
}
