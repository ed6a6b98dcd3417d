namespace OptionsTracker.Collector;

/// <summary>Log lines of the collector. Stable event ids: append, never renumber.</summary>
internal static partial class Log
{
    [LoggerMessage(2001, LogLevel.Information, "Tracking options of {Coins} from {RestUrl} and {WsUrl}")]
    public static partial void Tracking(ILogger logger, string coins, Uri restUrl, Uri wsUrl);

    [LoggerMessage(2002, LogLevel.Warning, "{What} failed: {Reason}; retrying in {Delay}")]
    public static partial void RestRetry(ILogger logger, string what, string reason, TimeSpan delay);

    [LoggerMessage(2003, LogLevel.Information, "{Coin}: {Count} options in the book")]
    public static partial void CoinLoaded(ILogger logger, string coin, int count);

    [LoggerMessage(2004, LogLevel.Warning, "{Coin}: Bybit lists no options for it; checking again in {Delay}")]
    public static partial void NoOptions(ILogger logger, string coin, TimeSpan delay);

    [LoggerMessage(2005, LogLevel.Information, "{Coin}: ticker snapshot applied ({Items} items, {Changed} changed)")]
    public static partial void SnapshotApplied(ILogger logger, string coin, int items, int changed);

    [LoggerMessage(2006, LogLevel.Information, "Board live: {Topics} topics subscribed over {Shards} connections in {Elapsed}")]
    public static partial void BoardLive(ILogger logger, int topics, int shards, TimeSpan elapsed);

    [LoggerMessage(2007, LogLevel.Information, "Subscribed {Subscribed} of {Total} topics")]
    public static partial void SubscribeProgress(ILogger logger, int subscribed, int total);

    [LoggerMessage(2008, LogLevel.Information, "{Coin}: {Count} new options listed (e.g. {Example})")]
    public static partial void Listed(ILogger logger, string coin, int count, string example);

    [LoggerMessage(2009, LogLevel.Information, "{Count} options left the book (delivered or delisted; e.g. {Example})")]
    public static partial void Removed(ILogger logger, int count, string example);

    [LoggerMessage(2010, LogLevel.Warning, "{Coin}: the instrument list came back empty; keeping the {Count} options we have")]
    public static partial void EmptyRefreshIgnored(ILogger logger, string coin, int count);

    [LoggerMessage(2011, LogLevel.Error, "The feed loop failed; restarting it in {Delay}")]
    public static partial void FeedLoopFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(2012, LogLevel.Warning, "Demo mode: tracking the built-in Bybit simulator at {RestUrl} and {WsUrl}, not the exchange")]
    public static partial void DemoMode(ILogger logger, Uri restUrl, Uri wsUrl);

    [LoggerMessage(2013, LogLevel.Warning, "Stopped collecting: another collector holds the lease")]
    public static partial void StoppedCollecting(ILogger logger);

    [LoggerMessage(2014, LogLevel.Warning, "Cannot read the tracked coins in {Path} ({Error}); tracking the configured ones: {Configured}")]
    public static partial void AssetsFileUnreadable(ILogger logger, string path, string error, string configured);

    [LoggerMessage(2015, LogLevel.Warning, "Tracker:Assets changed since the dashboard saved {Path} (from {Before} to {Now}): tracking {Now}; coins changed on the dashboard before are not kept")]
    public static partial void AssetsConfigurationChanged(ILogger logger, string path, string before, string now);

    [LoggerMessage(2016, LogLevel.Error, "Following a change of the tracked coins failed: {Error}")]
    public static partial void FollowAssetsFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 2200, EventName = "Delivered", Level = LogLevel.Information,
        Message = "{Count} options delivered (e.g. {Example}): unsubscribed, kept with their last values until Bybit stops listing them")]
    public static partial void Delivered(ILogger logger, int count, string example);

    [LoggerMessage(EventId = 2201, EventName = "Launched", Level = LogLevel.Information, Message = "{Count} PreLaunch options trade now (e.g. {Example}): subscribed")]
    public static partial void Launched(ILogger logger, int count, string example);

    [LoggerMessage(EventId = 2202, EventName = "CoinRefused", Level = LogLevel.Error,
        Message = "{Coin}: Bybit refused the request as a parameter error ({Error}); not retried until the coin is added again or the service restarts")]
    public static partial void CoinRefused(ILogger logger, string coin, string error);
}
