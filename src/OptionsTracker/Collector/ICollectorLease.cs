namespace OptionsTracker.Collector;

/// <summary>
/// Whether this process collects. Owned here so the feed need not know who decides: without a shared store
/// <see cref="SoleCollectorLease"/> (always held); with Redis the store's lease (one collector among several).
/// </summary>
public interface ICollectorLease
{
    /// <summary>This collector's id, as it appears in the lease and the published stats.</summary>
    string Id { get; }

    bool IsHeld { get; }

    /// <summary>Completes once this process holds the lease, with a token cancelled when it loses it.</summary>
    Task<CancellationToken> AcquireAsync(CancellationToken cancellationToken);
}
