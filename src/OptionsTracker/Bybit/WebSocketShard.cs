using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Threading.RateLimiting;
using OptionsTracker.Book;

namespace OptionsTracker.Bybit;

/// <summary>
/// One WebSocket connection to the public option stream, carrying a fixed share of the ticker topics
/// (within Bybit's 2,000 args and 21,000 characters per connection). It connects, pings from the first
/// moment, subscribes, applies every ticker to the book, and when the connection dies (closed, no pong,
/// no data) replaces it with backoff and jitter and subscribes all of its topics again.
/// Two loops share a session: the receive loop (the only reader of the socket; it parses and applies) and
/// the control loop (the only sender: pings, subscribes, retries, the watchdog).
/// </summary>
internal sealed class WebSocketShard
{
    private const int InitialBufferSize = 16 * 1024;
    private const int MaxMessageSize = 4 * 1024 * 1024;

    private readonly Lock _lock = new();
    private readonly HashSet<string> _assigned = new(StringComparer.Ordinal);
    private readonly HashSet<string> _subscribed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _pendingSinceMs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _refusedUntilMs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _toUnsubscribe = new(StringComparer.Ordinal);
    private readonly ChangeSignal _wake = new();

    private readonly OptionBook _book;
    private readonly BybitOptions _options;
    private readonly TimeProvider _time;
    // Connect attempts repeat with backoff while the exchange is down: the first failure is logged, then rarely.
    private readonly Health.LogThrottle _connectLog;
    private readonly RateLimiter _connectLimiter;
    private readonly ILogger _logger;
    private readonly Action<WebSocketShard> _onResubscribed;
    private readonly Backoff _refusedBackoff;

    private long _messages;
    private long _malformed;
    private long _malformedUnreported;
    private long _malformedReportedAtMs;
    private long _unknownSymbols;
    private long _reconnects;
    private long _lastMessageAtMs;
    private long _lastPingSentAtMs;
    private long _requestSeq;
    // Time of the oldest ping not yet answered (0 = none): later pings must not restart the pong clock.
    private long _unansweredPingSinceMs;
    private volatile bool _afterReconnect;
    private volatile ShardState _state = ShardState.Connecting;
    private volatile string? _lastError;
    private string? _malformedSample;

    public WebSocketShard(
        int id,
        OptionBook book,
        BybitOptions options,
        TimeProvider time,
        RateLimiter connectLimiter,
        ILogger logger,
        Action<WebSocketShard> onResubscribed)
    {
        Id = id;
        _book = book;
        _options = options;
        _time = time;
        _connectLog = new Health.LogThrottle(time, Health.LogThrottle.DefaultInterval);
        _connectLimiter = connectLimiter;
        _logger = logger;
        _onResubscribed = onResubscribed;
        _refusedBackoff = new Backoff(options.SubscribeRetryDelay, TimeSpan.FromMinutes(1));
    }

    public int Id { get; }
    public ShardState State => _state;
    public string? LastError => _lastError;
    public long Messages => Volatile.Read(ref _messages);
    public long Malformed => Volatile.Read(ref _malformed);
    public long UnknownSymbols => Volatile.Read(ref _unknownSymbols);
    public long Reconnects => Volatile.Read(ref _reconnects);
    public DateTimeOffset? LastMessageAt => Volatile.Read(ref _lastMessageAtMs) is var ms and > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    /// <summary>Characters the assigned topics use of the connection's args budget (JSON text: quotes and comma).</summary>
    public static int ArgsChars(string topic) => topic.Length + 3;

    public int AssignedCount
    {
        get { lock (_lock) return _assigned.Count; }
    }

    public int SubscribedCount
    {
        get { lock (_lock) return _subscribed.Count; }
    }

    public ShardStatus Status() =>
        new(Id, State, AssignedCount, SubscribedCount, Messages, Malformed, UnknownSymbols, Reconnects, LastMessageAt, LastError);

    public string[] AssignedTopics()
    {
        lock (_lock) return [.. _assigned];
    }

    public void Assign(IEnumerable<string> topics)
    {
        lock (_lock)
        {
            foreach (var topic in topics)
            {
                _assigned.Add(topic);
                _toUnsubscribe.Remove(topic);
            }
        }
        _wake.Notify();
    }

    public void Unassign(IEnumerable<string> topics)
    {
        lock (_lock)
        {
            foreach (var topic in topics)
            {
                if (!_assigned.Remove(topic))
                    continue;
                _pendingSinceMs.Remove(topic);
                _refusedUntilMs.Remove(topic);
                if (_subscribed.Remove(topic))
                    _toUnsubscribe.Add(topic);
            }
        }
        _wake.Notify();
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var reconnect = new Backoff(_options.ReconnectDelay, _options.MaxReconnectDelay);
        var everConnected = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            _state = everConnected ? ShardState.Reconnecting : ShardState.Connecting;
            using (var lease = await _connectLimiter.AcquireAsync(1, cancellationToken))
            {
                if (!lease.IsAcquired)
                    continue;
            }

            using var socket = new ClientWebSocket();
            // Bybit wants text pings ({"op":"ping"}); protocol-level keep-alives are not what it counts.
            socket.Options.KeepAliveInterval = TimeSpan.Zero;
            // Each attempt while the exchange cannot be reached is not news: the first failure is (see below).
            if (!_connectLog.IsFaulted)
                Log.ShardConnecting(_logger, Id, _options.WsUrl, AssignedCount);
            try
            {
                using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                connectTimeout.CancelAfter(_options.RestTimeout);
                await socket.ConnectAsync(_options.WsUrl, connectTimeout.Token);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                _lastError = $"cannot connect to {_options.WsUrl}: {ex.Message}";
                var delay = reconnect.Next();
                if (_connectLog.ShouldLog(ex.GetType().Name))
                    Log.ShardConnectFailed(_logger, Id, _options.WsUrl, ex.Message, delay);
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
            var reason = await RunSessionAsync(socket, cancellationToken);
            if (cancellationToken.IsCancellationRequested)
                break;
            _lastError = reason;
            // A session that reached Live earns a fresh start of the backoff: a drop after hours is not a storm.
            if (_state == ShardState.Live)
                reconnect.Reset();
            _state = ShardState.Reconnecting;
            var wait = reconnect.Next();
            Log.ShardLost(_logger, Id, reason, wait);
            await DelayAsync(wait, cancellationToken);
        }
        _state = ShardState.Stopped;
    }

    private async Task<string> RunSessionAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        Volatile.Write(ref _lastMessageAtMs, now);
        _lastPingSentAtMs = 0;
        Volatile.Write(ref _unansweredPingSinceMs, 0);
        lock (_lock)
        {
            // A new connection knows nothing: every assigned topic is subscribed again.
            _subscribed.Clear();
            _pendingSinceMs.Clear();
            _refusedUntilMs.Clear();
            _toUnsubscribe.Clear();
        }
        _state = ShardState.Subscribing;

        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var receive = ReceiveLoopAsync(socket, session.Token);
        var control = ControlLoopAsync(socket, session.Token);
        var first = await Task.WhenAny(receive, control);
        await session.CancelAsync();
        socket.Abort();
        string reason;
        try
        {
            reason = await first;
        }
        catch (Exception ex)
        {
            reason = ex.Message;
        }
        try
        {
            await Task.WhenAll(receive, control);
        }
        catch
        {
            // The other loop ends with the aborted socket or the cancelled session: expected, already explained.
        }
        return reason;
    }

    private async Task<string> ReceiveLoopAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
        var count = 0;
        try
        {
            while (true)
            {
                ValueWebSocketReceiveResult result;
                try
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(count), cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return "stopped";
                }
                catch (WebSocketException ex)
                {
                    return $"receive failed: {ex.Message}";
                }
                if (result.MessageType == WebSocketMessageType.Close)
                    return $"closed by the server ({socket.CloseStatus} {socket.CloseStatusDescription})";

                count += result.Count;
                if (!result.EndOfMessage)
                {
                    // Fragments join in the same buffer; grow it only for a message larger than any seen.
                    if (count == buffer.Length)
                    {
                        if (buffer.Length >= MaxMessageSize)
                            return $"a message exceeded {MaxMessageSize} bytes";
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, count).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                    continue;
                }

                HandleMessage(buffer.AsSpan(0, count));
                count = 0;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The per-message path: parse, apply, count. Allocation-free for tickers.</summary>
    internal void HandleMessage(ReadOnlySpan<byte> message)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        Volatile.Write(ref _lastMessageAtMs, now);
        // One clock read per message: the same instant stamps liveness and the quote's ReceivedAtMs.
        var kind = TickerParser.ParseMessage(message, _book, now, out var response);
        switch (kind)
        {
            case MessageKind.Ticker:
            case MessageKind.TickerUnchanged:
                Volatile.Write(ref _messages, _messages + 1);
                break;
            case MessageKind.TickerUnknownSymbol:
                Volatile.Write(ref _messages, _messages + 1);
                Volatile.Write(ref _unknownSymbols, _unknownSymbols + 1);
                break;
            case MessageKind.Pong:
                Volatile.Write(ref _unansweredPingSinceMs, 0);
                break;
            case MessageKind.CommandResponse:
                HandleCommandResponse(response!, now);
                break;
            case MessageKind.Malformed:
                Volatile.Write(ref _malformed, _malformed + 1);
                _malformedUnreported++;
                if (now - _malformedReportedAtMs >= 10_000 || _malformedReportedAtMs == 0)
                    ReportMalformed(message, now);
                else
                    _malformedSample ??= Sample(message);
                break;
        }
    }

    private void ReportMalformed(ReadOnlySpan<byte> message, long now)
    {
        // Rate-limited: one line per shard per 10 s at most, with a count and a sample.
        Log.MalformedMessages(_logger, Id, _malformedUnreported, _malformedSample ?? Sample(message));
        _malformedUnreported = 0;
        _malformedSample = null;
        _malformedReportedAtMs = now;
    }

    private static string Sample(ReadOnlySpan<byte> message)
    {
        var text = Encoding.UTF8.GetString(message[..Math.Min(message.Length, 160)]);
        return message.Length > 160 ? text + "…" : text;
    }

    private void HandleCommandResponse(CommandResponse response, long now)
    {
        int refused;
        string? example = null;
        TimeSpan retryDelay = default;
        var becameLive = false;
        lock (_lock)
        {
            foreach (var topic in response.SuccessTopics)
            {
                _pendingSinceMs.Remove(topic);
                if (_assigned.Contains(topic))
                    _subscribed.Add(topic);
            }
            refused = 0;
            if (response.FailTopics.Count > 0)
            {
                retryDelay = _refusedBackoff.Next();
                foreach (var topic in response.FailTopics)
                {
                    _pendingSinceMs.Remove(topic);
                    if (!_assigned.Contains(topic))
                        continue;
                    _refusedUntilMs[topic] = now + (long)retryDelay.TotalMilliseconds;
                    example ??= topic;
                    refused++;
                }
            }
            else if (response.SuccessTopics.Count > 0)
            {
                _refusedBackoff.Reset();
            }
            if (_state == ShardState.Subscribing && _subscribed.Count == _assigned.Count && _assigned.Count > 0)
            {
                _state = ShardState.Live;
                becameLive = true;
            }
        }
        if (refused > 0)
            Log.TopicsRefused(_logger, Id, refused, example!, retryDelay);
        if (!response.Success && response.SuccessTopics.Count == 0 && response.FailTopics.Count == 0)
            Log.RequestRejected(_logger, Id, response.RetMsg ?? "no message");
        if (becameLive)
        {
            Log.ShardLive(_logger, Id, SubscribedCount, AssignedCount);
            if (_afterReconnect)
            {
                _afterReconnect = false;
                _onResubscribed(this);
            }
        }
    }

    private async Task<string> ControlLoopAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(
            Math.Min(_options.PingInterval.TotalMilliseconds, Math.Min(_options.PongTimeout.TotalMilliseconds, _options.AckTimeout.TotalMilliseconds)) / 4,
            10, 1000));
        var requests = new List<(string Op, List<string> Topics)>();
        while (!cancellationToken.IsCancellationRequested)
        {
            var wake = _wake.NextAsync();
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();

            // Heartbeat: a text ping from the first moment of the connection, then every PingInterval.
            var unansweredSince = Volatile.Read(ref _unansweredPingSinceMs);
            if (unansweredSince != 0 && now - unansweredSince > (long)_options.PongTimeout.TotalMilliseconds)
                return $"no pong within {_options.PongTimeout.TotalSeconds:0.###} s";
            if (now - _lastPingSentAtMs >= (long)_options.PingInterval.TotalMilliseconds)
            {
                if (unansweredSince == 0)
                    Interlocked.CompareExchange(ref _unansweredPingSinceMs, now, 0);
                await SendTextAsync(socket, "{\"op\":\"ping\"}", cancellationToken);
                _lastPingSentAtMs = now;
            }
            if (now - Volatile.Read(ref _lastMessageAtMs) > (long)_options.DataTimeout.TotalMilliseconds)
                return $"no message for {_options.DataTimeout.TotalSeconds:0.###} s";

            requests.Clear();
            PlanRequests(now, requests);
            foreach (var (op, topics) in requests)
                await SendTextAsync(socket, BuildRequest(op, topics), cancellationToken);

            await Task.WhenAny(wake, Task.Delay(tick, _time, cancellationToken));
        }
        return "stopped";
    }

    /// <summary>Decides what to (re)subscribe and unsubscribe now, in chunks within the args budget.</summary>
    private void PlanRequests(long now, List<(string Op, List<string> Topics)> requests)
    {
        List<string> toSend = [];
        lock (_lock)
        {
            var ackTimeout = (long)_options.AckTimeout.TotalMilliseconds;
            var timedOut = 0;
            foreach (var (topic, since) in _pendingSinceMs)
            {
                if (now - since > ackTimeout)
                    timedOut++;
            }
            if (timedOut > 0)
            {
                Log.AckTimedOut(_logger, Id, timedOut, _options.AckTimeout);
                foreach (var topic in _pendingSinceMs.Where(p => now - p.Value > ackTimeout).Select(p => p.Key).ToList())
                    _pendingSinceMs.Remove(topic);
            }
            foreach (var topic in _assigned)
            {
                if (_subscribed.Contains(topic) || _pendingSinceMs.ContainsKey(topic))
                    continue;
                if (_refusedUntilMs.TryGetValue(topic, out var until))
                {
                    if (until > now)
                        continue;
                    _refusedUntilMs.Remove(topic);
                }
                toSend.Add(topic);
                _pendingSinceMs[topic] = now;
            }
            if (_toUnsubscribe.Count > 0)
            {
                AddChunks("unsubscribe", [.. _toUnsubscribe], requests);
                _toUnsubscribe.Clear();
            }
        }
        AddChunks("subscribe", toSend, requests);
    }

    private void AddChunks(string op, List<string> topics, List<(string Op, List<string> Topics)> requests)
    {
        var chunk = new List<string>();
        var chars = 0;
        foreach (var topic in topics)
        {
            if (chunk.Count == _options.SubscribeChunkSize || chars + ArgsChars(topic) > _options.MaxArgsCharsPerConnection)
            {
                requests.Add((op, chunk));
                chunk = [];
                chars = 0;
            }
            chunk.Add(topic);
            chars += ArgsChars(topic);
        }
        if (chunk.Count > 0)
            requests.Add((op, chunk));
    }

    private string BuildRequest(string op, List<string> topics)
    {
        var id = Interlocked.Increment(ref _requestSeq);
        var builder = new StringBuilder(64 + topics.Sum(ArgsChars));
        builder.Append("{\"req_id\":\"").Append(Id).Append('-').Append(id).Append("\",\"op\":\"").Append(op).Append("\",\"args\":[");
        for (var i = 0; i < topics.Count; i++)
        {
            if (i > 0)
                builder.Append(',');
            // Topics are exchange symbols: letters, digits, '-', '.', so no JSON escaping is needed.
            builder.Append('"').Append(topics[i]).Append('"');
        }
        return builder.Append("]}").ToString();
    }

    private static Task SendTextAsync(ClientWebSocket socket, string text, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    private async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Shutdown: the caller's loop sees the token and ends.
        }
    }
}
