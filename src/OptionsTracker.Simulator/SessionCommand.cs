namespace OptionsTracker.Simulator;

/// <summary>What the receive loop hands to the send loop, which alone owns the subscriptions and the socket's send side.</summary>
internal sealed record SessionCommand(SessionCommandKind Kind, IReadOnlyList<string> Topics, string? Message = null);

internal enum SessionCommandKind
{
    Subscribe,
    Unsubscribe,
    Pong,
    Error,
}
