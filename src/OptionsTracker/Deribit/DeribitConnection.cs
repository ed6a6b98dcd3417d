using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using OptionsTracker.Book;
using OptionsTracker.Feed;

namespace OptionsTracker.Deribit;

/// <summary>
/// One WebSocket connection to Deribit's JSON-RPC API carrying a share of the channels (at most
/// <see cref="DeribitOptions.ChannelsPerConnection"/>). It connects, asks for heartbeats (<c>public/set_heartbeat</c>) and
/// answers each <c>test_request</c> with <c>public/test</c> at once, subscribes its channels in calls of
/// <see cref="DeribitOptions.ChannelsPerSubscribe"/> paced by the <see cref="DeribitRequestGate"/>, applies every ticker to the
/// book, and when the connection dies (closed, silent for <see cref="DeribitOptions.SilenceTimeout"/>, a 10028) replaces it
/// with backoff and jitter (Feed/Backoff) and subscribes everything again; after a 10028 it first waits out the gate's
/// pause. A channel Deribit leaves out of its subscribe reply is refused: reported, asked for again after
/// <see cref="DeribitOptions.RefusedChannelRetry"/>, and not awaited for the connection to be live.
/// Two loops share a session: the receive loop (the only reader; it parses, applies, and answers test requests) and the
/// control loop (subscribes, unsubscribes, the silence watchdog); sends are serialised by a lock.
/// </summary>
internal sealed class DeribitConnection : IDisposable
{
    public const string TickerPrefix = "ticker.";
    private const int InitialBufferSize = 16 * 1024;
    private const int MaxMessageSize = 8 * 1024 * 1024;

    private readonly Lock _lock = new();
    private readonly HashSet<string> _assigned = new(StringComparer.Ordinal);
    private readonly HashSet<string> _subscribed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<long, SentRequest> _requests = [];
    private readonly Dictionary<string, long> _refusedUntilMs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _toUnsubscribe = new(StringComparer.Ordinal);
    private readonly ChangeSignal _wake = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    private readonly OptionBook _book;
    private readonly DeribitOptions _options;
    private readonly TimeProvider _time;
    private readonly DeribitRequestGate _gate;
    private readonly ILogger _logger;
    private readonly Action<DeribitConnection> _onResubscribed;
    private readonly (byte[] Prefix, IDeribitChannelHandler Handler)[] _handlers;
    private readonly Diagnostics.LogThrottle _connectLog;

    private long _messages;
    private long _malformed;
    private long _malformedReportedAtMs;
    private long _unknownSymbols;
    private long _reconnects;
    private long _lastMessageAtMs;
    private long _nextRequestId;
    private long _testRequests;
    private volatile bool _afterReconnect;
    private volatile ShardState _state = ShardState.Connecting;
    private volatile string? _lastError;
    // Set by the receive loop when the session must end (a 10028): the control loop returns it.
    private volatile string? _endSession;

    public DeribitConnection(int id, OptionBook book, DeribitOptions options, TimeProvider time, DeribitRequestGate gate, ILogger logger,
        Action<DeribitConnection> onResubscribed, IEnumerable<IDeribitChannelHandler> handlers)
    {
        Id = id;
        _book = book;
        _options = options;
        _time = time;
        _gate = gate;
        _logger = logger;
        _onResubscribed = onResubscribed;
        _handlers = [.. handlers.Select(h => (Encoding.UTF8.GetBytes(h.Prefix), h))];
        _connectLog = new Diagnostics.LogThrottle(time, Diagnostics.LogThrottle.DefaultInterval);
    }

    public int Id { get; }
    public ShardState State => _state;
    public long TestRequestsAnswered => Interlocked.Read(ref _testRequests);

    public ShardStatus Status()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            string[] refused = [.. _refusedUntilMs.Keys.Where(c => _assigned.Contains(c) && !_subscribed.Contains(c))];
            var last = Volatile.Read(ref _lastMessageAtMs);
            return new ShardStatus(Id, _state, _assigned.Count, _subscribed.Count, Volatile.Read(ref _messages), Volatile.Read(ref _malformed),
                Volatile.Read(ref _unknownSymbols), Volatile.Read(ref _reconnects), last > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(last) : null,
                _lastError, refused);
        }
    }

    public string[] AssignedChannels()
    {
        lock (_lock) return [.. _assigned];
    }

    public void Assign(IEnumerable<string> channels)
    {
        lock (_lock)
        {
            foreach (var channel in channels)
            {
                _assigned.Add(channel);
                _toUnsubscribe.Remove(channel);
            }
        }
        _wake.Notify();
    }

    public void Unassign(IEnumerable<string> channels)
    {
        bool live;
        lock (_lock)
        {
            foreach (var channel in channels)
            {
                if (!_assigned.Remove(channel))
                    continue;
                _refusedUntilMs.Remove(channel);
                // One still in flight is unsubscribed too: Deribit answers a connection's requests in order.
                if (_subscribed.Remove(channel) | _pending.Remove(channel))
                    _toUnsubscribe.Add(channel);
            }
            live = TryBecomeLiveLocked();
        }
        _wake.Notify();
        if (live)
            OnLive();
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = new Backoff(_options.ReconnectDelay, _options.MaxReconnectDelay);
        var everConnected = false;
        var url = _options.EffectiveWsUrl;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                _state = everConnected ? ShardState.Reconnecting : ShardState.Connecting;
                // After a 10028 Deribit wants the credits refilled before a new connection.
                await _gate.WaitPauseAsync(cancellationToken);
                using var socket = new ClientWebSocket();
                // Deribit's own heartbeat (set_heartbeat / test_request) is what it counts.
                socket.Options.KeepAliveInterval = TimeSpan.Zero;
                if (!_connectLog.IsFaulted)
                    Log.Connecting(_logger, Id, url, AssignedCount);
                try
                {
                    using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    connectTimeout.CancelAfter(_options.RequestTimeout);
                    await socket.ConnectAsync(url, connectTimeout.Token);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    _lastError = $"cannot connect to {url}: {ex.Message}";
                    var delay = backoff.Next();
                    if (_connectLog.ShouldLog(ex.GetType().Name))
                        Log.ConnectFailed(_logger, Id, url, ex.Message, delay);
                    await DelayAsync(delay, cancellationToken);
                    continue;
                }
                _connectLog.Recover();
                if (everConnected)
                {
                    Interlocked.Increment(ref _reconnects);
                    _afterReconnect = true;
                }
                everConnected = true;
                var (reason, reachedLive) = await RunSessionAsync(socket, cancellationToken);
                if (cancellationToken.IsCancellationRequested)
                    break;
                _lastError = reason;
                // A session that went live earns a fresh backoff: a drop after hours is not a storm.
                if (reachedLive)
                    backoff.Reset();
                var wait = backoff.Next();
                Log.ConnectionLost(_logger, Id, reason, wait);
                await DelayAsync(wait, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped while waiting.
        }
        finally
        {
            _state = ShardState.Stopped;
        }
    }

    private int AssignedCount
    {
        get { lock (_lock) return _assigned.Count; }
    }

    private async Task<(string Reason, bool ReachedLive)> RunSessionAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _lastMessageAtMs, _time.GetUtcNow().ToUnixTimeMilliseconds());
        _endSession = null;
        lock (_lock)
        {
            ForgetConnectionLocked();
            // A new connection may ask again for what was refused on the last one.
            _refusedUntilMs.Clear();
            _state = ShardState.Subscribing;
        }
        var reason = await ConnectionSession.RunAsync(socket, ct => ReceiveLoopAsync(socket, ct), ct => ControlLoopAsync(socket, ct), cancellationToken);
        bool reachedLive;
        lock (_lock)
        {
            reachedLive = _state == ShardState.Live;
            _state = ShardState.Reconnecting;
            ForgetConnectionLocked();
        }
        return (reason, reachedLive);
    }

    private void ForgetConnectionLocked()
    {
        _subscribed.Clear();
        _pending.Clear();
        _requests.Clear();
        _toUnsubscribe.Clear();
    }

    private async Task<string> ReceiveLoopAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        using var reader = new WebSocketMessageReader(InitialBufferSize, MaxMessageSize);
        while (true)
        {
            var (read, reason) = await reader.ReceiveAsync(socket, cancellationToken);
            if (read == WebSocketRead.Closed)
            {
                // A session terminated for too many requests may close before its 10028 reply is read: the close says it too.
                if (socket.CloseStatusDescription?.Contains("too_many_requests", StringComparison.OrdinalIgnoreCase) == true)
                    _gate.TooManyRequests($"{_options.EffectiveWsUrl} (closed: {socket.CloseStatusDescription})");
                return $"closed by Deribit ({socket.CloseStatus} {socket.CloseStatusDescription})";
            }
            if (read != WebSocketRead.Message)
                return reason!;
            if (HandleMessage(reader.Message))
            {
                // Answered at once, outside the pace: a late answer and Deribit closes the connection.
                await SendAsync(socket, Request(NextId(), "public/test", null), cancellationToken);
                Interlocked.Increment(ref _testRequests);
            }
        }
    }

    /// <summary>
    /// The per-message path: a ticker is parsed and applied without allocating; other notifications go to their handler;
    /// heartbeats and replies are read here. Returns whether Deribit asked for a <c>public/test</c>.
    /// </summary>
    internal bool HandleMessage(ReadOnlySpan<byte> message)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        Volatile.Write(ref _lastMessageAtMs, now);
        var frame = DeribitFrame.Read(message);
        switch (frame.Kind)
        {
            case FrameKind.Notification:
                Count(Dispatch(frame.Channel(message), frame.Data(message), now), message, now);
                return false;
            case FrameKind.Heartbeat:
                return frame.TestRequest;
            case FrameKind.Reply:
                HandleReply(message, frame.Id, now);
                return false;
            case FrameKind.Malformed:
                CountMalformed(message, now);
                return false;
            default:
                return false;
        }
    }

    private ChannelResult Dispatch(ReadOnlySpan<byte> channel, ReadOnlySpan<byte> data, long now)
    {
        if (channel.StartsWith("ticker."u8))
        {
            return DeribitTickerParser.ApplyTicker(data, _book, DeribitVenue.Id, now) switch
            {
                TickerResult.Applied => ChannelResult.Applied,
                TickerResult.Unchanged => ChannelResult.Unchanged,
                TickerResult.UnknownSymbol => ChannelResult.UnknownSymbol,
                _ => ChannelResult.Malformed,
            };
        }
        foreach (var (prefix, handler) in _handlers)
        {
            if (channel.StartsWith(prefix))
                return handler.Handle(channel, data, now);
        }
        return ChannelResult.Ignored;
    }

    private void Count(ChannelResult result, ReadOnlySpan<byte> message, long now)
    {
        switch (result)
        {
            case ChannelResult.Applied:
            case ChannelResult.Unchanged:
                Volatile.Write(ref _messages, _messages + 1);
                break;
            case ChannelResult.UnknownSymbol:
                Volatile.Write(ref _messages, _messages + 1);
                Volatile.Write(ref _unknownSymbols, _unknownSymbols + 1);
                break;
            case ChannelResult.Malformed:
                CountMalformed(message, now);
                break;
        }
    }

    private void CountMalformed(ReadOnlySpan<byte> message, long now)
    {
        Volatile.Write(ref _malformed, _malformed + 1);
        // One line per connection per 10 s at most, with a sample.
        if (_malformedReportedAtMs == 0 || now - _malformedReportedAtMs >= 10_000)
        {
            _malformedReportedAtMs = now;
            var text = Encoding.UTF8.GetString(message[..Math.Min(message.Length, 200)]);
            Log.MalformedMessage(_logger, Id, Volatile.Read(ref _malformed), message.Length > 200 ? text + "…" : text);
        }
    }

    /// <summary>A reply to one of this connection's requests (the control path: it may allocate).</summary>
    private void HandleReply(ReadOnlySpan<byte> message, long id, long now)
    {
        SentRequest? request;
        lock (_lock)
            _requests.Remove(id, out request);
        if (DeribitRestClient.TryReadError(message, out var code, out var text))
        {
            if (code == DeribitApiException.TooManyRequests)
            {
                _gate.TooManyRequests($"{_options.EffectiveWsUrl} {request?.Method ?? "request"}");
                // Deribit terminates the session after a 10028: end it here and reconnect after the pause.
                _endSession = "error 10028 too_many_requests";
                _wake.Notify();
                return;
            }
            if (request is { Method: "public/subscribe" })
            {
                lock (_lock)
                    Refuse(request.Channels, now);
                Log.SubscribeRefused(_logger, Id, request.Channels.Count, request.Channels[0], code, text, _options.RefusedChannelRetry);
            }
            else
            {
                Log.RequestRefused(_logger, Id, request?.Method ?? $"request {id}", code, text);
            }
            return;
        }
        if (request is not { Method: "public/subscribe" })
            return;
        var confirmed = ReadChannels(message);
        List<(IDeribitChannelHandler Handler, string Channel)>? newly = null;
        List<string>? left = null;
        bool live;
        lock (_lock)
        {
            foreach (var channel in request.Channels)
            {
                _pending.Remove(channel);
                if (!_assigned.Contains(channel))
                    continue;
                if (confirmed.Contains(channel))
                {
                    _refusedUntilMs.Remove(channel);
                    if (_subscribed.Add(channel) && HandlerOf(channel) is { } handler)
                        (newly ??= []).Add((handler, channel));
                }
                else
                {
                    (left ??= []).Add(channel);
                }
            }
            if (left is not null)
                Refuse(left, now);
            live = TryBecomeLiveLocked();
        }
        if (left is not null)
            Log.ChannelsLeftOut(_logger, Id, left.Count, left[0], _options.RefusedChannelRetry);
        if (newly is not null)
        {
            foreach (var (handler, channel) in newly)
                handler.Subscribed(channel);
        }
        if (live)
            OnLive();
    }

    private void Refuse(IEnumerable<string> channels, long now)
    {
        foreach (var channel in channels)
        {
            _pending.Remove(channel);
            if (_assigned.Contains(channel) && !_subscribed.Contains(channel))
                _refusedUntilMs[channel] = now + (long)_options.RefusedChannelRetry.TotalMilliseconds;
        }
    }

    private static HashSet<string> ReadChannels(ReadOnlySpan<byte> message)
    {
        var channels = new HashSet<string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(message);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("result"u8))
            {
                reader.Read();
                reader.Skip();
                continue;
            }
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                continue;
            }
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType == JsonTokenType.String)
                    channels.Add(reader.GetString()!);
                else
                    reader.Skip();
            }
        }
        return channels;
    }

    private IDeribitChannelHandler? HandlerOf(string channel)
    {
        foreach (var (_, handler) in _handlers)
        {
            if (channel.StartsWith(handler.Prefix, StringComparison.Ordinal))
                return handler;
        }
        return null;
    }

    /// <summary>Live once every assigned channel is subscribed or refused (a refused one must not hold the connection back).</summary>
    private bool TryBecomeLiveLocked()
    {
        if (_state != ShardState.Subscribing || _assigned.Count == 0)
            return false;
        foreach (var channel in _assigned)
        {
            if (!_subscribed.Contains(channel) && !_refusedUntilMs.ContainsKey(channel))
                return false;
        }
        _state = ShardState.Live;
        return true;
    }

    private void OnLive()
    {
        int subscribed, assigned;
        lock (_lock)
            (subscribed, assigned) = (_subscribed.Count, _assigned.Count);
        Log.ConnectionLive(_logger, Id, subscribed, assigned);
        if (_afterReconnect)
        {
            _afterReconnect = false;
            _onResubscribed(this);
        }
    }

    private async Task<string> ControlLoopAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var silence = (long)_options.SilenceTimeout.TotalMilliseconds;
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(silence / 4, 20, 1000));
        // Heartbeats first: from here on a connection Deribit stops serving is noticed.
        await _gate.WaitAsync(cancellationToken);
        var heartbeat = NextId();
        lock (_lock)
            _requests[heartbeat] = new SentRequest("public/set_heartbeat", [], _time.GetUtcNow().ToUnixTimeMilliseconds());
        await SendAsync(socket, Request(heartbeat, "public/set_heartbeat",
            $"{{\"interval\":{(int)Math.Ceiling(_options.HeartbeatInterval.TotalSeconds)}}}"), cancellationToken);
        var outgoing = new List<(long Id, string Method, List<string> Channels)>();
        while (!cancellationToken.IsCancellationRequested)
        {
            var wake = _wake.NextAsync();
            if (_endSession is { } end)
                return end;
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            if (now - Volatile.Read(ref _lastMessageAtMs) > silence)
                return $"silent for {_options.SilenceTimeout.TotalSeconds:0.###} s";
            outgoing.Clear();
            Plan(now, outgoing);
            foreach (var (id, method, channels) in outgoing)
            {
                await _gate.WaitAsync(cancellationToken, RequestKind.Subscribe);
                if (_endSession is not null)
                    break;
                lock (_lock)
                    _requests[id] = new SentRequest(method, channels, _time.GetUtcNow().ToUnixTimeMilliseconds());
                await SendAsync(socket, SubscribeRequest(id, method, channels), cancellationToken);
            }
            await Task.WhenAny(wake, Task.Delay(tick, _time, cancellationToken));
        }
        return "stopped";
    }

    /// <summary>What to (un)subscribe now, in calls of at most <see cref="DeribitOptions.ChannelsPerSubscribe"/> channels.</summary>
    private void Plan(long now, List<(long Id, string Method, List<string> Channels)> outgoing)
    {
        var timeout = (long)_options.RequestTimeout.TotalMilliseconds;
        lock (_lock)
        {
            // A request unanswered for a timeout is given up; its channels go out again.
            foreach (var (id, sent) in _requests.Where(r => now - r.Value.SentAtMs > timeout).ToList())
            {
                _requests.Remove(id);
                foreach (var channel in sent.Channels)
                {
                    if (_pending.TryGetValue(channel, out var pendingId) && pendingId == id)
                        _pending.Remove(channel);
                }
            }
            if (_toUnsubscribe.Count > 0)
            {
                foreach (var chunk in _toUnsubscribe.Chunk(_options.ChannelsPerSubscribe))
                    outgoing.Add((NextId(), "public/unsubscribe", [.. chunk]));
                _toUnsubscribe.Clear();
            }
            var due = new List<string>();
            foreach (var channel in _assigned)
            {
                if (_subscribed.Contains(channel) || _pending.ContainsKey(channel))
                    continue;
                if (_refusedUntilMs.TryGetValue(channel, out var until) && until > now)
                    continue;
                due.Add(channel);
            }
            foreach (var chunk in due.Chunk(_options.ChannelsPerSubscribe))
            {
                var id = NextId();
                foreach (var channel in chunk)
                    _pending[channel] = id;
                outgoing.Add((id, "public/subscribe", [.. chunk]));
            }
        }
    }

    private long NextId() => Interlocked.Increment(ref _nextRequestId);

    private static string Request(long id, string method, string? parameters) =>
        $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"{method}\",\"params\":{parameters ?? "{}"}}}";

    private static string SubscribeRequest(long id, string method, List<string> channels)
    {
        var builder = new StringBuilder(64 + channels.Sum(c => c.Length + 3));
        builder.Append("{\"jsonrpc\":\"2.0\",\"id\":").Append(id).Append(",\"method\":\"").Append(method).Append("\",\"params\":{\"channels\":[");
        for (var i = 0; i < channels.Count; i++)
        {
            if (i > 0)
                builder.Append(',');
            // Channel names are instrument names, currencies and intervals: letters, digits, '-', '_', '.'; nothing to escape.
            builder.Append('"').Append(channels[i]).Append('"');
        }
        return builder.Append("]}}").ToString();
    }

    private async Task SendAsync(ClientWebSocket socket, string text, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Shutdown: the caller's loop sees the token.
        }
    }

    /// <summary>Called once its run has ended.</summary>
    public void Dispose() => _sendLock.Dispose();

    private sealed record SentRequest(string Method, List<string> Channels, long SentAtMs);
}
