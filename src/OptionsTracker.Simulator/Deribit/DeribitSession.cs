using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace OptionsTracker.Simulator.Deribit;

/// <summary>
/// One client on <c>/ws/api/v2</c>. The receive loop answers JSON-RPC requests as they come; the push loop sends each
/// subscribed ticker once per push interval, the queued trade and instrument-state notifications, the mark-price
/// channel once a second, and the heartbeats. One lock lets one of them send at a time (a WebSocket allows one sender).
/// </summary>
internal sealed class DeribitSession : IDisposable
{
    /// <summary>Largest request accepted (Deribit answers "request entity too large" beyond some size).</summary>
    private const int MaxRequestBytes = 1 << 20;

    private readonly ConnectionAbort _abort;
    private readonly WebSocket _socket;
    private readonly DeribitSimulator _owner;
    private readonly DeribitSimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly Utf8JsonWriter _writer;
    private readonly Lock _channelGate = new();
    private readonly HashSet<string> _channels = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Channel, byte[] Message)> _notifications = new();
    private readonly ConcurrentDictionary<string, byte> _notificationChannels = new(StringComparer.Ordinal);
    private readonly CreditPool _credits;
    private readonly CreditPool _subscribeCredits;
    private ListedOption[] _tickers = [];
    private string[] _markPriceIndexes = [];
    private long _tickersSent;
    private long _requests;
    private long _testsReceived;
    private long _heartbeatPeriodTicks; // 0 = heartbeats off
    private long _nextHeartbeatTimestamp;
    private volatile bool _testPending;
    private int _closing;

    public DeribitSession(long id, HttpContext context, WebSocket socket, DeribitSimulator owner, DeribitSimulatorOptions options)
    {
        Id = id;
        _abort = new ConnectionAbort(context);
        _socket = socket;
        _owner = owner;
        _options = options;
        _time = options.TimeProvider;
        _writer = new Utf8JsonWriter(_buffer);
        _credits = new CreditPool(options.MaxCredits, options.CreditsPerSecond, _time);
        _subscribeCredits = new CreditPool(options.MaxSubscribeCredits, options.SubscribeCreditsPerSecond, _time);
    }

    public long Id { get; }

    public long TickersSent => Interlocked.Read(ref _tickersSent);

    public DeribitSimulatorConnection Snapshot()
    {
        lock (_channelGate)
        {
            return new DeribitSimulatorConnection(Id, [.. _channels.Order(StringComparer.Ordinal)], Interlocked.Read(ref _requests),
                Interlocked.Read(ref _testsReceived), Interlocked.Read(ref _heartbeatPeriodTicks) != 0);
        }
    }

    /// <summary>Ends the TCP connection at once, without a close handshake; nothing when the session has already ended.</summary>
    public void Abort() => _abort.Abort();

    /// <summary>Queues a notification for the push loop if this connection holds <paramref name="channel"/>.</summary>
    public void Notify(string channel, byte[] message)
    {
        if (_notificationChannels.ContainsKey(channel))
            _notifications.Enqueue((channel, message));
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
        Log.ConnectionOpened(_owner.Logger, Id);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var pushing = PushLoopAsync(stop.Token);
        string reason = "closed by client";
        try
        {
            reason = await ReceiveLoopAsync(stop.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            Log.ConnectionFailed(_owner.Logger, Id, ex);
            reason = "aborted";
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await pushing;
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
            {
                // The connection is over either way.
            }
        }

        Log.ConnectionClosed(_owner.Logger, Id, reason);
    }

    public void Dispose()
    {
        _sendLock.Dispose();
        _writer.Dispose();
    }

    private async Task<string> ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        var message = new ArrayBufferWriter<byte>(4096);
        while (!cancellationToken.IsCancellationRequested)
        {
            message.ResetWrittenCount();
            ValueWebSocketReceiveResult result;
            do
            {
                var memory = message.GetMemory(4096);
                result = await _socket.ReceiveAsync(memory, cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (_socket.State == WebSocketState.CloseReceived)
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
                    return "closed by client";
                }

                message.Advance(result.Count);
                if (message.WrittenCount > MaxRequestBytes)
                {
                    await CloseAsync(WebSocketCloseStatus.MessageTooBig, "request entity too large");
                    return "request too large";
                }
            }
            while (!result.EndOfMessage);

            long usIn = _owner.Microseconds();
            if (!await HandleMessageAsync(message.WrittenMemory, usIn))
                return "closed after 10028 too_many_requests";
            if (Volatile.Read(ref _closing) == 1)
                return "closed by server";
        }

        return "server stopping";
    }

    /// <summary>Answers one request; false when the connection was closed for running out of credits.</summary>
    private async Task<bool> HandleMessageAsync(ReadOnlyMemory<byte> message, long usIn)
    {
        Interlocked.Increment(ref _requests);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message);
        }
        catch (JsonException)
        {
            Log.InvalidRequest(_owner.Logger, Id);
            await SendResponseAsync(default, usIn, null, new RpcError(-32700, "Parse error", "invalid JSON"));
            return true;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("method", out var methodElement) || methodElement.ValueKind != JsonValueKind.String)
            {
                Log.InvalidRequest(_owner.Logger, Id);
                await SendResponseAsync(root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out var badId) ? badId : default, usIn, null,
                    new RpcError(-32600, "Invalid Request", "method missing"));
                return true;
            }

            string method = methodElement.GetString()!;
            var id = root.TryGetProperty("id", out var idElement) ? idElement : default;
            var parameters = RpcParams.From(root.TryGetProperty("params", out var p) ? p : default);
            bool isSubscribe = method is "public/subscribe" or "public/unsubscribe";
            bool allowed = !_owner.Faults.TakeTooManyRequests()
                && (isSubscribe ? _subscribeCredits.TryTake(_options.SubscribeCost) : _credits.TryTake(_options.RequestCost));
            if (!allowed)
            {
                Log.TooManyRequests(_owner.Logger, Id);
                await SendResponseAsync(id, usIn, null, RpcError.TooManyRequests);
                if (!_options.CloseOnTooManyRequests)
                    return true;
                await CloseAsync(WebSocketCloseStatus.PolicyViolation, "too_many_requests");
                return false;
            }

            if (method == "public/test")
                Interlocked.Increment(ref _testsReceived);
            if (method == "public/test" && !_owner.Faults.IgnoreHeartbeatAnswers)
                _testPending = false;
            await SendResponseAsync(id, usIn, (method, parameters), null);
            return true;
        }
    }

    /// <summary>Writes and sends one response: the method's result, or <paramref name="error"/>.</summary>
    private async Task SendResponseAsync(JsonElement id, long usIn, (string Method, RpcParams Params)? call, RpcError? error)
    {
        await _sendLock.WaitAsync();
        try
        {
            _buffer.ResetWrittenCount();
            _writer.Reset(_buffer);
            _writer.WriteStartObject();
            _writer.WriteString("jsonrpc", "2.0");
            if (id.ValueKind is JsonValueKind.Number or JsonValueKind.String)
            {
                _writer.WritePropertyName("id");
                id.WriteTo(_writer);
            }

            if (call is var (method, parameters))
            {
                // The handler validates first, then writes "result"; on an error it has written nothing.
                error = _owner.Rpc.Handle(method, parameters, _writer, this);
            }

            if (error is not null)
                DeribitRpc.WriteError(_writer, error);
            long usOut = _owner.Microseconds();
            _writer.WriteNumber("usIn", usIn);
            _writer.WriteNumber("usOut", usOut);
            _writer.WriteNumber("usDiff", usOut - usIn);
            _writer.WriteBoolean("testnet", _options.Testnet);
            _writer.WriteEndObject();
            _writer.Flush();
            if (!_owner.Faults.Silent)
                await _socket.SendAsync(_buffer.WrittenMemory, WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    // ---- Subscriptions (called by DeribitRpc under the send lock) ----

    /// <summary>Checks the limits, then subscribes what can be; returns the channels now held of those asked, or an error.</summary>
    internal RpcError? Subscribe(IReadOnlyList<string> channels, List<string> subscribed)
    {
        if (channels.Count > _options.MaxChannelsPerSubscribe)
            return RpcError.InvalidParams("channels", $"at most {_options.MaxChannelsPerSubscribe} channels per subscribe call");
        lock (_channelGate)
        {
            int adding = channels.Distinct(StringComparer.Ordinal).Count(c => !_channels.Contains(c));
            if (_channels.Count + adding > _options.MaxChannelsPerConnection)
                return RpcError.InvalidParams("channels", $"at most {_options.MaxChannelsPerConnection} channels per connection");
            foreach (string channel in channels)
            {
                if (_channels.Contains(channel))
                {
                    subscribed.Add(channel);
                    continue;
                }

                if (!_owner.IsValidChannel(channel) || _owner.Faults.Refuses(channel))
                    continue;
                _channels.Add(channel);
                subscribed.Add(channel);
            }

            RebuildLocked();
        }

        return null;
    }

    internal void Unsubscribe(IReadOnlyList<string> channels, List<string> removed)
    {
        lock (_channelGate)
        {
            foreach (string channel in channels)
            {
                if (_channels.Remove(channel))
                    removed.Add(channel);
            }

            RebuildLocked();
        }
    }

    internal void UnsubscribeAll()
    {
        lock (_channelGate)
        {
            _channels.Clear();
            RebuildLocked();
        }
    }

    internal void SetHeartbeat(TimeSpan? period)
    {
        long ticks = period is { } p ? Math.Max(1, (long)(p.TotalSeconds * _time.TimestampFrequency)) : 0;
        _testPending = false;
        Volatile.Write(ref _nextHeartbeatTimestamp, _time.GetTimestamp() + ticks);
        Interlocked.Exchange(ref _heartbeatPeriodTicks, ticks);
    }

    private void RebuildLocked()
    {
        var tickers = new List<ListedOption>();
        var indexes = new List<string>();
        _notificationChannels.Clear();
        foreach (string channel in _channels)
        {
            if (channel.StartsWith("ticker.", StringComparison.Ordinal))
            {
                string name = channel["ticker.".Length..channel.LastIndexOf('.')];
                if (_owner.Market.TryGetKnown(name, out var listing))
                    tickers.Add(listing);
            }
            else if (channel.StartsWith("markprice.options.", StringComparison.Ordinal))
            {
                indexes.Add(channel["markprice.options.".Length..]);
            }
            else
            {
                _notificationChannels[channel] = 0;
            }
        }

        Volatile.Write(ref _tickers, [.. tickers]);
        Volatile.Write(ref _markPriceIndexes, [.. indexes]);
    }

    // ---- Pushes ----

    private async Task PushLoopAsync(CancellationToken cancellationToken)
    {
        var interval = _options.PushInterval;
        using var timer = interval > TimeSpan.Zero ? new PeriodicTimer(interval, _time) : null;
        long lastMarkPrice = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (timer is not null)
            {
                if (!await timer.WaitForNextTickAsync(cancellationToken))
                    return;
            }
            else
            {
                await Task.Yield();
            }

            if (_owner.Faults.Silent)
            {
                // A stalled server: nothing goes out, nothing is checked; queued notifications are lost with it.
                _notifications.Clear();
                continue;
            }

            await _sendLock.WaitAsync(cancellationToken);
            try
            {
                long nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
                foreach (var listing in Volatile.Read(ref _tickers))
                {
                    if (!_owner.Market.TryGetOpen(listing.Name, out _))
                        continue; // Closed or delivered: its channel goes quiet.
                    var ticker = DeribitMarket.Ticker(listing, listing.Source.ReadTicker(), nowMs);
                    BeginNotification(listing.TickerChannel);
                    DeribitJson.WriteTicker(_writer, ticker);
                    await EndNotificationAsync(cancellationToken);
                    _owner.RecordPush(ticker);
                    Interlocked.Increment(ref _tickersSent);
                }

                while (_notifications.TryDequeue(out var notification))
                    await _socket.SendAsync(notification.Message, WebSocketMessageType.Text, true, cancellationToken);

                if (nowMs - lastMarkPrice >= 1000 && Volatile.Read(ref _markPriceIndexes).Length > 0)
                {
                    lastMarkPrice = nowMs;
                    foreach (string index in Volatile.Read(ref _markPriceIndexes))
                    {
                        BeginNotification("markprice.options." + index);
                        _owner.WriteMarkPrices(_writer, index, nowMs);
                        await EndNotificationAsync(cancellationToken);
                    }
                }

                await HeartbeatAsync(cancellationToken);
            }
            finally
            {
                _sendLock.Release();
            }
        }
    }

    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        long period = Interlocked.Read(ref _heartbeatPeriodTicks);
        if (period == 0 || _time.GetTimestamp() < Volatile.Read(ref _nextHeartbeatTimestamp))
            return;
        if (_testPending)
        {
            // The documentation: "If your software fails to do so, the API server will immediately close the connection."
            Log.HeartbeatMissed(_owner.Logger, Id);
            Volatile.Write(ref _closing, 1);
            await CloseCoreAsync(WebSocketCloseStatus.PolicyViolation, "heartbeat test_request not answered");
            return;
        }

        _testPending = true;
        Volatile.Write(ref _nextHeartbeatTimestamp, _time.GetTimestamp() + period);
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        _writer.WriteStartObject();
        _writer.WriteString("jsonrpc", "2.0");
        _writer.WriteString("method", "heartbeat");
        _writer.WriteStartObject("params");
        _writer.WriteString("type", "test_request");
        _writer.WriteEndObject();
        _writer.WriteEndObject();
        _writer.Flush();
        await _socket.SendAsync(_buffer.WrittenMemory, WebSocketMessageType.Text, true, cancellationToken);
    }

    private void BeginNotification(string channel)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        _writer.WriteStartObject();
        _writer.WriteString("jsonrpc", "2.0");
        _writer.WriteString("method", "subscription");
        _writer.WriteStartObject("params");
        _writer.WriteString("channel", channel);
        _writer.WritePropertyName("data");
    }

    private async Task EndNotificationAsync(CancellationToken cancellationToken)
    {
        _writer.WriteEndObject();
        _writer.WriteEndObject();
        _writer.Flush();
        await _socket.SendAsync(_buffer.WrittenMemory, WebSocketMessageType.Text, true, cancellationToken);
    }

    private async Task CloseAsync(WebSocketCloseStatus status, string reason)
    {
        await _sendLock.WaitAsync();
        try
        {
            await CloseCoreAsync(status, reason);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task CloseCoreAsync(WebSocketCloseStatus status, string reason)
    {
        Volatile.Write(ref _closing, 1);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _socket.CloseOutputAsync(status, reason, timeout.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The peer is gone already.
            Abort();
            return;
        }

        // Not aborted at once: a reset could discard what was just sent (the 10028 answer) before the client reads it.
        // A client that never completes the close handshake is cut off a little later.
        _ = Task.Delay(TimeSpan.FromSeconds(2)).ContinueWith(static (_, session) => ((DeribitSession)session!).Abort(), this, TaskScheduler.Default);
    }
}

/// <summary>A snapshot of one Deribit WebSocket connection.</summary>
/// <param name="Id">The simulator's number for it, from 1.</param>
/// <param name="Channels">The channels it holds, sorted.</param>
/// <param name="Requests">Requests received.</param>
/// <param name="TestsReceived"><c>public/test</c> requests received (heartbeat answers).</param>
/// <param name="HeartbeatOn">Whether <c>public/set_heartbeat</c> is in force.</param>
public sealed record DeribitSimulatorConnection(long Id, IReadOnlyList<string> Channels, long Requests, long TestsReceived, bool HeartbeatOn);
