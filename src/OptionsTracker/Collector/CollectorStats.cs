namespace OptionsTracker.Store;

/// <summary>The active collector's counters as the stats hash holds them, read by web instances and standbys.</summary>
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
