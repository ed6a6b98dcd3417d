using System.ComponentModel.DataAnnotations;

namespace OptionsTracker.Bybit;

/// <summary>How to reach Bybit's V5 public API and the limits to keep. Defaults are mainnet's.</summary>
public sealed class BybitOptions
{
    public const string Section = "Bybit";

    /// <summary>REST base URL (mainnet <c>https://api.bybit.com</c>, testnet <c>https://api-testnet.bybit.com</c>).</summary>
    [Required]
    public Uri RestUrl { get; set; } = new("https://api.bybit.com");

    /// <summary>Public option WebSocket (testnet <c>wss://stream-testnet.bybit.com/v5/public/option</c>).</summary>
    [Required]
    public Uri WsUrl { get; set; } = new("wss://stream.bybit.com/v5/public/option");

    /// <summary>Text <c>{"op":"ping"}</c> interval; Bybit asks for 20 s. Legacy: <c>WS_PING_INTERVAL</c> (seconds).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:05:00")]
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>A ping unanswered this long declares the connection dead. Legacy: <c>WS_PING_TIMEOUT</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:05:00")]
    public TimeSpan PongTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>No message at all (data or pong) for this long declares the connection dead.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:30:00")]
    public TimeSpan DataTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>First reconnect delay; doubles per failure up to <see cref="MaxReconnectDelay"/>, with jitter. Legacy: <c>WS_RECONNECT_DELAY</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A subscribe request not acknowledged within this time is sent again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:05:00")]
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First retry delay for topics Bybit refused (failTopics); doubles up to a minute.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan SubscribeRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Bybit: at most 2,000 args per option connection.</summary>
    [Range(1, 2000)]
    public int MaxTopicsPerConnection { get; set; } = 2000;

    /// <summary>Bybit: the args of one connection may not exceed 21,000 characters in total.</summary>
    [Range(100, 21000)]
    public int MaxArgsCharsPerConnection { get; set; } = 21000;

    /// <summary>Topics per subscribe request, sent back to back without delays. Legacy: <c>WS_SUBSCRIPTION_CHUNK_SIZE</c>.</summary>
    [Range(1, 2000)]
    public int SubscribeChunkSize { get; set; } = 200;

    /// <summary>Bybit allows 500 new connections per 5 minutes per IP.</summary>
    [Range(1, 500)]
    public int MaxNewConnectionsPerFiveMinutes { get; set; } = 500;

    /// <summary>Page size asked of instruments-info (1..1000).</summary>
    [Range(1, 1000)]
    public int InstrumentsPageLimit { get; set; } = 1000;

    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan RestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>First delay after a failed REST call; doubles up to <see cref="MaxRestRetryDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan RestRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MaxRestRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Bybit answers HTTP 403 past its IP limit and asks clients to "terminate all HTTP sessions and wait for at least 10
    /// minutes" (rate-limit/rate-limit.mdx). After a 403 every REST call (all coins' bootstraps, snapshots, refreshes, the
    /// dashboard's asset check) pauses this long (<see cref="RestGate"/>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan IpBanBackoff { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A topic refused this many times in a row (in <c>failTopics</c> or by a rejected request) is counted as refused by the
    /// exchange: named in <c>/health</c> and <c>/api/stats</c>, no longer awaited for the connection to count as live,
    /// and retried only every <see cref="RefusedTopicRetryInterval"/>.
    /// </summary>
    [Range(1, 1000)]
    public int RefuseLimit { get; set; } = 3;

    /// <summary>How often a topic counted as refused is subscribed again, in case the exchange accepts it now.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "1.00:00:00")]
    public TimeSpan RefusedTopicRetryInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// While the option stream does not answer, one connection probes it, backing off from <see cref="ReconnectDelay"/> up
    /// to this; the others wait and all reconnect at once when it answers. Small, so the feed is back within seconds of the
    /// exchange; one probe every 2 s is 150 connections per 5 minutes, well within Bybit's 500.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:05:00")]
    public TimeSpan MaxProbeDelay { get; set; } = TimeSpan.FromSeconds(2);

    // The trade tape's feed (issue 17): docs/tape.md, "The feed: none lost, none twice".

    /// <summary>
    /// Bybit's public RFQ stream, whose <c>rfq.open.public.trades</c> messages name the block (<c>rfqId</c>) each block
    /// trade leg belongs to; empty turns it off (block trades then have no block id). Testnet:
    /// <c>wss://stream-testnet.bybit.com/v5/public/rfq</c>.
    /// </summary>
    public string RfqWsUrl { get; set; } = "wss://stream.bybit.com/v5/public/rfq";

    /// <summary>
    /// How long a block trade (<c>BT</c>) waits for its RFQ message before it goes on the tape without a block id; the
    /// trades after it wait with it, so the tape stays in exchange order.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan BlockTradeWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Live trades of one coin held while its REST backfill is read (after a (re)subscription); past it they go on at once.</summary>
    [Range(100, 1_000_000)]
    public int TradeHoldLimit { get; set; } = 20_000;

    /// <summary>How long a coin's REST backfill is retried before its held trades go on without it (counted as a possible gap).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan TradeBackfillTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Trades asked of <c>/v5/market/recent-trade</c> per backfill (Bybit: 1..1000 for options, default 500).</summary>
    [Range(1, 1000)]
    public int RecentTradesLimit { get; set; } = 1000;

    /// <summary>A copy of these settings for another stream of the same kind (the RFQ stream reuses the option shard's code).</summary>
    internal BybitOptions ForStream(Uri url)
    {
        var copy = (BybitOptions)MemberwiseClone();
        copy.WsUrl = url;
        return copy;
    }
}
