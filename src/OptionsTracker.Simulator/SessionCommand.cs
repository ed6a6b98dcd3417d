namespace OptionsTracker.Simulator;

/// <summary>What the receive loop hands to the send loop, which alone owns the subscriptions and the socket's send side.</summary>
/// <param name="Kind">What to do.</param>
/// <param name="Topics">The request's topics (subscribe and unsubscribe).</param>
/// <param name="Message">The error text (error replies).</param>
/// <param name="ReqId">The request's <c>req_id</c> as sent (a rejection echoes it), or null.</param>
internal sealed record SessionCommand(SessionCommandKind Kind, IReadOnlyList<string> Topics, string? Message = null, string? ReqId = null);

internal enum SessionCommandKind
{
    Subscribe,
    Unsubscribe,
    Pong,
    Error,
}
