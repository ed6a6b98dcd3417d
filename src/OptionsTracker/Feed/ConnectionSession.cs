using System.Net.WebSockets;

namespace OptionsTracker.Feed;

/// <summary>
/// One session of a venue's WebSocket connection: its receive loop and its control loop (subscribes, pings or heartbeats)
/// run together until either ends; the other is then ended too (the session cancelled, the socket aborted) and the first
/// one's reason is the session's. What each loop does is the venue's.
/// </summary>
internal static class ConnectionSession
{
    public static async Task<string> RunAsync(
        WebSocket socket,
        Func<CancellationToken, Task<string>> receiveLoop,
        Func<CancellationToken, Task<string>> controlLoop,
        CancellationToken cancellationToken)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var receive = receiveLoop(session.Token);
        var control = controlLoop(session.Token);
        var first = await Task.WhenAny(receive, control);
        await session.CancelAsync();
        socket.Abort();
        string reason;
        try
        {
            reason = await first;
        }
        catch (Exception ex)
        {
            reason = ex.Message;
        }
        try
        {
            await Task.WhenAll(receive, control);
        }
        catch
        {
            // The other loop ends with the aborted socket or the cancelled session: expected, already explained.
        }
        return reason;
    }
}
