namespace OptionsTracker.Feed;

/// <summary>A pause the venue imposes on our requests: <paramref name="Reason"/> says why, e.g. "Bybit has banned this IP …".</summary>
public sealed record VenuePause(DateTimeOffset Until, string Reason);
