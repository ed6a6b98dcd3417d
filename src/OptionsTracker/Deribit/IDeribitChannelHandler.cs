namespace OptionsTracker.Deribit;

/// <summary>What a handler made of one notification; the connection counts it.</summary>
public enum ChannelResult : byte
{
    Applied,
    Unchanged,
    UnknownSymbol,
    Ignored,
    Malformed,
}

/// <summary>
/// Handles the notifications of one channel family other than tickers (<c>trades.option.</c>). The connection reads a
/// notification's channel, hands its <c>data</c> to the handler whose <see cref="Prefix"/> the channel starts with, and
/// counts the result; connecting, subscribing, heartbeats and reconnects stay the connection's. Called on a connection's
/// receive loop: must not block.
/// </summary>
public interface IDeribitChannelHandler
{
    /// <summary>The channel prefix this handler takes, with its dot: <c>"trades.option."</c>.</summary>
    string Prefix { get; }

    ChannelResult Handle(ReadOnlySpan<byte> channel, ReadOnlySpan<byte> data, long receivedAtMs);

    /// <summary>Deribit confirmed one of its channels on a connection (the first, or a new one after a drop).</summary>
    void Subscribed(string channel);
}
