using OptionsTracker.Book;

namespace OptionsTracker.Bybit;

/// <summary>The <c>tickers.{symbol}</c> frames: parsed and applied to the book in place (allocation-free).</summary>
internal sealed class TickerTopicHandler(OptionBook book) : ITopicHandler
{
    public const string Prefix = "tickers.";

    public string TopicPrefix => Prefix;

    public TopicResult Handle(ReadOnlySpan<byte> message, long receivedAtMs) =>
        ResultOf(TickerParser.ParseMessage(message, book, receivedAtMs, out _));

    /// <summary>What a parsed frame means to the shard's counters: the same for a frame with and without a handler.</summary>
    public static TopicResult ResultOf(MessageKind kind) => kind switch
    {
        MessageKind.Ticker => TopicResult.Applied,
        MessageKind.TickerUnchanged => TopicResult.Unchanged,
        MessageKind.TickerUnknownSymbol => TopicResult.UnknownSymbol,
        MessageKind.Malformed => TopicResult.Malformed,
        // A pong or a subscribe reply never carries a tickers topic; anything else in one is of no interest.
        _ => TopicResult.Ignored,
    };
}
