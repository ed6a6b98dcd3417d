using Microsoft.Extensions.Diagnostics.HealthChecks;
using OptionsTracker.Book;

namespace OptionsTracker.Health;

/// <summary>Degraded while the store reports a problem (a distributed store that cannot be reached): data is served from memory meanwhile.</summary>
public sealed class StoreHealthCheck(IOptionStore store) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(store.Problem is { } problem
            ? HealthCheckResult.Degraded($"store {store.Name}: {problem}")
            : HealthCheckResult.Healthy($"store {store.Name} is fine"));
}
