namespace OptionsTracker.Bybit;

/// <summary>
/// Handles the data frames of one topic family of Bybit's public option stream (<c>tickers.</c> today; the trade tape's
/// <c>publicTrade.</c> or order books later). The shard reads a frame's <c>topic</c>, hands the whole frame to the handler
/// whose <see cref="TopicPrefix"/> it starts with, and counts the result; connecting, subscribing, pings, reconnects and
/// refused topics stay the shard's. Called on a shard's receive loop, one frame at a time per shard but from several
/// shards at once: a handler must not block, and must not allocate per frame (the feed's hot path).
/// </summary>
public interface ITopicHandler
{
    /// <summary>The topic prefix this handler takes, with its dot: <c>"tickers."</c>.</summary>
    string TopicPrefix { get; }

    /// <summary>Handles one frame of its topics, received at <paramref name="receivedAtMs"/> (local clock, ms since the epoch).</summary>
    TopicResult Handle(ReadOnlySpan<byte> message, long receivedAtMs);

    /// <summary>
    /// The exchange acknowledged one of its topics on a connection (the first, or a new one after a drop): its frames flow
    /// from here on. Called on the shard's receive loop before any later frame, so a handler that must recover what the
    /// connection missed (the trade tape's REST backfill) starts holding its frames here. Nothing by default.
    /// </summary>
    void Subscribed(string topic)
    {
    }
}
