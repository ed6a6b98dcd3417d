using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OptionsTracker.Simulator;

/// <summary>
/// A local server speaking Bybit's V5 option protocol on real sockets: REST instruments-info, tickers, the delivery
/// prices and the historical volatility, and the public
/// option WebSocket with ticker pushes, pings and the exchange's subscription limits. It runs a moving market and can be
/// steered (index, marks, listings, deliveries) and broken (<see cref="Faults"/>) from tests.
/// </summary>
public sealed class BybitSimulator : IAsyncDisposable
{
    private const string WebSocketPath = "/v5/public/option";
    private const string RfqWebSocketPath = "/v5/public/rfq";

    private readonly SimulatorOptions _options;
    private readonly ILogger _logger;
    private readonly SimulatedMarket _market;
    private readonly RestApi _rest;
    private readonly TradeGenerator _trades;
    private readonly ControlApi? _control;
    private readonly ConcurrentDictionary<long, WebSocketSession> _sessions = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Random _idRandom;
    private WebApplication? _app;
    private long _nextSessionNumber;
    private long _retiredTickersSent;
    private long _subscribeRequests;
    private long _connectionsRejected;
    private int _disposed;

    private BybitSimulator(SimulatorOptions options)
    {
        _options = options;
        _logger = options.LoggerFactory?.CreateLogger("OptionsTracker.Simulator") ?? NullLogger.Instance;
        _idRandom = new Random(options.Seed);
        _market = new SimulatedMarket(options, _logger);
        Faults = new SimulatorFaults(() => _sessions.Values, _logger, options.TimeProvider);
        _trades = new TradeGenerator(_market, options, _logger, PublishTrades, PublishRfq);
        _rest = new RestApi(_market, Faults, options, _trades);
        _control = options.ControlEndpoints ? new ControlApi(this) : null;
        BaseCoins = [.. _market.Boards.Select(b => b.BaseCoin)];
    }

    /// <summary>Starts a simulator listening on <see cref="SimulatorOptions.Host"/>:<see cref="SimulatorOptions.Port"/>.</summary>
    /// <param name="options">Boards, limits and address; see <see cref="SimulatorOptions"/>.</param>
    /// <param name="cancellationToken">Cancels start-up.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public static async Task<BybitSimulator> StartAsync(SimulatorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        var simulator = new BybitSimulator(options);
        try
        {
            await simulator.StartServerAsync(cancellationToken);
        }
        catch
        {
            await simulator.DisposeAsync();
            throw;
        }

        return simulator;
    }

    /// <summary>The REST base address, <c>http://127.0.0.1:{port}</c>.</summary>
    public Uri RestUrl { get; private set; } = null!; // Set by StartAsync before the instance is handed out.

    /// <summary>The public option WebSocket, <c>ws://127.0.0.1:{port}/v5/public/option</c>.</summary>
    public Uri WsUrl { get; private set; } = null!; // Set by StartAsync before the instance is handed out.

    /// <summary>
    /// The public RFQ WebSocket (block trades, topic <c>rfq.open.public.trades</c>),
    /// <c>ws://127.0.0.1:{port}/v5/public/rfq</c>, like Bybit's <c>wss://stream.bybit.com/v5/public/rfq</c>.
    /// </summary>
    public Uri RfqWsUrl { get; private set; } = null!; // Set by StartAsync before the instance is handed out.

    /// <summary>Switches that make the simulator misbehave like the real exchange can.</summary>
    public SimulatorFaults Faults { get; }

    /// <summary>The base coins listed, upper-case, in the order configured.</summary>
    public IReadOnlyList<string> BaseCoins { get; }

    /// <summary>Options listed right now, all coins.</summary>
    public int InstrumentCount => _market.InstrumentCount;

    /// <summary>The listed options of one coin, or of all coins when <paramref name="baseCoin"/> is null, in listing order.</summary>
    /// <exception cref="ArgumentException"><paramref name="baseCoin"/> is not one of <see cref="BaseCoins"/>.</exception>
    public IReadOnlyList<SimulatedInstrument> GetInstruments(string? baseCoin = null)
    {
        var boards = baseCoin is null ? _market.Boards : [_market.GetBoard(baseCoin)];
        return [.. boards.SelectMany(b => b.Listed).Select(i => i.Info)];
    }

    /// <summary>The values the next push or REST answer carries for a listed option; false if it is not listed.</summary>
    public bool TryGetTicker(string symbol, out SimulatedTicker ticker)
    {
        if (_market.TryGetListed(symbol, out var instrument))
        {
            ticker = instrument.ReadTicker();
            return true;
        }

        ticker = default;
        return false;
    }

    /// <summary>The current index (spot) price of a coin.</summary>
    /// <exception cref="ArgumentException"><paramref name="baseCoin"/> is not one of <see cref="BaseCoins"/>.</exception>
    public double GetIndexPrice(string baseCoin) => _market.GetBoard(baseCoin).Index;

    /// <summary>
    /// Moves a coin's index and at once its whole board (forwards, marks, IVs, Greeks, books). Releases marks pinned with
    /// <see cref="SetMarkPrice"/> on that coin. The random walk continues from the new level.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="baseCoin"/> is unknown or <paramref name="price"/> is not positive.</exception>
    public void SetIndexPrice(string baseCoin, double price) => _market.SetIndexPrice(baseCoin, price);

    /// <summary>
    /// Pins one option's mark to exactly <paramref name="markPrice"/> (its book follows); the market's moves leave it there
    /// until the next <see cref="SetIndexPrice"/> on its coin.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="symbol"/> is not listed or the price is negative.</exception>
    public void SetMarkPrice(string symbol, double markPrice) => _market.SetMarkPrice(symbol, markPrice);

    /// <summary>
    /// Lists one new option, alternately a new strike above the nearest expiry's grid and a new expiry a week after the
    /// farthest one. It appears at once in instruments-info and tickers and can be subscribed.
    /// </summary>
    /// <returns>The new option's symbol.</returns>
    public string ListNewInstrument(string baseCoin) => _market.ListNewInstrument(baseCoin);

    /// <summary>
    /// Delivers the nearest expiry of a coin at its index: its options leave tickers, can no longer be subscribed, and their
    /// subscribed topics stop pushing; instruments-info lists them as <c>Delivering</c> and delivery-price gives their price
    /// until 12:00 UTC of the delivery day (on the simulator's clock), then they are gone. (Expiries also deliver on their
    /// own when the clock passes them.)
    /// </summary>
    /// <returns>The delivered symbols.</returns>
    public IReadOnlyList<string> DeliverNextExpiry(string baseCoin) => _market.DeliverNextExpiry(baseCoin);

    /// <summary>
    /// Lists a new far expiry as <c>PreLaunch</c>: in instruments-info at once (status <c>PreLaunch</c>), without a ticker
    /// or a topic until <paramref name="launchesIn"/> has passed on the simulator's clock; then it is <c>Trading</c>.
    /// </summary>
    /// <returns>The new option's symbol.</returns>
    public string ListPreLaunchInstrument(string baseCoin, TimeSpan launchesIn) => _market.ListPreLaunchInstrument(baseCoin, launchesIn);

    /// <summary>Starts trading a <c>PreLaunch</c> option now (it gets a ticker and a topic), before its launch time.</summary>
    /// <exception cref="ArgumentException"><paramref name="symbol"/> is not a PreLaunch option.</exception>
    public void Launch(string symbol) => _market.LaunchNow(symbol);

    /// <summary>Options listed as <c>PreLaunch</c> right now, one coin or all.</summary>
    public IReadOnlyList<SimulatedInstrument> GetPreLaunchInstruments(string? baseCoin = null) =>
        [.. (baseCoin is null ? _market.Boards : [_market.GetBoard(baseCoin)]).SelectMany(b => b.PreLaunch).Select(i => i.Info)];

    /// <summary>
    /// Delivered options still listed as <c>Delivering</c> (from delivery until 12:00 UTC of that day), one coin or all.
    /// They have no ticker; their price is in delivery-price.
    /// </summary>
    public IReadOnlyList<SimulatedInstrument> GetDeliveringInstruments(string? baseCoin = null) =>
        [.. (baseCoin is null ? _market.Boards : [_market.GetBoard(baseCoin)]).SelectMany(b => b.Delivering).Select(i => i.Info)];

    /// <summary>The delivery (settlement) price of a delivered option; false if it was not delivered here.</summary>
    public bool TryGetDeliveryPrice(string symbol, out double price) => _market.TryGetDelivery(symbol, out price, out _);

    /// <summary>
    /// Sets one coin's board to <paramref name="options"/> as of <paramref name="time"/> (only with
    /// <see cref="SimulatorOptions.ExternalMarket"/>): options not listed yet are listed, listed ones take the given status
    /// and ticker, and options missing from the list leave (delivered when their delivery time has passed, else simply
    /// gone, as an exchange stops listing them). Pushes and REST answers carry the new values from now on.
    /// </summary>
    /// <exception cref="InvalidOperationException">The simulator plays its own market.</exception>
    /// <exception cref="ArgumentException"><paramref name="baseCoin"/> is not one of <see cref="BaseCoins"/>.</exception>
    public void Play(string baseCoin, DateTimeOffset time, IReadOnlyList<ExternalOption> options)
    {
        if (!_options.ExternalMarket)
            throw new InvalidOperationException("Play needs SimulatorOptions.ExternalMarket: this simulator plays its own market.");
        _market.Play(baseCoin, time, options);
    }

    /// <summary>
    /// Trades per second per coin made on the simulator's clock (starts at <see cref="SimulatorOptions.TradesPerSecond"/>);
    /// 0 stops them. Settable while running, e.g. for a burst.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative or not finite.</exception>
    public double TradesPerSecond
    {
        get => _trades.TradesPerSecond;
        set => _trades.TradesPerSecond = value;
    }

    /// <summary>
    /// Every trade this simulator made on <paramref name="baseCoin"/> and published (block legs included), oldest first, up
    /// to <see cref="SimulatorOptions.TradesKept"/>: the truth a tape is compared against. A copy; thread-safe.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="baseCoin"/> is not one of <see cref="BaseCoins"/>.</exception>
    public IReadOnlyList<SimulatedTrade> EmittedTrades(string baseCoin) => _trades.Emitted(baseCoin);

    /// <summary>Every block made (of one coin, or all), oldest first, with its legs. A copy; thread-safe.</summary>
    public IReadOnlyList<SimulatedBlock> EmittedBlocks(string? baseCoin = null) => _trades.Blocks(baseCoin);

    /// <summary>
    /// Makes <paramref name="count"/> ordinary trades on <paramref name="baseCoin"/> now (options picked by open interest,
    /// each consistent with its quote) and publishes them together: one <c>publicTrade</c> message per 1,024.
    /// </summary>
    /// <returns>The trades, in sequence order.</returns>
    /// <exception cref="ArgumentException">Unknown coin.</exception>
    /// <exception cref="InvalidOperationException">No option of the coin has a quote to trade against.</exception>
    public IReadOnlyList<SimulatedTrade> EmitTrades(string baseCoin, int count = 1) => _trades.EmitTrades(baseCoin, count);

    /// <summary>
    /// One trade on <paramref name="symbol"/> now at the touch: a <c>Buy</c> at the ask, a <c>Sell</c> at the bid, of
    /// <paramref name="size"/> (one quantity step when null, at most the size quoted there).
    /// </summary>
    /// <exception cref="ArgumentException">Not listed, a bad side or size, or nothing quoted on that side.</exception>
    public SimulatedTrade EmitTrade(string symbol, string side = "Buy", double? size = null) => _trades.EmitTrade(symbol, side, size);

    /// <summary>
    /// A block of <paramref name="legs"/> (2 to 4) legs on one expiry of <paramref name="baseCoin"/>: 2 a straddle, strangle
    /// or vertical, 3 a butterfly, 4 a condor. Its legs go out as <c>publicTrade</c> items with <c>BT</c> true, and the block
    /// as one <c>rfq.open.public.trades</c> message.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown coin.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="legs"/> is not 2 to 4.</exception>
    /// <exception cref="InvalidOperationException">No expiry of the coin can carry it now.</exception>
    public SimulatedBlock EmitBlock(string baseCoin, int legs = 2) => _trades.EmitBlock(baseCoin, legs);

    /// <summary>A block of exactly these legs (listed options of one coin), each at its mark within its quote.</summary>
    /// <exception cref="ArgumentException">No legs, several coins, an unlisted option, a bad side or size.</exception>
    public SimulatedBlock EmitBlock(IReadOnlyList<BlockLeg> legs) => _trades.EmitBlock(legs);

    /// <summary>Trade messages sent since start on open connections (option and RFQ streams, duplicates included).</summary>
    public long TradeMessagesSent => _sessions.Values.Sum(s => s.TradeMessagesSent);

    /// <summary>Open WebSocket connections.</summary>
    public int ConnectionCount => _sessions.Count;

    /// <summary>A snapshot of each open WebSocket connection.</summary>
    public IReadOnlyList<SimulatedConnection> Connections => [.. _sessions.Values.Select(s => s.Snapshot())];

    /// <summary>Ticker pushes sent since start, all connections.</summary>
    public long TickerMessagesSent => Interlocked.Read(ref _retiredTickersSent) + _sessions.Values.Sum(s => s.TickersSent);

    /// <summary>Subscribe requests received since start, all connections (one per message, whatever its args).</summary>
    public long SubscribeRequestsReceived => Interlocked.Read(ref _subscribeRequests);

    /// <summary>WebSocket connections accepted since start (Bybit allows 500 new ones per 5 minutes per IP).</summary>
    public long ConnectionsOpened => Interlocked.Read(ref _nextSessionNumber);

    /// <summary>WebSocket upgrades refused since start by <see cref="SimulatorFaults.RejectNewConnections"/>.</summary>
    public long ConnectionsRejected => Interlocked.Read(ref _connectionsRejected);

    /// <summary>
    /// REST requests received since start, including failed ones; historical-volatility requests, which the tracker makes
    /// on a schedule of their own, are counted apart (<see cref="HistoricalVolatilityRequestsReceived"/>).
    /// </summary>
    public long RestRequestsReceived => _rest.RequestsReceived;

    /// <summary><c>/v5/market/historical-volatility</c> requests received since start, including failed ones.</summary>
    public long HistoricalVolatilityRequestsReceived => _rest.HistoricalVolatilityRequestsReceived;

    /// <summary>Ranged <c>/v5/market/historical-volatility</c> requests answered (a history backfill's), in arrival order.</summary>
    public IReadOnlyCollection<HistoricalVolatilityRequest> HistoricalVolatilityRanges => _rest.HistoricalVolatilityRanges;

    /// <summary>Aborts every connection and stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        await _stopping.CancelAsync();
        foreach (var session in _sessions.Values)
            session.Abort();
        _trades.Dispose();
        _market.Dispose();
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(timeout.Token);
            await _app.DisposeAsync();
        }

        _stopping.Dispose();
    }

    /// <summary>The market model, for a Deribit simulator playing over the same index and boards (DeribitSimulatorOptions.Market).</summary>
    internal SimulatedMarket Market => _market;

    internal void CountSubscribeRequest() => Interlocked.Increment(ref _subscribeRequests);

    /// <summary>Hands a coin's <c>publicTrade</c> message to every option connection (each keeps it if it holds the topic).</summary>
    private void PublishTrades(string baseCoin, byte[] message)
    {
        foreach (var session in _sessions.Values)
        {
            if (session.Kind == StreamKind.Option)
                session.QueueTrades(baseCoin, message);
        }
    }

    private void PublishRfq(byte[] message)
    {
        foreach (var session in _sessions.Values)
        {
            if (session.Kind == StreamKind.Rfq)
                session.QueueRfq(message);
        }
    }

    private static void Validate(SimulatorOptions options)
    {
        if (options.BaseCoins is null || options.BaseCoins.Count == 0 || options.BaseCoins.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException("BaseCoins must name at least one coin.", nameof(options));
        if (options.TargetInstrumentCount is < 2)
            throw new ArgumentException("TargetInstrumentCount must be at least 2 (a call and a put) or null.", nameof(options));
        if (options.PushInterval < TimeSpan.Zero)
            throw new ArgumentException("PushInterval must not be negative.", nameof(options));
        if (options.MaxArgsPerConnection < 1 || options.MaxArgsCharsPerConnection < 1 || options.MaxInstrumentsPageSize < 1)
            throw new ArgumentException("MaxArgsPerConnection, MaxArgsCharsPerConnection and MaxInstrumentsPageSize must be positive.", nameof(options));
        if (!IPAddress.TryParse(options.Host, out _))
            throw new ArgumentException($"Host must be an IP address, not '{options.Host}'.", nameof(options));
        if (options.Port is < 0 or > 65535)
            throw new ArgumentException("Port must be 0..65535.", nameof(options));
        ArgumentNullException.ThrowIfNull(options.TimeProvider);
        if (!double.IsFinite(options.TradesPerSecond) || options.TradesPerSecond < 0)
            throw new ArgumentException("TradesPerSecond must be zero or positive.", nameof(options));
        if (options.BlockEvery < 0)
            throw new ArgumentException("BlockEvery must be zero (no blocks) or positive.", nameof(options));
        if (options.TradesKept < 1)
            throw new ArgumentException("TradesKept must be positive.", nameof(options));
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        // No server-side protocol pings: Bybit's option stream relies on the client's text pings.
        (_app, string authority) = await SimulatorHost.StartAsync(typeof(BybitSimulator), _options.Host, _options.Port, _options.LoggerFactory,
            DispatchAsync, cancellationToken);
        RestUrl = new Uri($"http://{authority}");
        WsUrl = new Uri($"ws://{authority}{WebSocketPath}");
        RfqWsUrl = new Uri($"ws://{authority}{RfqWebSocketPath}");
        _market.Start();
        _trades.Start();
        Log.Started(_logger, RestUrl, WsUrl, InstrumentCount);
    }

    private Task DispatchAsync(HttpContext context) => context.Request.Path.Value switch
    {
        "/v5/market/instruments-info" => _rest.InstrumentsInfoAsync(context),
        "/v5/market/tickers" => _rest.TickersAsync(context),
        "/v5/market/delivery-price" => _rest.DeliveryPriceAsync(context),
        "/v5/market/new-delivery-price" => _rest.NewDeliveryPriceAsync(context),
        "/v5/market/historical-volatility" => _rest.HistoricalVolatilityAsync(context),
        "/v5/market/recent-trade" => _rest.RecentTradeAsync(context),
        "/v5/rfq/public-trades" => _rest.RfqPublicTradesAsync(context),
        WebSocketPath => AcceptWebSocketAsync(context, StreamKind.Option),
        RfqWebSocketPath => AcceptWebSocketAsync(context, StreamKind.Rfq),
        { } path when _control is not null && (path == ControlApi.Prefix || path.StartsWith(ControlApi.Prefix + "/", StringComparison.Ordinal)) => _control.HandleAsync(context),
        _ => NotFoundAsync(context),
    };

    private static Task NotFoundAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    private async Task AcceptWebSocketAsync(HttpContext context, StreamKind kind)
    {
        if (Faults.RejectNewConnections)
        {
            Interlocked.Increment(ref _connectionsRejected);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        long number = Interlocked.Increment(ref _nextSessionNumber);
        using var session = new WebSocketSession(context, socket, NewConnectionId(number), _market, Faults, _options, _logger, _options.Seed + (int)number, this, kind);
        _sessions[number] = session;
        try
        {
            await session.RunAsync(_stopping.Token);
        }
        finally
        {
            _sessions.TryRemove(number, out _);
            Interlocked.Add(ref _retiredTickersSent, session.TickersSent);
        }
    }

    /// <summary>An id shaped like Bybit's <c>conn_id</c> (<c>aa01fbfffe80af37-0000001e-00004f9b-…</c>).</summary>
    private string NewConnectionId(long number)
    {
        lock (_idRandom)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"{_idRandom.NextInt64():x16}-{number:x8}-{_idRandom.Next(0x10000):x4}{_idRandom.Next(0x10000):x4}-{_idRandom.NextInt64():x16}-{_idRandom.Next():x8}");
        }
    }
}
