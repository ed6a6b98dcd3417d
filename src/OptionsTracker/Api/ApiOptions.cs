using System.ComponentModel.DataAnnotations;

namespace OptionsTracker.Api;

/// <summary>Settings of the data API's streams.</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>Shortest time between two sends to one stream client; changes in between are coalesced.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan StreamInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>An idle stream sends a keep-alive this often, so proxies keep it open.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan StreamKeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A stream message (snapshot, update, keep-alive) the client has not taken within this time drops the client:
    /// a client that stopped reading holds at most one message's chunk in memory, and only this long.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan StreamSendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The trade streams (SSE, <c>/ws</c> trades) of a coin wake together at most once per this: the trades appended within
    /// it go to each client as one batch and one write, so a burst costs a write per client per window rather than per
    /// frame. The latency it adds is at most this. Zero: wake on every append.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan TradeStreamBatchWindow { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Streams (Server-Sent Events and WebSockets together) one client address may have open; beyond: 429.</summary>
    [Range(1, 1_000_000)]
    public int MaxStreamsPerClient { get; set; } = 20;

    /// <summary>Streams open at once from all clients; beyond: 429.</summary>
    [Range(1, 1_000_000)]
    public int MaxStreams { get; set; } = 2000;

    /// <summary>Messages a <c>/ws</c> client may send per second (with a burst of as many); beyond, the socket is closed (1008 policy violation).</summary>
    [Range(1, 10_000)]
    public int WsMaxMessagesPerSecond { get; set; } = 10;

    /// <summary>
    /// Unsent bytes a connection may queue before a write waits for the client (Kestrel's socket transport
    /// <c>MaxWriteBufferSize</c>, 64 KB by default there). With one stream chunk, this is what a client that stops
    /// reading holds until it is dropped; large answers still flow, as they flush every few hundred items.
    /// </summary>
    [Range(4096, 16 * 1024 * 1024)]
    public int WriteBufferBytes { get; set; } = 16 * 1024;
}
