using System.ComponentModel;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.Tape;

namespace OptionsTracker.Api;

/// <summary>
/// Live options: Server-Sent Events at <c>/api/stream/{asset}</c> and a WebSocket at <c>/ws</c>. Each client
/// gets a snapshot, then at most one message per <see cref="ApiOptions.StreamInterval"/> carrying the latest
/// quote of every option changed since its previous one (each client has its <see cref="BookCursor"/>). A client
/// that reads slowly only waits longer between messages; nothing queues for it, and a message goes out in chunks
/// (<see cref="StreamMessages"/>), so a client that stops reading holds one chunk until
/// <see cref="ApiOptions.StreamSendTimeout"/> drops it. <see cref="StreamGate"/> caps streams per client address and
/// in all (429 beyond); a <c>/ws</c> client sending more than <see cref="ApiOptions.WsMaxMessagesPerSecond"/> is closed.
/// </summary>
public static class StreamApi
{
    private const int MaxClientMessageBytes = 4096;
    private static readonly Task Never = new TaskCompletionSource().Task;

    public static void MapStreamApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/stream/{asset}", GetStream)
            .WithTags("Streams")
            .WithName("StreamOptions")
            .WithSummary("Server-Sent Events: a snapshot of the asset's options, then their changes")
            .WithDescription("Events `snapshot` ({type, asset, expiry, total, data}), then `update` ({type, asset, data}: the latest value of each option changed since the previous event, a few per second at most) and `remove` ({type, asset, symbols}). Idle streams get a comment line as keep-alive.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesValidationProblem();

        app.MapGet("/ws", GetWebSocket)
            .WithTags("Streams")
            .WithName("OptionsWebSocket")
            .WithSummary("WebSocket: subscribe to an asset (and optionally one expiry), receive a snapshot, then changes")
            .WithDescription("Send {\"op\":\"subscribe\",\"asset\":\"BTC\",\"expiry\":\"26DEC25\"} (expiry optional; \"venue\":\"deribit\" for one venue's options); a later subscribe replaces the earlier one, {\"op\":\"unsubscribe\"} stops. Messages: subscribed, snapshot, update, remove (as the SSE events) and error {type, message}. Trades: {\"op\":\"subscribe\",\"channel\":\"trades\",\"asset\":\"BTC\",\"after\":0,\"venue\":\"deribit\"} (after and venue optional; without venue every venue's trades, in tape order).")
            .Produces(StatusCodes.Status101SwitchingProtocols)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
    }

    internal static async Task<Results<EmptyHttpResult, ProblemHttpResult, ValidationProblem>> GetStream(
        string asset,
        [Description("26DEC25, 6JAN26, 2025-12-26 or all (default).")] string? expiry,
        [Description("A venue such as bybit, or all (default).")] string? venue,
        HttpContext context,
        BookReader reader,
        StreamGate gate,
        IOptions<ApiOptions> options,
        ILoggerFactory loggers,
        IHostApplicationLifetime lifetime,
        CancellationToken requestAborted)
    {
        var index = reader.Book.Index;
        if (!reader.TryResolveAsset(index, asset, out var name, out _))
            return reader.UnknownAsset(index, asset);
        var errors = new QueryErrors();
        var date = errors.Expiry(expiry);
        var only = errors.Venue(venue, reader.Venues, index);
        if (errors.HasErrors)
            return errors.ToProblem();
        if (!gate.TryEnter(context.Connection.RemoteIpAddress, out var lease, out var refusal))
            return TooManyStreams(context, refusal);
        using var streamSlot = lease;

        var logger = loggers.CreateLogger(typeof(StreamApi));
        var settings = options.Value;
        var response = StartEventStream(context);

        // Streams end at shutdown too: otherwise a client that stopped reading keeps the host waiting.
        using var lifetimeOrRequest = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, lifetime.ApplicationStopping);
        var cancellationToken = lifetimeOrRequest.Token;
        var cursor = CursorFor(reader.Book, name, date, only);
        var clientId = context.TraceIdentifier;
        Log.StreamSubscribed(logger, clientId, "sse", name, date?.ToString("O") ?? "all");
        using var messages = new SseMessages(response.BodyWriter, reader.Time, settings.StreamSendTimeout, cancellationToken);
        long sends = 0;
        try
        {
            await messages.SendSnapshotAsync(name, date, cursor.TakeChanges().Changed, reader.Now);
            var lastSend = reader.Time.GetTimestamp();
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await cursor.WaitForChangeAsync(cancellationToken).WaitAsync(settings.StreamKeepAlive, reader.Time, cancellationToken);
                }
                catch (TimeoutException)
                {
                    await messages.SendKeepAliveAsync();
                    continue;
                }
                await ThrottleAsync(reader.Time, lastSend, settings.StreamInterval, cancellationToken);

                var changes = cursor.TakeChanges();
                if (changes.Delisted.Count > 0)
                    await messages.SendRemoveAsync(name, changes.Delisted);
                if (changes.Changed.Count > 0)
                    await messages.SendUpdateAsync(name, changes.Changed, reader.Now);
                if (changes.IsEmpty)
                    continue;
                // A slow reader holds back only its own next message, and only up to the send timeout.
                lastSend = reader.Time.GetTimestamp();
                sends++;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && messages.TimedOut)
        {
            // However the cancelled send surfaced (Kestrel may abort the connection itself and report it closed).
            DropSlowClient(context, gate, logger, clientId, "sse", settings);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client left.
        }
        catch (IOException)
        {
            // The connection broke.
        }
        Log.StreamEnded(logger, clientId, "sse", sends);
        return TypedResults.Empty;
    }

    /// <summary>
    /// A client's position in the asset's options (or one expiry's): the book's own immutable index lists are its scope,
    /// shared by every client, so a client keeps no set of symbols of its own (a thousand clients of a 900-option coin
    /// would otherwise hold a thousand copies).
    /// </summary>
    private static BookCursor CursorFor(OptionBook book, string asset, DateOnly? expiry, Venue? venue = null) =>
        new(book, index => index.TryGetCoin(asset, out var coin) ? OnVenue(OptionSelection.SlotsOf(coin, expiry), venue) : []);

    /// <summary>
    /// One venue's part of a scope: a list of the client's own, built when the instrument set changes (rare), only for a
    /// client that asked for one venue; every other client keeps sharing the book's list.
    /// </summary>
    private static IReadOnlyList<OptionSlot> OnVenue(IReadOnlyList<OptionSlot> slots, Venue? venue) =>
        venue is not { } only ? slots : [.. slots.Where(s => s.Instrument.Venue == only)];

    /// <summary>
    /// Makes the response a Server-Sent Events stream that reaches the client event by event: no cache, no buffering
    /// here or in a proxy (nginx reads X-Accel-Buffering).
    /// </summary>
    internal static HttpResponse StartEventStream(HttpContext context)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        return response;
    }

    internal static ProblemHttpResult TooManyStreams(HttpContext context, string refusal)
    {
        // A slot frees when any stream ends; a few seconds is a fair first wait.
        context.Response.Headers.RetryAfter = "5";
        return TypedResults.Problem(title: "Too many streams", detail: refusal, statusCode: StatusCodes.Status429TooManyRequests);
    }

    internal static void DropSlowClient(HttpContext context, StreamGate gate, ILogger logger, string clientId, string transport, ApiOptions settings)
    {
        gate.CountDroppedSlow();
        Log.StreamClientTooSlow(logger, clientId, transport, settings.StreamSendTimeout);
        // Closing the connection returns what it buffered (the response pipe's blocks) at once.
        context.Abort();
    }

    internal static Task ThrottleAsync(TimeProvider time, long lastSend, TimeSpan interval, CancellationToken cancellationToken)
    {
        var wait = interval - time.GetElapsedTime(lastSend);
        return wait > TimeSpan.Zero ? Task.Delay(wait, time, cancellationToken) : Task.CompletedTask;
    }

    internal static async Task<Results<EmptyHttpResult, ProblemHttpResult>> GetWebSocket(
        HttpContext context, BookReader reader, StreamGate gate, IOptions<ApiOptions> options, ILoggerFactory loggers, IHostApplicationLifetime lifetime,
        TradeTape tape, TradeWakeups wakeups, CancellationToken requestAborted)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return TypedResults.Problem(
                title: "WebSocket required",
                detail: "/ws speaks WebSocket only; connect with a WebSocket client and send {\"op\":\"subscribe\",\"asset\":\"BTC\"}. For plain HTTP use /api/stream/{asset} (Server-Sent Events).",
                statusCode: StatusCodes.Status400BadRequest);
        }
        if (!gate.TryEnter(context.Connection.RemoteIpAddress, out var lease, out var refusal))
            return TooManyStreams(context, refusal);
        using var streamSlot = lease;

        using var lifetimeOrRequest = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, lifetime.ApplicationStopping);
        var cancellationToken = lifetimeOrRequest.Token;
        var logger = loggers.CreateLogger(typeof(StreamApi));
        var settings = options.Value;
        var clientId = context.TraceIdentifier;
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        using var messages = new WebSocketMessages(socket, reader.Time, settings.StreamSendTimeout, cancellationToken);
        var client = new WebSocketClient(socket, messages, reader, gate, settings, logger, clientId, tape, wakeups);
        try
        {
            await client.RunAsync(cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or WebSocketException && messages.TimedOut)
        {
            socket.Abort();
            DropSlowClient(context, gate, logger, clientId, "websocket", settings);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client left.
        }
        catch (WebSocketException)
        {
            // The connection broke.
        }
        catch (Exception e)
        {
            Log.StreamFailed(logger, e, clientId, "websocket");
        }
        Log.StreamEnded(logger, clientId, "websocket", client.Sends);
        return TypedResults.Empty;
    }

    /// <summary>One <c>/ws</c> client: its subscription, its message allowance, and the loop serving both directions.</summary>
    private sealed class WebSocketClient(
        WebSocket socket, WebSocketMessages messages, BookReader reader, StreamGate gate, ApiOptions settings, ILogger logger, string clientId, TradeTape tape, TradeWakeups wakeups)
    {
        /// <summary>Trades per <c>trades</c> message: a few KB, about one chunk, so the message buffer stays small.</summary>
        private const int TradesPerMessage = 16;

        private readonly byte[] _buffer = new byte[MaxClientMessageBytes];
        private readonly WebSocketMessageAllowance _allowance = new(settings.WsMaxMessagesPerSecond, reader.Time);
        // One subscription per socket: a subscribe replaces it, so a flood of them cannot add up.
        private Subscription? _subscription;
        private BookCursor? _cursor;
        private bool _snapshotDue;
        private long _lastSend = long.MinValue;
        // The trades channel, beside the options subscription: its position on the tape, and the wait for its next trade.
        private TradeFollower? _trades;
        private Task? _tradeWake;
        // The trades channel's venue (null: every venue): the follower still walks every trade of the coin, so positions
        // and gaps stay the tape's sequences; the batch leaves out the other venues' trades.
        private Venue? _tradesVenue;

        public long Sends { get; private set; }

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            Task? change = null;
            Task? due = null;
            var receive = ReceiveTextAsync(socket, _buffer, cancellationToken);
            while (true)
            {
                var wake = _cursor is null ? Never
                    : _snapshotDue ? due ??= ThrottleAsync(cancellationToken)
                    : change ??= _cursor.WaitForChangeAsync(cancellationToken);
                var tradeWake = _trades is null ? Never : _tradeWake ??= _trades.WaitAsync(cancellationToken);
                var woken = await Task.WhenAny(receive, wake, tradeWake);
                if (woken == tradeWake)
                {
                    _tradeWake = null;
                    await tradeWake;
                    if (!await SendTradesAsync())
                        return;
                    continue;
                }
                if (woken == receive)
                {
                    var (text, tooLarge) = await receive;
                    if (text is null && !tooLarge)
                    {
                        if (socket.State == WebSocketState.CloseReceived)
                            await messages.CloseAsync(WebSocketCloseStatus.NormalClosure, null);
                        return;
                    }
                    if (!_allowance.TryTake())
                    {
                        gate.CountDroppedPolicy();
                        Log.StreamClientFlooding(logger, clientId, _allowance.PerSecond);
                        await messages.CloseAsync(WebSocketCloseStatus.PolicyViolation,
                            $"More than {_allowance.PerSecond} messages per second (Api:WsMaxMessagesPerSecond).");
                        return;
                    }
                    var wasDue = _snapshotDue;
                    await HandleAsync(tooLarge ? new ClientRequest(null, $"Messages may be at most {MaxClientMessageBytes} bytes.") : ParseClientMessage(text!, reader, reader.Book.Index));
                    if (_snapshotDue != wasDue || !_snapshotDue)
                        due = null;
                    change = null;
                    receive = ReceiveTextAsync(socket, _buffer, cancellationToken);
                    continue;
                }

                await wake;
                if (_snapshotDue)
                {
                    // Subscribes coalesce like changes: however many came within one interval, one snapshot, of the last.
                    due = null;
                    _snapshotDue = false;
                    var snapshot = _cursor!.TakeChanges().Changed;
                    await messages.SendSnapshotAsync(_subscription!.Asset!, _subscription.Expiry, snapshot, reader.Now);
                    Sent();
                    continue;
                }

                change = null;
                await ThrottleAsync(cancellationToken);
                var changes = _cursor!.TakeChanges();
                var asset = _subscription!.Asset!;
                if (changes.Delisted.Count > 0)
                    await messages.SendRemoveAsync(asset, changes.Delisted);
                if (changes.Changed.Count > 0)
                    await messages.SendUpdateAsync(asset, changes.Changed, reader.Now);
                if (!changes.IsEmpty)
                    Sent();
            }
        }

        private async Task HandleAsync(ClientRequest request)
        {
            if (request.Error is { } error)
            {
                await messages.SendErrorAsync(error);
                return;
            }
            if (request.Trades is { } trades)
                await HandleTradesAsync(trades);
            if (request.Subscribe is not { } subscribe)
                return;
            _subscription = subscribe.Asset is null ? null : subscribe;
            _cursor = subscribe.Asset is null ? null : CursorFor(reader.Book, subscribe.Asset, subscribe.Expiry, subscribe.Venue);
            _snapshotDue = _cursor is not null;
            if (subscribe.Asset is not null)
            {
                Log.StreamSubscribed(logger, clientId, "websocket", subscribe.Asset, subscribe.Expiry?.ToString("O") ?? "all");
                await messages.SendSubscribedAsync(subscribe.Asset, subscribe.Expiry);
            }
        }

        private async Task HandleTradesAsync(TradesRequest request)
        {
            var had = _trades is not null;
            _tradeWake = null;
            _trades = request.Asset is null ? null : new TradeFollower(tape, wakeups, request.Asset, request.After, reader.Time);
            _tradesVenue = request.Venue;
            if (_trades is not null)
            {
                Log.TradeStreamSubscribed(logger, clientId, "websocket", _trades.Coin, _trades.Position);
                await messages.SendJsonAsync("subscribed"u8,
                    TradeStreamMessage.Subscribed(_trades.Coin, _trades.Position, tape.LastSequence(_trades.Coin)) with { Venue = request.Venue?.Id },
                    AppJsonContext.Default.TradeStreamMessage);
            }
            else if (had)
            {
                await messages.SendJsonAsync("unsubscribed"u8, TradeStreamMessage.Unsubscribed(), AppJsonContext.Default.TradeStreamMessage);
            }
        }

        /// <summary>The trades channel's next message (a notice, or a batch of trades); false when the client was closed as too slow.</summary>
        private async Task<bool> SendTradesAsync()
        {
            var step = _trades!.Next(TradesPerMessage);
            if (step.Overrun is { } overrun)
            {
                Log.TradeStreamOverrun(logger, clientId, "websocket", _trades.Coin, _trades.Position);
                await messages.SendJsonAsync("error"u8, overrun, AppJsonContext.Default.TradeStreamMessage);
                await messages.CloseAsync(WebSocketCloseStatus.PolicyViolation, "Too slow for the trades channel: resume with after=.");
                return false;
            }
            if (step.Notice is { } notice)
                await messages.SendJsonAsync("notice"u8, notice, AppJsonContext.Default.TradeStreamMessage);
            if (step.Trades.Count > 0 && TradeStreamMessage.Batch(_trades.Coin, step.Trades, _tradesVenue) is { Data.Count: > 0 } batch)
            {
                await messages.SendJsonAsync("trades"u8, batch, AppJsonContext.Default.TradeStreamMessage);
                Sends++;
            }
            return true;
        }

        private Task ThrottleAsync(CancellationToken cancellationToken) =>
            _lastSend == long.MinValue ? Task.CompletedTask : StreamApi.ThrottleAsync(reader.Time, _lastSend, settings.StreamInterval, cancellationToken);

        private void Sent()
        {
            _lastSend = reader.Time.GetTimestamp();
            Sends++;
        }
    }

    /// <summary>One text message, joined from its fragments; null text when the client closes.</summary>
    private static async Task<(string? Text, bool TooLarge)> ReceiveTextAsync(WebSocket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        var count = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(count), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
                return (null, false);
            count += result.Count;
            if (result.EndOfMessage)
                return (Encoding.UTF8.GetString(buffer, 0, count), false);
            if (count == buffer.Length)
            {
                // Drop the rest of the oversized message, then report it.
                while (!(await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken)).EndOfMessage)
                {
                }
                return (null, true);
            }
        }
    }

    private sealed record Subscription(string? Asset, DateOnly? Expiry, Venue? Venue = null);

    private sealed record ClientRequest(Subscription? Subscribe, string? Error, TradesRequest? Trades = null);

    /// <summary>
    /// The trades channel: follow <see cref="Asset"/>'s tape after <see cref="After"/> (null: after its newest), only
    /// <see cref="Venue"/>'s trades when given; a null asset stops it.
    /// </summary>
    private sealed record TradesRequest(string? Asset, long? After, Venue? Venue = null);

    private const string SubscribeHelp = "Send {\"op\":\"subscribe\",\"asset\":\"BTC\",\"expiry\":\"26DEC25\"} (expiry optional) or {\"op\":\"unsubscribe\"}; for every trade, {\"op\":\"subscribe\",\"channel\":\"trades\",\"asset\":\"BTC\",\"after\":0} (after optional; \"venue\":\"deribit\" for one venue's).";

    private const string ExpiryHelp = "Use the 26DEC25 form (6JAN26 works too), an ISO date like 2025-12-26, or all.";

    /// <summary>
    /// Reads a client message strictly: every field must be known and of its type, so a mistake is answered with an
    /// error naming the field instead of silently widening the subscription (<c>"expiry":123</c> used to mean every
    /// expiry). <c>op</c> (also accepted as <c>action</c> or <c>type</c>) is "subscribe" or "unsubscribe", implied
    /// "subscribe" when only <c>asset</c> is given; <c>asset</c> is a string; <c>expiry</c> a string, or null for all.
    /// </summary>
    private static ClientRequest ParseClientMessage(string text, BookReader reader, BookIndex index)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            return Error($"The message is not JSON. {SubscribeHelp}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return Error($"Expected a JSON object. {SubscribeHelp}");
            string? op = null;
            string? asset = null;
            string? expiry = null;
            string? channel = null;
            string? venue = null;
            long? after = null;
            bool hasOp = false, hasAsset = false, hasExpiry = false, hasChannel = false, hasAfter = false, hasVenue = false;
            foreach (var field in root.EnumerateObject())
            {
                var value = field.Value;
                switch (field.Name)
                {
                    case "op" or "action" or "type":
                        if (hasOp)
                            return Error($"The operation is given twice ('{field.Name}'); give it once, as op. {SubscribeHelp}");
                        if (value.ValueKind != JsonValueKind.String)
                            return Error($"'{field.Name}' must be a string, \"subscribe\" or \"unsubscribe\", not {Describe(value)}. {SubscribeHelp}");
                        (hasOp, op) = (true, value.GetString());
                        break;
                    case "asset":
                        if (hasAsset)
                            return Error($"'asset' is given twice; give it once. {SubscribeHelp}");
                        if (value.ValueKind != JsonValueKind.String)
                            return Error($"'asset' must be a string such as \"BTC\", not {Describe(value)}. {SubscribeHelp}");
                        (hasAsset, asset) = (true, value.GetString());
                        break;
                    case "expiry":
                        if (hasExpiry)
                            return Error($"'expiry' is given twice; give it once. {SubscribeHelp}");
                        if (value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                            return Error($"'expiry' must be a string such as \"26DEC25\" (or null for all expiries), not {Describe(value)}. {ExpiryHelp}");
                        (hasExpiry, expiry) = (true, value.ValueKind == JsonValueKind.Null ? null : value.GetString());
                        break;
                    case "venue":
                        if (hasVenue)
                            return Error($"'venue' is given twice; give it once. {SubscribeHelp}");
                        if (value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                            return Error($"'venue' must be a string such as \"bybit\" (or null for every venue), not {Describe(value)}. {SubscribeHelp}");
                        (hasVenue, venue) = (true, value.ValueKind == JsonValueKind.Null ? null : value.GetString());
                        break;
                    case "channel":
                        if (hasChannel)
                            return Error($"'channel' is given twice; give it once. {SubscribeHelp}");
                        if (value.ValueKind != JsonValueKind.String || value.GetString() is not ("options" or "trades"))
                            return Error($"'channel' must be \"options\" (the default) or \"trades\". {SubscribeHelp}");
                        (hasChannel, channel) = (true, value.GetString());
                        break;
                    case "after":
                        if (hasAfter)
                            return Error($"'after' is given twice; give it once. {SubscribeHelp}");
                        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var sequence) || sequence < 0)
                            return Error($"'after' must be a tape sequence, a whole number from 0 (the sequence of the last trade received), not {Describe(value)}. {SubscribeHelp}");
                        (hasAfter, after) = (true, sequence);
                        break;
                    default:
                        return Error($"Unknown field '{QueryErrors.Echo(field.Name)}'; a message has op, channel, asset, expiry, venue and after. {SubscribeHelp}");
                }
            }
            op ??= hasAsset ? "subscribe" : null;
            var trades = channel == "trades";
            // Without a channel, unsubscribe stops both; with one, that one.
            if ("unsubscribe".Equals(op, StringComparison.OrdinalIgnoreCase))
                return new ClientRequest(trades ? null : new Subscription(null, null), null, channel == "options" ? null : new TradesRequest(null, null));
            if (hasAfter && !trades)
                return Error($"'after' belongs to the trades channel (\"channel\":\"trades\"). {SubscribeHelp}");
            if (hasExpiry && trades)
                return Error($"The trades channel carries every trade of the asset (or of one venue); filter by expiry on your side. {SubscribeHelp}");
            if (!"subscribe".Equals(op, StringComparison.OrdinalIgnoreCase))
                return Error(op is null ? $"No op. {SubscribeHelp}" : $"Unknown op '{QueryErrors.Echo(op)}'. {SubscribeHelp}");
            if (asset is null)
                return Error($"'asset' is required to subscribe. Tracked assets: {string.Join(", ", reader.KnownAssets())}. {SubscribeHelp}");
            if (!reader.TryResolveAsset(index, asset, out var name, out _))
                return Error($"'{QueryErrors.Echo(asset)}' is not a tracked asset. Tracked assets: {string.Join(", ", reader.KnownAssets())}.");
            // The venue as every reader reads it (QueryErrors.Venue), for either channel: the same answer to a wrong one.
            var errors = new QueryErrors();
            var only = errors.Venue(venue, reader.Venues, index);
            if (errors.HasErrors)
                return Error($"'{QueryErrors.Echo(venue ?? "")}' is not a venue. Use one of {string.Join(", ", reader.Venues.All.Union(index.Venues).Select(v => v.Id))}, or all.");
            if (trades)
                return new ClientRequest(null, null, new TradesRequest(name, after, only));
            var date = errors.Expiry(expiry);
            if (errors.HasErrors)
                return Error($"'{QueryErrors.Echo(expiry ?? "")}' is not an expiry. {ExpiryHelp}");
            return new ClientRequest(new Subscription(name, date, only), null);
        }
    }

    private static ClientRequest Error(string message) => new(null, message);

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => "a number",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "that",
    };
}
