using Microsoft.Extensions.Logging;

namespace OptionsTracker.Simulator.Deribit;

/// <summary>How a <see cref="DeribitSimulator"/> is started: its market, limits, clock and listen address.</summary>
public sealed class DeribitSimulatorOptions
{
    /// <summary>
    /// Plays over this Bybit simulator's market (same index, same forwards, same random walk), so cross-venue comparisons
    /// mean something: Deribit's IVs then differ from Bybit's by a small fixed amount per strike
    /// (<see cref="IvOffsetPoints"/>). <see langword="null"/> runs a market of its own over <see cref="BaseCoins"/>.
    /// </summary>
    public BybitSimulator? Market { get; set; }

    /// <summary>
    /// The coins of the simulator's own market (ignored with <see cref="Market"/>). BTC and ETH are listed as inverse
    /// options (currency BTC, ETH); SOL and XRP as linear USDC options (currency USDC, <c>SOL_USDC-…</c>). Other coins are
    /// not listed on Deribit.
    /// </summary>
    public IList<string> BaseCoins { get; set; } = ["BTC", "ETH", "SOL", "XRP"];

    /// <summary>Scales the own market's strike grids to about this many options (Bybit's names, before Deribit's filter).</summary>
    public int? TargetInstrumentCount { get; set; }

    /// <summary>
    /// Largest difference, in vol points, between this venue's mark IV and the market's (the Bybit simulator's) for the same
    /// option: each strike gets a fixed offset in [-this, +this] (seeded), plus a quarter of it as a venue-wide bias.
    /// </summary>
    public double IvOffsetPoints { get; set; } = 1.5;

    /// <summary>How often <c>ticker.{instrument}.100ms</c> pushes each subscribed instrument (Deribit: 100 ms).</summary>
    public TimeSpan PushInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Most channels in one <c>public/subscribe</c> call. Deribit documents none; real clients send up to about 500 per call
    /// (and a request too large is refused), so 500 it is. More answers error -32602 (the whole call is refused).
    /// </summary>
    public int MaxChannelsPerSubscribe { get; set; } = 500;

    /// <summary>
    /// Most channels one connection may hold. Deribit documents none; 1,000 makes a client covering BTC and ETH (about
    /// 1,500 options on the real exchange) shard over connections, which is what a careful client must be able to do.
    /// A subscribe call going over it is refused whole with error -32602.
    /// </summary>
    public int MaxChannelsPerConnection { get; set; } = 1000;

    /// <summary>Credits each request costs (Deribit's non-matching-engine requests: 500).</summary>
    public int RequestCost { get; set; } = 500;

    /// <summary>Credit pool of ordinary requests per connection (and one pool for HTTP): Deribit's default 50,000.</summary>
    public int MaxCredits { get; set; } = 50_000;

    /// <summary>Credits refilled per second to <see cref="MaxCredits"/> (Deribit: 10,000, about 20 requests a second).</summary>
    public int CreditsPerSecond { get; set; } = 10_000;

    /// <summary>What one <c>public/subscribe</c> or <c>public/unsubscribe</c> costs (Deribit: 3,000).</summary>
    public int SubscribeCost { get; set; } = 3_000;

    /// <summary>The subscribe pool (Deribit: 30,000, so a burst of 10 subscribe calls).</summary>
    public int MaxSubscribeCredits { get; set; } = 30_000;

    /// <summary>Subscribe credits refilled per second (Deribit: 10,000, about 3.3 subscribe calls a second).</summary>
    public int SubscribeCreditsPerSecond { get; set; } = 10_000;

    /// <summary>
    /// After answering 10028 <c>too_many_requests</c>, close the WebSocket: Deribit's rate-limit article says it "immediately
    /// send[s] a too_many_requests (code 10028) … error and terminate[s] the session".
    /// </summary>
    public bool CloseOnTooManyRequests { get; set; } = true;

    /// <summary>
    /// When set, heartbeats run at this period whatever interval the client asked for (still validated as ≥ 10 s), so tests
    /// see a test_request, and a close for an unanswered one, within a second instead of 10 s.
    /// </summary>
    public TimeSpan? HeartbeatIntervalOverride { get; set; }

    /// <summary>Trades per second on each currency (BTC, ETH, USDC) made on the clock; 0 makes none on its own.</summary>
    public double TradesPerSecond { get; set; }

    /// <summary>About one trade in this many made on the clock is a block (2 to 4 legs, <c>block_trade_id</c>); 0 none.</summary>
    public int BlockEvery { get; set; } = 25;

    /// <summary>Trades remembered per currency (for get_last_trades_by_currency and <see cref="DeribitSimulator.EmittedTrades"/>).</summary>
    public int TradesKept { get; set; } = 100_000;

    /// <summary>Sends <c>"testnet": true</c> in every response, as test.deribit.com does.</summary>
    public bool Testnet { get; set; }

    /// <summary>Seed of the per-strike IV offsets, the trade choices and the own market.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>The IP address to listen on.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The TCP port; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>The clock behind timestamps, pushes, heartbeats, credits and trades (and the own market).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Serves the faults over HTTP under <c>/_sim/</c> (<c>GET /_sim</c> lists them).</summary>
    public bool ControlEndpoints { get; set; }

    /// <summary>Where the simulator logs; <see langword="null"/> logs nothing.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
