namespace OptionsTracker.Feed;

// Event id blocks, one per feature (the namespace's last segment), unique across the program; operators filter on
// them, so keep ids and EventNames (= the method name) stable. Bybit 1xxx, Feed 2xxx, Api 3xxx, Store 4xxx,
// Alerts 5xxx, Security 6xxx, Health 7xxx, Dashboard 8xxx, Measures 9xxx.
// tests/OptionsTracker.Tests/Logging/EventIdTests.cs checks them.

/// <summary>Log lines of the feed (the service that runs the venues). Stable event ids: append, never renumber.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2001, EventName = "Tracking", Level = LogLevel.Information, Message = "Tracking options of {Coins} from {RestUrl} and {WsUrl}")]
    public static partial void Tracking(ILogger logger, string coins, Uri restUrl, Uri wsUrl);

    [LoggerMessage(EventId = 2003, EventName = "CoinLoaded", Level = LogLevel.Information, Message = "{Coin}: {Count} options in the book")]
    public static partial void CoinLoaded(ILogger logger, string coin, int count);

    [LoggerMessage(EventId = 2004, EventName = "NoOptions", Level = LogLevel.Warning, Message = "{Coin}: {Venue} lists no options for it; checking again in {Delay}")]
    public static partial void NoOptions(ILogger logger, string coin, string venue, TimeSpan delay);

    [LoggerMessage(EventId = 2006, EventName = "BoardLive", Level = LogLevel.Information, Message = "Board live: {Topics} topics subscribed over {Shards} connections in {Elapsed}")]
    public static partial void BoardLive(ILogger logger, int topics, int shards, TimeSpan elapsed);

    [LoggerMessage(EventId = 2007, EventName = "SubscribeProgress", Level = LogLevel.Information, Message = "Subscribed {Subscribed} of {Total} topics")]
    public static partial void SubscribeProgress(ILogger logger, int subscribed, int total);

    [LoggerMessage(EventId = 2008, EventName = "Listed", Level = LogLevel.Information, Message = "{Coin}: {Count} new options listed (e.g. {Example})")]
    public static partial void Listed(ILogger logger, string coin, int count, string example);

    [LoggerMessage(EventId = 2009, EventName = "Removed", Level = LogLevel.Information, Message = "{Count} options left the book (delivered or delisted; e.g. {Example})")]
    public static partial void Removed(ILogger logger, int count, string example);

    [LoggerMessage(EventId = 2010, EventName = "EmptyRefreshIgnored", Level = LogLevel.Warning, Message = "{Coin}: the instrument list came back empty; keeping the {Count} options we have")]
    public static partial void EmptyRefreshIgnored(ILogger logger, string coin, int count);

    [LoggerMessage(EventId = 2011, EventName = "FeedLoopFailed", Level = LogLevel.Error, Message = "The feed loop failed; restarting it in {Delay}")]
    public static partial void FeedLoopFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(EventId = 2012, EventName = "DemoMode", Level = LogLevel.Warning, Message = "Demo mode: tracking the built-in Bybit simulator at {RestUrl} and {WsUrl}, not the exchange")]
    public static partial void DemoMode(ILogger logger, Uri restUrl, Uri wsUrl);

    [LoggerMessage(EventId = 2013, EventName = "StoppedCollecting", Level = LogLevel.Warning, Message = "Stopped collecting: another collector holds the lease")]
    public static partial void StoppedCollecting(ILogger logger);

    [LoggerMessage(EventId = 2014, EventName = "AssetsFileUnreadable", Level = LogLevel.Warning, Message = "Cannot read the tracked coins in {Path} ({Error}); tracking the configured ones: {Configured}")]
    public static partial void AssetsFileUnreadable(ILogger logger, string path, string error, string configured);

    [LoggerMessage(EventId = 2015, EventName = "AssetsConfigurationChanged", Level = LogLevel.Warning, Message = "Tracker:Assets changed since the dashboard saved {Path} (from {Before} to {Now}): tracking {Now}; coins changed on the dashboard before are not kept")]
    public static partial void AssetsConfigurationChanged(ILogger logger, string path, string before, string now);

    [LoggerMessage(EventId = 2016, EventName = "FollowAssetsFailed", Level = LogLevel.Error, Message = "Following a change of the tracked coins failed: {Error}")]
    public static partial void FollowAssetsFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 2200, EventName = "Delivered", Level = LogLevel.Information,
        Message = "{Count} options delivered (e.g. {Example}): unsubscribed, kept with their last values until the exchange stops listing them")]
    public static partial void Delivered(ILogger logger, int count, string example);

    [LoggerMessage(EventId = 2201, EventName = "Launched", Level = LogLevel.Information, Message = "{Count} PreLaunch options trade now (e.g. {Example}): subscribed")]
    public static partial void Launched(ILogger logger, int count, string example);

    [LoggerMessage(EventId = 2202, EventName = "CoinRefused", Level = LogLevel.Error,
        Message = "{Coin}: {Venue} refused the request for good ({Error}); not retried until the coin is added again or the service restarts")]
    public static partial void CoinRefused(ILogger logger, string coin, string venue, string error);

    [LoggerMessage(EventId = 2310, EventName = "ListingChangeRefresh", Level = LogLevel.Debug, Message = "{Venue} announced listing changes of {Coins}: refreshing their instruments now")]
    public static partial void ListingChangeRefresh(ILogger logger, string venue, string coins);
}
