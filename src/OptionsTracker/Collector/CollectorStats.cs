namespace OptionsTracker.Collector;

/// <summary>
/// A collector's counters and verdict as the active one publishes them for the processes it feeds (web instances,
/// standbys): the shared store keeps them (Redis: the stats hash), <see cref="FeedStatus.Remote"/> holds the last read.
/// </summary>
public sealed record CollectorStats(
    string Collector,
    string FeedState,
    string FeedReason,
    int TotalOptions,
    long Messages,
    long Malformed,
    long Reconnects,
    int Connections,
    int SubscribedTopics,
    int TotalTopics,
    DateTimeOffset? LastUpdate,
    DateTimeOffset StartedAt,
    DateTimeOffset UpdatedAt);
