using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OptionsTracker.Simulator.Deribit;

/// <summary>
/// A local server speaking Deribit's public API v2 for options on real sockets: HTTP GET <c>/api/v2/public/{method}</c>
/// (and JSON-RPC POST to <c>/api/v2</c>), and JSON-RPC over the WebSocket <c>/ws/api/v2</c> with ticker, mark-price,
/// trade and instrument-state channels, heartbeats, credit limits and channel limits. It plays over a Bybit simulator's
/// market (<see cref="DeribitSimulatorOptions.Market"/>) or its own, and can be broken (<see cref="Faults"/>) from tests.
/// Written from Deribit's documentation on its own: it shares no protocol code with the tracker's Deribit client.
/// </summary>
public sealed class DeribitSimulator : IAsyncDisposable
{
    private const string WebSocketPath = "/ws/api/v2";
    private const string RestPrefix = "/api/v2/public/";
    private const string RpcPath = "/api/v2";
    private static readonly TimeSpan StepInterval = TimeSpan.FromMilliseconds(250);

    private readonly SimulatedMarket? _ownMarket;
    private readonly ConcurrentDictionary<long, DeribitSession> _sessions = new();
    private readonly ConcurrentDictionary<string, DeribitTicker> _lastPushed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ListedOption> _expired = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<DeribitDelivery> _deliveries = new();
    private readonly ConcurrentQueue<DeribitStateChange> _stateChanges = new();
    private readonly ConcurrentDictionary<string, long> _requestsByMethod = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly CreditPool _httpCredits;
    private readonly DeribitControlApi? _control;
    private readonly Lock _stepGate = new();
    private Dictionary<string, ListedOption> _open = new(StringComparer.Ordinal);
    private WebApplication? _app;
    private ITimer? _timer;
    private long _lastStepTimestamp;
    private long _nextSessionNumber;
    private long _retiredTickersSent;
    private int _disposed;

    private DeribitSimulator(DeribitSimulatorOptions options)
    {
        Options = options;
        Logger = options.LoggerFactory?.CreateLogger("OptionsTracker.Simulator.Deribit") ?? NullLogger.Instance;
        SimulatedMarket source;
        if (options.Market is { } bybit)
        {
            source = bybit.Market;
            Time = bybit.Market.Time;
        }
        else
        {
            Time = options.TimeProvider;
            _ownMarket = source = new SimulatedMarket(new SimulatorOptions
            {
                BaseCoins = [.. options.BaseCoins],
                TargetInstrumentCount = options.TargetInstrumentCount,
                Seed = options.Seed,
                TimeProvider = options.TimeProvider,
            }, Logger);
        }

        Market = new DeribitMarket(source, Time, options.IvOffsetPoints, options.Seed);
        Faults = new DeribitFaults(() => _sessions.Values, Logger);
        Rpc = new DeribitRpc(this);
        Trades = new DeribitTrades(Market, options, PublishTrades);
        _httpCredits = new CreditPool(options.MaxCredits, options.CreditsPerSecond, Time);
        _control = options.ControlEndpoints ? new DeribitControlApi(this) : null;
    }

    /// <summary>Starts a simulator listening on <see cref="DeribitSimulatorOptions.Host"/>:<see cref="DeribitSimulatorOptions.Port"/>.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public static async Task<DeribitSimulator> StartAsync(DeribitSimulatorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        var simulator = new DeribitSimulator(options);
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

    /// <summary>The HTTP API base, <c>http://127.0.0.1:{port}/api/v2/</c> (methods at <c>public/{method}</c> under it).</summary>
    public Uri RestUrl { get; private set; } = null!; // Set by StartAsync.

    /// <summary>The WebSocket, <c>ws://127.0.0.1:{port}/ws/api/v2</c>.</summary>
    public Uri WsUrl { get; private set; } = null!; // Set by StartAsync.

    /// <summary>Switches that make the simulator misbehave like the real exchange can.</summary>
    public DeribitFaults Faults { get; }

    /// <summary>The currencies listed: BTC, ETH and USDC, those the market has coins for.</summary>
    public IReadOnlyList<string> Currencies => Market.Currencies;

    /// <summary>Open options right now, all currencies.</summary>
    public int InstrumentCount => Market.AllListed().Count;

    /// <summary>The open options of one currency (BTC, ETH, USDC), or of all.</summary>
    public IReadOnlyList<DeribitInstrument> GetInstruments(string? currency = null) =>
        [.. (currency is null ? Market.AllListed() : Market.Listed(currency)).Select(l => l.Info)];

    /// <summary>What a push or <c>public/ticker</c> would carry now for an open option; false if it is not open.</summary>
    public bool TryGetTicker(string instrumentName, out DeribitTicker ticker)
    {
        if (Market.TryGetOpen(instrumentName, out var listing))
        {
            ticker = Market.Ticker(listing);
            return true;
        }

        ticker = default;
        return false;
    }

    /// <summary>The last ticker pushed for an option (on any connection): the truth "every field equals its last push" checks.</summary>
    public bool TryGetLastPushed(string instrumentName, out DeribitTicker ticker) => _lastPushed.TryGetValue(instrumentName, out ticker);

    /// <summary>A copy of the last pushed ticker of every option pushed so far.</summary>
    public IReadOnlyDictionary<string, DeribitTicker> LastPushedTickers => new Dictionary<string, DeribitTicker>(_lastPushed, StringComparer.Ordinal);

    /// <summary>The index price of a coin (BTC, ETH, SOL, XRP), the market's.</summary>
    public double GetIndexPrice(string baseCoin) => Market.Source.GetBoard(baseCoin).Index;

    /// <summary>Moves a coin's index and its whole board (shared with the Bybit simulator when playing over its market).</summary>
    public void SetIndexPrice(string baseCoin, double price) => Market.Source.SetIndexPrice(baseCoin, price);

    /// <summary>
    /// Lists a new option of <paramref name="baseCoin"/> in the market (alternately a new strike and a new far expiry; over a
    /// shared market Bybit lists it too). It is announced on <c>instrument.state.option.{currency}</c> within a step (250 ms).
    /// </summary>
    /// <returns>Its Deribit name.</returns>
    public string ListNewInstrument(string baseCoin)
    {
        string currency = DeribitMarket.CurrencyOf(baseCoin) ?? throw new ArgumentException($"Deribit does not list {baseCoin} options.", nameof(baseCoin));
        string symbol = Market.Source.ListNewInstrument(baseCoin);
        var listing = Market.Listed(currency).First(l => l.Source.Symbol == symbol);
        StepListings();
        return listing.Name;
    }

    /// <summary>
    /// Closes an open option on Deribit only: it leaves get_instruments (listed with expired=true), its ticker channel
    /// stops, <c>instrument.state.option.{currency}</c> says <c>closed</c>.
    /// </summary>
    /// <exception cref="ArgumentException">Not an open option.</exception>
    public void CloseInstrument(string instrumentName)
    {
        if (!Market.TryGetOpen(instrumentName, out _))
            throw new ArgumentException($"'{instrumentName}' is not an open option.", nameof(instrumentName));
        Market.Close(instrumentName);
        StepListings();
    }

    /// <summary>Delivers a coin's nearest expiry in the market (on Bybit too when shared); announced as <c>settled</c>.</summary>
    /// <returns>The delivered Deribit names.</returns>
    public IReadOnlyList<string> DeliverNextExpiry(string baseCoin)
    {
        var before = _open;
        var symbols = Market.Source.DeliverNextExpiry(baseCoin).ToHashSet(StringComparer.Ordinal);
        var names = before.Values.Where(l => symbols.Contains(l.Source.Symbol)).Select(l => l.Name).ToList();
        StepListings();
        return names;
    }

    /// <summary>Every instrument-state change announced since start, oldest first.</summary>
    public IReadOnlyList<DeribitStateChange> StateChanges => [.. _stateChanges];

    /// <summary>Trades per second on each currency made on the clock; 0 stops them. Settable while running.</summary>
    public double TradesPerSecond
    {
        get => Trades.TradesPerSecond;
        set => Trades.TradesPerSecond = value;
    }

    /// <summary>Every trade made on a currency and published, oldest first (block legs included). A copy.</summary>
    public IReadOnlyList<DeribitTrade> EmittedTrades(string currency) => Trades.Emitted(currency);

    /// <summary>Makes <paramref name="count"/> trades on <paramref name="currency"/> now, published in one notification.</summary>
    public IReadOnlyList<DeribitTrade> EmitTrades(string currency, int count = 1) => Trades.EmitTrades(currency, count);

    /// <summary>One trade on an option at the touch: <c>buy</c> at the ask, <c>sell</c> at the bid.</summary>
    public DeribitTrade EmitTrade(string instrumentName, string direction = "buy", double? amount = null) => Trades.EmitTrade(instrumentName, direction, amount);

    /// <summary>A block trade of 2 to 4 legs on one expiry: each leg carries <c>block_trade_id</c> and <c>block_trade_leg_count</c>.</summary>
    public IReadOnlyList<DeribitTrade> EmitBlock(string currency, int legs = 2) => Trades.EmitBlock(currency, legs);

    /// <summary>Open WebSocket connections.</summary>
    public int ConnectionCount => _sessions.Count;

    /// <summary>A snapshot of each open WebSocket connection.</summary>
    public IReadOnlyList<DeribitSimulatorConnection> Connections => [.. _sessions.Values.Select(s => s.Snapshot()).OrderBy(c => c.Id)];

    /// <summary>WebSocket connections accepted since start.</summary>
    public long ConnectionsOpened => Interlocked.Read(ref _nextSessionNumber);

    /// <summary>Ticker pushes sent since start, all connections.</summary>
    public long TickerMessagesSent => Interlocked.Read(ref _retiredTickersSent) + _sessions.Values.Sum(s => s.TickersSent);

    /// <summary>Requests received since start for one method (e.g. <c>public/subscribe</c>), both transports, answered or not.</summary>
    public long RequestsReceived(string method) => _requestsByMethod.TryGetValue(method, out long count) ? count : 0;

    internal DeribitSimulatorOptions Options { get; }
    internal ILogger Logger { get; }
    internal TimeProvider Time { get; }
    internal DeribitMarket Market { get; }
    internal DeribitRpc Rpc { get; }
    internal DeribitTrades Trades { get; }

    internal void CountRequest(string method) => _requestsByMethod.AddOrUpdate(method, 1, static (_, n) => n + 1);

    internal void RecordPush(in DeribitTicker ticker) => _lastPushed[ticker.InstrumentName] = ticker;

    internal long Microseconds() => (Time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    internal IEnumerable<ListedOption> ExpiredOf(string currency) =>
        _expired.Values.Where(l => currency == "any" || l.Info.Currency == currency).OrderBy(l => l.Source.SymbolId);

    internal IEnumerable<DeribitDelivery> Deliveries(string currency) => _deliveries.Where(d => d.Currency == currency);

    /// <summary>Whether a channel can be subscribed now (an open option's ticker, a known index, a listed currency).</summary>
    internal bool IsValidChannel(string channel)
    {
        // An instrument name may hold a dot (a strike like 0.5 or 3715.2): the ticker channel is read by prefix and suffix.
        if (channel.StartsWith("ticker.", StringComparison.Ordinal))
        {
            int last = channel.LastIndexOf('.');
            return last > "ticker.".Length
                && channel.AsSpan(last + 1) is "100ms" or "agg2"
                && Market.TryGetOpen(channel["ticker.".Length..last], out _);
        }

        string[] parts = channel.Split('.');
        return parts switch
        {
            ["markprice", "options", var index] => Market.CoinOfIndex(index) is not null,
            ["trades", "option", var currency, "100ms"] => Market.Currencies.Contains(currency),
            ["instrument", "state", "option", var currency] => currency == "any" || Market.Currencies.Contains(currency),
            _ => false,
        };
    }

    /// <summary>The data of <c>markprice.options.{index}</c>: every open option of the index's coin, mark price and IV (a fraction).</summary>
    internal void WriteMarkPrices(Utf8JsonWriter w, string index, long nowMs)
    {
        string? coin = Market.CoinOfIndex(index);
        w.WriteStartArray();
        if (coin is not null && DeribitMarket.CurrencyOf(coin) is { } currency)
        {
            foreach (var listing in Market.Listed(currency))
            {
                if (listing.Info.BaseCurrency != coin)
                    continue;
                var t = DeribitMarket.Ticker(listing, listing.Source.ReadTicker(), nowMs);
                w.WriteStartObject();
                w.WriteNumber("timestamp", nowMs);
                w.WriteNumber("mark_price", t.MarkPrice);
                w.WriteNumber("iv", Math.Round(t.MarkIv / 100, 4));
                w.WriteString("instrument_name", listing.Name);
                w.WriteEndObject();
            }
        }

        w.WriteEndArray();
    }

    /// <summary>Aborts every connection and stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        await _stopping.CancelAsync();
        if (_timer is not null)
            await _timer.DisposeAsync();
        foreach (var session in _sessions.Values)
            session.Abort();
        _ownMarket?.Dispose();
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(timeout.Token);
            await _app.DisposeAsync();
        }

        _stopping.Dispose();
    }

    private static void Validate(DeribitSimulatorOptions options)
    {
        if (options.Market is null && (options.BaseCoins is null || !options.BaseCoins.Any(c => DeribitMarket.IsListedCoin(c?.Trim().ToUpperInvariant() ?? ""))))
            throw new ArgumentException("BaseCoins must name at least one coin Deribit lists options for (BTC, ETH, SOL, XRP).", nameof(options));
        if (options.PushInterval < TimeSpan.Zero)
            throw new ArgumentException("PushInterval must not be negative.", nameof(options));
        if (options.MaxChannelsPerSubscribe < 1 || options.MaxChannelsPerConnection < 1)
            throw new ArgumentException("The channel limits must be positive.", nameof(options));
        if (options.RequestCost < 0 || options.MaxCredits < options.RequestCost || options.CreditsPerSecond < 0
            || options.SubscribeCost < 0 || options.MaxSubscribeCredits < options.SubscribeCost || options.SubscribeCreditsPerSecond < 0)
            throw new ArgumentException("Credit costs must be zero or positive and fit in their pools; refill rates zero or positive.", nameof(options));
        if (options.HeartbeatIntervalOverride is { } beat && beat <= TimeSpan.Zero)
            throw new ArgumentException("HeartbeatIntervalOverride must be positive.", nameof(options));
        if (!double.IsFinite(options.TradesPerSecond) || options.TradesPerSecond < 0)
            throw new ArgumentException("TradesPerSecond must be zero or positive.", nameof(options));
        if (options.BlockEvery < 0 || options.TradesKept < 1)
            throw new ArgumentException("BlockEvery must be zero or positive and TradesKept positive.", nameof(options));
        if (!double.IsFinite(options.IvOffsetPoints) || options.IvOffsetPoints < 0)
            throw new ArgumentException("IvOffsetPoints must be zero or positive.", nameof(options));
        if (!IPAddress.TryParse(options.Host, out _))
            throw new ArgumentException($"Host must be an IP address, not '{options.Host}'.", nameof(options));
        if (options.Port is < 0 or > 65535)
            throw new ArgumentException("Port must be 0..65535.", nameof(options));
        ArgumentNullException.ThrowIfNull(options.TimeProvider);
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        // No protocol-level pings: Deribit's liveness is its own heartbeat (public/set_heartbeat).
        (_app, string authority) = await SimulatorHost.StartAsync(typeof(DeribitSimulator), Options.Host, Options.Port, Options.LoggerFactory,
            DispatchAsync, cancellationToken);
        RestUrl = new Uri($"http://{authority}/api/v2/");
        WsUrl = new Uri($"ws://{authority}{WebSocketPath}");
        _ownMarket?.Start();
        _open = Market.AllListed().ToDictionary(l => l.Name, StringComparer.Ordinal);
        _lastStepTimestamp = Time.GetTimestamp();
        _timer = Time.CreateTimer(static s => ((DeribitSimulator)s!).StepSafely(), this, StepInterval, StepInterval);
        Log.Started(Logger, RestUrl, WsUrl, _open.Count);
    }

    private void StepSafely()
    {
        try
        {
            long now = Time.GetTimestamp();
            var elapsed = Time.GetElapsedTime(Interlocked.Exchange(ref _lastStepTimestamp, now), now);
            StepListings();
            // At most a second of trades per step: a test clock jumped by hours makes one step's worth, not a flood.
            Trades.Step(elapsed > TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : elapsed);
        }
        catch (Exception ex)
        {
            Log.StepFailed(Logger, ex);
        }
    }

    /// <summary>Compares the open options with the last step's and announces listings, deliveries and closes.</summary>
    private void StepListings()
    {
        lock (_stepGate)
        {
            var now = Market.AllListed().ToDictionary(l => l.Name, StringComparer.Ordinal);
            long nowMs = Time.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var (name, listing) in now)
            {
                if (!_open.ContainsKey(name))
                {
                    Announce(listing, "created", nowMs);
                    Announce(listing, "started", nowMs);
                }
            }

            foreach (var (name, listing) in _open)
            {
                if (now.ContainsKey(name))
                    continue;
                _expired[name] = listing;
                if (Market.IsClosed(name))
                {
                    Announce(listing, "closed", nowMs);
                }
                else
                {
                    double index = Market.Source.TryGetDelivery(listing.Source.Symbol, out double price, out _) ? price : listing.Source.DeliveryPrice;
                    double strike = (double)listing.Info.Strike;
                    double intrinsic = Math.Max(0, listing.IsCall ? index - strike : strike - index);
                    double mark = listing.Info.IsInverse ? (index > 0 ? Math.Round(intrinsic / index, 8) : 0) : Math.Round(intrinsic, 6);
                    _deliveries.Enqueue(new DeribitDelivery(listing.Info.Currency, name, listing.ExpirationMs, index, mark));
                    Announce(listing, "settled", nowMs);
                }
            }

            _open = now;
        }
    }

    private void Announce(ListedOption listing, string state, long nowMs)
    {
        var change = new DeribitStateChange(listing.Name, listing.Info.Currency, state, nowMs);
        _stateChanges.Enqueue(change);
        Log.InstrumentStateChanged(Logger, listing.Name, state);
        byte[] message = Notification($"instrument.state.option.{listing.Info.Currency}", w =>
        {
            w.WriteStartObject();
            w.WriteNumber("timestamp", nowMs);
            w.WriteString("state", state);
            w.WriteString("instrument_name", listing.Name);
            w.WriteEndObject();
        });
        byte[] any = Notification("instrument.state.option.any", w =>
        {
            w.WriteStartObject();
            w.WriteNumber("timestamp", nowMs);
            w.WriteString("state", state);
            w.WriteString("instrument_name", listing.Name);
            w.WriteEndObject();
        });
        foreach (var session in _sessions.Values)
        {
            session.Notify($"instrument.state.option.{listing.Info.Currency}", message);
            session.Notify("instrument.state.option.any", any);
        }
    }

    private void PublishTrades(string currency, IReadOnlyList<DeribitTrade> trades)
    {
        string channel = $"trades.option.{currency}.100ms";
        byte[] message = Notification(channel, w =>
        {
            w.WriteStartArray();
            foreach (var trade in trades)
                DeribitJson.WriteTrade(w, trade);
            w.WriteEndArray();
        });
        foreach (var session in _sessions.Values)
            session.Notify(channel, message);
    }

    private static byte[] Notification(string channel, Action<Utf8JsonWriter> writeData)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("jsonrpc", "2.0");
            w.WriteString("method", "subscription");
            w.WriteStartObject("params");
            w.WriteString("channel", channel);
            w.WritePropertyName("data");
            writeData(w);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private Task DispatchAsync(HttpContext context)
    {
        string path = context.Request.Path.Value ?? "";
        if (path == WebSocketPath)
            return AcceptWebSocketAsync(context);
        if (path.StartsWith(RestPrefix, StringComparison.Ordinal) && HttpMethods.IsGet(context.Request.Method))
            return HttpCallAsync(context, "public/" + path[RestPrefix.Length..], RpcParams.From(context.Request.Query), default);
        if (path == RpcPath && HttpMethods.IsPost(context.Request.Method))
            return HttpPostAsync(context);
        if (_control is not null && (path == DeribitControlApi.Prefix || path.StartsWith(DeribitControlApi.Prefix + "/", StringComparison.Ordinal)))
            return _control.HandleAsync(context);
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    private async Task HttpPostAsync(HttpContext context)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
        }
        catch (JsonException)
        {
            await HttpAnswerAsync(context, default, Microseconds(), null, new RpcError(-32700, "Parse error", "invalid JSON"));
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            var id = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out var i) ? i : default;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("method", out var m) || m.ValueKind != JsonValueKind.String)
            {
                await HttpAnswerAsync(context, id, Microseconds(), null, new RpcError(-32600, "Invalid Request", "method missing"));
                return;
            }

            string method = m.GetString()!;
            var parameters = RpcParams.From(root.TryGetProperty("params", out var p) ? p : default);
            await HttpCallAsync(context, method, parameters, id);
        }
    }

    private async Task HttpCallAsync(HttpContext context, string method, RpcParams parameters, JsonElement id)
    {
        long usIn = Microseconds();
        if (Faults.TakeTooManyRequests() || !_httpCredits.TryTake(Options.RequestCost))
        {
            CountRequest(method);
            await HttpAnswerAsync(context, id, usIn, null, RpcError.TooManyRequests, StatusCodes.Status429TooManyRequests);
            return;
        }

        await HttpAnswerAsync(context, id, usIn, (method, parameters), null);
    }

    private async Task HttpAnswerAsync(HttpContext context, JsonElement id, long usIn, (string Method, RpcParams Params)? call, RpcError? error, int? errorStatus = null)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("jsonrpc", "2.0");
            if (id.ValueKind is JsonValueKind.Number or JsonValueKind.String)
            {
                w.WritePropertyName("id");
                id.WriteTo(w);
            }

            if (call is var (method, parameters))
                error = Rpc.Handle(method, parameters, w, null);
            if (error is not null)
                DeribitRpc.WriteError(w, error);
            long usOut = Microseconds();
            w.WriteNumber("usIn", usIn);
            w.WriteNumber("usOut", usOut);
            w.WriteNumber("usDiff", usOut - usIn);
            w.WriteBoolean("testnet", Options.Testnet);
            w.WriteEndObject();
        }

        // Deribit answers an error over HTTP with status 400 and the JSON-RPC error body.
        context.Response.StatusCode = error is null ? StatusCodes.Status200OK : errorStatus ?? StatusCodes.Status400BadRequest;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }

    private async Task AcceptWebSocketAsync(HttpContext context)
    {
        if (Faults.RejectNewConnections)
        {
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
        using var session = new DeribitSession(number, context, socket, this, Options);
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
}

/// <summary>A delivered option as <c>public/get_last_settlements_by_currency</c> reports it (type <c>delivery</c>).</summary>
internal sealed record DeribitDelivery(string Currency, string InstrumentName, long Timestamp, double IndexPrice, double MarkPrice);
