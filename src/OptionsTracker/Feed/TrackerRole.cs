namespace OptionsTracker.Feed;

/// <summary>What one OptionsTracker process does (<c>--role</c>, <c>Tracker:Role</c>).</summary>
public enum TrackerRole : byte
{
    /// <summary>Collects from Bybit and serves the API, streams and dashboard (the default; one box).</summary>
    All,

    /// <summary>Collects from Bybit into Redis while it holds the collector lease; stands by otherwise.</summary>
    Collector,

    /// <summary>Serves the API, streams and dashboard from Redis; never connects to Bybit.</summary>
    Web,
}
