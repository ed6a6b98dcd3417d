namespace OptionsTracker.Bybit;

/// <summary>
/// The <c>publicTrade.{baseCoin}</c> frames of the option stream (options subscribe by coin, not by symbol): parsed and
/// handed to the <see cref="BybitTradeFeed"/>, which puts them on the tape. Trades are events, so a frame allocates its
/// trades; the ticker path is untouched (the shard finds this handler only for a topic with this prefix).
/// </summary>
internal sealed class TradeTopicHandler(BybitTradeFeed feed) : ITopicHandler
{
    public const string Prefix = "publicTrade.";

    public string TopicPrefix => Prefix;

    /// <summary>The trade topic of a base coin: <c>publicTrade.BTC</c>.</summary>
    public static string TopicOf(string coin) => Prefix + coin;

    public TopicResult Handle(ReadOnlySpan<byte> message, long receivedAtMs)
    {
        var raws = new List<RawTrade>();
        if (!TradeParser.TryParseFrame(message, raws, out var badItems))
            return TopicResult.Malformed;
        var taken = feed.ReceiveFrame(raws, badItems, message, receivedAtMs);
        if (taken > 0)
            return TopicResult.Applied;
        // Only bad items: the shard counts and shows the frame. An empty list is well-formed and says nothing new.
        return badItems > 0 ? TopicResult.Malformed : TopicResult.Unchanged;
    }

    /// <summary>The coin's trade topic is live on a connection: what it missed is read back from REST (the feed holds meanwhile).</summary>
    public void Subscribed(string topic) => feed.Recover(topic[Prefix.Length..]);
}

/// <summary>
/// The <c>rfq.open.public.trades</c> messages of Bybit's public RFQ stream: every leg of a block trade in one message, with
/// its <c>rfqId</c>, which the <see cref="BybitTradeFeed"/> gives the block's legs on the tape as their block id.
/// </summary>
internal sealed class RfqTopicHandler(BybitTradeFeed feed) : ITopicHandler
{
    public const string Topic = "rfq.open.public.trades";

    public string TopicPrefix => Topic;

    public TopicResult Handle(ReadOnlySpan<byte> message, long receivedAtMs)
    {
        var blocks = new List<RfqBlock>();
        if (!TradeParser.TryParseRfq(message, blocks, out var badItems))
            return TopicResult.Malformed;
        feed.ReceiveBlocks(blocks, receivedAtMs);
        if (blocks.Count > 0)
            return TopicResult.Applied;
        return badItems > 0 ? TopicResult.Malformed : TopicResult.Unchanged;
    }

    /// <summary>The RFQ topic is live on a connection (the first, or a new one after a drop): read back the blocks it may have missed.</summary>
    public void Subscribed(string topic) => feed.RecoverBlocks();
}
