namespace OptionsTracker.Collector;

/// <summary>Without a shared store this process is the only collector: the lease is held from the start, for good.</summary>
public sealed class SoleCollectorLease : ICollectorLease
{
    public string Id { get; } = $"{Environment.MachineName}/{Environment.ProcessId}";

    public bool IsHeld => true;

    public Task<CancellationToken> AcquireAsync(CancellationToken cancellationToken) => Task.FromResult(CancellationToken.None);
}
