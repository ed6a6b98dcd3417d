using System.Buffers;
using System.Net.WebSockets;

namespace OptionsTracker.Api;

/// <summary>
/// Stream messages as WebSocket text messages; a message larger than a chunk goes out as fragments (a text frame,
/// then continuation frames), which every WebSocket client joins. The chunk buffer is this client's only buffer
/// (a chunk plus the 4 KB the JSON writer asks for ahead, so it never grows; never a whole snapshot).
/// </summary>
internal sealed class WebSocketMessages : StreamMessages
{
    private readonly WebSocket _socket;
    private readonly ArrayBufferWriter<byte> _chunk;

    public WebSocketMessages(WebSocket socket, TimeProvider time, TimeSpan sendTimeout, CancellationToken clientGone)
        : this(socket, new ArrayBufferWriter<byte>(ChunkBytes + 6 * 1024), time, sendTimeout, clientGone)
    {
    }

    private WebSocketMessages(WebSocket socket, ArrayBufferWriter<byte> chunk, TimeProvider time, TimeSpan sendTimeout, CancellationToken clientGone)
        : base(chunk, time, sendTimeout, clientGone)
    {
        _socket = socket;
        _chunk = chunk;
    }

    /// <summary>Closes the socket with <paramref name="status"/>, within the send timeout.</summary>
    public Task CloseAsync(WebSocketCloseStatus status, string? description) =>
        WithDeadlineAsync(cancellationToken => new ValueTask(_socket.CloseOutputAsync(status, description, cancellationToken)));

    protected override void BeginMessage(ReadOnlySpan<byte> name)
    {
    }

    protected override ValueTask SendChunkAsync(CancellationToken cancellationToken) => SendAsync(endOfMessage: false, cancellationToken);

    protected override ValueTask EndMessageAsync(CancellationToken cancellationToken) => SendAsync(endOfMessage: true, cancellationToken);

    private async ValueTask SendAsync(bool endOfMessage, CancellationToken cancellationToken)
    {
        await _socket.SendAsync(_chunk.WrittenMemory, WebSocketMessageType.Text, endOfMessage, cancellationToken);
        _chunk.ResetWrittenCount();
    }
}
