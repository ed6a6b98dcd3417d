using Microsoft.AspNetCore.Http;

namespace OptionsTracker.Simulator;

/// <summary>
/// Aborts a WebSocket session's connection from outside its request (a fault injected, the simulator disposed), guarded
/// against the end of the request: once the request has ended ASP.NET Core recycles its HttpContext, whose Abort then
/// throws a NullReferenceException (seen in CI when a simulator was disposed as a connection closed). The session calls
/// <see cref="End"/> before its request returns; an Abort after that does nothing.
/// </summary>
internal sealed class ConnectionAbort(HttpContext context)
{
    private readonly Lock _gate = new();
    private bool _ended;

    /// <summary>Ends the TCP connection at once, without a close handshake; nothing once the session has ended.</summary>
    public void Abort()
    {
        lock (_gate)
        {
            if (_ended)
                return;
            try
            {
                context.Abort();
            }
            catch (ObjectDisposedException)
            {
                // The connection is already gone, which is what Abort wants.
            }
        }
    }

    /// <summary>The session's request is about to end: no Abort touches its context from now on.</summary>
    public void End()
    {
        lock (_gate)
            _ended = true;
    }
}
