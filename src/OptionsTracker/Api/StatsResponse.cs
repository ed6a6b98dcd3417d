namespace OptionsTracker.Api;

/// <summary>
/// <c>GET /api/stats</c>. Field names are the original tool's snake_case (the JSON context applies the
/// naming policy); <c>last_update</c> is ISO 8601.
/// </summary>
public sealed record StatsResponse(
    int TotalOptions,
    IReadOnlyDictionary<string, int> Assets,
    long MessagesProcessed,
    long MalformedMessages,
    long Reconnects,
    int Connections,
    int SubscribedTopics,
    int TotalTopics,
    string FeedState,
    string FeedReason,
    DateTimeOffset? LastUpdate,
    long UptimeSeconds,
    long MemoryBytes,
    string Store,
    IReadOnlyList<ShardStats> Shards)
{
    /// <summary>Topics the exchange refused repeatedly (retried rarely; <c>/health</c> names them).</summary>
    public int RefusedTopics { get; init; }
}

public sealed record ShardStats(int Id, string State, int Topics, int Subscribed, long Messages, long Malformed, long Reconnects, DateTimeOffset? LastMessageAt, string? LastError)
{
    /// <summary>This connection's topics the exchange refused repeatedly.</summary>
    public int Refused { get; init; }
}
