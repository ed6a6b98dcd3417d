using System.Buffers;
using System.ComponentModel;
using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;

namespace OptionsTracker.Api;

/// <summary>
/// Live options: Server-Sent Events at <c>/api/stream/{asset}</c> and a WebSocket at <c>/ws</c>. Each client
/// gets a snapshot, then at most one message per <see cref="ApiOptions.StreamInterval"/> carrying the latest
/// quote of every option changed since its previous one (see <see cref="OptionStreamCursor"/>). A client
/// that reads slowly only waits longer between messages; nothing queues for it.
/// </summary>
public static class StreamApi
{
    private const int MaxClientMessageBytes = 4096;
    private static readonly Task Never = new TaskCompletionSource().Task;

    public static void MapStreamApi(this WebApplication app)
    {
        app.MapGet("/api/stream/{asset}", GetStream)
            .WithTags("Streams")
            .WithName("StreamOptions")
            .WithSummary("Server-Sent Events: a snapshot of the asset's options, then their changes")
            .WithDescription("Events `snapshot` ({type, asset, expiry, total, data}), then `update` ({type, asset, data}: the latest value of each option changed since the previous event, a few per second at most) and `remove` ({type, asset, symbols}). Idle streams get a comment line as keep-alive.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();

        app.MapGet("/ws", GetWebSocket)
            .WithTags("Streams")
            .WithName("OptionsWebSocket")
            .WithSummary("WebSocket: subscribe to an asset (and optionally one expiry), receive a snapshot, then changes")
            .WithDescription("Send {\"op\":\"subscribe\",\"asset\":\"BTC\",\"expiry\":\"26DEC25\"} (expiry optional); a later subscribe replaces the earlier one, {\"op\":\"unsubscribe\"} stops. Messages: subscribed, snapshot, update, remove (as the SSE events) and error {type, message}.")
            .Produces(StatusCodes.Status101SwitchingProtocols)
            .ProducesProblem(StatusCodes.Status400BadRequest);
    }

    internal static async Task<Results<EmptyHttpResult, ProblemHttpResult, ValidationProblem>> GetStream(
        string asset,
        [Description("26DEC25, 6JAN26, 2025-12-26 or all (default).")] string? expiry,
        HttpContext context,
        BookReader reader,
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
        if (errors.HasErrors)
            return errors.ToProblem();

        var logger = loggers.CreateLogger(typeof(StreamApi));
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        // Streams end at shutdown too: otherwise a client that stopped reading keeps the host waiting.
        using var lifetimeOrRequest = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, lifetime.ApplicationStopping);
        var cancellationToken = lifetimeOrRequest.Token;
        var cursor = new OptionStreamCursor(reader.Book, name, date);
        var clientId = context.TraceIdentifier;
        Log.StreamSubscribed(logger, clientId, "sse", name, date?.ToString("O") ?? "all");
        long sends = 0;
        try
        {
            var pipe = response.BodyWriter;
            var rows = new List<OptionRow>();
            var removed = new List<string>();
            cursor.TakeSnapshot(rows);
            WriteEvent(pipe, "snapshot"u8, output => StreamMessages.WriteSnapshot(output, cursor, rows, reader.Now));
            await pipe.FlushAsync(cancellationToken);
            var interval = options.Value.StreamInterval;
            var lastSend = reader.Time.GetTimestamp();
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await cursor.WaitForChangeAsync(cancellationToken).WaitAsync(options.Value.StreamKeepAlive, reader.Time, cancellationToken);
                }
                catch (TimeoutException)
                {
                    pipe.Write(": keep-alive\n\n"u8);
                    if ((await pipe.FlushAsync(cancellationToken)).IsCompleted)
                        break;
                    continue;
                }
                await ThrottleAsync(reader.Time, lastSend, interval, cancellationToken);

                rows.Clear();
                removed.Clear();
                cursor.TakeChanges(rows, removed);
                if (removed.Count > 0)
                    WriteEvent(pipe, "remove"u8, output => StreamMessages.WriteRemove(output, name, removed));
                if (rows.Count > 0)
                    WriteEvent(pipe, "update"u8, output => StreamMessages.WriteUpdate(output, name, rows, reader.Now));
                if (removed.Count + rows.Count == 0)
                    continue;
                // Awaits the client: a slow reader holds back only its own next message.
                if ((await pipe.FlushAsync(cancellationToken)).IsCompleted)
                    break;
                lastSend = reader.Time.GetTimestamp();
                sends++;
            }
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

    private static void WriteEvent(PipeWriter pipe, ReadOnlySpan<byte> eventName, Action<IBufferWriter<byte>> writeData)
    {
        pipe.Write("event: "u8);
        pipe.Write(eventName);
        pipe.Write("\ndata: "u8);
        // Compact JSON never contains a raw line break, so the whole message is one data line.
        writeData(pipe);
        pipe.Write("\n\n"u8);
    }

    private static Task ThrottleAsync(TimeProvider time, long lastSend, TimeSpan interval, CancellationToken cancellationToken)
    {
        var wait = interval - time.GetElapsedTime(lastSend);
        return wait > TimeSpan.Zero ? Task.Delay(wait, time, cancellationToken) : Task.CompletedTask;
    }

    internal static async Task<Results<EmptyHttpResult, ProblemHttpResult>> GetWebSocket(
        HttpContext context, BookReader reader, IOptions<ApiOptions> options, ILoggerFactory loggers, IHostApplicationLifetime lifetime, CancellationToken requestAborted)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return TypedResults.Problem(
                title: "WebSocket required",
                detail: "/ws speaks WebSocket only; connect with a WebSocket client and send {\"op\":\"subscribe\",\"asset\":\"BTC\"}. For plain HTTP use /api/stream/{asset} (Server-Sent Events).",
                statusCode: StatusCodes.Status400BadRequest);
        }

        using var lifetimeOrRequest = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, lifetime.ApplicationStopping);
        var cancellationToken = lifetimeOrRequest.Token;
        var logger = loggers.CreateLogger(typeof(StreamApi));
        var clientId = context.TraceIdentifier;
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        long sends = 0;
        try
        {
            sends = await RunWebSocketAsync(socket, reader, options.Value, logger, clientId, cancellationToken);
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
        Log.StreamEnded(logger, clientId, "websocket", sends);
        return TypedResults.Empty;
    }

    private static async Task<long> RunWebSocketAsync(WebSocket socket, BookReader reader, ApiOptions options, ILogger logger, string clientId, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxClientMessageBytes];
        var output = new ArrayBufferWriter<byte>(16 * 1024);
        var rows = new List<OptionRow>();
        var removed = new List<string>();
        OptionStreamCursor? cursor = null;
        Task? change = null;
        long sends = 0;
        var lastSend = reader.Time.GetTimestamp();
        var receive = ReceiveTextAsync(socket, buffer, cancellationToken);

        while (true)
        {
            var waitChange = cursor is null ? Never : change ??= cursor.WaitForChangeAsync(cancellationToken);
            var done = await Task.WhenAny(receive, waitChange);
            if (done == receive)
            {
                var (text, tooLarge) = await receive;
                if (text is null && !tooLarge)
                {
                    if (socket.State == WebSocketState.CloseReceived)
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
                    return sends;
                }
                var request = tooLarge
                    ? new ClientRequest(null, $"Messages may be at most {MaxClientMessageBytes} bytes.")
                    : ParseClientMessage(text!, reader, reader.Book.Index);
                if (request.Error is { } error)
                {
                    StreamMessages.WriteError(output, error);
                    await SendAsync(socket, output, cancellationToken);
                }
                else if (request.Subscribe is { } subscribe)
                {
                    cursor = subscribe.Asset is null ? null : new OptionStreamCursor(reader.Book, subscribe.Asset, subscribe.Expiry);
                    change = null;
                    if (cursor is not null)
                    {
                        Log.StreamSubscribed(logger, clientId, "websocket", cursor.Asset, cursor.Expiry?.ToString("O") ?? "all");
                        StreamMessages.WriteSubscribed(output, cursor.Asset, cursor.Expiry);
                        await SendAsync(socket, output, cancellationToken);
                        rows.Clear();
                        cursor.TakeSnapshot(rows);
                        StreamMessages.WriteSnapshot(output, cursor, rows, reader.Now);
                        await SendAsync(socket, output, cancellationToken);
                        lastSend = reader.Time.GetTimestamp();
                        sends++;
                    }
                }
                receive = ReceiveTextAsync(socket, buffer, cancellationToken);
                continue;
            }

            change = null;
            await waitChange;
            await ThrottleAsync(reader.Time, lastSend, options.StreamInterval, cancellationToken);
            rows.Clear();
            removed.Clear();
            cursor!.TakeChanges(rows, removed);
            if (removed.Count > 0)
            {
                StreamMessages.WriteRemove(output, cursor.Asset, removed);
                await SendAsync(socket, output, cancellationToken);
            }
            if (rows.Count > 0)
            {
                StreamMessages.WriteUpdate(output, cursor.Asset, rows, reader.Now);
                await SendAsync(socket, output, cancellationToken);
            }
            if (removed.Count + rows.Count > 0)
            {
                lastSend = reader.Time.GetTimestamp();
                sends++;
            }
        }
    }

    private static async Task SendAsync(WebSocket socket, ArrayBufferWriter<byte> output, CancellationToken cancellationToken)
    {
        await socket.SendAsync(output.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        output.ResetWrittenCount();
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

    private sealed record Subscription(string? Asset, DateOnly? Expiry);

    private sealed record ClientRequest(Subscription? Subscribe, string? Error);

    private const string SubscribeHelp = "Send {\"op\":\"subscribe\",\"asset\":\"BTC\",\"expiry\":\"26DEC25\"} (expiry optional) or {\"op\":\"unsubscribe\"}.";

    private static ClientRequest ParseClientMessage(string text, BookReader reader, BookIndex index)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return new ClientRequest(null, $"Expected a JSON object. {SubscribeHelp}");
            var op = GetString(root, "op") ?? GetString(root, "action") ?? GetString(root, "type") ?? (root.TryGetProperty("asset", out _) ? "subscribe" : null);
            if ("unsubscribe".Equals(op, StringComparison.OrdinalIgnoreCase))
                return new ClientRequest(new Subscription(null, null), null);
            if (!"subscribe".Equals(op, StringComparison.OrdinalIgnoreCase))
                return new ClientRequest(null, $"Unknown op '{QueryErrors.Echo(op ?? "")}'. {SubscribeHelp}");
            var asset = GetString(root, "asset");
            if (!reader.TryResolveAsset(index, asset, out var name, out _))
                return new ClientRequest(null, $"'{QueryErrors.Echo(asset ?? "")}' is not a tracked asset. Tracked assets: {string.Join(", ", reader.KnownAssets(index))}.");
            var errors = new QueryErrors();
            var expiry = errors.Expiry(GetString(root, "expiry"));
            if (errors.HasErrors)
                return new ClientRequest(null, $"'{QueryErrors.Echo(GetString(root, "expiry") ?? "")}' is not an expiry. Use the 26DEC25 form (6JAN26 works too), an ISO date like 2025-12-26, or all.");
            return new ClientRequest(new Subscription(name, expiry), null);
        }
        catch (JsonException)
        {
            return new ClientRequest(null, $"The message is not JSON. {SubscribeHelp}");
        }
    }

    private static string? GetString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
