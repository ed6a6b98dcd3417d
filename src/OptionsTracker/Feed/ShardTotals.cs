namespace OptionsTracker.Feed;

/// <summary>Message counters summed over connections.</summary>
public readonly record struct ShardTotals(long Messages, long Malformed, long Reconnects)
{
    public static ShardTotals Of(IEnumerable<ShardStatus> shards)
    {
        long messages = 0, malformed = 0, reconnects = 0;
        foreach (var shard in shards)
        {
            messages += shard.Messages;
            malformed += shard.Malformed;
            reconnects += shard.Reconnects;
        }
        return new ShardTotals(messages, malformed, reconnects);
    }

    public static ShardTotals operator +(ShardTotals a, ShardTotals b) =>
        new(a.Messages + b.Messages, a.Malformed + b.Malformed, a.Reconnects + b.Reconnects);
}
