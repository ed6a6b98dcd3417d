namespace OptionsTracker.Bybit;

/// <summary>What one message from the option WebSocket turned out to be.</summary>
internal enum MessageKind : byte
{
    /// <summary>A ticker that changed a quote in the book.</summary>
    Ticker,

    /// <summary>A ticker equal to what the book had, or older than it.</summary>
    TickerUnchanged,

    /// <summary>A ticker for a symbol the book does not hold (delivered, or not yet listed here).</summary>
    TickerUnknownSymbol,

    /// <summary>A <c>COMMAND_RESP</c> subscribe or unsubscribe acknowledgement.</summary>
    CommandResponse,

    Pong,

    /// <summary>Well-formed but of no interest (another topic, an error reply).</summary>
    Other,

    Malformed,
}
