using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using OptionsTracker.Book;

namespace OptionsTracker.Api;

/// <summary>
/// One stream client's outgoing messages, the same JSON for Server-Sent Events and the WebSocket:
/// <c>{"type":"snapshot","asset":"BTC","expiry":null,"total":N,"data":[items]}</c>, then
/// <c>{"type":"update","asset":"BTC","data":[items]}</c> and <c>{"type":"remove","asset":"BTC","symbols":[…],"venues":[…]}</c>
/// (<c>venues[i]</c> is the venue of <c>symbols[i]</c>: a symbol alone may name options on two venues; <c>symbols</c>
/// stays as it was for clients that know only Bybit).
/// Items are the option items of <c>/api/options</c>, read from their slots as they are written.
/// <para>
/// Memory per client is bounded whatever the board's size or the client's speed: a message goes out in chunks of
/// about <see cref="ChunkBytes"/>, each sent (and, when the client does not read, waited for) before the next is
/// written, so a client holds at most one chunk here plus the connection's write buffer
/// (<see cref="ApiOptions.WriteBufferBytes"/>), never a whole 600 KB snapshot or a copy of its rows. A message not taken within
/// <see cref="ApiOptions.StreamSendTimeout"/> cancels the send (<see cref="TimedOut"/>); the caller then drops
/// the client, which returns its buffers. One client, one sender at a time: not thread-safe.
/// </para>
/// </summary>
internal abstract class StreamMessages : IDisposable
{
    /// <summary>
    /// Bytes written before a chunk is sent: one Kestrel flush or one WebSocket frame. A chunk ends at the first item
    /// past this (items are under 1.5 KB), so a frame and its header fit the WebSocket's 8 KB pooled send buffer.
    /// </summary>
    public const int ChunkBytes = 6 * 1024;

    private readonly Utf8JsonWriter _json;
    private readonly CancellationTokenSource _deadline;
    private readonly CancellationTokenSource _send;
    private readonly TimeSpan _sendTimeout;
    private long _chunkStart;

    protected StreamMessages(IBufferWriter<byte> output, TimeProvider time, TimeSpan sendTimeout, CancellationToken clientGone)
    {
        _json = new Utf8JsonWriter(output);
        _sendTimeout = sendTimeout;
        // Armed for each message, disarmed when it is sent: the deadline counts only while the client holds us up.
        _deadline = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _send = CancellationTokenSource.CreateLinkedTokenSource(clientGone, _deadline.Token);
    }

    /// <summary>True once a message was not taken within the send timeout: drop the client.</summary>
    public bool TimedOut => _deadline.IsCancellationRequested;

    /// <summary>Cancelled when the client leaves or a send times out.</summary>
    protected CancellationToken SendToken => _send.Token;

    public Task SendSnapshotAsync(string asset, DateOnly? expiry, IReadOnlyList<OptionSlot> slots, DateTimeOffset now) =>
        SendAsync("snapshot"u8, async json =>
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "snapshot"u8);
            json.WriteString("asset"u8, asset);
            WriteExpiry(json, expiry);
            json.WriteNumber("total"u8, slots.Count);
            await WriteItemsAsync(json, slots, now);
            json.WriteEndObject();
        });

    public Task SendUpdateAsync(string asset, IReadOnlyList<OptionSlot> slots, DateTimeOffset now) =>
        SendAsync("update"u8, async json =>
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "update"u8);
            json.WriteString("asset"u8, asset);
            await WriteItemsAsync(json, slots, now);
            json.WriteEndObject();
        });

    /// <summary>The symbols and venues of options no longer listed (the slots they had).</summary>
    public Task SendRemoveAsync(string asset, IReadOnlyList<OptionSlot> delisted) =>
        SendAsync("remove"u8, async json =>
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "remove"u8);
            json.WriteString("asset"u8, asset);
            json.WriteStartArray("symbols"u8);
            for (var i = 0; i < delisted.Count; i++)
            {
                json.WriteStringValue(delisted[i].Instrument.Symbol);
                await SendChunkIfFullAsync(json);
            }
            json.WriteEndArray();
            json.WriteStartArray("venues"u8);
            for (var i = 0; i < delisted.Count; i++)
            {
                json.WriteStringValue(delisted[i].Instrument.Venue.Id);
                await SendChunkIfFullAsync(json);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });

    public Task SendSubscribedAsync(string asset, DateOnly? expiry) =>
        SendAsync("subscribed"u8, json =>
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "subscribed"u8);
            json.WriteString("asset"u8, asset);
            WriteExpiry(json, expiry);
            json.WriteEndObject();
            return Task.CompletedTask;
        });

    public Task SendErrorAsync(string message) =>
        SendAsync("error"u8, json =>
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "error"u8);
            json.WriteString("message"u8, message);
            json.WriteEndObject();
            return Task.CompletedTask;
        });

    /// <summary>
    /// One message whose body is <paramref name="value"/> as JSON (the analytics stream sends the term endpoint's body
    /// this way). For small bodies: it is written whole, then sent.
    /// </summary>
    public Task SendJsonAsync<T>(ReadOnlySpan<byte> name, T value, JsonTypeInfo<T> typeInfo) =>
        SendAsync(name, json =>
        {
            JsonSerializer.Serialize(json, value, typeInfo);
            return Task.CompletedTask;
        });

    /// <summary>Starts a message (an SSE event's <c>event:</c> and <c>data:</c> prefix; nothing on a WebSocket).</summary>
    protected abstract void BeginMessage(ReadOnlySpan<byte> name);

    /// <summary>Sends what was written so far as part of the current message; completes when the client took it.</summary>
    protected abstract ValueTask SendChunkAsync(CancellationToken cancellationToken);

    /// <summary>Sends the rest of the current message and ends it.</summary>
    protected abstract ValueTask EndMessageAsync(CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="send"/> under the send timeout: the deadline is armed before and disarmed after.</summary>
    protected async Task WithDeadlineAsync(Func<CancellationToken, ValueTask> send)
    {
        _deadline.CancelAfter(_sendTimeout);
        await send(SendToken);
        _deadline.CancelAfter(Timeout.InfiniteTimeSpan);
    }

    private Task SendAsync(ReadOnlySpan<byte> name, Func<Utf8JsonWriter, Task> write)
    {
        BeginMessage(name);
        return WithDeadlineAsync(async cancellationToken =>
        {
            _json.Reset();
            _chunkStart = 0;
            await write(_json);
            _json.Flush();
            await EndMessageAsync(cancellationToken);
        });
    }

    private async Task WriteItemsAsync(Utf8JsonWriter json, IReadOnlyList<OptionSlot> slots, DateTimeOffset now)
    {
        json.WriteStartArray("data"u8);
        using var items = new ItemJsonWriter(OptionFields.Default, now);
        for (var i = 0; i < slots.Count; i++)
        {
            // The quote as it is now: a change since the slots were taken is sent here and again in the next update.
            items.Write(json, OptionRow.Read(slots[i]));
            await SendChunkIfFullAsync(json);
        }
        json.WriteEndArray();
    }

    private async ValueTask SendChunkIfFullAsync(Utf8JsonWriter json)
    {
        if (json.BytesCommitted + json.BytesPending - _chunkStart < ChunkBytes)
            return;
        json.Flush();
        _chunkStart = json.BytesCommitted;
        await SendChunkAsync(SendToken);
    }

    private static void WriteExpiry(Utf8JsonWriter json, DateOnly? expiry)
    {
        if (expiry is { } date)
            json.WriteString("expiry"u8, ExpiryLabel.Format(date));
        else
            json.WriteNull("expiry"u8);
    }

    public virtual void Dispose()
    {
        _json.Dispose();
        _send.Dispose();
        _deadline.Dispose();
    }
}
