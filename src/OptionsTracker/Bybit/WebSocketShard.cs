using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;
using OptionsTracker.Book;

using OptionsTracker.Feed;

namespace OptionsTracker.Bybit;

/// <summary>
/// One WebSocket connection to the public option stream, carrying a fixed share of the ticker topics
/// (within Bybit's 2,000 args and 21,000 characters per connection). It connects, pings from the first
/// moment, subscribes, applies every ticker to the book, and when the connection dies (closed, no pong,
/// no data) replaces it with backoff and jitter and subscribes all of its topics again. While the exchange does not
/// answer at all, it waits at the shared <see cref="ExchangeGate"/> instead (one shard probes for all).
/// Every request carries a <c>req_id</c> and its topics are remembered by it: the option ack has no <c>req_id</c> and is
/// matched by topic, but a rejection (<c>success:false</c>, no topics) names only the request. A topic refused
/// <see cref="BybitOptions.RefuseLimit"/> times in a row is counted as refused: retried rarely, and no longer awaited
/// for the shard to be live (one such topic must not hold the connection, its health, and the re-snapshot after a
/// reconnect, back for ever).
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
    // Subscribes sent and not yet answered: when, and in which request (a rejection names only the request).
    private readonly Dictionary<string, PendingTopic> _pending = new(StringComparer.Ordinal);
    // Refused topics waiting for their next attempt (ms). Only those refused for good survive a reconnect.
    private readonly Dictionary<string, long> _refusedUntilMs = new(StringComparer.Ordinal);
    // Refusals in a row per assigned topic, kept across connections; cleared by an acceptance.
    private readonly Dictionary<string, int> _refusals = new(StringComparer.Ordinal);
    // Assigned topics refused RefuseLimit times in a row: reported, retried every RefusedTopicRetryInterval, not awaited.
    private readonly HashSet<string> _refusedForGood = new(StringComparer.Ordinal);
    private readonly HashSet<string> _toUnsubscribe = new(StringComparer.Ordinal);
    // Requests of this connection by req_id, kept for an ack timeout so a rejection can be traced to its topics.
    private readonly Dictionary<string, SentRequest> _requests = new(StringComparer.Ordinal);
    private readonly ChangeSignal _wake = new();

    private readonly OptionBook _book;
    private readonly BybitOptions _options;
    private readonly TimeProvider _time;
    // Connect attempts repeat with backoff while the exchange is down: the first failure is logged, then rarely.
    private readonly Diagnostics.LogThrottle _connectLog;
    private readonly RateLimiter _connectLimiter;
    private readonly ExchangeGate _gate;
    private readonly ILogger _logger;
    private readonly Action<WebSocketShard> _onResubscribed;
    private readonly Backoff _refusedBackoff;
    // Data frames go to the handler whose topic prefix (UTF-8) their topic starts with: tickers first, then any other.
    private readonly (byte[] Prefix, ITopicHandler Handler)[] _handlers;

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
    // Whether the exchange has sent anything on the current connection (a pong, an ack, a push): set by the receive loop.
    private volatile bool _answered;
    private volatile ShardState _state = ShardState.Connecting;
    private volatile string? _lastError;
    private string? _malformedSample;

    public WebSocketShard(
        int id,
        OptionBook book,
        BybitOptions options,
        TimeProvider time,
        RateLimiter connectLimiter,
        ExchangeGate gate,
        ILogger logger,
        Action<WebSocketShard> onResubscribed,
        IEnumerable<ITopicHandler>? topicHandlers = null)
    {
        Id = id;
        _book = book;
        _options = options;
        _time = time;
        _connectLog = new Diagnostics.LogThrottle(time, Diagnostics.LogThrottle.DefaultInterval);
        _connectLimiter = connectLimiter;
        _gate = gate;
        _logger = logger;
        _onResubscribed = onResubscribed;
        _refusedBackoff = new Backoff(options.SubscribeRetryDelay, TimeSpan.FromMinutes(1));
        _handlers = [.. new ITopicHandler[] { new TickerTopicHandler(book) }.Concat(topicHandlers ?? [])
            .Select(h => (Encoding.UTF8.GetBytes(h.TopicPrefix), h))];
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

    /// <summary>Assigned topics the exchange refused <see cref="BybitOptions.RefuseLimit"/> times in a row, in no order.</summary>
    public string[] RefusedTopics()
    {
        lock (_lock) return _refusedForGood.Count == 0 ? [] : [.. _refusedForGood];
    }

    public ShardStatus Status() =>
        new(Id, State, AssignedCount, SubscribedCount, Messages, Malformed, UnknownSymbols, Reconnects, LastMessageAt, LastError, RefusedTopics());

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
        bool becameLive;
        lock (_lock)
        {
            foreach (var topic in topics)
            {
                if (!_assigned.Remove(topic))
                    continue;
                _refusedUntilMs.Remove(topic);
                _refusals.Remove(topic);
                _refusedForGood.Remove(topic);
                // A subscribe still in flight is unsubscribed too: the exchange handles one connection's requests in
                // order, so the unsubscribe lands after it, and the topic stops using the connection's allowance.
                var pending = _pending.Remove(topic);
                if (_subscribed.Remove(topic) | pending)
                    _toUnsubscribe.Add(topic);
            }
            // The topics still awaited may just have left.
            becameLive = TryBecomeLiveLocked();
        }
        _wake.Notify();
        if (becameLive)
            OnLive();
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var reconnect = new Backoff(_options.ReconnectDelay, _options.MaxReconnectDelay);
        var probe = new Backoff(_options.ReconnectDelay, _options.MaxProbeDelay);
        var everConnected = false;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                _state = everConnected ? ShardState.Reconnecting : ShardState.Connecting;
                // While the exchange does not answer, one shard probes and the rest wait here for it to answer.
                await _gate.WaitToConnectAsync(Id, cancellationToken);
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
                    // The probe backs off (briefly: see MaxProbeDelay); any other shard goes back to wait at the gate.
                    if (_gate.ConnectFailed(Id, ex.Message))
                    {
                        var delay = probe.Next();
                        if (_connectLog.ShouldLog(ex.GetType().Name))
                            Log.ProbeFailed(_logger, Id, _options.WsUrl, ex.Message, delay);
                        await DelayAsync(delay, cancellationToken);
                    }
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
                if (!_answered)
                {
                    // The upgrade went through but the exchange said nothing at all (no pong, no ack, no push): it is as
                    // down as when it refuses connections, so it is probed the same way, by one shard at most every
                    // MaxProbeDelay while the others wait at the gate. Backing off on its own instead, each shard's delay
                    // doubled through a long silence to a minute, and the feed came back up to a minute after the
                    // exchange did.
                    if (_gate.ConnectFailed(Id, reason))
                    {
                        var delay = probe.Next();
                        if (_connectLog.ShouldLog("silent"))
                            Log.ProbeFailed(_logger, Id, _options.WsUrl, reason, delay);
                        await DelayAsync(delay, cancellationToken);
                    }
                    continue;
                }
                probe.Reset();
                // A session that reached Live earns a fresh start of the backoff: a drop after hours is not a storm.
                if (reachedLive)
                    reconnect.Reset();
                var wait = reconnect.Next();
                Log.ShardLost(_logger, Id, reason, wait);
                await DelayAsync(wait, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped while waiting for the gate or a connection permit.
        }
        finally
        {
            _gate.Leave(Id);
            _state = ShardState.Stopped;
        }
    }

    private async Task<(string Reason, bool ReachedLive)> RunSessionAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        Volatile.Write(ref _lastMessageAtMs, now);
        _answered = false;
        _lastPingSentAtMs = 0;
        Volatile.Write(ref _unansweredPingSinceMs, 0);
        lock (_lock)
        {
            // A new connection knows nothing: every assigned topic is subscribed again, at once, except those refused
            // for good, which keep their (rare) retry time.
            ForgetConnectionLocked();
            foreach (var topic in _refusedUntilMs.Keys.Where(t => !_refusedForGood.Contains(t)).ToList())
                _refusedUntilMs.Remove(topic);
            _state = ShardState.Subscribing;
        }

        var reason = await ConnectionSession.RunAsync(socket, ct => ReceiveLoopAsync(socket, ct), ct => ControlLoopAsync(socket, ct), cancellationToken);
        bool reachedLive;
        lock (_lock)
        {
            // The connection is gone and its subscriptions with it: nothing counts as subscribed until the next one
            // acknowledges it (stats and metrics must not show topics on a connection that does not exist).
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
                return $"closed by the server ({socket.CloseStatus} {socket.CloseStatusDescription})";
            if (read != WebSocketRead.Message)
                return reason!;
            if (!_answered)
            {
                // The first word from the exchange on this connection: it answers, so every shard waiting at the
                // gate may connect now (a no-op while the gate is up).
                _answered = true;
                _gate.Connected();
            }
            HandleMessage(reader.Message);
        }
    }

    /// <summary>
    /// The per-message path: a data frame goes to its topic's handler; control frames (pongs, subscribe replies) and frames
    /// without a topic are read here. Allocation-free for data frames.
    /// </summary>
    internal void HandleMessage(ReadOnlySpan<byte> message)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        Volatile.Write(ref _lastMessageAtMs, now);
        // One clock read per message: the same instant stamps liveness and the quote's ReceivedAtMs.
        if (TryFindHandler(message, out var handler))
        {
            Count(handler.Handle(message, now), message, now);
            return;
        }
        var kind = TickerParser.ParseMessage(message, _book, now, out var response);
        switch (kind)
        {
            case MessageKind.Pong:
                Volatile.Write(ref _unansweredPingSinceMs, 0);
                break;
            case MessageKind.CommandResponse:
                HandleCommandResponse(response!, now);
                break;
            default:
                Count(TickerTopicHandler.ResultOf(kind), message, now);
                break;
        }
    }

    /// <summary>Counts a data frame by what its handler (or the control path's parse) made of it.</summary>
    private void Count(TopicResult result, ReadOnlySpan<byte> message, long now)
    {
        switch (result)
        {
            case TopicResult.Applied:
            case TopicResult.Unchanged:
                Volatile.Write(ref _messages, _messages + 1);
                break;
            case TopicResult.UnknownSymbol:
                Volatile.Write(ref _messages, _messages + 1);
                Volatile.Write(ref _unknownSymbols, _unknownSymbols + 1);
                break;
            case TopicResult.Malformed:
                CountMalformed(message, now);
                break;
        }
    }

    private void CountMalformed(ReadOnlySpan<byte> message, long now)
    {
        Volatile.Write(ref _malformed, _malformed + 1);
        _malformedUnreported++;
        if (now - _malformedReportedAtMs >= 10_000 || _malformedReportedAtMs == 0)
            ReportMalformed(message, now);
        else
            _malformedSample ??= Sample(message);
    }

    /// <summary>
    /// Finds the handler of a data frame by its top-level <c>topic</c> (Bybit writes it before <c>data</c>, so the scan is
    /// short). False for a frame without a topic (a pong, a subscribe reply), with a topic no handler takes, or not JSON:
    /// those take the control path, which counts what is malformed.
    /// </summary>
    private bool TryFindHandler(ReadOnlySpan<byte> message, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ITopicHandler? handler)
    {
        handler = null;
        try
        {
            var reader = new Utf8JsonReader(message, new JsonReaderOptions { MaxDepth = 8 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isTopic = reader.ValueTextEquals("topic"u8);
                reader.Read();
                if (!isTopic)
                {
                    reader.Skip();
                    continue;
                }
                if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
                    return false;
                var topic = reader.ValueSpan;
                foreach (var (prefix, candidate) in _handlers)
                {
                    if (topic.StartsWith(prefix))
                    {
                        handler = candidate;
                        return true;
                    }
                }
                return false;
            }
        }
        catch (JsonException)
        {
            // Not JSON: the control path counts it as malformed.
        }
        return false;
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
        var refusal = new RefusalSummary();
        string? acceptedExample = null;
        var accepted = 0;
        SentRequest? request = null;
        var becameLive = false;
        // Topics of the other handlers (not tickers) now acknowledged on this connection: told after the lock.
        List<(ITopicHandler Handler, string Topic)>? newlySubscribed = null;
        var listsTopics = response.SuccessTopics.Count > 0 || response.FailTopics.Count > 0;
        lock (_lock)
        {
            if (response.ReqId is { } reqId)
                _requests.Remove(reqId, out request);
            // The option ack lists its topics. A reply without topics (a linear-style ack, or a rejection such as
            // {"success":false,"ret_msg":"error:…","req_id":…,"op":"subscribe"}) speaks for its request's topics still
            // awaited under that req_id.
            IEnumerable<string> succeeded = response.SuccessTopics;
            IEnumerable<string> failed = response.FailTopics;
            if (!listsTopics && request is { Op: "subscribe" })
            {
                var awaited = request.Topics.Where(t => _pending.TryGetValue(t, out var p) && p.RequestId == response.ReqId).ToList();
                if (response.Success)
                    succeeded = awaited;
                else
                    failed = awaited;
            }

            foreach (var topic in succeeded)
            {
                _pending.Remove(topic);
                if (!_assigned.Contains(topic))
                    continue;
                if (_subscribed.Add(topic) && HandlerOf(topic) is { } subscribedHandler)
                    (newlySubscribed ??= []).Add((subscribedHandler, topic));
                _refusals.Remove(topic);
                _refusedUntilMs.Remove(topic);
                if (_refusedForGood.Remove(topic))
                {
                    accepted++;
                    acceptedExample ??= topic;
                }
            }
            RefuseLocked(failed, now, ref refusal);
            if (refusal.Retried == 0 && refusal.MarkedRefused == 0 && response.SuccessTopics.Count > 0)
                _refusedBackoff.Reset();
            becameLive = TryBecomeLiveLocked();
        }

        if (!response.Success && !listsTopics)
        {
            // Logged once per rejected request, whatever the number of topics it carried.
            if (request is { Op: "subscribe" })
                Log.SubscribeRequestRejected(_logger, Id, request.Op, response.ReqId!, request.Topics.Count, request.Topics.FirstOrDefault() ?? "",
                    response.RetMsg ?? "no message", refusal.Retried > 0 ? refusal.Delay : _options.RefusedTopicRetryInterval);
            else
                Log.RequestRejected(_logger, Id, $"{response.RetMsg ?? "no message"} (op {request?.Op ?? response.Op ?? "unknown"}, req_id {response.ReqId ?? "none"})");
        }
        else if (refusal.Retried > 0)
        {
            Log.TopicsRefused(_logger, Id, refusal.Retried, refusal.RetriedExample!, refusal.Delay);
        }
        if (refusal.MarkedRefused > 0)
            Log.TopicsMarkedRefused(_logger, Id, refusal.MarkedRefused, _options.RefuseLimit, refusal.MarkedExample!, _options.RefusedTopicRetryInterval);
        if (accepted > 0)
            Log.RefusedTopicsAccepted(_logger, Id, accepted, acceptedExample!);
        if (newlySubscribed is not null)
        {
            foreach (var (handler, topic) in newlySubscribed)
                handler.Subscribed(topic);
        }
        if (becameLive)
            OnLive();
    }

    /// <summary>The handler of a topic other than tickers (whose frames need no word of a subscription), or null.</summary>
    private ITopicHandler? HandlerOf(string topic)
    {
        // The first handler is the shard's own ticker handler.
        for (var i = 1; i < _handlers.Length; i++)
        {
            if (topic.StartsWith(_handlers[i].Handler.TopicPrefix, StringComparison.Ordinal))
                return _handlers[i].Handler;
        }
        return null;
    }

    /// <summary>
    /// Schedules refused topics for another attempt: with backoff at first, and after <see cref="BybitOptions.RefuseLimit"/>
    /// refusals in a row only every <see cref="BybitOptions.RefusedTopicRetryInterval"/>, as refused for good.
    /// </summary>
    private void RefuseLocked(IEnumerable<string> topics, long now, ref RefusalSummary summary)
    {
        foreach (var topic in topics)
        {
            _pending.Remove(topic);
            if (!_assigned.Contains(topic) || _subscribed.Contains(topic))
                continue;
            var refusals = _refusals[topic] = _refusals.GetValueOrDefault(topic) + 1;
            if (refusals >= _options.RefuseLimit)
            {
                _refusedUntilMs[topic] = now + (long)_options.RefusedTopicRetryInterval.TotalMilliseconds;
                if (_refusedForGood.Add(topic))
                {
                    summary.MarkedRefused++;
                    summary.MarkedExample ??= topic;
                }
                continue;
            }
            if (summary.Retried == 0)
                summary.Delay = _refusedBackoff.Next();
            _refusedUntilMs[topic] = now + (long)summary.Delay.TotalMilliseconds;
            summary.Retried++;
            summary.RetriedExample ??= topic;
        }
    }

    /// <summary>Live once every assigned topic is subscribed or refused for good (those must not hold the shard back).</summary>
    private bool TryBecomeLiveLocked()
    {
        if (_state != ShardState.Subscribing || _assigned.Count == 0 || _subscribed.Count + _refusedForGood.Count < _assigned.Count)
            return false;
        _state = ShardState.Live;
        return true;
    }

    private void OnLive()
    {
        Log.ShardLive(_logger, Id, SubscribedCount, AssignedCount);
        if (_afterReconnect)
        {
            _afterReconnect = false;
            _onResubscribed(this);
        }
    }

    private async Task<string> ControlLoopAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(
            Math.Min(_options.PingInterval.TotalMilliseconds, Math.Min(_options.PongTimeout.TotalMilliseconds, _options.AckTimeout.TotalMilliseconds)) / 4,
            10, 1000));
        var requests = new List<OutgoingRequest>();
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
            foreach (var request in requests)
                await SendTextAsync(socket, BuildRequest(request), cancellationToken);

            await Task.WhenAny(wake, Task.Delay(tick, _time, cancellationToken));
        }
        return "stopped";
    }

    /// <summary>
    /// Decides what to (re)subscribe and unsubscribe now, in chunks within the args budget, each chunk a request with
    /// its own <c>req_id</c>, remembered with its topics.
    /// </summary>
    private void PlanRequests(long now, List<OutgoingRequest> requests)
    {
        List<string> toSend = [];
        lock (_lock)
        {
            var ackTimeout = (long)_options.AckTimeout.TotalMilliseconds;
            var timedOut = 0;
            foreach (var (_, pending) in _pending)
            {
                if (now - pending.SinceMs > ackTimeout)
                    timedOut++;
            }
            if (timedOut > 0)
            {
                Log.AckTimedOut(_logger, Id, timedOut, _options.AckTimeout);
                foreach (var topic in _pending.Where(p => now - p.Value.SinceMs > ackTimeout).Select(p => p.Key).ToList())
                    _pending.Remove(topic);
            }
            // Requests older than an ack timeout are answered or given up on (their topics go out again in new ones).
            if (_requests.Count > 0)
            {
                foreach (var (id, _) in _requests.Where(r => now - r.Value.SentAtMs > ackTimeout).ToList())
                    _requests.Remove(id);
            }

            foreach (var topic in _assigned)
            {
                if (_subscribed.Contains(topic) || _pending.ContainsKey(topic))
                    continue;
                if (_refusedUntilMs.TryGetValue(topic, out var until))
                {
                    if (until > now)
                        continue;
                    _refusedUntilMs.Remove(topic);
                }
                toSend.Add(topic);
            }
            if (_toUnsubscribe.Count > 0)
            {
                AddChunksLocked("unsubscribe", [.. _toUnsubscribe], now, requests);
                _toUnsubscribe.Clear();
            }
            AddChunksLocked("subscribe", toSend, now, requests);
        }
    }

    private void AddChunksLocked(string op, List<string> topics, long now, List<OutgoingRequest> requests)
    {
        var chunk = new List<string>();
        var chars = 0;
        foreach (var topic in topics)
        {
            if (chunk.Count == _options.SubscribeChunkSize || chars + ArgsChars(topic) > _options.MaxArgsCharsPerConnection)
            {
                AddRequestLocked(op, chunk, now, requests);
                chunk = [];
                chars = 0;
            }
            chunk.Add(topic);
            chars += ArgsChars(topic);
        }
        if (chunk.Count > 0)
            AddRequestLocked(op, chunk, now, requests);
    }

    private void AddRequestLocked(string op, List<string> topics, long now, List<OutgoingRequest> requests)
    {
        var id = $"{Id}-{++_requestSeq}";
        _requests[id] = new SentRequest(op, topics, now);
        if (op == "subscribe")
        {
            foreach (var topic in topics)
                _pending[topic] = new PendingTopic(now, id);
        }
        requests.Add(new OutgoingRequest(id, op, topics));
    }

    private static string BuildRequest(OutgoingRequest request)
    {
        var topics = request.Topics;
        var builder = new StringBuilder(64 + topics.Sum(ArgsChars));
        builder.Append("{\"req_id\":\"").Append(request.Id).Append("\",\"op\":\"").Append(request.Op).Append("\",\"args\":[");
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

    private readonly record struct PendingTopic(long SinceMs, string RequestId);

    private sealed record SentRequest(string Op, List<string> Topics, long SentAtMs);

    private readonly record struct OutgoingRequest(string Id, string Op, List<string> Topics);

    private struct RefusalSummary
    {
        public int Retried;
        public string? RetriedExample;
        public TimeSpan Delay;
        public int MarkedRefused;
        public string? MarkedExample;
    }
}
