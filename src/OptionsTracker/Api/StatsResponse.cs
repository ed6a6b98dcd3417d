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

    /// <summary>
    /// Per venue (issue 19): its messages, malformed messages, reconnects, live connections and subscribed topics, which
    /// sum to the totals above. Empty on a web instance or standby, fed by another process.
    /// </summary>
    public IReadOnlyList<VenueStats> Venues { get; init; } = [];
}

/// <summary>One venue's counters in <c>GET /api/stats</c>.</summary>
public sealed record VenueStats(string Venue, long MessagesProcessed, long MalformedMessages, long Reconnects, int Connections, int SubscribedTopics);

public sealed record ShardStats(int Id, string State, int Topics, int Subscribed, long Messages, long Malformed, long Reconnects, DateTimeOffset? LastMessageAt, string? LastError)
{
    /// <summary>This connection's topics the exchange refused repeatedly.</summary>
    public int Refused { get; init; }
}
