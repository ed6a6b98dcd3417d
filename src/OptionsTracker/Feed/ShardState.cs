namespace OptionsTracker.Feed;

/// <summary>Where one connection of a venue stands (a shard: one connection carrying its share of the topics).</summary>
public enum ShardState : byte
{
    Connecting,
    Subscribing,
    Live,
    Reconnecting,
    Stopped,
}
