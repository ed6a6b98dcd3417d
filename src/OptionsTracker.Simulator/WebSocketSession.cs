using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OptionsTracker.Simulator;

/// <summary>
/// One client on <c>/v5/public/option</c>. A receive loop parses requests and queues them; one send loop (a WebSocket
/// allows one sender at a time) applies them, owns the subscriptions, answers, and pushes each subscribed ticker once per
/// push interval. Topics are spread over slices of the interval so a connection's pushes do not come in one burst.
/// </summary>
internal sealed class WebSocketSession : IDisposable
{
    /// <summary>Largest request accepted; Bybit closed connections on huge subscribe messages (bybit-api PR 479).</summary>
    private const int MaxRequestBytes = 1 << 20;

    private const string TopicPrefix = "tickers.";

    private readonly HttpContext _context;
    private readonly ConnectionAbort _abort;
    private readonly IPEndPoint? _remoteEndPoint;
    private readonly WebSocket _socket;
    private readonly SimulatedMarket _market;
    private readonly SimulatorFaults _faults;
    private readonly SimulatorOptions _options;
    private readonly ILogger _logger;
    private readonly BybitSimulator _owner;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly ConcurrentQueue<SessionCommand> _commands = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly StreamKind _kind;

    // Trade messages handed over by the trade generator (any thread), keyed by what they need subscribed: a coin
    // (publicTrade.{coin}) or RfqKey. _tradeKeys mirrors the send loop's _tradeTopics so nothing is queued for a
    // connection that does not want it.
    private const string RfqKey = "rfq";
    private readonly ConcurrentQueue<(string Key, byte[] Message)> _tradeMessages = new();
    private readonly ConcurrentDictionary<string, byte> _tradeKeys = new(StringComparer.Ordinal);
    private int _duplicateTradesPending;
    private int _malformedTradesPending;
    private int _malformedTradeKind;
    private long _tradeMessagesSent;

    // Send loop only.
    private readonly List<InstrumentState> _topics = [];
    private readonly Dictionary<string, InstrumentState> _subscribed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _tradeTopics = new(StringComparer.Ordinal); // topic → key
    private long _sequence;
    private ITimer? _sliceTimer;
    private TimeSpan _slicePeriod;
    private int _malformedKind;

    // Written by one loop, read by snapshots from any thread.
    private int _subscribedCount;
    private int _subscribedChars;
    private long _pingsReceived;
    private int _maxArgsInOneRequest;
    private long _tickersSent;
    private int _malformedPending;

    public WebSocketSession(HttpContext context, WebSocket socket, string id, SimulatedMarket market, SimulatorFaults faults, SimulatorOptions options, ILogger logger, int randomSeed, BybitSimulator owner, StreamKind kind = StreamKind.Option)
    {
        _owner = owner;
        _kind = kind;
        _context = context;
        _abort = new ConnectionAbort(context);
        // Read now: the connection's features are disposed once the request ends, and snapshots outlive it.
        _remoteEndPoint = context.Connection.RemoteIpAddress is { } remote ? new IPEndPoint(remote, context.Connection.RemotePort) : null;
        _socket = socket;
        Id = id;
        _market = market;
        _faults = faults;
        _options = options;
        _logger = logger;
        _time = options.TimeProvider;
        _random = new Random(randomSeed);
    }

    public string Id { get; }

    public long TickersSent => Interlocked.Read(ref _tickersSent);

    /// <summary>Trade messages (<c>publicTrade</c> or RFQ) sent, duplicates included.</summary>
    public long TradeMessagesSent => Interlocked.Read(ref _tradeMessagesSent);

    public StreamKind Kind => _kind;

    /// <summary>Queues a coin's <c>publicTrade</c> message if this connection holds that coin's topic.</summary>
    public void QueueTrades(string baseCoin, byte[] message) => QueueTradeMessage(baseCoin, message);

    /// <summary>Queues an <c>rfq.open.public.trades</c> message if this connection holds that topic.</summary>
    public void QueueRfq(byte[] message) => QueueTradeMessage(RfqKey, message);

    /// <summary>The next <paramref name="count"/> trade messages this connection sends go out twice (the exchange's duplicates).</summary>
    public void QueueDuplicateTrades(int count)
    {
        Interlocked.Add(ref _duplicateTradesPending, count);
        Wake();
    }

    /// <summary>Sends <paramref name="count"/> malformed <c>publicTrade</c> messages (on a connection holding a trade topic).</summary>
    public void QueueMalformedTrades(int count)
    {
        Interlocked.Add(ref _malformedTradesPending, count);
        Wake();
    }

    private void QueueTradeMessage(string key, byte[] message)
    {
        if (!_tradeKeys.ContainsKey(key))
            return;
        _tradeMessages.Enqueue((key, message));
        Wake();
    }

    public SimulatedConnection Snapshot()
    {
        return new SimulatedConnection(
            Id, Volatile.Read(ref _subscribedCount), Volatile.Read(ref _subscribedChars), Interlocked.Read(ref _pingsReceived),
            Volatile.Read(ref _maxArgsInOneRequest), _remoteEndPoint);
    }

    /// <summary>Ends the TCP connection at once, without a close handshake; nothing when the session has already ended.</summary>
    public void Abort() => _abort.Abort();

    public void QueueMalformedFrames(int count)
    {
        Interlocked.Add(ref _malformedPending, count);
        Wake();
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            await RunConnectionAsync(stopping);
        }
        finally
        {
            _abort.End();
        }
    }

    private async Task RunConnectionAsync(CancellationToken stopping)
    {
        Log.ConnectionOpened(_logger, Id, _context.Connection.RemoteIpAddress?.ToString());
        using var sendStop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var sending = SendLoopAsync(sendStop.Token);
        bool closeReceived = false;
        try
        {
            closeReceived = await ReceiveLoopAsync(stopping);
        }
        catch (Exception ex)
        {
            // Aborted, reset, cancelled on shutdown or a protocol error: the connection is over either way.
            Log.ConnectionFailed(_logger, Id, ex);
        }
        finally
        {
            await sendStop.CancelAsync();
            await sending;
        }

        if (closeReceived && _socket.State == WebSocketState.CloseReceived)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException)
            {
                Log.ConnectionFailed(_logger, Id, ex);
            }
        }

        Log.ConnectionClosed(_logger, Id);
    }

    public void Dispose() => _wake.Dispose();

    private void OnSliceTimer()
    {
        Wake();
        try
        {
            _sliceTimer?.Change(_slicePeriod, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // The send loop ended.
        }
    }

    private void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0)
                _wake.Release();
        }
        catch (ObjectDisposedException)
        {
            // A timer tick or fault racing the end of the connection: nothing left to wake.
        }
    }

    /// <summary>Returns true when the client started the close handshake.</summary>
    private async Task<bool> ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= MaxRequestBytes)
                    {
                        Log.RequestTooLarge(_logger, Id, MaxRequestBytes);
                        Abort();
                        return false;
                    }

                    byte[] larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var result = await _socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                    return true;
                length += result.Count;
                if (!result.EndOfMessage)
                    continue;
                if (result.MessageType == WebSocketMessageType.Text)
                    HandleRequest(buffer.AsSpan(0, length));
                length = 0;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void HandleRequest(ReadOnlySpan<byte> message)
    {
        string? op = null;
        string? reqId = null;
        List<string>? args = null;
        bool argsValid = true;
        try
        {
            var reader = new Utf8JsonReader(message);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new JsonException("A request is a JSON object.");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("op"u8))
                {
                    reader.Read();
                    op = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("req_id"u8))
                {
                    reader.Read();
                    reqId = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("args"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        argsValid = false;
                        reader.Skip();
                        continue;
                    }

                    args = [];
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType == JsonTokenType.String)
                        {
                            args.Add(reader.GetString()!); // A String token never reads as null.
                        }
                        else
                        {
                            argsValid = false;
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            Log.InvalidRequest(_logger, Id);
            Enqueue(new SessionCommand(SessionCommandKind.Error, [], "error:request is not valid JSON"));
            return;
        }

        switch (op)
        {
            case "ping":
                Interlocked.Increment(ref _pingsReceived);
                if (!_faults.SuppressPongs)
                    Enqueue(new SessionCommand(SessionCommandKind.Pong, [], null, reqId));
                break;
            case "subscribe" or "unsubscribe" when argsValid:
                args ??= [];
                if (op == "subscribe")
                    _owner.CountSubscribeRequest();
                if (args.Count > Volatile.Read(ref _maxArgsInOneRequest))
                    Volatile.Write(ref _maxArgsInOneRequest, args.Count);
                Enqueue(new SessionCommand(op == "subscribe" ? SessionCommandKind.Subscribe : SessionCommandKind.Unsubscribe, args, null, reqId));
                break;
            default:
                Log.InvalidRequest(_logger, Id);
                Enqueue(new SessionCommand(SessionCommandKind.Error, [], argsValid ? $"error:unknown op {op}" : "error:args must be an array of topic strings"));
                break;
        }
    }

    private void Enqueue(SessionCommand command)
    {
        _commands.Enqueue(command);
        Wake();
    }

    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        byte[] frame = ArrayPool<byte>.Shared.Rent(TickerFrame.Capacity);
        TimeSpan interval = _options.PushInterval;
        int slices = interval > TimeSpan.Zero ? Math.Clamp((int)(interval.TotalMilliseconds / 10), 1, 10) : 1;
        TimeSpan slicePeriod = interval / slices;
        long sliceTicks = Math.Max(1, (long)(slicePeriod.TotalSeconds * _time.TimestampFrequency));
        long intervalTicks = sliceTicks * slices;
        // One-shot, re-armed on each tick, so a test clock advanced by hours wakes the loop once, not once per slice.
        using ITimer? timer = interval > TimeSpan.Zero
            ? _time.CreateTimer(static state => ((WebSocketSession)state!).OnSliceTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan) // state is this
            : null;
        _slicePeriod = slicePeriod;
        _sliceTimer = timer;
        timer?.Change(slicePeriod, Timeout.InfiniteTimeSpan);
        long nextSliceDue = _time.GetTimestamp() + sliceTicks;
        int slice = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                bool silent = _faults.SilentConnections;
                if (interval > TimeSpan.Zero || _topics.Count == 0)
                {
                    await _wake.WaitAsync(cancellationToken);
                }
                else if (silent)
                {
                    // Pushing as fast as possible, but told to be silent: poll for the end of silence without spinning.
                    await _wake.WaitAsync(TimeSpan.FromMilliseconds(20), cancellationToken);
                }

                silent = _faults.SilentConnections;
                await DrainCommandsAsync(silent, cancellationToken);
                if (silent)
                {
                    // A silent connection sends nothing: the trades it would have carried are lost to it, as on a stalled link.
                    while (_tradeMessages.TryDequeue(out _))
                    {
                    }

                    continue;
                }

                await SendTradesAsync(cancellationToken);

                while (Volatile.Read(ref _malformedPending) > 0)
                {
                    Interlocked.Decrement(ref _malformedPending);
                    await SendMalformedAsync(cancellationToken);
                }

                if (interval == TimeSpan.Zero)
                {
                    // Every subscribed topic delivered: nothing to push, so wait instead of spinning.
                    if (await PushAsync(frame, 0, 1, cancellationToken) == 0)
                        await _wake.WaitAsync(TimeSpan.FromMilliseconds(20), cancellationToken);
                    continue;
                }

                long now = _time.GetTimestamp();
                if (now - nextSliceDue > intervalTicks)
                    nextSliceDue = now; // Fell a whole interval behind: skip ahead rather than burst.
                while (now >= nextSliceDue)
                {
                    await PushAsync(frame, slice, slices, cancellationToken);
                    slice = (slice + 1) % slices;
                    nextSliceDue += sliceTicks;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The connection is ending.
        }
        catch (Exception ex)
        {
            Log.ConnectionFailed(_logger, Id, ex);
            Abort();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    /// <summary>Pushes the topics of one slice; returns how many were sent.</summary>
    private async ValueTask<int> PushAsync(byte[] frame, int slice, int slices, CancellationToken cancellationToken)
    {
        int sent = 0;
        for (int i = slice; i < _topics.Count; i += slices)
        {
            var instrument = _topics[i];
            if (!instrument.IsListed)
                continue; // Delivered: its topic stays subscribed but goes quiet.
            var ticker = instrument.ReadTicker();
            // Each frame's ts is the time it goes out, not the slice's start: latency figures start from it, and a slice
            // of a few hundred sends takes a while on a busy machine.
            long timestampMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
            int length = TickerFrame.Write(frame, instrument.SymbolUtf8, in ticker, ++_sequence, timestampMs);
            await SendAsync(frame.AsMemory(0, length), cancellationToken);
            Interlocked.Increment(ref _tickersSent);
            sent++;
        }

        return sent;
    }

    private async ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        if (!_faults.FragmentFrames || message.Length < 3)
        {
            await _socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            return;
        }

        int first = _random.Next(1, message.Length - 1);
        int second = _random.Next(2) == 0 ? message.Length : _random.Next(first + 1, message.Length);
        await _socket.SendAsync(message[..first], WebSocketMessageType.Text, endOfMessage: false, cancellationToken);
        if (second < message.Length)
            await _socket.SendAsync(message[first..second], WebSocketMessageType.Text, endOfMessage: false, cancellationToken);
        await _socket.SendAsync(message[second == message.Length ? first.. : second..], WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
    }

    private async ValueTask DrainCommandsAsync(bool silent, CancellationToken cancellationToken)
    {
        while (_commands.TryDequeue(out var command))
        {
            byte[] reply = command.Kind switch
            {
                SessionCommandKind.Subscribe when _faults.TryTakeRequestRejection() =>
                    SessionReplies.Rejection(Id, command.ReqId, "subscribe", "error:request rejected (simulator fault)"),
                SessionCommandKind.Subscribe => Subscribe(command.Topics, command.ReqId),
                SessionCommandKind.Unsubscribe => Unsubscribe(command.Topics, command.ReqId),
                SessionCommandKind.Pong when _kind == StreamKind.Rfq => RfqReplies.Pong(Id, command.ReqId),
                SessionCommandKind.Pong => SessionReplies.Pong(_time.GetUtcNow().ToUnixTimeMilliseconds()),
                _ => SessionReplies.Error(Id, command.Message ?? "error"),
            };
            if (!silent)
                await SendAsync(reply, cancellationToken);
        }
    }

    private byte[] Subscribe(IReadOnlyList<string> topics, string? reqId)
    {
        var success = new List<string>();
        var fail = new List<string>();
        foreach (string topic in topics)
        {
            if (_subscribed.ContainsKey(topic) || _tradeTopics.ContainsKey(topic))
            {
                success.Add(topic);
                continue;
            }

            if (TradeKey(topic) is { } tradeKey)
            {
                if (SubscribedCount >= _options.MaxArgsPerConnection
                    || _subscribedChars + topic.Length > _options.MaxArgsCharsPerConnection
                    || _faults.IsRefusedForever(topic)
                    || _faults.TryTakeTopicRefusal())
                {
                    fail.Add(topic);
                    continue;
                }

                _tradeTopics.Add(topic, tradeKey);
                _tradeKeys[tradeKey] = 0;
                Volatile.Write(ref _subscribedChars, _subscribedChars + topic.Length);
                success.Add(topic);
                continue;
            }

            if (_kind != StreamKind.Option
                || !topic.StartsWith(TopicPrefix, StringComparison.Ordinal)
                || !_market.TryGetListed(topic[TopicPrefix.Length..], out var instrument)
                || SubscribedCount >= _options.MaxArgsPerConnection
                || _subscribedChars + topic.Length > _options.MaxArgsCharsPerConnection
                || _faults.IsRefusedForever(topic)
                || _faults.TryTakeTopicRefusal())
            {
                fail.Add(topic);
                continue;
            }

            _subscribed.Add(topic, instrument);
            _topics.Add(instrument);
            Volatile.Write(ref _subscribedChars, _subscribedChars + topic.Length);
            success.Add(topic);
        }

        Volatile.Write(ref _subscribedCount, SubscribedCount);
        return _kind == StreamKind.Rfq ? RfqReplies.CommandResponse(Id, reqId, "subscribe", fail) : SessionReplies.CommandResponse(Id, fail, success);
    }

    private byte[] Unsubscribe(IReadOnlyList<string> topics, string? reqId)
    {
        var success = new List<string>();
        var fail = new List<string>();
        foreach (string topic in topics)
        {
            if (_subscribed.Remove(topic, out var instrument))
            {
                _topics.Remove(instrument);
                Volatile.Write(ref _subscribedChars, _subscribedChars - topic.Length);
                success.Add(topic);
            }
            else if (_tradeTopics.Remove(topic, out var tradeKey))
            {
                _tradeKeys.TryRemove(tradeKey, out _);
                Volatile.Write(ref _subscribedChars, _subscribedChars - topic.Length);
                success.Add(topic);
            }
            else
            {
                fail.Add(topic);
            }
        }

        Volatile.Write(ref _subscribedCount, SubscribedCount);
        return _kind == StreamKind.Rfq ? RfqReplies.CommandResponse(Id, reqId, "unsubscribe", fail) : SessionReplies.CommandResponse(Id, fail, success);
    }

    private int SubscribedCount => _subscribed.Count + _tradeTopics.Count;

    /// <summary>
    /// The key of a trade topic this stream serves: <c>publicTrade.{baseCoin}</c> of a listed coin, exactly as Bybit spells
    /// it (upper-case), on the option stream; <c>rfq.open.public.trades</c> on the RFQ stream. Null for anything else.
    /// </summary>
    private string? TradeKey(string topic)
    {
        if (_kind == StreamKind.Rfq)
            return topic == TradeFrames.RfqTopic ? RfqKey : null;
        if (!topic.StartsWith(TradeFrames.TopicPrefix, StringComparison.Ordinal))
            return null;
        string coin = topic[TradeFrames.TopicPrefix.Length..];
        return _market.FindBoard(coin) is { } board && board.BaseCoin == coin ? coin : null;
    }

    /// <summary>Sends the queued trade messages of topics still held, each twice while the duplicate fault lasts; then any malformed ones asked for.</summary>
    private async ValueTask SendTradesAsync(CancellationToken cancellationToken)
    {
        while (_tradeMessages.TryDequeue(out var queued))
        {
            if (!_tradeKeys.ContainsKey(queued.Key))
                continue; // Unsubscribed since it was queued.
            await SendAsync(queued.Message, cancellationToken);
            Interlocked.Increment(ref _tradeMessagesSent);
            if (TryTake(ref _duplicateTradesPending))
            {
                await SendAsync(queued.Message, cancellationToken);
                Interlocked.Increment(ref _tradeMessagesSent);
            }
        }

        while (Volatile.Read(ref _malformedTradesPending) > 0 && _kind == StreamKind.Option)
        {
            Interlocked.Decrement(ref _malformedTradesPending);
            string coin = _tradeTopics.Values.FirstOrDefault() ?? _market.Boards[0].BaseCoin;
            string symbol = _market.FindBoard(coin)?.Listed.FirstOrDefault()?.Symbol ?? coin + "-1JAN30-1-C-USDT";
            await SendAsync(TradeFrames.Malformed(_malformedTradeKind++, coin, symbol, _time.GetUtcNow().ToUnixTimeMilliseconds()), cancellationToken);
        }
    }

    private static bool TryTake(ref int counter)
    {
        while (true)
        {
            int left = Volatile.Read(ref counter);
            if (left <= 0)
                return false;
            if (Interlocked.CompareExchange(ref counter, left - 1, left) == left)
                return true;
        }
    }

    private async ValueTask SendMalformedAsync(CancellationToken cancellationToken)
    {
        var instrument = _topics.Count > 0 ? _topics[_random.Next(_topics.Count)] : null;
        byte[] message = SessionReplies.Malformed(_malformedKind++ % 4, _random, instrument, _time.GetUtcNow().ToUnixTimeMilliseconds());
        await SendAsync(message, cancellationToken);
    }
}

/// <summary>Which public stream a connection is on.</summary>
internal enum StreamKind
{
    /// <summary><c>/v5/public/option</c>: tickers and <c>publicTrade.{baseCoin}</c>.</summary>
    Option,

    /// <summary><c>/v5/public/rfq</c>: <c>rfq.open.public.trades</c>.</summary>
    Rfq,
}
