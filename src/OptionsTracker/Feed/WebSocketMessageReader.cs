using System.Buffers;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;

namespace OptionsTracker.Feed;

/// <summary>
/// Reads a venue connection's WebSocket messages whole, into one pooled buffer: fragments join in place, the buffer grows
/// (doubling, from the pool) only for a message larger than any before, up to a limit. What a message means, and what a
/// close means, is the venue's. One reader per connection session, read by one loop; disposing returns the buffer.
/// Allocation-free per message: the buffer is reused and <see cref="ReceiveAsync"/>'s awaits are pooled.
/// </summary>
internal sealed class WebSocketMessageReader(int initialSize, int maxSize) : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(initialSize);
    private int _count;

    /// <summary>The message <see cref="ReceiveAsync"/> last read (valid until the next call).</summary>
    public ReadOnlySpan<byte> Message => _buffer.AsSpan(0, _count);

    /// <summary>
    /// Reads the next whole message into <see cref="Message"/>. Returns <see cref="WebSocketRead.Message"/>, or why none
    /// came: <see cref="WebSocketRead.Closed"/> (the server's close: its status is on the socket), or
    /// <see cref="WebSocketRead.Ended"/> with <paramref name="reason"/> (stopped, a receive failure, a message over the limit).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<(WebSocketRead Read, string? Reason)> ReceiveAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        _count = 0;
        while (true)
        {
            ValueWebSocketReceiveResult result;
            try
            {
                result = await socket.ReceiveAsync(_buffer.AsMemory(_count), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return (WebSocketRead.Ended, "stopped");
            }
            catch (WebSocketException ex)
            {
                return (WebSocketRead.Ended, $"receive failed: {ex.Message}");
            }
            if (result.MessageType == WebSocketMessageType.Close)
                return (WebSocketRead.Closed, null);
            _count += result.Count;
            if (result.EndOfMessage)
                return (WebSocketRead.Message, null);
            // Fragments join in the same buffer; grow it only for a message larger than any seen.
            if (_count == _buffer.Length)
            {
                if (_buffer.Length >= maxSize)
                    return (WebSocketRead.Ended, $"a message exceeded {maxSize} bytes");
                var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
                _buffer.AsSpan(0, _count).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = larger;
            }
        }
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _count = 0;
    }
}

/// <summary>What <see cref="WebSocketMessageReader.ReceiveAsync"/> read.</summary>
internal enum WebSocketRead : byte
{
    /// <summary>A whole message.</summary>
    Message,

    /// <summary>The server closed the connection.</summary>
    Closed,

    /// <summary>No more messages: stopped, failed, or a message over the limit.</summary>
    Ended,
}
