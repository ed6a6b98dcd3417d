using Microsoft.Extensions.Logging;

namespace OptionsTracker.Simulator;

/// <summary>How a <see cref="BybitSimulator"/> is started: its boards, push rate, exchange limits and listen address.</summary>
public sealed class SimulatorOptions
{
    /// <summary>
    /// The base coins to list options for. Known coins (BTC, ETH, SOL, XRP, DOGE, MNT) get a spot near real levels;
    /// any other name gets a made-up but sane spot.
    /// </summary>
    public IList<string> BaseCoins { get; set; } = ["BTC", "ETH", "SOL"];

    /// <summary>
    /// <see langword="null"/> lists realistic boards (over 2,000 instruments for BTC, ETH and SOL together); otherwise the
    /// strike grids are scaled so that the total over all coins is about this many instruments.
    /// </summary>
    public int? TargetInstrumentCount { get; set; }

    /// <summary>
    /// How often each subscribed ticker topic is pushed (Bybit: 100 ms). <see cref="TimeSpan.Zero"/> pushes as fast as the
    /// socket takes, for load tests.
    /// </summary>
    public TimeSpan PushInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Most topics one WebSocket connection may hold (Bybit options: 2,000).</summary>
    public int MaxArgsPerConnection { get; set; } = 2000;

    /// <summary>Most characters, summed over the topic strings, one WebSocket connection may hold (Bybit: 21,000).</summary>
    public int MaxArgsCharsPerConnection { get; set; } = 21000;

    /// <summary>
    /// Most instruments on one instruments-info page, whatever <c>limit</c> the client asks for (Bybit honours <c>limit</c>
    /// up to 1,000, the default here); set lower so that clients must follow <c>nextPageCursor</c> even after a short page.
    /// </summary>
    public int MaxInstrumentsPageSize { get; set; } = 1000;

    /// <summary>
    /// Also list legacy USDC-settled options (symbols without <c>-USDT</c>, e.g. <c>BTC-26DEC25-100000-C</c>) on each coin's
    /// farthest expiry, beside the USDT ones of the same strikes. Off by default: in 2026 Bybit lists USDT-settled options
    /// only (ccxt PR 28822), but older symbols and clients still meet them.
    /// </summary>
    public bool LegacyUsdcOptions { get; set; }

    /// <summary>
    /// The base coins Bybit lists options for, so a tracker in demo mode can add any of them from its dashboard.
    /// </summary>
    /// <remarks>
    /// Checked on 2026-12-01: Bybit's API documentation (bybit-exchange/docs at 072c197, 2026-07-24) names no list; its
    /// instruments-info page says only that <c>baseCoin</c> defaults to BTC for options, and its examples show BTC, ETH
    /// and SOL options. ccxt fetched BTC, ETH and SOL only until issue 27701 (2026-01-19, "Option XRP/MNT/DOGE are
    /// missing"), fixed in ccxt by also fetching XRP, MNT and DOGE; that is the most recent public list found. Bybit.Net
    /// takes <c>baseCoin</c> as a free string and lists none. A coin listed later is not here until added.
    /// </remarks>
    public static IReadOnlyList<string> ExchangeOptionCoins { get; } = ["BTC", "ETH", "SOL", "XRP", "DOGE", "MNT"];

    /// <summary>
    /// The options of the tracker's <c>--demo</c>: boards for the <paramref name="tracked"/> coins first, then for every other
    /// coin Bybit lists options for, so the dashboard's asset editor can add any of them as on the real exchange.
    /// </summary>
    public static SimulatorOptions ForDemo(IEnumerable<string> tracked) => new()
    {
        BaseCoins = [.. tracked.Concat(ExchangeOptionCoins).Select(c => c.Trim().ToUpperInvariant()).Where(c => c.Length > 0).Distinct()],
        // A lively tape for the demo: a trade every two seconds or so per coin, a block now and then.
        TradesPerSecond = DemoTradesPerSecond,
    };

    /// <summary>The demo's trade rate per coin (<see cref="ForDemo"/> and the standalone host's default).</summary>
    public const double DemoTradesPerSecond = 0.5;

    /// <summary>Seed of every random choice (board noise, random walk, fragment split points): same seed, same market.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>The IP address to listen on.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The TCP port to listen on; 0 picks a free one (see <see cref="BybitSimulator.RestUrl"/>).</summary>
    public int Port { get; set; }

    /// <summary>The clock behind every timestamp, delivery time, push timer and market step.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Serves the faults over HTTP under <c>/_sim/</c> (<c>POST /_sim/drop</c>, <c>POST /_sim/refuse?topic=…</c>; <c>GET /_sim</c>
    /// lists them), for operators and load tests driving a standalone simulator. Off by default: tests use
    /// <see cref="BybitSimulator.Faults"/> directly.
    /// </summary>
    public bool ControlEndpoints { get; set; }

    /// <summary>Where the simulator and its Kestrel server log; <see langword="null"/> logs nothing.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// Plays a market fed from outside instead of the simulator's own: no board is listed at start and nothing moves on
    /// its own; each <see cref="BybitSimulator.Play"/> sets a coin's listed options and tickers, which the REST answers and
    /// the pushes then carry (the replay of a recorded history, <c>--replay</c>). Only the coins of
    /// <see cref="BaseCoins"/> can be played; their profiles give instruments-info's price and size grids.
    /// </summary>
    public bool ExternalMarket { get; set; }

    /// <summary>
    /// Trades per second on each coin, made on the simulator's clock (a Poisson process: several may happen together, then
    /// they go out in one <c>publicTrade</c> message). 0, the default, makes none on its own: tests then make exactly the
    /// trades they ask for (<see cref="BybitSimulator.EmitTrades"/>). The demo trades (<see cref="ForDemo"/>).
    /// </summary>
    public double TradesPerSecond { get; set; }

    /// <summary>
    /// About one trade in this many made on the clock is a multi-leg block instead (2 to 4 legs on one expiry, sent on the
    /// option stream with <c>BT</c> true and on the RFQ stream as one message); 0 makes no blocks on its own.
    /// </summary>
    public int BlockEvery { get; set; } = 25;

    /// <summary>
    /// Trades remembered per coin (<see cref="BybitSimulator.EmittedTrades"/>, recent-trade's window, which serves at most
    /// 1,000); the oldest are forgotten beyond it, so a long demo stays bounded. Blocks likewise.
    /// </summary>
    public int TradesKept { get; set; } = 100_000;
}
