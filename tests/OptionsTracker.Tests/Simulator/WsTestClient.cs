using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace OptionsTracker.Tests.Simulator;

/// <summary>A whole WebSocket message as received, with the number of frames it came in.</summary>
internal sealed record WsMessage(string Text, int Frames)
{
    public JsonDocument? TryParse()
    {
        try
        {
            return JsonDocument.Parse(Text);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// A raw ClientWebSocket (not the tracker's client) with a background reader, so tests can wait for messages with a
/// timeout without cancelling a receive (which would abort the socket).
/// </summary>
internal sealed class WsTestClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly Channel<WsMessage> _messages = Channel.CreateUnbounded<WsMessage>();
    private readonly CancellationTokenSource _stop = new();
    private Task _reader = Task.CompletedTask;

    public WebSocketState State => _socket.State;

    /// <summary>Completes when the server ends the connection; faults with the receive error when it was aborted.</summary>
    public Task Closed => _reader;

    public static async Task<WsTestClient> ConnectAsync(Uri uri)
    {
        var client = new WsTestClient();
        client._socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await client._socket.ConnectAsync(uri, TestContext.Current.CancellationToken);
        client._reader = client.ReadLoopAsync();
        return client;
    }

    public Task SendAsync(string text) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);

    public Task SubscribeAsync(params IEnumerable<string> topics) =>
        SendAsync(JsonSerializer.Serialize(new { op = "subscribe", args = topics.ToArray(), req_id = "t1" }));

    /// <summary>The next message, or null when none comes within <paramref name="timeout"/> or the socket closed.</summary>
    public async Task<WsMessage?> TryReceiveAsync(TimeSpan timeout)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            return await _messages.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>Skips messages until one parses and satisfies <paramref name="match"/>; fails on timeout.</summary>
    public async Task<JsonElement> ReceiveAsync(Func<JsonElement, bool> match, string what)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var left = TestSimulator.Timeout - Stopwatch.GetElapsedTime(started);
            var message = left > TimeSpan.Zero ? await TryReceiveAsync(left) : null;
            if (message is null)
                Assert.Fail($"No message matching: {what}");
            using var json = message.TryParse();
            if (json is not null && match(json.RootElement))
                return json.RootElement.Clone();
        }
    }

    public Task<JsonElement> ReceiveAckAsync() =>
        ReceiveAsync(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("type", out var t) && t.GetString() == "COMMAND_RESP", "COMMAND_RESP");

    public Task<JsonElement> ReceivePushAsync(string symbol, Func<JsonElement, bool>? match = null) =>
        ReceiveAsync(
            e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("topic", out var t) && t.GetString() == "tickers." + symbol
                && e.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object && (match?.Invoke(d) ?? true),
            "push of " + symbol);

    /// <summary>Reads until no message arrives for <paramref name="quiet"/>; returns how many were skipped.</summary>
    public async Task<int> DrainAsync(TimeSpan quiet)
    {
        int count = 0;
        while (await TryReceiveAsync(quiet) is not null)
            count++;
        return count;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Abort();
        try
        {
            await _reader;
        }
        catch (Exception)
        {
            // Aborted on purpose.
        }

        _socket.Dispose();
        _stop.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[1 << 20];
        try
        {
            while (true)
            {
                int length = 0;
                int frames = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), _stop.Token);
                    length += result.Count;
                    frames++;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                if (result.MessageType == WebSocketMessageType.Close)
                    return;
                _messages.Writer.TryWrite(new WsMessage(Encoding.UTF8.GetString(buffer, 0, length), frames));
            }
        }
        finally
        {
            _messages.Writer.TryComplete();
        }
    }
}
