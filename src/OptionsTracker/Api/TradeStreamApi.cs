using System.Buffers;
using System.ComponentModel;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.Tape;

namespace OptionsTracker.Api;

/// <summary>
/// Every trade of an asset, live and in tape order: Server-Sent Events at <c>/api/trades/stream/{asset}</c>, each trade
/// an event <c>trade</c> whose <c>id:</c> is its tape sequence, so a client that reconnects with <c>Last-Event-ID</c>
/// (or <c>?after=</c>) gets exactly the trades after the last it saw. The stream pulls from the <see cref="TradeTape"/>
/// by sequence (<see cref="TradeFollower"/>): nothing queues per client; a batch is written and flushed, and one the client
/// does not take within <see cref="ApiOptions.StreamSendTimeout"/> drops it (as every stream); a client so far behind that
/// the tape forgot trades it has not read is told (<c>error</c>) and closed. <see cref="StreamGate"/>'s caps apply. A web
/// instance serves its mirrored tape (the collector's sequences) with the same code.
/// </summary>
public static class TradeStreamApi
{
    public static void MapTradeStreamApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/trades/stream/{asset}", GetStreamAsync)
            .WithTags("Trades")
            .WithName("StreamTrades")
            .WithSummary("Server-Sent Events: every trade of the asset, in tape order, resumable with Last-Event-ID")
            .WithDescription("First `subscribed` ({type, channel, asset, after, last_sequence}); then one `trade` event per trade (data: the item of /api/trades; id: its sequence), in order. Start: after Last-Event-ID, else after=, else after the newest trade (only new ones; after=0 replays every trade the tape holds). `gap` ({from, to}) names sequences this tape does not have (forgotten before a resume, or a hole in a mirrored tape); `reset` says the position is beyond this tape (the collector restarted) and the stream replays what it holds (de-duplicate by id); `error` then close: the client fell behind what the tape keeps. Idle streams get a comment line as keep-alive.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesValidationProblem();
    }

    /// <summary>Trades written per flush: bounds what one client holds here (~60 KB of events) whatever the burst.</summary>
    internal const int BatchSize = 128;

    internal static async Task<Results<EmptyHttpResult, ProblemHttpResult, ValidationProblem>> GetStreamAsync(
        string asset,
        [FromQuery(Name = "after"), Description("Start after this tape sequence (0: every trade held). Last-Event-ID wins when both are sent. Default: after the newest.")] string? after,
        [FromHeader(Name = "Last-Event-ID")] string? lastEventId,
        [FromQuery(Name = "venue"), Description("Only this venue's trades (bybit, deribit…), or all (default). Ids stay the tape's sequences, so they skip the other venues' trades.")] string? venue,
        HttpContext context,
        BookReader reader,
        TradeTape tape,
        TradeWakeups wakeups,
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
        var start = string.IsNullOrWhiteSpace(lastEventId) ? Sequence(errors, after, "after") : Sequence(errors, lastEventId, "Last-Event-ID");
        var only = errors.Venue(venue, reader.Venues, index);
        if (errors.HasErrors)
            return errors.ToProblem();
        if (!gate.TryEnter(context.Connection.RemoteIpAddress, out var lease, out var refusal))
            return StreamApi.TooManyStreams(context, refusal);
        using var streamSlot = lease;

        var logger = loggers.CreateLogger(typeof(TradeStreamApi));
        var settings = options.Value;
        var response = StreamApi.StartEventStream(context);
        using var lifetimeOrRequest = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, lifetime.ApplicationStopping);
        var cancellationToken = lifetimeOrRequest.Token;
        var clientId = context.TraceIdentifier;
        var follower = new TradeFollower(tape, wakeups, name, start, reader.Time);
        Log.TradeStreamSubscribed(logger, clientId, "sse", name, follower.Position);
        using var events = new TradeEvents(response.BodyWriter, reader.Time, settings.StreamSendTimeout, cancellationToken);
        // The keep-alive's deadline, renewed before each wait rather than a new timer per wait (a burst makes thousands of
        // waits a second per client); replaced only when it fired, on an idle stream.
        var keepAlive = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        long sent = 0;
        TradeEventBlocks? blocks = null;
        try
        {
            events.Write("subscribed"u8, TradeStreamMessage.Subscribed(name, follower.Position, tape.LastSequence(name)));
            await events.FlushAsync();
            while (!cancellationToken.IsCancellationRequested)
            {
                // No further than the wake-up released: those trades' events are framed already, shared by every client.
                var step = follower.Next(BatchSize, wakeups.Released(name));
                if (step.Overrun is { } overrun)
                {
                    Log.TradeStreamOverrun(logger, clientId, "sse", name, follower.Position);
                    events.Write("error"u8, overrun);
                    await events.FlushAsync();
                    break;
                }
                if (step.Notice is { } notice)
                    events.Write(notice.Type == "reset" ? "reset"u8 : "gap"u8, notice);
                if (step.Trades.Count > 0)
                    events.WriteTrades(step.Trades.AsSpan(), only, blocks ??= wakeups.Blocks(name));
                if (step.Notice is not null || step.Trades.Count > 0)
                {
                    await events.FlushAsync();
                    sent += step.Trades.Count;
                    continue;
                }
                if (keepAlive.IsCancellationRequested)
                {
                    // Fired just as the last wait ended: a fresh one, or every wait would end at once.
                    keepAlive.Dispose();
                    keepAlive = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                }
                var wait = follower.WaitAsync(keepAlive.Token);
                if (wait.IsCompletedSuccessfully)
                    continue;
                keepAlive.CancelAfter(settings.StreamKeepAlive);
                try
                {
                    await wait;
                    keepAlive.CancelAfter(Timeout.InfiniteTimeSpan);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    keepAlive.Dispose();
                    keepAlive = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    events.WriteKeepAlive();
                    await events.FlushAsync();
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && events.TimedOut)
        {
            StreamApi.DropSlowClient(context, gate, logger, clientId, "sse", settings);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client left.
        }
        catch (IOException)
        {
            // The connection broke.
        }
        finally
        {
            keepAlive.Dispose();
        }
        Log.StreamEnded(logger, clientId, "sse", sent);
        return TypedResults.Empty;
    }

    /// <summary>A tape sequence as a client sends it (0 or more); absent = null.</summary>
    internal static long? Sequence(QueryErrors errors, string? text, string parameter)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        if (text.Length <= 20 && long.TryParse(text.AsSpan().Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value))
            return value;
        errors.Add(parameter, $"'{QueryErrors.Echo(text)}' is not a tape sequence. Use a whole number from 0 (the id of the last trade event received).");
        return null;
    }
}

/// <summary>
/// One stream client's position on a coin's tape, and what to send next: the trades after it (in sequence order), a
/// notice when the tape lacks sequences after it (<c>gap</c>) or the position is beyond the tape (<c>reset</c>), or an
/// overrun when the client fell behind what the tape keeps. Shared by the Server-Sent Events stream and <c>/ws</c>'s
/// trades channel, so both deliver the same trades with the same ids. One client, one caller: not thread-safe.
/// </summary>
internal sealed class TradeFollower(TradeTape tape, TradeWakeups wakeups, string coin, long? start, TimeProvider time)
{
    // The trades of the last step, reused by the next: a step allocates nothing.
    private Trade[] _buffer = [];

    /// <summary>
    /// How long a position beyond the tape's newest may wait for the tape to reach it: a mirror a moment behind the
    /// instance the client was on catches up in milliseconds; a tape still behind after this restarted its sequences.
    /// </summary>
    public static readonly TimeSpan AheadPatience = TimeSpan.FromSeconds(3);

    // A client that gave no position starts after the newest trade: it asked for what comes next.
    private readonly bool _resumed = start is not null;
    private bool _started;
    private bool _resetDue;

    public string Coin => coin;

    /// <summary>The sequence of the last trade delivered (or the position started from).</summary>
    public long Position { get; private set; } = start ?? tape.LastSequence(coin);

    private bool Ahead => !_started && Position > tape.LastSequence(coin);

    /// <summary>Completes when there is something to send: a trade after <see cref="Position"/>, or a reset due.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) =>
        Ahead ? WaitAheadAsync(cancellationToken) : wakeups.WaitAsync(coin, Position, cancellationToken);

    private async Task WaitAheadAsync(CancellationToken cancellationToken)
    {
        try
        {
            await tape.WaitAsync(coin, Position - 1, cancellationToken).WaitAsync(AheadPatience, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            _resetDue = true;
        }
    }

    /// <summary>
    /// Up to <paramref name="max"/> trades after <see cref="Position"/>, none beyond sequence <paramref name="upTo"/>, and
    /// advances past them. The step's trades are a buffer of this follower's, valid until its next step.
    /// </summary>
    public TradeStep Next(int max, long upTo = long.MaxValue)
    {
        if (_resetDue)
        {
            // The tape restarted its sequences (a new collector): the client gets everything it holds, to de-duplicate by id.
            _resetDue = false;
            _started = true;
            var asked = Position;
            Position = 0;
            return new TradeStep(default, TradeStreamMessage.Reset(coin, asked, tape.LastSequence(coin)), null);
        }
        if (Ahead)
            return new TradeStep(default, null, null);
        if (_buffer.Length < max)
            _buffer = new Trade[max];
        Array.Clear(_buffer); // the last step's trades, which the ring may forget: not kept alive here
        var count = tape.After(coin, Position, _buffer.AsSpan(0, max));
        // Not beyond upTo (what the wake-up released): the rest comes with the next wake-up.
        while (count > 0 && _buffer[count - 1].Sequence > upTo)
            count--;
        var trades = new ArraySegment<Trade>(_buffer, 0, count);
        if (count == 0)
            return new TradeStep(default, null, null);
        TradeStreamMessage? gap = null;
        var first = trades[0].Sequence;
        // From the very start (no position given, or 0) there is nothing to miss; after a position, a jump is news.
        if (first > Position + 1 && (_resumed && Position > 0 || _started))
        {
            var oldestHeld = tape.OldestSequence(coin) is > 0 and var oldest ? oldest : first;
            if (_started && first == oldestHeld)
            {
                // The ring moved past this client while it read: it cannot keep up.
                return new TradeStep(default, null, TradeStreamMessage.Error(coin,
                    $"Too slow: the tape forgot trades after sequence {Position} before they were sent (it keeps the newest Tape:Keep trades). Reconnect with Last-Event-ID {Position} to learn what was missed."));
            }
            gap = TradeStreamMessage.Gapped(coin, Position + 1, first - 1);
        }
        // A hole inside the batch (a mirrored tape's): deliver up to it; the next step reports it.
        for (var i = 1; i < trades.Count; i++)
        {
            if (trades[i].Sequence != trades[i - 1].Sequence + 1)
            {
                trades = trades[..i];
                break;
            }
        }
        _started = true;
        Position = trades[^1].Sequence;
        return new TradeStep(trades, gap, null);
    }
}

/// <summary>What to send next: trades, a notice before them (<c>gap</c> or <c>reset</c>), or an overrun (send it and close).</summary>
internal readonly record struct TradeStep(ArraySegment<Trade> Trades, TradeStreamMessage? Notice, TradeStreamMessage? Overrun);

/// <summary>
/// The trade stream's messages other than trades (and <c>/ws</c>'s batches of trades): <c>subscribed</c> (channel,
/// asset, after, last_sequence), <c>trades</c> (data), <c>gap</c> (from, to: sequences not on this tape), <c>reset</c>
/// (after: the position asked, beyond the tape), <c>unsubscribed</c>, <c>error</c> (message). Absent members are left out.
/// </summary>
public sealed record TradeStreamMessage(string Type, string Channel, string? Asset)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? After { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? LastSequence { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? From { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? To { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Message { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<TradeItem>? Data { get; init; }

    /// <summary><c>/ws</c>'s <c>subscribed</c>: the one venue whose trades the channel carries; absent = every venue.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Venue { get; init; }

    public const string TradesChannel = "trades";

    public static TradeStreamMessage Subscribed(string asset, long after, long lastSequence) =>
        new("subscribed", TradesChannel, asset) { After = after, LastSequence = lastSequence };

    public static TradeStreamMessage Unsubscribed() => new("unsubscribed", TradesChannel, null);

    public static TradeStreamMessage Gapped(string asset, long from, long to) =>
        new("gap", TradesChannel, asset) { From = from, To = to, Message = $"Sequences {from} to {to} are not on this tape (forgotten, or never mirrored here)." };

    public static TradeStreamMessage Reset(string asset, long asked, long lastSequence) =>
        new("reset", TradesChannel, asset)
        {
            After = asked,
            LastSequence = lastSequence,
            Message = $"Sequence {asked} is beyond this tape's newest ({lastSequence}): its sequences restarted. Every trade it holds follows; de-duplicate by id.",
        };

    public static TradeStreamMessage Error(string asset, string message) => new("error", TradesChannel, asset) { Message = message };

    /// <summary>A batch of the trades on <paramref name="venue"/> (null: every venue: <see cref="Trade.IsOn"/>); its data may be empty.</summary>
    public static TradeStreamMessage Batch(string asset, IReadOnlyList<Trade> trades, Book.Venue? venue = null) =>
        new("trades", TradesChannel, asset) { Data = [.. trades.Where(t => t.IsOn(venue)).Select(TradeItem.From)] };
}

/// <summary>
/// Trade events on a Server-Sent Events response: <c>id: sequence</c>, <c>event: trade</c>, one <c>data:</c> line of
/// compact JSON. Written into the response pipe and flushed by batch; a flush not taken within the send timeout cancels
/// (<see cref="TimedOut"/>). One client, one writer: not thread-safe.
/// </summary>
internal sealed class TradeEvents : IDisposable
{
    private readonly PipeWriter _body;
    private readonly Utf8JsonWriter _json;
    private readonly TimeSpan _sendTimeout;
    private readonly CancellationTokenSource _deadline;
    private readonly CancellationTokenSource _send;

    public TradeEvents(PipeWriter body, TimeProvider time, TimeSpan sendTimeout, CancellationToken clientGone)
    {
        _body = body;
        _json = new Utf8JsonWriter(body);
        _sendTimeout = sendTimeout;
        _deadline = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _send = CancellationTokenSource.CreateLinkedTokenSource(clientGone, _deadline.Token);
    }

    public bool TimedOut => _deadline.IsCancellationRequested;

    /// <summary>
    /// The trades' events (only <paramref name="only"/>'s when given), framed once for every client: slices of the coin's
    /// <paramref name="blocks"/> where they hold them, else each trade's own event (<see cref="TradeItemJson.Event"/>).
    /// </summary>
    public void WriteTrades(ReadOnlySpan<Trade> trades, Venue? only, TradeEventBlocks? blocks)
    {
        if (blocks is not null)
        {
            blocks.Write(_body, trades, only);
            return;
        }
        foreach (var trade in trades)
        {
            if (trade.IsOn(only))
                _body.Write(TradeItemJson.Event(trade));
        }
    }

    public void Write(ReadOnlySpan<byte> name, TradeStreamMessage message)
    {
        _body.Write("event: "u8);
        _body.Write(name);
        _body.Write("\ndata: "u8);
        WriteJson(message, AppJsonContext.Default.TradeStreamMessage);
        _body.Write("\n\n"u8);
    }

    public void WriteKeepAlive() => _body.Write(": keep-alive\n\n"u8);

    public async Task FlushAsync()
    {
        _deadline.CancelAfter(_sendTimeout);
        // Completed: the connection closed under us.
        if ((await _body.FlushAsync(_send.Token)).IsCompleted)
            throw new IOException("The stream client's connection closed.");
        _deadline.CancelAfter(Timeout.InfiniteTimeSpan);
    }

    private void WriteJson<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
    {
        _json.Reset(_body);
        JsonSerializer.Serialize(_json, value, typeInfo);
        _json.Flush();
    }

    public void Dispose()
    {
        _json.Dispose();
        _send.Dispose();
        _deadline.Dispose();
    }
}
