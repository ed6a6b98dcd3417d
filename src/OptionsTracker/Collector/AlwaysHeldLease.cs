namespace OptionsTracker.Collector;

/// <summary>The lease of a process with the embedded store: nobody else can feed its book, so it always collects.</summary>
public sealed class AlwaysHeldLease : ICollectorLease
{
    public string Id { get; } = $"{Environment.MachineName}/{Environment.ProcessId}";

    public bool IsHeld => true;

    public Task<CancellationToken> AcquireAsync(CancellationToken cancellationToken) => Task.FromResult(CancellationToken.None);
}
