namespace OptionsTracker.Bybit;

/// <summary>What a <see cref="ITopicHandler"/> made of one frame; the shard counts it.</summary>
public enum TopicResult : byte
{
    /// <summary>The frame changed what the handler keeps (a quote in the book, a trade on the tape).</summary>
    Applied,

    /// <summary>Well-formed, and nothing new (an equal or older quote).</summary>
    Unchanged,

    /// <summary>Well-formed, for a symbol this process does not hold (delivered, or not yet listed here).</summary>
    UnknownSymbol,

    /// <summary>Well-formed but of no interest to the handler: not counted as a message.</summary>
    Ignored,

    /// <summary>Not what the topic's frames look like: counted and reported, rate-limited; the connection lives.</summary>
    Malformed,
}
