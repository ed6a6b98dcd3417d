namespace OptionsTracker.Collector;

/// <summary>
/// Decides whether this process collects. The shared store (Redis) implements it with a lease key that one collector
/// holds at a time; an instance with the embedded store always holds it (<see cref="AlwaysHeldLease"/>).
/// </summary>
public interface ICollectorLease
{
    /// <summary>This collector's id, as other instances see it.</summary>
    string Id { get; }

    bool IsHeld { get; }

    /// <summary>Completes once this process holds the lease, with a token cancelled when it loses it.</summary>
    Task<CancellationToken> AcquireAsync(CancellationToken cancellationToken);
}
