using System.Buffers;
using System.IO.Pipelines;

namespace OptionsTracker.Api;

/// <summary>
/// Stream messages as Server-Sent Events on a response body: <c>event: snapshot</c>, one <c>data:</c> line of compact
/// JSON (it never contains a raw line break), a blank line. Chunks are flushes of the body; a flush completes when the
/// connection's unsent bytes are below <see cref="ApiOptions.WriteBufferBytes"/>, so a client that does not read stops us here.
/// </summary>
internal sealed class SseMessages(PipeWriter body, TimeProvider time, TimeSpan sendTimeout, CancellationToken clientGone)
    : StreamMessages(body, time, sendTimeout, clientGone)
{
    /// <summary>A comment line, so proxies keep an idle stream open.</summary>
    public Task SendKeepAliveAsync() => WithDeadlineAsync(cancellationToken =>
    {
        body.Write(": keep-alive\n\n"u8);
        return FlushAsync(cancellationToken);
    });

    protected override void BeginMessage(ReadOnlySpan<byte> name)
    {
        body.Write("event: "u8);
        body.Write(name);
        body.Write("\ndata: "u8);
    }

    protected override ValueTask SendChunkAsync(CancellationToken cancellationToken) => FlushAsync(cancellationToken);

    protected override ValueTask EndMessageAsync(CancellationToken cancellationToken)
    {
        body.Write("\n\n"u8);
        return FlushAsync(cancellationToken);
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        // Completed: the connection closed under us.
        if ((await body.FlushAsync(cancellationToken)).IsCompleted)
            throw new IOException("The stream client's connection closed.");
    }
}
