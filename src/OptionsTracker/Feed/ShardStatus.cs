namespace OptionsTracker.Feed;

/// <summary>
/// One connection of a venue, as health, stats and metrics show it. <see cref="RefusedTopics"/> are the venue's topic names
/// (for Bybit <c>tickers.{symbol}</c>).
/// </summary>
public sealed record ShardStatus(
    int Id,
    ShardState State,
    int AssignedTopics,
    int SubscribedTopics,
    long Messages,
    long Malformed,
    long UnknownSymbols,
    long Reconnects,
    DateTimeOffset? LastMessageAt,
    string? LastError,
    IReadOnlyList<string> RefusedTopics);
