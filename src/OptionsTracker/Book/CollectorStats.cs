namespace OptionsTracker.Book;

/// <summary>
/// The active collector's counters and verdict as a distributed store carries them to the processes it feeds (web
/// instances, standbys): see <see cref="IOptionStore.RemoteCollector"/>. A plain value, so the book needs nothing from
/// the store or the feed.
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
